"""Sign-in sessions: each bound to an account's id and session version, with an idle and an
absolute expiry.

Gradio keeps its sessions in ``App.tokens`` (token -> signed-in name) and asks ``tokens.get``
on every request. ``Sessions`` stands in for that dict: signing in records the account's id and
session version; reading a token gives the account's current name only while the account
still exists with that version (removing it, or changing its role, team or password, raises
the version: people/accounts.py) and while the session is within its limits. Otherwise the
token is forgotten and the request is treated as not signed in (401), so the page asks the
person to sign in again. A name re-added after a removal is a new account: an old session
never carries over to it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prep_bot.people.accounts import UserStore

log = logging.getLogger(__name__)


@dataclass
class Session:
    account_id: int
    version: int
    name: str
    started: float
    seen: float


class Sessions(MutableMapping):
    """``token -> name`` for Gradio, checked against the user store on every read."""

    def __init__(self, users: UserStore, hours: float, idle_minutes: float, clock: Callable[[], float] = time.time) -> None:
        self.users = users
        self.lifetime = hours * 3600
        self.idle = idle_minutes * 60
        self.clock = clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    # Gradio's login route: ``tokens[token] = username`` once the password is right.
    def __setitem__(self, token: str, name: str) -> None:
        key = self.users.session_key(name)
        if key is None:  # removed between the password check and now
            return
        now = self.clock()
        with self._lock:
            self._sessions[token] = Session(key.account_id, key.version, key.name, now, now)

    def get(self, token, default=None):
        """The signed-in name for ``token``, or ``default`` when there is no such session or it
        has ended (removed or changed account, idle too long, too old)."""
        if not token:
            return default
        with self._lock:
            session = self._sessions.get(token)
        if session is None:
            return default
        now = self.clock()
        why = None
        if now - session.started > self.lifetime:
            why = "reached its time limit"
        elif now - session.seen > self.idle:
            why = "was idle too long"
        else:
            holder = self.users.session_holder(session.account_id)
            if holder is None:
                why = "belongs to a removed account"
            elif holder.version != session.version:
                why = "predates a change to its account"
            else:
                session.name = holder.name
        if why is not None:
            with self._lock:
                self._sessions.pop(token, None)
            log.info("sign-in: a session of %s ended: it %s", session.name, why)
            return default
        session.seen = now
        return session.name

    def __getitem__(self, token: str) -> str:
        """The name a session signed in as, unchecked (Gradio's sign-out compares it to find
        the person's sessions); ``get`` is the check."""
        with self._lock:
            return self._sessions[token].name

    def __delitem__(self, token: str) -> None:
        with self._lock:
            self._sessions.pop(token, None)  # gone already: ended by a check in between

    def __contains__(self, token) -> bool:
        return self.get(token) is not None

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            return iter(list(self._sessions))

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def end_all(self, name: str) -> int:
        """End every session signed in as ``name`` (sign-out ends them all); how many."""
        with self._lock:
            tokens = [t for t, s in self._sessions.items() if s.name.casefold() == name.strip().casefold()]
            for token in tokens:
                del self._sessions[token]
        return len(tokens)
