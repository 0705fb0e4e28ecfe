"""Sign-in throttling, per account name and per client address.

Failures are counted over a window. After ``slow_after`` of them each further try waits a
little longer (up to a few seconds); at ``account_limit`` failures for one name, or
``address_limit`` from one address (higher: a council's staff may share one proxy address),
that name or address is locked for ``lock_minutes``, during which even a right password is
refused. A success clears the name's count (not the address's: one right password does not
excuse a run of guesses at other names).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from datetime import datetime, timezone

from prep_bot.people.identity import name_key


class Throttle:
    def __init__(self, account_limit: int = 5, address_limit: int = 30, lock_minutes: float = 15.0,
                 window_minutes: float = 15.0, slow_after: int = 3, clock: Callable[[], float] = time.time) -> None:
        self.account_limit, self.address_limit = account_limit, address_limit
        self.lock_seconds = lock_minutes * 60
        self.window = window_minutes * 60
        self.slow_after = slow_after
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._locked: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def _keys(self, name: str | None, address: str) -> list[tuple[str, str]]:
        return [("account", name_key(name or "")), ("address", address)]

    def _recent(self, key, now: float) -> deque[float]:
        times = self._failures[key]
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def locked(self, name: str | None, address: str) -> str | None:
        """None when ``name`` may try to sign in from ``address`` now, else the sentence saying
        why not and until when."""
        now = self.clock()
        with self._lock:
            for key in self._keys(name, address):
                until = self._locked.get(key)
                if until is None:
                    continue
                if until <= now:
                    del self._locked[key]
                    self._failures.pop(key, None)
                    continue
                when = datetime.fromtimestamp(until, timezone.utc).strftime("%H:%M UTC")
                minutes = max(1, round((until - now) / 60))
                if key[0] == "account":
                    return (f"Sign-in for this name is locked after too many wrong passwords: try again at {when} "
                            f"(in about {minutes} minute{'' if minutes == 1 else 's'}), or ask your prep-bot lead.")
                return (f"Sign-in from this address is locked after too many wrong passwords: try again at {when} "
                        f"(in about {minutes} minute{'' if minutes == 1 else 's'}).")
        return None

    def delay(self, name: str | None, address: str) -> float:
        """Seconds to wait before checking the password: 0 until ``slow_after`` failures, then
        doubling from 0.5 s up to 4 s."""
        now = self.clock()
        with self._lock:
            worst = max(len(self._recent(key, now)) for key in self._keys(name, address))
        if worst < self.slow_after:
            return 0.0
        return min(4.0, 0.5 * 2 ** (worst - self.slow_after))

    def failed(self, name: str | None, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key, limit in zip(self._keys(name, address), (self.account_limit, self.address_limit)):
                times = self._recent(key, now)
                times.append(now)
                if len(times) >= limit:
                    self._locked[key] = now + self.lock_seconds
            if len(self._failures) > 50_000:  # guesses at made-up names: keep only the recent
                self._failures = defaultdict(deque, {k: v for k, v in self._failures.items() if v and now - v[-1] <= self.window})

    def succeeded(self, name: str | None, address: str) -> None:
        with self._lock:
            self._failures.pop(("account", name_key(name or "")), None)
