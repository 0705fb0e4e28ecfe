"""Accounts and roles: who may sign in, with which role and team.

Users live in a ``users`` table in the same database as the practice attempts
(``Settings.attempts_url``). Passwords are hashed with Argon2id (argon2-cffi); the plain
password is never stored or logged.

Roles: ``staff``, ``manager`` and ``lead``. What each may see and do is the permission
policy's (prep_bot/app/policy.py), asked by every use case.
"""

from __future__ import annotations

import ipaddress
import secrets
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import DateTime, Integer, String, Text, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from prep_bot.practice.attempts import AttemptLog
from prep_bot.practice.working import WorkingState
from prep_bot.errors import PrepBotError
from prep_bot.framework.vocab import ROLES  # noqa: F401 - re-exported
from prep_bot.people.identity import ANONYMOUS, AccessDenied, Identity, name_key  # noqa: F401 - re-exported

MIN_PASSWORD = 8
MAX_NAME = 120  # the attempts table's user and team columns hold 120 characters
ADD_USER_HINT = "prep-bot users add NAME --role lead --team TEAM"


class UserError(PrepBotError):
    """A user cannot be added or removed as asked (duplicate name, short password, unknown user...)."""


class LoginRequired(PrepBotError):
    """Serving beyond this machine is refused while no accounts exist."""


class _Base(DeclarativeBase):
    pass


class UserRow(_Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME), unique=True)
    # casefolded name: "Sam" and "sam" are one person, whatever the database's collation
    name_key: Mapped[str] = mapped_column(String(MAX_NAME * 3), unique=True, index=True)
    role: Mapped[str] = mapped_column(String(20))
    team: Mapped[str] = mapped_column(String(MAX_NAME), default="", index=True)
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: datetime.now(timezone.utc))
    # Raised whenever the account's role, team or password changes: a session remembers the
    # version it signed in at and ends when it no longer matches (people/sessions.py). A new
    # account starts at a random version, so one re-added under a reused id matches no session.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


@dataclass(frozen=True)
class SessionKey:
    """What a session is bound to: the account's id and session version, and its current name."""

    account_id: int
    version: int
    name: str


@dataclass(frozen=True)
class User:
    """A user as the rest of prep-bot sees one: never with the password hash."""

    name: str
    role: str
    team: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: UserRow) -> User:
        return cls(row.name, row.role, row.team, row.created_at)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat() if self.created_at else None
        return data


def _clean_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise UserError("a user needs a name")
    if len(name) > MAX_NAME:
        raise UserError(f"that name is too long: use up to {MAX_NAME} characters")
    if not name.isprintable():
        raise UserError("a name cannot contain tabs, line breaks or other control characters")
    if name.casefold() == ANONYMOUS:
        raise UserError(f"'{ANONYMOUS}' is where nameless practice is saved: choose another name")
    return name


class UserStore:
    """Adds, lists, removes and verifies users, in the attempts database."""

    def __init__(self, attempts: AttemptLog, hasher: PasswordHasher | None = None) -> None:
        self.attempts = attempts
        self.engine = attempts.engine  # same database (its schema made by AttemptLog's migrations)
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        self._hasher = hasher or PasswordHasher()
        self._dummy_hash: str | None = None
        self._lock = threading.Lock()

    # -- writing -------------------------------------------------------------------------------
    def check_new(self, name: str, role: str, team: str = "") -> tuple[str, str]:
        """Everything about a new user but the password, checked (so a command can refuse before
        asking for one). Returns the trimmed name and team."""
        name = _clean_name(name)
        team = (team or "").strip()
        if role not in ROLES:
            raise UserError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
        if len(team) > MAX_NAME:
            raise UserError(f"that team name is too long: use up to {MAX_NAME} characters")
        if not team and role != "lead":
            raise UserError(f"a {role} needs a team (--team), so their manager can see their practice")
        if (existing := self.get(name)) is not None:
            raise UserError(f"a user named {existing.name!r} already exists")
        return name, team

    def add(self, name: str, password: str, role: str, team: str = "") -> User:
        name, team = self.check_new(name, role, team)
        _check_password(password)
        row = UserRow(name=name, name_key=name_key(name), role=role, team=team, password_hash=self._hasher.hash(password),
                      session_version=secrets.randbelow(2**30))
        try:
            with self._session() as session, session.begin():
                session.add(row)
        except IntegrityError as e:  # added by someone else in the meantime
            raise UserError(f"a user named {name!r} already exists") from e
        return User.from_row(row)

    def remove(self, name: str, erase_attempts: bool = False) -> tuple[User, int]:
        """Remove a user; with ``erase_attempts`` their practice attempts go too. Returns the
        user removed and how many attempts were erased (0 when not asked to erase)."""
        user = self.get(name)
        if user is None:
            raise UserError(f"no user named {name.strip()!r}")
        erased = self.attempts.delete_user(user.name) if erase_attempts else 0
        with self._session() as session, session.begin():
            row = session.scalar(select(UserRow).where(UserRow.name_key == name_key(user.name)))
            if row is not None:
                session.delete(row)
        # Where they were in their practice goes with the account: a new account given the same
        # name later must not open on their conversation.
        WorkingState(self.engine).clear(user.name)
        return user, erased

    def change(self, name: str, role: str | None = None, team: str | None = None, password: str | None = None) -> User:
        """Change an account's role, team or password. Every session signed in to it ends (its
        session version goes up), so the next click signs in again under the new terms."""
        if role is not None and role not in ROLES:
            raise UserError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
        if team is not None:
            team = team.strip()
            if len(team) > MAX_NAME:
                raise UserError(f"that team name is too long: use up to {MAX_NAME} characters")
        if password is not None:
            _check_password(password)
        with self._session() as session, session.begin():
            row = session.scalar(select(UserRow).where(UserRow.name_key == name_key(name or "")))
            if row is None:
                raise UserError(f"no user named {(name or '').strip()!r}")
            new_role, new_team = role or row.role, row.team if team is None else team
            if not new_team and new_role != "lead":
                raise UserError(f"a {new_role} needs a team (--team), so their manager can see their practice")
            row.role, row.team = new_role, new_team
            if password is not None:
                row.password_hash = self._hasher.hash(password)
            row.session_version = (row.session_version or 0) + 1
            return User.from_row(row)

    # -- sessions --------------------------------------------------------------------------------
    def session_key(self, name: str | None) -> SessionKey | None:
        """The account a session signing in as ``name`` is bound to (None: no such account)."""
        if not name or not name.strip():
            return None
        with self._session() as session:
            row = session.scalar(select(UserRow).where(UserRow.name_key == name_key(name)))
            return SessionKey(row.id, row.session_version or 0, row.name) if row else None

    def session_holder(self, account_id: int) -> SessionKey | None:
        """The account with this id as it is now (None: removed)."""
        with self._session() as session:
            row = session.get(UserRow, account_id)
            return SessionKey(row.id, row.session_version or 0, row.name) if row else None

    # -- reading -------------------------------------------------------------------------------
    def get(self, name: str | None) -> User | None:
        if not name or not name.strip():
            return None
        with self._session() as session:
            row = session.scalar(select(UserRow).where(UserRow.name_key == name_key(name)))
            return User.from_row(row) if row else None

    def list(self) -> list[User]:
        with self._session() as session:
            return [User.from_row(r) for r in session.scalars(select(UserRow).order_by(UserRow.name_key))]

    def count(self) -> int:
        with self._session() as session:
            return session.scalar(select(func.count()).select_from(UserRow)) or 0

    def verify(self, name: str | None, password: str | None) -> User | None:
        """The user if the password is theirs, else None. An unknown name costs the same time as
        a wrong password, so sign-in does not reveal which names exist."""
        with self._session() as session:
            row = session.scalar(select(UserRow).where(UserRow.name_key == name_key(name))) if name and name.strip() else None
            stored = row.password_hash if row else self._dummy()
        try:
            self._hasher.verify(stored, password or "")
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if self._hasher.check_needs_rehash(stored):  # parameters raised since it was hashed
            with self._session() as session, session.begin():
                fresh = session.get(UserRow, row.id)
                if fresh is not None:
                    fresh.password_hash = self._hasher.hash(password)
        return User.from_row(row)

    def _dummy(self) -> str:
        with self._lock:
            if self._dummy_hash is None:
                self._dummy_hash = self._hasher.hash("not a password: timing only")
            return self._dummy_hash


def _check_password(password: str | None) -> None:
    if not password:
        raise UserError("a password is required")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"that password is too short: use at least {MIN_PASSWORD} characters")


# -- serving beyond this machine -----------------------------------------------------------------
def is_loopback(host: str | None) -> bool:
    """True for addresses only this machine can reach: 127.0.0.0/8, ::1 and localhost."""
    host = (host or "").strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # another host name: it may resolve to anything
        return False


def check_bind(host: str | None, has_users: bool) -> None:
    """Refuse to serve beyond this machine while no one has an account: without sign-in, anyone
    who can reach the page can practise as anyone and read everyone's history."""
    if has_users or is_loopback(host):
        return
    raise LoginRequired(
        f"refusing to serve on {host or 'all interfaces'} with no user accounts: anyone on the network could "
        f"read everyone's practice. Add one first with `{ADD_USER_HINT}`, or serve on 127.0.0.1"
    )
