"""One question and answer of a mock interview, with what the coach found in it: the shape the
lines of enquiry and the inspector's summary read (from a coached ``Feedback.to_dict()``, so
turns can be rebuilt from saved attempts as well as from a live interview)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from prep_bot.evidence.figures import extract_figures, sentences

# A sentence claiming a change or a result: what an inspector asks "how do you know?" about.
_CLAIMS_CHANGE = re.compile(
    r"\b(?:improv\w*|reduc\w*|increas\w*|fell|fallen|dropp?\w*|cut|halved|doubled|better|faster|quicker|sooner|"
    r"shorter|longer|lower|higher|fewer|more people|no longer|now (?:wait|get|have|see|are|is)|went down|gone down|"
    r"went up|gone up|works?|working well|effective|successful|transformed|turned around|cleared|no (?:waits?|waiting|backlog|delays?))\b",
    re.I,
)
_EVIDENCE_SAID = re.compile(
    r"\b(?:\d|per ?cent|survey|audit|data|figures?|dashboard|feedback|told us|said|complaints?|case|example|for instance)\b",
    re.I,
)


@dataclass(frozen=True)
class Claim:
    """A figure the answer stated, as the coach's claim check judged it."""

    text: str  # "57%"
    sentence: str
    status: str  # supported | contradicted | unverified
    evidence: dict | None = None  # {"figure", "title", "text", ...} when the evidence has the measure


@dataclass(frozen=True)
class Turn:
    question: str
    qs: str
    answer: str
    score: int
    dimensions: dict[str, int]
    claims: tuple[Claim, ...] = ()
    on_message: dict | None = None  # the story check's report (OnMessage.to_dict())
    evidence: tuple[dict, ...] = ()  # the passages the coach found for it (citation fields)
    seconds: float = 0.0  # how long the answer took
    follows: int | None = None  # the turn whose line of enquiry this continues
    kind: str = "opening"  # why the question was asked (NextQuestion.kind)
    question_id: str = ""
    attempt_id: int | None = None

    @classmethod
    def from_feedback(cls, question: str, qs: str, answer: str, feedback: dict, **extra) -> Turn:
        dims = feedback.get("dimensions") or {}
        return cls(
            question=question, qs=qs, answer=answer, score=int(feedback.get("score", 0)),
            dimensions={k: int(v["score"] if isinstance(v, dict) else v) for k, v in dims.items()},
            claims=tuple(
                Claim(c.get("text", ""), c.get("sentence", ""), c.get("status", "unverified"), c.get("evidence"))
                for c in feedback.get("claims") or [] if isinstance(c, dict)
            ),
            on_message=feedback.get("on_message"),
            evidence=tuple(e for e in feedback.get("evidence") or [] if isinstance(e, dict)),
            **extra,
        )

    @property
    def sentences(self) -> list[str]:
        return [s for s in sentences(self.answer) if s.strip()]

    def unsupported(self) -> list[str]:
        """Sentences claiming a change or a result with nothing behind them: no figure, no
        source, no example in the sentence itself."""
        out = []
        for s in self.sentences:
            if _CLAIMS_CHANGE.search(s) and not _EVIDENCE_SAID.search(s) and not extract_figures(s):
                out.append(s)
        return out


@dataclass(frozen=True)
class NextQuestion:
    """What the interviewer asks next, and why."""

    text: str
    qs: str
    kind: str  # opening | figure | hidden-gap | unsupported | unverified | dimension | revisit | new-statement
    why: str
    follows: int | None = None  # the turn it follows up
    question_id: str = ""
    looks_for: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {"text": self.text, "qs": self.qs, "kind": self.kind, "why": self.why, "follows": self.follows,
                "question_id": self.question_id}
