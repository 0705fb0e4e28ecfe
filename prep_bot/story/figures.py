"""What the story needs to know about figures, in one place: which figures are about people and
services (performance figures, not a report's own metadata), whether two figures measure the
same thing, and the newest figure per measure.

This is an adapter over ``prep_bot.evidence.figures`` until figures learn what they measure
(issue 21): then ``is_performance`` and ``Measures.same`` become calls to that API and nothing
else in ``prep_bot.story`` changes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from prep_bot.evidence.figures import DataPoint, extract_figures
from prep_bot.evidence.passage import Passage

# Words near a figure that make it the report's own metadata (the review's days on site, the
# people interviewed, years of experience, pages, the year of an Act), not a performance figure.
_METADATA = re.compile(
    r"\b(?:on[- ]site|onsite|interview(?:s|ed)?|focus groups?|case (?:files?|notes?|audits?)|"
    r"years? (?:of|combined) experience|combined experience|experience of|pages?|appendix|chapter|"
    r"peer team (?:spent|met|read|spoke|was|were)|we (?:met|spoke|read|visited|held)|meetings?|documents?|"
    r"key (?:priorities|lines of enquiry)|recommendations?|workshops?|sessions?|score|ranks?|ranked|ranking|"
    r"deprivation|life expectancy)\b",
    re.I,
)
# A time is a performance figure when it is a wait, a delay or a time to do something.
_WAIT = re.compile(r"\b(?:wait\w*|delay\w*|within|took|takes|taking|until|before|after|backlog|to start|average of)\b", re.I)
_TARGET = re.compile(r"\b(?:target|ambition|aim|goal|trajectory)\b[^.]*$", re.I)
_DEFINES = re.compile(r"\b(?:within|after|in under|inside|in less than)\s*$", re.I)
_PEOPLE_NOUNS = frozenset(
    "people person carer resident adult referral assessment review enquiry concern placement package "
    "provider home bed post case".split()
)
MIN_COUNT = 10  # "4 priorities" is not data; "26 people admitted" is
SAME_MEASURE = 0.62  # cosine of two measure phrases (with their sentences) saying one thing


def is_performance(point: DataPoint) -> bool:
    """A figure about people or services: a rate, a wait, money, a count of people or cases;
    not the report's own metadata nor a comparator or target (they travel with their figure)."""
    if point.is_comparator or _TARGET.search(point.sentence[max(0, point.start - 40) : point.start]):
        return False
    near = point.measure
    if _METADATA.search(near):
        return False
    if point.kind == "time":
        if _DEFINES.search(point.sentence[max(0, point.start - 12) : point.start]) and "%" in point.sentence:
            return False  # "72% of assessments within 28 days": the 28 days defines the measure
        return point.unit != "years" and bool(_WAIT.search(point.sentence))
    if point.unit in ("%", "per 100,000", "£") or point.unit.startswith("of "):
        return True
    # a count: of people or cases, and big enough to be data
    return point.noun in _PEOPLE_NOUNS and (point.value >= MIN_COUNT or bool(point.comparator))


@dataclass(frozen=True)
class Found:
    """A performance figure and the passage it is stated in."""

    point: DataPoint
    passage: Passage


def performance_figures(passages: Iterable[Passage]) -> list[Found]:
    """Every performance figure stated in ``passages``, in their order."""
    return [Found(point, p) for p in passages for point in extract_figures(p.text) if is_performance(point)]


def measure_text(point: DataPoint) -> str:
    """What a figure measures, as a phrase a person can read and edit: the clause after the
    figure ("8.32% adult social care job vacancy rate"), else the one before it ("people
    remaining at home 91 days after discharge ... This is 94%": from the sentence before)."""
    sentence = point.sentence
    end = point.start + len(point.raw)
    right = _words(_RIGHT_BREAK.split(sentence[end:])[0])
    if len([w for w in right if w.lower() not in _STOP]) >= 3:
        return " ".join(_trim(right[:14]))
    left = _words(_LEFT_BREAK.split(sentence[: point.start])[-1])
    if len([w for w in left if w.lower() not in _STOP]) < 3 and point.context != sentence:
        before = point.context[: len(point.context) - len(sentence)]
        left = _words(_LEFT_BREAK.split(before.rstrip(" ."))[-1])
    return " ".join(_trim((left + right)[-14:])) or " ".join(_trim(_words(point.measure)))


_RIGHT_BREAK = re.compile(r"[,;:()]|\.\s|\b(?:which|compared|than|against|whereas|while|but|with the|and is|and was)\b", re.I)
_LEFT_BREAK = re.compile(r"[,;:()]|\b(?:is|was|were|are|at|had|has|have|showed|shows|identifies|identified|of the)\b", re.I)
_STOP = frozenset("and or but the a an of to in was were is are that which with for by at from this it there".split())
_EDGE = frozenset("and or but the a an of to in was were is are that which with for by at from than this it".split())


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z][\w'’-]*|\d[\d.,]*", text.replace("…", " "))]


def _trim(words: list[str]) -> list[str]:
    words = list(words)
    while words and words[-1].lower() in _EDGE:
        words.pop()
    while words and words[0].lower() in _EDGE:
        words.pop(0)
    return words


class Measures:
    """Whether figures measure the same thing: by meaning (embeddings of what each measures and
    of its sentence) and kind (a percentage is never a wait)."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder

    def vectors(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        unique = list(dict.fromkeys(t for t in texts if t))
        return dict(zip(unique, self.embedder.encode_cached(unique))) if unique else {}

    def likeness(self, a: str, a_context: str, b: str, b_context: str, vectors: dict[str, np.ndarray]) -> float:
        """How alike two measures are (0-1): their phrases, and their sentences a little."""
        near = float(vectors[a] @ vectors[b])
        whole = float(vectors[a_context] @ vectors[b_context]) if a_context and b_context else near
        return 0.7 * near + 0.3 * whole

    def same(self, a: DataPoint, b: DataPoint, vectors: dict[str, np.ndarray] | None = None) -> bool:
        """``a`` and ``b`` measure one thing (and could be compared)."""
        if a.kind != b.kind:
            return False
        vectors = vectors or self.vectors([a.measure, a.context or a.sentence, b.measure, b.context or b.sentence])
        return self.likeness(a.measure, a.context or a.sentence, b.measure, b.context or b.sentence, vectors) >= SAME_MEASURE

    def newest_per_measure(self, found: Sequence[Found]) -> list[Found]:
        """One figure per measure: the one from the newest document (then the one with a
        comparator, then the first stated), in the order of the figures kept."""
        vectors = self.vectors([t for f in found for t in (f.point.measure, f.point.context or f.point.sentence)])
        order = sorted(range(len(found)), key=lambda i: (_newest(found[i].passage.date), found[i].point.comparator is None, i))
        kept: list[int] = []
        for i in order:
            if not any(self.same(found[i].point, found[j].point, vectors) for j in kept):
                kept.append(i)
        return [found[i] for i in sorted(kept, key=order.index)]


def _newest(date: str) -> tuple[int, str]:
    """Sort key: newer dates first, undated last."""
    return (0, "".join(chr(255 - ord(ch)) for ch in date)) if date else (1, "")


def same_value(stated: DataPoint, agreed: DataPoint) -> bool:
    """Equal once the agreed figure is rounded to the precision the speaker used."""
    from prep_bot.coaching.claims import same_value as equal

    return equal(stated, agreed)
