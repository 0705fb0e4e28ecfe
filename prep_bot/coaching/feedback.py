"""The coach's reply, decided once from the scores so that every part agrees with the others:
a strength only where the answer scored well, one thing to change (never the strength), the
points it missed that its own scores do not show it covered, and a plain note on any figure the
evidence contradicts. The chat message, the feedback panel and the stored attempt all read it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Protocol

from prep_bot.evidence.provenance import display_date
from prep_bot.coaching.rubric import DimensionScore, Rubric, WrongFigure, wrong_figures_text

if TYPE_CHECKING:
    from prep_bot.coaching.claims import Claim

GOOD = 60  # a dimension scoring this or more is a strength, and covers the points it is about
NO_STRENGTH = "No strength yet: no part of this answer scores 60 or more, so start with the one thing to change."
# Focus is usually fine and says nothing about substance: it is never called the strength.
NOT_A_STRENGTH = frozenset({"focus"})


@dataclass
class Strength:
    name: str
    label: str
    score: int
    reason: str


@dataclass
class Change:
    """The one thing to change: the weakest dimension, why, and what to do."""

    name: str
    label: str
    score: int
    reason: str
    advice: str


@dataclass
class Reply:
    score: int
    strength: Strength | None  # None: nothing scored GOOD; ``no_strength`` says so
    no_strength: str | None
    change: Change
    follow_up: str
    not_covered: list[str]
    figure_note: str | None  # a plain sentence when a figure is contradicted

    def to_dict(self) -> dict:
        return asdict(self)


class Scored(Protocol):
    """What a reply is decided from: a coached answer's scores, claims and missed points (the
    coach's ``Feedback``, which holds the reply; named here so this module needs no coach)."""

    score: int
    dimensions: list[DimensionScore]
    claims: list[Claim]
    missed: list[str]
    missed_about: dict[str, list[list[str]]]
    follow_up: str


def _weights(rubric: Rubric) -> dict[str, float]:
    return {d.name: d.weight for d in rubric.dimensions}


def strongest(dimensions: list[DimensionScore], rubric: Rubric) -> DimensionScore | None:
    """The best-scoring dimension of substance if it scores GOOD or more (ties: the heavier)."""
    weights = _weights(rubric)
    good = [d for d in dimensions if d.score >= GOOD and d.name not in NOT_A_STRENGTH]
    return max(good, key=lambda d: (d.score, weights.get(d.name, 0.0)), default=None)


def weakest(dimensions: list[DimensionScore], rubric: Rubric) -> DimensionScore:
    """The lowest-scoring dimension other than the strength (ties: the heavier, which costs the
    overall score most)."""
    weights = _weights(rubric)
    best = strongest(dimensions, rubric)
    pool = [d for d in dimensions if best is None or d.name != best.name] or dimensions
    return min(pool, key=lambda d: (d.score, -weights.get(d.name, 0.0)))


def covered(about: list[list[str]], dimensions: list[DimensionScore]) -> bool:
    """Whether the scores show the answer covered a point about these dimensions: each
    requirement has a dimension scoring GOOD. A point about no dimension is never covered so."""
    scores = {d.name: d.score for d in dimensions}
    return bool(about) and all(any(scores.get(name, 0) >= GOOD for name in need) for need in about)


def wrong_figures(claims: list[Claim]) -> list[WrongFigure]:
    """The contradicted claims, each with the evidence's figure and its document and date."""
    wrong = []
    for c in claims:
        if c.status != "contradicted":
            continue
        if c.evidence is None:
            wrong.append(WrongFigure(c.text, "something else", ""))
            continue
        passage = c.evidence.passage
        when = display_date(passage.date)
        wrong.append(WrongFigure(c.text, c.evidence.point.raw, f"{passage.title}, {when}" if when else passage.title))
    return wrong


def figure_note(claims: list[Claim]) -> str | None:
    """'Check your figure: you said 57.83%, the evidence says 47.83%.' (None if none is wrong)."""
    wrong = wrong_figures(claims)
    if not wrong:
        return None
    lead = "Check your figure" if len(wrong) == 1 else f"Check your {len(wrong)} figures"
    return f"{lead}: {wrong_figures_text(wrong, sources=False)}."


def reply_for(feedback: Scored, rubric: Rubric) -> Reply:
    best = strongest(feedback.dimensions, rubric)
    worst = weakest(feedback.dimensions, rubric)
    about = feedback.missed_about
    return Reply(
        score=feedback.score,
        strength=Strength(best.name, best.label, best.score, best.reason) if best else None,
        no_strength=None if best else NO_STRENGTH,
        change=Change(worst.name, worst.label, worst.score, worst.reason, rubric.dimension(worst.name).advice),
        follow_up=feedback.follow_up,
        not_covered=[m for m in feedback.missed if not covered(about.get(m, []), feedback.dimensions)],
        figure_note=figure_note(feedback.claims),
    )
