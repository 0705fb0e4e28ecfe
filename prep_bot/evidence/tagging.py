"""Tag passages with quality statements, theme and polarity.

Quality statements come first from headings that name one (the most reliable signal), then
from content: a classifier learnt from labelled text and the framework's descriptions, judged
unit by unit (paragraphs, bullets) and smoothed along each section. Polarity comes from the
nearest "Strengths" or "Areas for consideration"-style heading, else from the wording of the
passage when it leans clearly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from prep_bot.evidence.chunking import DraftPassage, isolated, join_units, pack
from prep_bot.evidence.classifier import StatementClassifier
from prep_bot.framework.statements import QS_SLUGS, Framework

MAX_TAGS = 3
LEGACY_BOOST = 1.5  # probability multiplier for statements an old LGA standards heading maps onto
SWITCH_COST = 1.2  # log-probability charged for changing statement between neighbouring units
# Under a theme heading the section is known to span several statements: smooth far less.
THEME_SWITCH_COST = 0.6
FULL_UNIT_TOKENS = 40  # a unit this long speaks with its full weight; shorter ones less
SHORT_UNIT_FLOOR = 0.4
SECONDARY_MIN = 0.25  # a second statement needs this probability over the passage...
SECONDARY_SHARE = 0.6  # ...and this share of the first's

_IMPROVEMENT_WORDS = re.compile(
    r"\b(needs? to|should|was not|were not|did not|does not|not always|not yet|lack of|lacked|"
    r"gaps?|delays?|backlog|waiting lists?|out of date|inconsistent|inconsistency|"
    r"could be (?:improved|strengthened)|would benefit|shortfalls?|insufficient|unclear|frustrat\w*)\b",
    re.I,
)
_STRENGTH_WORDS = re.compile(
    r"\b(positive(?:ly)?|good|strong|strengths?|effective(?:ly)?|proud|well[- ]established|"
    r"timely|improved|innovative|excellent|praised|valued|committed|passionate|impressive|"
    r"outstanding|robust|successful(?:ly)?|above the england average)\b",
    re.I,
)


def names_a_shortfall(text: str) -> bool:
    """Whether a text has a word of an area to improve ("delays", "not always", "should")."""
    return bool(_IMPROVEMENT_WORDS.search(text))


def polarity_lean(text: str) -> int:
    """How far a text leans to a strength (above 0) or an area to improve (below 0), by its words."""
    return len(_STRENGTH_WORDS.findall(text)) - len(_IMPROVEMENT_WORDS.findall(text))


@dataclass
class Tags:
    quality_statements: list[str]
    theme: str
    polarity: str
    confidence: float = 1.0
    source: str = "content"


@dataclass
class TaggedPassage:
    """A packed passage with its tags and the indexes of the units it was packed from."""

    draft: DraftPassage
    tags: Tags
    units: list[int]


@dataclass
class TagPlan:
    """The units ingest embeds before tagging, so that each stored text is embedded once.

    ``alone``: units that are a passage on their own whatever the statements (neither
    neighbour could join them): their vector is the passage's, both judged and stored.
    ``judged``: units whose statement is judged by content and that may or may not be joined
    with their neighbours: embedded only to be judged (``Embedder.encode_fast``); the passages
    they end up in are embedded afterwards. Units under a heading that names their statement
    (or under contact details and contents) need no vector to be tagged at all."""

    alone: list[int]
    judged: list[int]


class Tagger:
    """Tags units (paragraphs, bullets, rows) with quality statements, then packs neighbouring
    units about the same statement into passages (``plan`` says which units need a vector).

    Each unit gets probabilities from the classifier (learnt from labelled text and the
    framework's own descriptions of each statement). Within a section the first
    statement of each unit is chosen by a Viterbi pass that charges for every change of
    statement, so a stray sentence does not split a run about one subject while a real change
    of subject still cuts the passage. A heading that names a statement decides it; a theme
    heading only narrows the choice to that theme's statements."""

    def __init__(self, framework: Framework, classifier: StatementClassifier) -> None:
        self.framework = framework
        self.classifier = classifier
        self._theme_mask = {
            t.slug: np.array([s in framework.statements_in_theme(t.slug) for s in QS_SLUGS]) for t in framework.themes
        }

    def probabilities(self, embeddings: np.ndarray) -> np.ndarray:
        """Units x 9 probabilities from the classifier."""
        return self.classifier.predict_proba(embeddings)

    def plan(self, units: Sequence[DraftPassage], count_tokens, target: int) -> TagPlan:
        """Which units need a vector before ``tag``, and which of them stand alone (see TagPlan)."""
        alone, judged = [], []
        for index, (unit, single) in enumerate(zip(units, isolated(units, count_tokens, target))):
            if single:
                alone.append(index)
            elif self._judged_by_content(unit):
                judged.append(index)
        return TagPlan(alone, judged)

    @staticmethod
    def _judged_by_content(unit: DraftPassage) -> bool:
        return not unit.hint("qs") and not any(h.boilerplate for h in unit.headings)

    def tag(
        self, units: Sequence[DraftPassage], embeddings: np.ndarray | Mapping[int, np.ndarray], count_tokens, target: int
    ) -> list[TaggedPassage]:
        """Tag the units and pack them into passages (in document order). ``embeddings``: a
        vector per unit, or (by unit index) at least for the units of ``plan``."""
        if not len(units):
            return []
        probs = self._unit_probabilities(units, embeddings)
        for index, unit in enumerate(units):  # 2015-style headings ("Outcomes") lean, never decide
            for slug in unit.hint("legacy") or []:
                probs[index, QS_SLUGS.index(slug)] *= LEGACY_BOOST
        probs /= probs.sum(axis=1, keepdims=True)
        first = self._choose(units, probs)
        labels = [first[i] for i in range(len(units))]
        out: list[TaggedPassage] = []
        for group in pack(units, labels, count_tokens, target):
            draft = join_units([units[i] for i in group])
            weights = np.array([max(1, units[i].tokens) for i in group], dtype=np.float32)
            mean = (probs[group] * weights[:, None]).sum(axis=0) / weights.sum()
            out.append(TaggedPassage(draft, self._tags(draft, labels[group[0]], mean), list(group)))
        return out

    def _unit_probabilities(self, units: Sequence[DraftPassage], embeddings) -> np.ndarray:
        """The classifier's probabilities for every unit that has a vector; units that have none
        must not need one (their statement comes from a heading): they get an even spread."""
        if not isinstance(embeddings, Mapping):
            return self.probabilities(np.asarray(embeddings)).copy()
        probs = np.full((len(units), len(QS_SLUGS)), 1.0 / len(QS_SLUGS), dtype=np.float32)
        known = sorted(i for i in embeddings if 0 <= i < len(units))
        if known:
            probs[known] = self.probabilities(np.stack([embeddings[i] for i in known]))
        missing = [i for i in range(len(units)) if i not in embeddings and self._judged_by_content(units[i])]
        if missing:
            raise ValueError(f"units {missing[:5]} are judged by content but have no vector")
        return probs

    def _choose(self, units: Sequence[DraftPassage], probs: np.ndarray) -> dict[int, int | None]:
        """The first statement of each unit (an index into QS_SLUGS, or None for boilerplate):
        the heading's when it names one, else the best path through each section."""
        chosen: dict[int, int | None] = {}
        run: list[int] = []

        def decide() -> None:
            if run:
                allowed = np.ones(len(QS_SLUGS), dtype=bool)
                switch = SWITCH_COST
                theme = units[run[0]].hint("theme")
                if theme in self._theme_mask:
                    allowed, switch = self._theme_mask[theme], THEME_SWITCH_COST
                emissions = np.log(np.clip(probs[run], 1e-6, 1.0))
                weights = np.array([min(1.0, max(SHORT_UNIT_FLOOR, units[i].tokens / FULL_UNIT_TOKENS)) for i in run])
                for i, state in zip(run, _viterbi(emissions * weights[:, None], allowed, switch)):
                    chosen[i] = state
                run.clear()

        for index, unit in enumerate(units):
            if any(h.boilerplate for h in unit.headings):
                decide()
                chosen[index] = None
                continue
            stated = unit.hint("qs")
            if stated:
                decide()
                chosen[index] = QS_SLUGS.index(stated)
                continue
            if unit.is_row:
                decide()
                allowed = self._theme_mask.get(unit.hint("theme"), np.ones(len(QS_SLUGS), dtype=bool))
                chosen[index] = int(np.argmax(np.where(allowed, probs[index], -1.0)))
                continue
            if run and units[run[-1]].headings is not unit.headings:
                decide()
            run.append(index)
        decide()
        return chosen

    def _tags(self, draft: DraftPassage, first: int | None, probs: np.ndarray) -> Tags:
        if first is None:
            return Tags([], "", "neutral", 1.0, "content")
        from_heading = bool(draft.hint("qs"))
        slug = QS_SLUGS[first]
        statements = [slug]
        if not from_heading:
            bar = max(SECONDARY_MIN, SECONDARY_SHARE * float(probs[first]))
            for index in np.argsort(-probs):
                if len(statements) >= MAX_TAGS:
                    break
                if int(index) != first and probs[index] >= bar:
                    statements.append(QS_SLUGS[int(index)])
        confidence = 1.0 if from_heading else float(probs[first])
        return Tags(
            statements, self.framework.qs(slug).theme, self._polarity(draft), round(confidence, 4),
            "heading" if from_heading else "content",
        )

    @staticmethod
    def _polarity(draft: DraftPassage) -> str:
        stated = draft.hint("polarity")
        if stated:
            return stated
        if draft.is_row:
            return "neutral"
        weak = len(_IMPROVEMENT_WORDS.findall(draft.text))
        strong = len(_STRENGTH_WORDS.findall(draft.text))
        if weak >= 3 and weak >= strong + 2:
            return "improvement"
        if strong >= 3 and strong >= weak + 2:
            return "strength"
        return "neutral"


def _viterbi(emissions: np.ndarray, allowed: np.ndarray, switch: float) -> list[int]:
    """The best sequence of states for rows of log-probabilities, each change of state costing
    ``switch``; states not ``allowed`` are never chosen."""
    n, k = emissions.shape
    scores = np.where(allowed, emissions, -np.inf)
    best = scores[0].copy()
    back = np.zeros((n, k), dtype=np.int64)
    for t in range(1, n):
        leader = int(np.argmax(best))
        stay = best
        move = best[leader] - switch
        back[t] = np.where(stay >= move, np.arange(k), leader)
        best = np.maximum(stay, move) + scores[t]
    path = [int(np.argmax(best))]
    for t in range(n - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]
