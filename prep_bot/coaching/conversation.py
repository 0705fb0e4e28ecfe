"""Coaching is a conversation: a reply to the coach's follow-up is judged with the answer it
follows. The whole answer gets one score; this module says what the latest reply added, read
from the same decisions as the scores (the dimensions that rose, and the reply's sentence that
earned each)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prep_bot.coaching.reading import AnswerReading
    from prep_bot.coaching.rubric import DimensionScore

ROSE_BY = 5  # a dimension counts as added to when it rose by at least this much


@dataclass
class Added:
    name: str
    label: str
    before: int
    after: int
    quote: str  # the reply's sentence that earned it ("" when the rise came from the whole)

    def to_dict(self) -> dict:
        return asdict(self)


def what_was_added(before: list[DimensionScore], before_score: int, after: list[DimensionScore], after_score: int,
                   reading: AnswerReading, latest_turn: int) -> list[Added]:
    """The dimensions the latest reply raised, most first, each with the reply's own sentence
    that earned it when the reason quotes one."""
    was = {d.name: d.score for d in before}
    reply_sentences = {s for s, t in zip(reading.sentences, reading.turn) if t == latest_turn}
    out = []
    for d in after:
        if d.score - was.get(d.name, 0) < ROSE_BY or d.name == "focus":
            continue
        quote = next((s for s in d.quoted if s in reply_sentences), "")
        out.append(Added(d.name, d.label, was.get(d.name, 0), d.score, f"“{quote}”" if quote else ""))
    return sorted(out, key=lambda a: a.before - a.after)


def added_text(added: list[Added], before_score: int | None = None) -> str:
    """The reply's line about the follow-up: what it added, or that it added nothing scored."""
    if not added:
        return "Your follow-up added nothing new the rubric counts: answer the follow-up with what it asks for."
    parts, quoted = [], set()
    for a in added[:3]:
        part = f"{a.label.lower()} {a.before} → {a.after}"
        if a.quote and a.quote not in quoted:
            quoted.add(a.quote)
            part += f" ({a.quote})"
        parts.append(part)
    return "What your follow-up added: " + "; ".join(parts) + "."
