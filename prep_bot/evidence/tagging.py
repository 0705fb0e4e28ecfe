"""Tag passages with quality statements, theme and polarity.

Quality statements come first from headings that name one (the most reliable signal), then
from content: cosine similarity between the passage and descriptions of each statement,
plus the framework's cue words. Polarity comes from the nearest "Strengths" or "Areas for
consideration"-style heading, else from the wording of the passage when it leans clearly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from prep_bot.embeddings import Embedder
from prep_bot.evidence.chunking import DraftPassage
from prep_bot.framework import QS_SLUGS, Framework

CUE_WEIGHT = 0.035  # similarity points per distinct cue word found (capped)
CUE_CAP = 5
SECONDARY_MARGIN = 0.035  # how close to the best a second statement must score to be kept
MIN_CONTENT_SCORE = 0.22  # below this, content names no statement with any confidence
LEGACY_BONUS = 0.03
MAX_TAGS = 3
SECTION_WEIGHT = 0.5  # share of a passage's statement scores taken from its section's mean

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


@dataclass
class Tags:
    quality_statements: list[str]
    theme: str
    polarity: str


class Tagger:
    """Assigns quality statements, theme and polarity to draft passages."""

    def __init__(self, framework: Framework, embedder: Embedder) -> None:
        self.framework = framework
        self.embedder = embedder
        self._prototypes: np.ndarray | None = None
        self._owner: np.ndarray | None = None
        # (cue, pattern): the plain substring test is a cheap necessary condition that lets
        # most of the ~300 patterns be skipped for any one passage.
        self._cues = {
            q.slug: [(c.lower(), re.compile(r"\b" + re.escape(c.lower()) + r"\b")) for c in q.cues]
            for q in framework.quality_statements
        }

    def _prototype_matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """Embeddings of several descriptions per statement (title, commitment, each topic)."""
        if self._prototypes is None:
            texts, owner = [], []
            for index, q in enumerate(self.framework.quality_statements):
                items = [q.description, f"{q.title}. {q.commitment}", *q.expectations]
                items += [f"{q.title}: {topic}" for topic in q.topics]
                texts += items
                owner += [index] * len(items)
            self._prototypes = self.embedder.encode_cached(texts)  # shared by every tagger of this model
            self._owner = np.array(owner)
        return self._prototypes, self._owner  # type: ignore[return-value]

    def content_scores(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        """Score matrix (passages x 9): mean of the two best prototype similarities + cues."""
        prototypes, owner = self._prototype_matrix()
        sims = embeddings @ prototypes.T
        scores = np.zeros((len(texts), len(QS_SLUGS)), dtype=np.float32)
        for index in range(len(QS_SLUGS)):
            block = sims[:, owner == index]
            top = np.sort(block, axis=1)[:, -2:]
            scores[:, index] = top.mean(axis=1)
        for row, text in enumerate(texts):
            lowered = text.lower()
            for index, slug in enumerate(QS_SLUGS):
                found = sum(1 for cue, pattern in self._cues[slug] if cue in lowered and pattern.search(lowered))
                scores[row, index] += CUE_WEIGHT * min(found, CUE_CAP)
        return scores

    def tag(self, drafts: Sequence[DraftPassage], embeddings: np.ndarray) -> list[Tags]:
        scores = self.content_scores([d.embed_text for d in drafts], embeddings)
        # Passages of one section usually share a subject: blend each passage's scores with
        # its section's mean, so one stray paragraph does not pull a section apart.
        sections: dict[str, list[int]] = {}
        for index, draft in enumerate(drafts):
            if not draft.is_row:
                sections.setdefault(draft.section, []).append(index)
        smoothed = scores.copy()
        for members in sections.values():
            if len(members) > 1:
                mean = scores[members].mean(axis=0)
                smoothed[members] = (1 - SECTION_WEIGHT) * scores[members] + SECTION_WEIGHT * mean
        return [self._tag_one(d, s) for d, s in zip(drafts, smoothed)]

    def _tag_one(self, draft: DraftPassage, scores: np.ndarray) -> Tags:
        if any(h.boilerplate for h in draft.headings):
            return Tags([], "", "neutral")
        scores = scores.copy()
        legacy = draft.hint("legacy") or []
        for slug in legacy:
            scores[QS_SLUGS.index(slug)] += LEGACY_BONUS
        ranked = [QS_SLUGS[i] for i in np.argsort(-scores)]
        by_slug = dict(zip(QS_SLUGS, scores.tolist()))

        heading_qs = draft.hint("qs")
        heading_theme = draft.hint("theme")
        if heading_qs:
            first = heading_qs
        elif heading_theme:
            in_theme = self.framework.statements_in_theme(heading_theme)
            first = max(in_theme, key=lambda s: by_slug[s])
        elif by_slug[ranked[0]] >= MIN_CONTENT_SCORE:
            first = ranked[0]
        else:
            first = None

        statements: list[str] = []
        if first:
            statements.append(first)
            bar = max(by_slug[first], by_slug[ranked[0]]) - SECONDARY_MARGIN
            for slug in ranked[:MAX_TAGS]:
                if slug not in statements and by_slug[slug] >= bar and len(statements) < MAX_TAGS:
                    statements.append(slug)
        theme = self.framework.qs(statements[0]).theme if statements else (heading_theme or "")
        return Tags(statements, theme, self._polarity(draft))

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
