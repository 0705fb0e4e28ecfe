"""The rubric: named dimensions, each scored 0-100 with a one-line reason, from
knowledge/rubric.yaml. Deterministic and explainable: every score comes from phrases found in
the answer, figures it states, and its similarity to the question and to example sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, Field, ValidationError

from prep_bot.errors import ConfigError
from prep_bot.evidence.figures import DataPoint, sentences

DIMENSIONS = ("outcome", "data", "example", "practice", "learning", "focus")


class Dimension(BaseModel):
    name: str
    label: str
    weight: float = Field(gt=0)
    probe: str
    advice: str = ""  # the one thing to do when this is the dimension to work on
    cues: list[str] = Field(default_factory=list)
    result_subjects: list[str] = Field(default_factory=list)
    result_verbs: list[str] = Field(default_factory=list)
    exemplars: list[str] = Field(default_factory=list)
    activity_exemplars: list[str] = Field(default_factory=list)
    comparator_cues: list[str] = Field(default_factory=list)
    source_cues: list[str] = Field(default_factory=list)
    honesty_cues: list[str] = Field(default_factory=list)
    plan_cues: list[str] = Field(default_factory=list)
    venting_cues: list[str] = Field(default_factory=list)
    filler_cues: list[str] = Field(default_factory=list)
    generic_cues: list[str] = Field(default_factory=list)
    length: dict[str, int] = Field(default_factory=dict)


class PointCue(BaseModel):
    """Phrases that make a question's "looks for" point about some dimensions."""

    about: list[str] = Field(min_length=1)
    any: bool = False  # covered by a good score on one of them, not on each
    cues: list[str] = Field(min_length=1)


class Rubric(BaseModel):
    version: int = 1
    dimensions: list[Dimension]
    activity_nouns: list[str]
    looks_for: list[PointCue] = Field(default_factory=list)

    def dimension(self, name: str) -> Dimension:
        for d in self.dimensions:
            if d.name == name:
                return d
        raise KeyError(name)

    def point_about(self, point: str) -> list[list[str]]:
        """What a "looks for" point asks for: a list of requirements, each a list of dimensions
        of which one must score well (``[["outcome"], ["data", "example"]]``); empty for a point
        about a topic rather than a kind of content."""
        needs: list[list[str]] = []
        text = point
        for entry in self.looks_for:
            found = find_cues(entry.cues, text)
            for cue in found:  # read each phrase once: "data or an example" is not also "example"
                text = re.sub(re.escape(cue), " ", text, flags=re.I)
            if found:
                for need in ([entry.about] if entry.any else [[name] for name in entry.about]):
                    if need not in needs:
                        needs.append(list(need))
        return needs


def load_rubric(path: Path) -> Rubric:
    try:
        rubric = Rubric.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"rubric {path} is unreadable: {e}") from e
    except ValidationError as e:
        raise ConfigError(f"rubric {path} is invalid: {e}") from e
    names = tuple(d.name for d in rubric.dimensions)
    if set(names) != set(DIMENSIONS):
        raise ConfigError(f"rubric {path} must define exactly the dimensions {', '.join(DIMENSIONS)}; got {names}")
    unknown = {name for entry in rubric.looks_for for name in entry.about} - set(DIMENSIONS)
    if unknown:
        raise ConfigError(f"rubric {path}: looks_for names unknown dimensions {', '.join(sorted(unknown))}")
    return rubric


@dataclass
class DimensionScore:
    name: str
    label: str
    score: int
    reason: str


@dataclass
class WrongFigure:
    """A figure the answer states that the evidence contradicts."""

    said: str  # as the answer states it, e.g. "62%"
    evidence: str  # what the evidence says, e.g. "48%"
    source: str  # the passage's citation: title (date), page


def wrong_figures_text(wrong: list[WrongFigure], sources: bool = True) -> str:
    """'you said 62%, the evidence says 48% (Title (June 2024))' for each, joined by '; '."""
    return "; ".join(
        f"you said {w.said}, the evidence says {w.evidence}" + (f" ({w.source})" if sources and w.source else "")
        for w in wrong
    )


@dataclass
class AnswerFeatures:
    """What the scorer reads from an answer (computed once, shared by every dimension)."""

    text: str
    words: int
    sentences: list[str]
    figures: list[DataPoint]
    activity_counts: list[str]
    supported: int = 0
    contradicted: int = 0
    checked: int = 0  # figures the claim check looked up
    wrong: list[WrongFigure] = field(default_factory=list)  # the contradicted ones
    relevance: float = 0.0  # cosine similarity of the answer to the question
    topic_fit: float = 0.0  # to the quality statement's topics and the question's points
    outcome_sim: float = 0.0  # best answer sentence vs outcome exemplars
    activity_sim: float = 0.0  # best answer sentence vs activity exemplars
    outcome_sentence: str = ""
    extra: dict = field(default_factory=dict)


_CONTRACTIONS = [
    (r"n't\b", " not"), (r"'re\b", " are"), (r"'ve\b", " have"), (r"'ll\b", " will"), (r"'d\b", " would"),
    (r"\b(he|she|it|that|there|who|what)'s\b", r"\1 is"), (r"\bi'm\b", "i am"), (r"\bcan not\b", "cannot"),
]


def _expand(text: str) -> str:
    """'he's back', "hasn't" -> 'he is back', 'has not' (so one cue matches both forms)."""
    for pattern, replacement in _CONTRACTIONS:
        text = re.sub(pattern, replacement, text)
    return text.replace("wo not", "will not").replace("ca not", "cannot")


def find_cues(cues: list[str], text: str) -> list[str]:
    """Distinct cue phrases found as whole words (case-insensitive), in the text as written or
    with its contractions expanded."""
    lowered = re.sub(r"[’‘]", "'", text.lower())
    haystack = f" {lowered} | {_expand(lowered)} "
    # The substring test is a cheap necessary condition: most cues are skipped without a regex.
    return [
        c for c in cues
        if c.lower() in haystack and re.search(r"(?<![\w-])" + re.escape(c.lower()) + r"(?![\w-])", haystack)
    ]


# "one older man", "a widower", "his daughter": a particular person rather than "people".
_PERSON = re.compile(
    r"\b(?:one|a|an|his|her|their|my)\s+(?:[a-z-]+\s+){0,2}?(?:man|woman|person|carer|widower|widow|mother|father|"
    r"mum|dad|daughter|son|resident|gentleman|lady|couple|family|husband|wife|tenant|girl|boy|young person|"
    r"client|neighbour|grandmother|grandfather|member)\b",
    re.I,
)
# Someone's own words: “...”, "...", or '...' of three words or more.
_QUOTED = re.compile(r"[“\"]([^”\"]{12,})[”\"]|(?<![\w])'([^']{12,}?)'(?![\w])")


def activity_counts(text: str, nouns: list[str]) -> list[str]:
    """Numbers that count activity: "420 meetings", "3 audits", "thousands of contacts"."""
    pattern = r"\b(\d[\d,]*|hundreds|thousands|dozens)\s+(?:of\s+)?(?:[\w-]+\s+){0,2}?(" + "|".join(
        re.escape(n) for n in sorted(nouns, key=len, reverse=True)
    ) + r")\b"
    return [f"{m.group(1)} {m.group(2)}" for m in re.finditer(pattern, text, re.I)]


# "we ring", "I record", "our team visits": someone doing something, as opposed to "we have a
# strategy" or "we always make sure".
_ACTION = re.compile(r"\b(we|I|our (?:team|staff|social workers|workers)|staff|the team)\s+(?:now\s+|also\s+|then\s+|each\s+)?([a-z]+)", re.I)
_NOT_ACTIONS = frozenset(
    "are were is was be been have had has do does did don't always really just take think feel know need "
    "want would could should can can't will might must hope believe try tried keep get got say said "
    "aim strive value pride".split()
)


WRONG_FIGURE_PENALTY = 20  # what each contradicted figure costs the figures beside it
WRONG_FIGURE_CAP = 60
MOSTLY_WRONG_CAP = 50  # as many wrong figures as right ones: no more than this


def _clamp(value: float) -> int:
    return int(round(max(0.0, min(100.0, value))))


def _quote(sentence: str, limit: int = 90) -> str:
    sentence = sentence.strip()
    return f"“{sentence[: limit - 1]}…”" if len(sentence) > limit else f"“{sentence}”"


class Scorer:
    """Scores an answer's features on every dimension of the rubric."""

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric

    def score(self, f: AnswerFeatures) -> list[DimensionScore]:
        out = []
        for d in self.rubric.dimensions:
            value, reason = getattr(self, f"_{d.name}")(d, f)
            out.append(DimensionScore(d.name, d.label, _clamp(value), reason))
        return out

    def overall(self, scores: list[DimensionScore]) -> int:
        weights = {d.name: d.weight for d in self.rubric.dimensions}
        total = sum(weights[s.name] for s in scores)
        return _clamp(sum(weights[s.name] * s.score for s in scores) / total)

    # -- dimensions ---------------------------------------------------------------------------
    def _outcome(self, d: Dimension, f: AnswerFeatures):
        cues = find_cues(d.cues, f.text)
        results = [s for s in f.sentences if find_cues(d.result_subjects, s) and find_cues(d.result_verbs, s)]
        if results:
            f.outcome_sentence = results[0] if f.outcome_sim < 0.45 else f.outcome_sentence
        semantic = 120 * max(0.0, f.outcome_sim - 0.25)
        value = 10 * min(len(cues), 4) + 15 * min(len(results), 3) + semantic
        lean = f.activity_sim - f.outcome_sim
        if f.activity_counts:
            value -= 10 * min(len(f.activity_counts), 4)
        if lean > 0:
            value -= 60 * lean
        if f.activity_counts and value < 45:
            return value, f"Counts activity ({', '.join(f.activity_counts[:3])}) but not what changed for people."
        if value >= 60:
            return value, f"Says what changed for people: {_quote(f.outcome_sentence)}"
        if value >= 35:
            return value, "Touches on outcomes; say plainly what is different for people now."
        return value, "Does not say what changed for people."

    def _data(self, d: Dimension, f: AnswerFeatures):
        counted = {a.split()[0] for a in f.activity_counts}
        wrong = {w.said for w in f.wrong}
        n_wrong = max(len(f.wrong), f.contradicted)
        figures = [p for p in f.figures if p.raw.split()[0] not in counted and p.raw not in wrong]
        own = [p for p in figures if not p.is_comparator]  # the council's figures, not England's
        if n_wrong and not (own and f.supported):  # nothing confirmed to stand on: a wrong figure scores low
            what = wrong_figures_text(f.wrong) or "check them against the evidence"
            lead = "Your figure differs" if n_wrong == 1 else f"{n_wrong} of your figures differ"
            return max(0, 40 - 30 * n_wrong), f"{lead} from the evidence: {what}; check before you quote it."
        value, reason = self._data_earned(d, f, figures)
        if not n_wrong:
            return value, reason
        # A wrong figure among right ones costs that figure, not the whole dimension.
        value = min(value, 100) - min(WRONG_FIGURE_PENALTY * n_wrong, WRONG_FIGURE_CAP)
        if n_wrong >= len(own):
            value = min(value, MOSTLY_WRONG_CAP)
        total = max(f.checked, len(figures) + n_wrong)
        head = (f"{f.supported} of your {total} figure{'' if total == 1 else 's'} "
                f"{'matches' if f.supported == 1 else 'match'} the evidence")
        comparators = find_cues(d.comparator_cues, f.text) + [p.comparator for p in f.figures if p.comparator]
        if any(("england" in c.lower() or "national" in c.lower()) for c in comparators):
            head += ", with an England comparison"
        elif comparators:
            head += ", with a comparator"
        tail = "one does not" if n_wrong == 1 else f"{n_wrong} do not"
        detail = wrong_figures_text(f.wrong) or "check them before you quote them"
        return value, f"{head}; {tail}: {detail}."

    def _data_earned(self, d: Dimension, f: AnswerFeatures, figures: list[DataPoint]):
        """What the figures (other than wrong ones) earn: measures over counts, a comparator, a
        period or a source, support from the evidence."""
        # Rates, waits, money and shares say how well things go; a bare count says how much.
        measures = [p for p in figures if p.unit != "count" or p.comparator]
        comparators = find_cues(d.comparator_cues, f.text) or [p.comparator for p in f.figures if p.comparator]
        sources = find_cues(d.source_cues, f.text)
        periods = [p.period for p in f.figures if p.period]
        if not figures:
            if f.activity_counts:
                return 10, "Only activity counts; no figure about outcomes or a comparator."
            if sources:
                return 25, "Mentions a source of data but quotes no figure."
            return 0, "No figures: give one measure with a comparator, e.g. the England average."
        if not measures:
            value = 25 + 10 * min(len(figures) - 1, 2) + (10 if sources else 0) + (15 if f.supported else 0)
            return value, f"Quotes {figures[0].raw}, a count; a rate or a wait with a comparator says more."
        value = 50 + 10 * min(len(measures) - 1, 2) + (20 if comparators else 0)
        value += 10 if (periods or sources) else 0
        value += 15 if f.supported else 0
        first = measures[0].raw
        if comparators:
            return value, f"Quotes {first} with a comparator" + (", backed by the evidence." if f.supported else ".")
        return value, f"Quotes {first}; add a comparator (England average, last year) to give it meaning."

    def _example(self, d: Dimension, f: AnswerFeatures):
        cues = find_cues(d.cues, f.text)
        quoted = [a or b for a, b in _QUOTED.findall(f.text) if len((a or b).split()) >= 3]
        specific = [c for c in cues if c not in ("said", "she", "he", "case", "recently")]
        specific += [m.group(0) for m in _PERSON.finditer(f.text)]
        value = (50 if quoted else 0) + 15 * min(len(specific), 3) + (10 if "recently" in cues else 0)
        value += 10 if set(cues) & {"she", "he"} else 0
        if quoted and specific:
            return value, f"A real person and their words: {_quote(quoted[0], 70)}"
        if specific:
            return value, "Refers to a specific person; add what they said in their own words."
        if quoted:
            return value, "Quotes someone; say who it was and what happened for them."
        return value, "No specific example; tell the story of one person."

    def _practice(self, d: Dimension, f: AnswerFeatures):
        cues = find_cues(d.cues, f.text)
        # An action followed by a count ("we held 12 forums") is activity, not practice.
        actions = [
            m.group(2) for m in _ACTION.finditer(f.text)
            if m.group(2).lower() not in _NOT_ACTIONS and not re.match(r"\s+(?:\w+\s+){0,2}?(?:\d|over \d|hundreds|thousands)", f.text[m.end():])
        ]
        generic = find_cues(self.rubric.dimension("focus").generic_cues, f.text)
        value = 12 * min(len(actions), 4) + 8 * min(len(cues), 3) + 70 * max(0.0, f.topic_fit - 0.25)
        value -= 8 * min(len(generic), 5)
        if value >= 60:
            return value, f"Explains what staff do ({', '.join(cues[:3]) or 'in practice'})."
        if value >= 30:
            return value, "Some practice described; be concrete about what you do and when."
        return value, "Does not describe what staff actually do."

    def _learning(self, d: Dimension, f: AnswerFeatures):
        honest = find_cues(d.honesty_cues, f.text)
        plans = find_cues(d.plan_cues, f.text)
        value = 14 * min(len(honest), 4) + 12 * min(len(plans), 4)
        if honest and plans:
            return value, "Honest about what needs to improve and says what is being done."
        if honest:
            return value, "Names a gap; add what the plan is and when you will know it worked."
        if plans:
            return value, "Talks about plans; be open about what is not yet good enough."
        return value, "Says nothing about what needs to improve."

    def _focus(self, d: Dimension, f: AnswerFeatures):
        limits = {"too_short": 25, "ideal_min": 45, "ideal_max": 190, "too_long": 320, **d.length}
        value = 100.0
        notes = []
        if f.words < limits["too_short"]:
            value -= 55
            notes.append("too short to show anything")
        elif f.words < limits["ideal_min"]:
            value -= 20
            notes.append("a little thin")
        elif f.words > limits["too_long"]:
            value -= 40
            notes.append("too long: keep it to two minutes")
        elif f.words > limits["ideal_max"]:
            value -= 15
            notes.append("long: lead with the point")
        venting = find_cues(d.venting_cues, f.text)
        if venting:
            value -= 25 * min(len(venting), 3)
            notes.append(f"venting ({', '.join(venting[:2])})")
        generic = find_cues(d.generic_cues, f.text)
        if generic:
            value -= 9 * min(len(generic), 5)
            notes.append("generic statements")
        filler = find_cues(d.filler_cues, f.text)
        value -= 5 * min(len(filler), 4)
        if f.relevance < 0.2:
            value -= 30
            notes.append("drifts from the question")
        if not notes:
            return value, "Concise, factual and on the question."
        return value, "; ".join(notes).capitalize() + "."


def answer_features(text: str, rubric: Rubric, figures: list[DataPoint]) -> AnswerFeatures:
    return AnswerFeatures(
        text=text,
        words=len(text.split()),
        sentences=sentences(text) or [text],
        figures=figures,
        activity_counts=activity_counts(text, rubric.activity_nouns),
    )


def best_match(sentence_vectors: np.ndarray, exemplar_vectors: np.ndarray) -> tuple[float, int]:
    """Highest similarity between any answer sentence and any exemplar, and that sentence."""
    if not len(sentence_vectors) or not len(exemplar_vectors):
        return 0.0, 0
    sims = sentence_vectors @ exemplar_vectors.T
    row = int(np.argmax(sims.max(axis=1)))
    return float(sims.max()), row
