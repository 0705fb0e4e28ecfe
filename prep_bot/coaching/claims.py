"""Claim check: every figure an answer states is matched against figures in the evidence.

For each figure, the evidence is searched with the sentence it stands in; figures of the same
kind (percentages with percentages, waits with waits) in the passages found are compared by
what they measure (embedding similarity of the words around each figure, plus shared words).
A figure is ``supported`` when the evidence states the same value for a similar measure,
``contradicted`` when the closest measure in the evidence has a different value, and
``unverified`` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prep_bot.infra.embeddings import Embedder
from prep_bot.evidence.figures import DataPoint, content_words, extract_figures
from prep_bot.evidence.passage import Passage

SUPPORT_MIN = 0.35  # measure similarity at which an equal figure supports the claim
CONTRADICT_MIN = 0.62  # measure similarity at which a different figure contradicts it
SEARCH_DEPTH = 6
SHARED_FIGURE_BONUS = 0.2
NOUN_MISMATCH = 0.2
NOUN_MATCH = 0.1
COMPARATOR_MISMATCH = 0.1
BARE_COUNT_EXTRA = 0.1  # a number with no noun ("23 are there") needs a closer match


@dataclass
class EvidenceFigure:
    point: DataPoint
    passage: Passage

    def to_dict(self) -> dict:
        p = self.passage
        return {
            "figure": self.point.raw, "text": self.point.sentence, "measure": self.point.measure,
            "doc_id": p.doc_id, "title": p.title, "page": p.page, "section": p.section,
        }


@dataclass
class Claim:
    text: str  # the figure as the answer states it
    sentence: str
    status: str  # supported | contradicted | unverified
    evidence: EvidenceFigure | None
    similarity: float = 0.0

    def to_dict(self) -> dict:
        return {
            "text": self.text, "sentence": self.sentence, "status": self.status,
            "evidence": self.evidence.to_dict() if self.evidence else None,
        }


def same_value(stated: DataPoint, evidence: DataPoint) -> bool:
    """Equal once the evidence is rounded to the precision the answer used."""
    if stated.kind != evidence.kind:
        return False
    a, b = stated.comparable_value(), evidence.comparable_value()
    decimals = len(stated.raw.split(".")[1].rstrip("%m ").split()[0]) if "." in stated.raw.split()[0] else 0
    if stated.kind == "time" and stated.unit != evidence.unit:
        return abs(a - b) < 0.5  # "2 weeks" is "14 days"; "11 weeks" is not "76 days"
    return round(b, decimals) == round(a, decimals) or abs(a - b) < 1e-9


class ClaimChecker:
    def __init__(self, store, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder

    def check(self, answer: str, limit: int = 8) -> list[Claim]:
        stated = extract_figures(answer)[:limit]
        if not stated:
            return []
        sentence_vectors = self.embedder.encode_cached([p.sentence for p in stated])
        candidates = [self._candidates(p, v) for p, v in zip(stated, sentence_vectors)]
        texts = [t for p in stated for t in (p.measure, p.context)]
        texts += [t for group in candidates for c in group for t in (c.point.measure, c.point.context)]
        vectors = dict(zip(texts, self.embedder.encode_cached(texts)))
        return [self._judge(p, group, vectors) for p, group in zip(stated, candidates)]

    def _candidates(self, point: DataPoint, vector: np.ndarray) -> list[EvidenceFigure]:
        hits = self.store.search(point.sentence, k=SEARCH_DEPTH, vector=vector)
        found = []
        for hit in hits:
            for figure in extract_figures(hit.passage.text):
                if figure.kind == point.kind:
                    found.append(EvidenceFigure(figure, hit.passage))
        return found

    def _judge(self, point: DataPoint, candidates: list[EvidenceFigure], vectors: dict[str, np.ndarray]) -> Claim:
        if not candidates:
            return Claim(point.raw, point.sentence, "unverified", None)
        # What a figure measures is read from the words around it and from its sentence.
        local = np.stack([vectors[c.point.measure] for c in candidates]) @ vectors[point.measure]
        whole = np.stack([vectors[c.point.context] for c in candidates]) @ vectors[point.context]
        words = content_words(point.measure)
        neighbours = _other_values(point)
        scores = []
        for c, a, b in zip(candidates, local, whole):
            other = content_words(c.point.measure)
            overlap = len(words & other) / max(1, len(words | other))
            score = 0.5 * float(a) + 0.5 * float(b) + 0.3 * overlap
            if neighbours & _other_values(c.point):
                score += SHARED_FIGURE_BONUS  # both also state the same comparator or context figure
            if point.noun and c.point.noun:
                # "165 carers" is not "165 staff"; "12 case files" is "9 case files".
                score += NOUN_MATCH if point.noun == c.point.noun else -NOUN_MISMATCH
            if c.point.is_comparator and not point.is_comparator:
                score -= COMPARATOR_MISMATCH  # the council's figure, not the England average
            scores.append(score)
        order = np.argsort(scores)[::-1]
        for i in order:
            if same_value(point, candidates[i].point) and scores[i] >= SUPPORT_MIN:
                return Claim(point.raw, point.sentence, "supported", candidates[i], scores[i])
        best = order[0]
        bar = CONTRADICT_MIN + (BARE_COUNT_EXTRA if point.unit == "count" and not point.noun else 0.0)
        if scores[best] >= bar and not same_value(point, candidates[best].point):
            return Claim(point.raw, point.sentence, "contradicted", candidates[best], scores[best])
        return Claim(point.raw, point.sentence, "unverified", None, scores[best])


def _other_values(point: DataPoint) -> set[tuple[str, float]]:
    """The other figures stated around a figure (its comparator, its whole, its neighbours)."""
    found = {(p.kind, round(p.comparable_value(), 2)) for p in extract_figures(point.context)}
    found.discard((point.kind, round(point.comparable_value(), 2)))
    if point.unit.startswith("of "):
        found.add(("whole", float(point.unit[3:])))
    return found
