"""The coach's reply, decided once from the scores so that every part agrees with the others:
a strength only where the answer scored in the rubric's good band (never one resting on a
figure the evidence contradicts), one thing to change (never the strength: correcting a wrong
figure comes first, then owning a gap the answer hid, then the weakest dimension), the points it
missed that its own scores do not show it covered, a plain note on any wrong figure or hidden gap,
and what a follow-up reply added. The chat message, the feedback panel and the stored attempt all
read it."""

from __future__ import annotations

import re

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Protocol

from prep_bot.coaching.conversation import added_text
from prep_bot.coaching.rubric import DimensionScore, Rubric, WrongFigure, wrong_figures_text
from prep_bot.evidence.provenance import display_date

if TYPE_CHECKING:
    from prep_bot.coaching.claims import Claim

# Focus is usually fine and says nothing about substance: it is never called the strength.
NOT_A_STRENGTH = frozenset({"focus"})


OFF_QUESTION_TEXT = "No strength for this question yet: the answer speaks to another one."


def no_strength_text(rubric: Rubric) -> str:
    return (f"No strength yet: no part of this answer scores {rubric.good} or more, "
            "so start with the one thing to change.")


@dataclass
class Strength:
    name: str
    label: str
    score: int
    reason: str


@dataclass
class Change:
    """The one thing to change: the weakest dimension (or a wrong figure, or a hidden gap), why,
    and what to do."""

    name: str
    label: str
    score: int
    reason: str
    advice: str


@dataclass
class Reply:
    score: int
    strength: Strength | None  # None: nothing scored in the good band; ``no_strength`` says so
    no_strength: str | None
    change: Change
    follow_up: str
    not_covered: list[str]
    figure_note: str | None  # a plain sentence when a figure is contradicted
    honesty_note: str | None = None  # a plain sentence when the answer says the opposite of the evidence
    turns: int = 1
    added: str | None = None  # what the latest reply to a follow-up added (turns > 1)
    tone: str = ""  # the band's tone of the overall score, for whatever colours it
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = asdict(self)
        out.pop("extra")
        return out

    def notes_beyond_change(self) -> list[str]:
        """The figure and honesty notes that the one change does not already say (the change to
        make for a hidden gap quotes the same evidence sentence: said once is enough)."""
        out = []
        if self.figure_note and "you said" not in self.change.advice:
            out.append(self.figure_note)
        quoted = re.search(r"“[^”]+”", self.honesty_note or "")
        if self.honesty_note and not (quoted and quoted.group(0) in self.change.advice):
            out.append(self.honesty_note)
        return out


class Scored(Protocol):
    """What a reply is decided from: a coached answer's scores, claims and missed points (the
    coach's ``Feedback``, which holds the reply; named here so this module needs no coach)."""

    score: int
    dimensions: list[DimensionScore]
    claims: list[Claim]
    missed: list[str]
    missed_about: dict[str, list[list[str]]]
    follow_up: str
    findings: list  # what the answer says against the evidence's areas to improve
    wrong_sentences: list[str]  # the answer's sentences stating a contradicted figure
    turns: int  # 1, or the answer and each reply to a follow-up coached together
    added: object  # what the latest reply added (turns > 1)
    off_question: bool  # the answer speaks to something other than the question


def _weights(rubric: Rubric) -> dict[str, float]:
    return {d.name: d.weight for d in rubric.dimensions}


def strongest(dimensions: list[DimensionScore], rubric: Rubric, avoid: set[str] = frozenset(),
              wrong_sentences: set[str] = frozenset()) -> DimensionScore | None:
    """The best-scoring dimension of substance in the good band (ties: the heavier), never one
    whose reason rests on a sentence stating a wrong figure."""
    weights = _weights(rubric)
    good = [
        d for d in dimensions
        if d.score >= rubric.good and d.name not in NOT_A_STRENGTH and d.name not in avoid
        and not (set(d.quoted) & set(wrong_sentences))
    ]
    return max(good, key=lambda d: (d.score, weights.get(d.name, 0.0)), default=None)


def weakest(dimensions: list[DimensionScore], rubric: Rubric, avoid: set[str] = frozenset()) -> DimensionScore:
    """The lowest-scoring dimension other than the strength (ties: the heavier, which costs the
    overall score most)."""
    weights = _weights(rubric)
    best = strongest(dimensions, rubric, avoid)
    pool = [d for d in dimensions if best is None or d.name != best.name] or dimensions
    return min(pool, key=lambda d: (d.score, -weights.get(d.name, 0.0)))


def covered(about: list[list[str]], dimensions: list[DimensionScore], good: int) -> bool:
    """Whether the scores show the answer covered a point about these dimensions: each
    requirement has a dimension scoring ``good`` or more. A point about no dimension is never
    covered so."""
    scores = {d.name: d.score for d in dimensions}
    return bool(about) and all(any(scores.get(name, 0) >= good for name in need) for need in about)


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


def honesty_note(findings: list) -> str | None:
    """'The evidence says “...” (August 2024), and your answer says the opposite: ...'."""
    owned = {f.evidence for f in findings if f.kind == "owns"}
    hidden = [f for f in findings if f.kind == "claims" and f.evidence not in owned]
    if not hidden:
        return None
    f = hidden[0]
    return f"{f.cite()[0].upper()}{f.cite()[1:]}, and your answer says the opposite. Own the gap and say what is being done."


def reply_for(feedback: Scored, rubric: Rubric) -> Reply:
    wrong = wrong_figures(feedback.claims)
    hidden_note = honesty_note(feedback.findings)
    avoid = {"data"} if wrong else set()
    # An answer to another question has no strength for this one, however good it is there.
    best = None if feedback.off_question else strongest(feedback.dimensions, rubric, avoid, set(feedback.wrong_sentences))
    by_name = {d.name: d for d in feedback.dimensions}
    if wrong and "data" in by_name:  # a wrong figure stands: correcting it is the one change
        d = by_name["data"]
        advice = rubric.dimension("data").correct_advice.format(wrong=wrong_figures_text(wrong))
        change = Change(d.name, d.label, d.score, d.reason, advice or rubric.dimension("data").advice)
    elif feedback.off_question and "focus" in by_name:  # answering the question is the one change
        d = by_name["focus"]
        change = Change(d.name, d.label, d.score, d.reason, rubric.dimension("focus").off_advice or rubric.dimension("focus").advice)
    elif hidden_note and "learning" in by_name and (best is None or best.name != "learning"):
        d = by_name["learning"]
        hidden = next(f for f in feedback.findings if f.kind == "claims")
        advice = rubric.dimension("learning").hiding_advice.format(evidence=hidden.cite())
        change = Change(d.name, d.label, d.score, d.reason, advice[0].upper() + advice[1:])
    else:
        worst = weakest(feedback.dimensions, rubric, avoid)
        change = Change(worst.name, worst.label, worst.score, worst.reason, rubric.dimension(worst.name).advice)
    about = feedback.missed_about
    return Reply(
        score=feedback.score,
        strength=Strength(best.name, best.label, best.score, best.reason) if best else None,
        no_strength=None if best else (OFF_QUESTION_TEXT if feedback.off_question else no_strength_text(rubric)),
        change=change,
        follow_up=feedback.follow_up,
        not_covered=[m for m in feedback.missed if not covered(about.get(m, []), feedback.dimensions, rubric.good)],
        figure_note=figure_note(feedback.claims),
        honesty_note=hidden_note,
        turns=feedback.turns,
        added=added_text(feedback.added) if feedback.turns > 1 else None,
        tone=rubric.tone(feedback.score),
    )
