"""Who is asking: a person's name, role and team as the permission policy sees them (light to
import: the accounts themselves, with their database and password hashing, are in accounts.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from prep_bot.errors import PrepBotError
from prep_bot.inputs import name_key  # noqa: F401 - how names are compared, re-exported

ANONYMOUS = "anonymous"  # where nameless local practice is saved: not a name anyone can sign in as


class Account(Protocol):
    """An account as the user store gives it (people/accounts.py ``User``)."""

    name: str
    role: str
    team: str


class AccessDenied(PrepBotError, PermissionError):
    """The signed-in person's role does not allow what they asked for."""


@dataclass(frozen=True)
class Identity:
    """Who is asking. ``authenticated`` is True when the name, role and team come from a sign-in
    and the user store; False in single-user local mode (no accounts, loopback only), where the
    name and team are as typed and the person at the keyboard may see everything."""

    name: str
    role: str
    team: str
    authenticated: bool

    @classmethod
    def of(cls, user: Account) -> Identity:
        return cls(user.name, user.role, user.team, True)

    @classmethod
    def local(cls, typed_name: str | None, typed_team: str | None) -> Identity:
        return cls((typed_name or "").strip() or ANONYMOUS, "lead", (typed_team or "").strip(), False)

    def describe(self) -> str:
        return f"{self.name} ({self.role}, {self.team})" if self.team else f"{self.name} ({self.role})"
