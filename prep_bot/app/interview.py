"""The mock interview: a panel of questions across the quality statements, like the on-site
visit, each answer coached and saved, and any of the panel's answers read again afterwards."""

from __future__ import annotations

from prep_bot.errors import InputError
import random
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prep_bot.app.policy import Action, Policy
from prep_bot.app.practice import save_attempt
from prep_bot.app.progress import read_attempt
from prep_bot.inputs import clean_text
from prep_bot.people.identity import Identity

if TYPE_CHECKING:
    from prep_bot.coaching.coach import Coach, Feedback
    from prep_bot.framework.statements import Framework
    from prep_bot.practice.attempts import Attempt, AttemptLog
    from prep_bot.framework.questions import Question, QuestionBank


@dataclass
class Answered:
    """One of the panel's questions, answered, coached and saved."""

    question: Question
    feedback: Feedback
    attempt: Attempt


class MockInterview:
    """The mock interview use case."""

    def __init__(self, policy: Policy, framework: Framework, bank: QuestionBank, coach: Coach, attempts: AttemptLog,
                 working=None) -> None:
        """``working``: where each account is, kept on the server (practice/working.py; None: nothing kept)."""
        self.policy = policy
        self.framework = framework
        self.bank = bank
        self.coach = coach
        self.attempts = attempts
        self.working = working

    def start(self, who: Identity, audience: str, count: int) -> list[Question]:
        """A panel of ``count`` questions for ``audience``, across the statements in a random
        order (each statement once before any comes back)."""
        self.policy.ensure(who, Action.PRACTISE)
        slugs = [q.slug for q in self.framework.quality_statements]
        random.shuffle(slugs)
        chosen: list[Question] = []
        for slug in (slugs * 2)[: int(count)]:
            question = self.bank.pick(slug, audience=audience, exclude=[q.id for q in chosen])
            if question:
                chosen.append(question)
        if not chosen:
            raise InputError("No questions for that audience.")
        return chosen

    def question(self, who: Identity, question_id: str) -> Question:
        """One of the bank's questions, by its id."""
        self.policy.ensure(who, Action.PRACTISE)
        question = self.bank.get(question_id)
        if question is None:
            raise InputError("Start a mock interview first.")
        return question

    def answer(self, who: Identity, question_id: str | None, text: str, audience: str, delivery: dict | None = None
               ) -> Answered:
        """An answer to one of the panel's questions (None: no panel is running), coached and saved."""
        self.policy.ensure(who, Action.PRACTISE)
        question = self.question(who, question_id or "")
        text = clean_text(text)
        feedback = self.coach.coach(question.qs, question, text)
        return Answered(question, feedback, save_attempt(self.attempts, who, audience, question, text, feedback, delivery))

    # -- the interview in progress, kept on the server -------------------------------------------
    def keep(self, who: Identity, panel: dict) -> None:
        """Keep ``who``'s interview in progress (its questions, where they are, the scores so far
        and the question's clock), so a reload or a dropped connection brings it back; a panel
        that has ended is forgotten (its answers are in My progress). Signed-in accounts only."""
        self.policy.ensure(who, Action.PRACTISE)
        if self.working is None or not who.authenticated:
            return
        self.working.save(who.name, "interview", panel if _running(panel) else None)

    def resume(self, who: Identity) -> tuple[dict, Question] | None:
        """``who``'s interview in progress and the question now being asked; None when none is."""
        self.policy.ensure(who, Action.PRACTISE)
        if self.working is None or not who.authenticated:
            return None
        panel = self.working.load(who.name, "interview")
        if not _running(panel):
            return None
        question = self.bank.get(panel["ids"][panel["index"]])
        return (panel, question) if question is not None else None

    def review(self, who: Identity, attempt_id, panel: Collection) -> Attempt | None:
        """One of this panel's answers (``panel``: the attempt numbers it saved), with its
        feedback; None when none is chosen."""
        self.policy.ensure(who, Action.READ_ATTEMPT)
        if attempt_id in (None, ""):
            return None
        if str(attempt_id) not in {str(n) for n in panel}:
            raise InputError("Choose one of this interview's questions from the list.")
        return read_attempt(self.policy, self.attempts, who, attempt_id)


def _running(panel: dict | None) -> bool:
    """A panel with a question still to answer, in the shape the Mock interview room keeps."""
    try:
        return 0 <= int(panel["index"]) < len(panel["ids"]) and isinstance(panel.get("results", []), list)
    except (KeyError, TypeError, ValueError):
        return False
