"""TEMPORARY stand-in until the feedback-rules branch lands (replaced by its module)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Reply:
    strength: object | None
    no_strength: str
    change: object
    figure_note: str | None
    not_covered: list[str]


def reply_for(feedback) -> Reply:
    dims = list(feedback.dimensions)
    best = max(dims, key=lambda d: d.score)
    worst = min(dims, key=lambda d: d.score)
    return Reply(best if best.score >= 60 else None, "No strength yet.", worst, None, list(feedback.missed))
