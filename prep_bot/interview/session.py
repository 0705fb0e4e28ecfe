"""One mock interview in progress, as plain data a page can keep between requests: the time box,
the question being answered and why it is asked, and every answer with what the coach found.
The interviewer moves it on: each recorded answer gets the next question from the lines of
enquiry, or ends the interview when the time box cannot hold another answer."""

from __future__ import annotations

from prep_bot.errors import InputError
import random
from dataclasses import asdict, dataclass, field

from prep_bot.interview.enquiry import LinesOfEnquiry
from prep_bot.interview.turns import NextQuestion, Turn
from prep_bot.practice.attempts import compact_feedback
from prep_bot.framework.questions import Question

MIN_MINUTES, MAX_MINUTES = 5, 60


@dataclass
class Session:
    audience: str
    minutes: float
    started: float  # when the interview began (seconds since the epoch)
    asked_at: float  # when the current question was shown
    current: dict | None  # NextQuestion.to_dict() with its looks_for; None once the interview has ended
    turns: list[dict] = field(default_factory=list)  # each answer: question, qs, answer, feedback, seconds, ...

    @property
    def ended(self) -> bool:
        return self.current is None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> Session:
        if not data or "current" not in data or "turns" not in data:
            raise InputError("Start a mock interview first.")
        return cls(str(data["audience"]), float(data["minutes"]), float(data["started"]), float(data["asked_at"]),
                   data["current"], list(data["turns"]))


class Interviewer:
    """Starts interviews and moves them on (no saving, no permissions: the use case does those)."""

    def __init__(self, bank, framework, rubric, rng: random.Random | None = None) -> None:
        self.bank = bank
        self.framework = framework
        self.rubric = rubric
        self.rng = rng or random.Random()

    def lines(self, session: Session) -> LinesOfEnquiry:
        return LinesOfEnquiry(self.bank, self.framework, self.rubric, session.minutes, session.audience, self.rng)

    def begin(self, audience: str, minutes: float, now: float) -> Session:
        if not MIN_MINUTES <= float(minutes) <= MAX_MINUTES:
            raise InputError(f"Set the interview between {MIN_MINUTES} and {MAX_MINUTES} minutes.")
        session = Session(audience, float(minutes), now, now, None)
        session.current = _asked(self.lines(session).first())
        return session

    def question(self, session: Session) -> Question:
        """The question being answered, as the coach takes it: a bank question, or the follow-up
        the lines of enquiry wrote (kept under the id of the question its line began with)."""
        current = session.current
        if current is None:
            raise InputError("This interview has ended: start a new one.")
        found = self.bank.get(current["question_id"]) if current.get("question_id") else None
        if found is not None:
            return found
        follows = current.get("follows")
        base = session.turns[follows]["question_id"] if follows is not None and follows < len(session.turns) else ""
        return Question(id=base or "enquiry", qs=current["qs"], audience=session.audience, text=current["text"],
                        looks_for=list(current.get("looks_for") or []))

    def record(self, session: Session, answer: str, feedback: dict, now: float, attempt_id: int | None = None) -> Session:
        """``session`` with the answer to its current question kept, and the next question (or
        the end). ``feedback``: the coach's ``Feedback.to_dict()``."""
        current = session.current
        if current is None:
            raise InputError("This interview has ended: start a new one.")
        question = self.question(session)
        kept = compact_feedback(feedback)
        turn = {
            "question": current["text"], "qs": current["qs"], "answer": answer, "feedback": kept,
            "seconds": max(0.0, now - session.asked_at), "follows": current.get("follows"),
            "kind": current.get("kind", "opening"), "why": current.get("why", ""),
            "question_id": question.id if current.get("question_id") else "", "attempt_id": attempt_id,
        }
        turns = [*session.turns, turn]
        moved = Session(session.audience, session.minutes, session.started, now, None, turns)
        following = self.lines(moved).next(self.turns(moved), now - session.started)
        moved.current = _asked(following) if following is not None else None
        return moved

    @staticmethod
    def turns(session: Session) -> list[Turn]:
        return [
            Turn.from_feedback(
                t["question"], t["qs"], t["answer"], t["feedback"] or {}, seconds=float(t["seconds"]),
                follows=t.get("follows"), kind=t.get("kind", "opening"), question_id=t.get("question_id", ""),
                attempt_id=t.get("attempt_id"),
            )
            for t in session.turns
        ]

    def followed_attempt(self, session: Session) -> int | None:
        """The saved attempt whose line the current question continues (None: a fresh question)."""
        follows = (session.current or {}).get("follows")
        if follows is None or follows >= len(session.turns):
            return None
        return session.turns[follows].get("attempt_id")


def _asked(question: NextQuestion) -> dict:
    return {**question.to_dict(), "looks_for": list(question.looks_for)}
