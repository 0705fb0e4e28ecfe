"""What the story needs to know about figures, in one place, read through the figures' own
labels (``prep_bot.evidence.figure_model``): which figures are the council's performance
figures (about people or services, not a report's own metadata, not a comparator or target),
whether two figures measure the same thing, and the newest figure per measure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from prep_bot.coaching.claims import CONTRADICT_MIN, SUPPORT_MIN, comparable
from prep_bot.coaching.claims import same_value as _same_value
from prep_bot.evidence.figure_model import FigureReader, names_other_things
from prep_bot.evidence.figures import DataPoint, extract_figures
from prep_bot.evidence.passage import Passage

MIN_COUNT = 10  # "4 priorities" is not data; "26 people admitted" is
AGREES = SUPPORT_MIN  # same-measure probability at which an equal figure agrees with the agreed one
DIFFERS = 0.6  # ...and at which a different figure is flagged (eval/story*.yaml: a lead's phrase for a
# measure is further from what people say than evidence is, so stricter than the claim check's)
SAME_EVIDENCE = CONTRADICT_MIN  # two evidence figures this alike are one measure (as the coach's data cards)
# What a count must count to be agreed and quoted by everyone: people or cases, not days or pages.
_COUNTED = re.compile(
    r"\b(?:people|persons?|carers?|residents?|adults?|staff|posts?|workers?|referrals?|assessments?|reviews?|"
    r"enquir(?:y|ies)|concerns?|applications?|authorisations?|admissions?|contacts?|requests?|placements?|"
    r"packages?|providers?|homes?|beds?|cases?|households?|families|children)\b",
    re.I,
)


def is_performance(point: DataPoint) -> bool:
    """The council's own figure about people or services (labels set by the figure model):
    not the report's metadata, not a comparator, target or England figure; a count only of
    people or cases, whole and big enough to be data ("the equivalent of 24.5 working days" is
    the review's own time, whatever the model reads in it)."""
    if not point.performance or point.subject != "ours" or point.is_comparator:
        return False
    if point.unit != "count":
        return True
    # What it counts follows the number ("73 new carers a month"); "staff aged 55" counts nobody.
    after = " ".join(point.sentence[point.start + len(point.raw):].split()[:3])
    counts = float(point.value).is_integer() and bool(point.noun or _COUNTED.search(point.raw) or _COUNTED.search(after))
    return counts and (point.value >= MIN_COUNT or bool(point.comparator))


@dataclass(frozen=True)
class Found:
    """A performance figure and the passage it is stated in."""

    point: DataPoint
    passage: Passage

    @property
    def date(self) -> str:
        """When the figure is from: its period, else its document's date."""
        return self.point.date or self.passage.date or ""


def measure_text(point: DataPoint) -> str:
    """What a figure measures, as a phrase a person can read and edit."""
    return point.measure


def same_value(stated: DataPoint, agreed: DataPoint) -> bool:
    """Equal once the agreed figure is rounded to the precision the speaker used."""
    return _same_value(stated, agreed)


def agreed_point(measure: str, value: str, period: str = "") -> DataPoint | None:
    """An agreed figure as a data point: its value read as written ("94%", "17 weeks"), its
    measure the lead's own words."""
    found = extract_figures(f"{value} {measure}".strip())
    if not found:
        return None
    point = found[0]
    point.measure = " ".join(measure.lower().split())
    point.window = f"… {measure}"
    point.period = period or None
    point.subject, point.performance, point.is_comparator = "ours", True, False
    return point


class Measures:
    """Figures read with their labels, and compared by what they measure."""

    def __init__(self, embedder, reader: FigureReader | None = None) -> None:
        self.embedder = embedder
        self.reader = reader or FigureReader(embedder)
        self.model = self.reader.model

    def performance_figures(self, passages: Iterable[Passage]) -> list[Found]:
        """Every performance figure stated in ``passages``, in their order."""
        return [Found(point, p) for p in passages for point in self.reader.figures(p.text) if is_performance(point)]

    def annotate(self, points: list[DataPoint]) -> list[DataPoint]:
        """Figures someone said, labelled (whose figure, a performance figure) as the claim check
        labels them (the vectors are the ones it has just made)."""
        if points:
            self.model.annotate(points, self.model.vectors_for(points))
        return points

    def likeness(self, point: DataPoint, others: Sequence[DataPoint]) -> np.ndarray:
        """Probability that ``point`` measures what each of ``others`` measures (0 for figures
        that cannot be compared or plainly name other things)."""
        out = np.zeros(len(others))
        pool = [i for i, o in enumerate(others) if comparable(point, o) and not names_other_things(point, o)]
        if not pool:
            return out
        vectors = self.model.vectors_for([point, *[others[i] for i in pool]])
        equal = tuple(n for n, i in enumerate(pool) if same_value(point, others[i]))
        out[pool] = self.model.same_measure(point, [others[i] for i in pool], vectors, always=equal)
        return out

    def same(self, a: DataPoint, b: DataPoint, threshold: float = SAME_EVIDENCE) -> bool:
        return bool(self.likeness(a, [b])[0] >= threshold)

    def newest_per_measure(self, found: Sequence[Found]) -> list[Found]:
        """One figure per measure: the newest (then the one with a comparator, then the first
        stated), in the order of the figures kept."""
        order = sorted(range(len(found)), key=lambda i: (_newest(found[i].date), found[i].point.comparator is None, i))
        kept: list[int] = []
        for i in order:
            if kept:
                alike = self.likeness(found[i].point, [found[j].point for j in kept])
                if float(alike.max()) >= SAME_EVIDENCE:
                    continue
            kept.append(i)
        return [found[i] for i in sorted(kept, key=order.index)]


def _newest(date: str) -> tuple[int, str]:
    """Sort key: newer dates first, undated last."""
    return (0, "".join(chr(255 - ord(ch)) for ch in date)) if date else (1, "")
