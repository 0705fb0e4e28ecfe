"""Accounts: who may sign in, with which role and team (`prep-bot users`), and the signed-in
person's own account (the page's "Signed in as")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from prep_bot.app.policy import Action, Policy
from prep_bot.people.identity import Identity

if TYPE_CHECKING:
    from prep_bot.people.accounts import User, UserStore
    from prep_bot.infra.vector_cache import VectorCache
    from prep_bot.practice.attempts import AttemptLog


@dataclass
class Gone:
    """An account removed, and what became of its practice."""

    user: User
    erased: int  # attempts erased (with their answers' cached vectors)
    kept: int  # attempts kept (0 when erased)


class Accounts:
    """The accounts use case."""

    def __init__(self, policy: Policy, users: UserStore, attempts: AttemptLog, cache: VectorCache | None = None) -> None:
        """``cache``: the data dir's vector cache, from which an erased person's answers go too."""
        self.policy = policy
        self.users = users
        self.attempts = attempts
        self.cache = cache

    def me(self, who: Identity) -> Identity:
        """The person asking, as the page names them."""
        self.policy.ensure(who, Action.SEE_ACCOUNT)
        return who

    def check_new(self, who: Identity, name: str, role: str, team: str = "") -> tuple[str, str]:
        """Everything about a new account but its password, checked (so a command can refuse
        before asking for one): the trimmed name and team."""
        self.policy.ensure(who, Action.MANAGE_ACCOUNTS)
        return self.users.check_new(name, role, team)

    def add(self, who: Identity, name: str, password: str, role: str, team: str = "") -> User:
        self.policy.ensure(who, Action.MANAGE_ACCOUNTS)
        return self.users.add(name, password, role=role, team=team)

    def change(self, who: Identity, name: str, role: str | None = None, team: str | None = None,
               password: str | None = None) -> User:
        """Change an account's role, team or password: every session signed in to it ends."""
        self.policy.ensure(who, Action.MANAGE_ACCOUNTS)
        return self.users.change(name, role=role, team=team, password=password)

    def list(self, who: Identity) -> list[User]:
        self.policy.ensure(who, Action.MANAGE_ACCOUNTS)
        return self.users.list()

    def remove(self, who: Identity, name: str, erase_attempts: bool = False) -> Gone:
        """Remove an account; with ``erase_attempts`` its practice attempts go too, and their
        answers' vectors from the cache."""
        self.policy.ensure(who, Action.MANAGE_ACCOUNTS)
        known = self.users.get(name)
        answers = [a.answer for a in self.attempts.list(user=known.name)] if known and erase_attempts else []
        user, erased = self.users.remove(name, erase_attempts=erase_attempts)
        if erase_attempts:
            if self.cache is not None:
                self.cache.forget(answers)
            return Gone(user, erased, 0)
        return Gone(user, 0, len(self.attempts.list(user=user.name)))
