"""My progress: a person's practice (their own, or, as their role allows, someone else's), one
attempt read again, and all of it as a CSV file and a printable page."""

from __future__ import annotations

from prep_bot.errors import InputError
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from prep_bot.app.policy import Action, Policy
from prep_bot.people.identity import Identity

if TYPE_CHECKING:
    from prep_bot.coaching.rubric import Rubric
    from prep_bot.framework.statements import Framework
    from prep_bot.practice.attempts import Attempt, AttemptLog
    from prep_bot.framework.questions import QuestionBank


@dataclass
class Practised:
    """Whose practice is shown, and the attempts of it the viewer may see (oldest first)."""

    person: str
    attempts: list[Attempt]


@dataclass
class Overview:
    """A person's practice summed up: scores over time per statement, weakest dimensions,
    questions not yet tried, and the pace and fillers of their spoken answers."""

    person: str
    attempts: list[Attempt]
    progress: dict  # practice/insights.py personal_progress
    spoken: list[dict]  # practice/insights.py spoken_series


def visible_attempts(policy: Policy, log: AttemptLog, who: Identity, person: str | None = None,
                     team: str | None = None) -> list[Attempt]:
    """The attempts ``who`` may see, narrowed to one ``person`` or one ``team`` when asked:
    asking for what the role does not allow raises AccessDenied; of what is asked for, only the
    attempts the policy lets them read are returned (oldest first)."""
    person = (person or "").strip() or None
    team = (team or "").strip() or None
    if team is not None:
        policy.ensure(who, Action.SEE_TEAM, team)
    if person is not None:
        policy.ensure(who, Action.SEE_PERSON, person)
        known = policy.users.get(person)
        person = known.name if known is not None else person
    elif who.authenticated and who.role == "staff":
        person = who.name
    elif who.authenticated and who.role == "manager" and team is None:
        team = who.team
    return policy.readable(who, log.list(user=person, team=team))


def read_attempt(policy: Policy, log: AttemptLog, who: Identity, attempt_id) -> Attempt:
    """The attempt numbered ``attempt_id`` if ``who`` may read it. ValueError when there is no
    such attempt, AccessDenied when it is not theirs to read."""
    policy.ensure(who, Action.READ_ATTEMPT)
    try:
        number = int(float(str(attempt_id).strip()))
    except (TypeError, ValueError):
        raise InputError("Choose an attempt from the list to read it.") from None
    attempt = log.get(number)
    if attempt is None:
        raise InputError(f"There is no attempt number {number}; choose one from the list.")
    policy.ensure(who, Action.READ_ATTEMPT, attempt)
    return attempt


class Progress:
    """The My progress use case."""

    def __init__(self, policy: Policy, attempts: AttemptLog, framework: Framework, bank: QuestionBank, rubric: Rubric) -> None:
        self.policy = policy
        self.attempts = attempts
        self.framework = framework
        self.bank = bank
        self.rubric = rubric

    def practised(self, who: Identity, person: str | None = None) -> Practised:
        """The attempts of ``person`` (default: the one asking) that ``who`` may see."""
        self.policy.ensure(who, Action.SEE_PERSON, (person or "").strip() or who.name)
        name = (person or "").strip() or who.name
        return Practised(name, visible_attempts(self.policy, self.attempts, who, person=name))

    def overview(self, who: Identity, person: str | None = None) -> Overview:
        """``practised`` summed up for the charts and the summary."""
        self.policy.ensure(who, Action.SEE_PERSON, (person or "").strip() or who.name)
        from prep_bot.practice.insights import personal_progress, spoken_series

        seen = self.practised(who, person)
        summary = personal_progress(seen.attempts, self.bank, self.framework, self.rubric)
        return Overview(seen.person, seen.attempts, summary, spoken_series(seen.attempts))

    def attempt(self, who: Identity, attempt_id) -> Attempt | None:
        """One attempt by its number, with its answer and feedback (None when none is chosen)."""
        self.policy.ensure(who, Action.READ_ATTEMPT)
        if attempt_id in (None, ""):
            return None
        return read_attempt(self.policy, self.attempts, who, attempt_id)

    def export(self, who: Identity, person: str | None, folder: Callable[[], Path]) -> list[Path]:
        """The attempts on show as practice-NAME.csv and a printable practice-NAME.html in the
        folder that ``folder()`` makes."""
        self.policy.ensure(who, Action.SEE_PERSON, (person or "").strip() or who.name)
        from prep_bot.practice.export import write_practice_files

        seen = self.practised(who, person)
        return write_practice_files(seen.attempts, seen.person, self.framework, self.rubric, folder())
