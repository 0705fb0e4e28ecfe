"""Where each account is in its practice, kept on the server so a reload or a dropped connection
loses nothing: the Practice room's question and conversation, and the mock interview in
progress. One row per account in the shared database beside the attempts (SQLAlchemy Core; the
``accounts`` migrations make the table), so every worker of `serve --workers N` sees the same.

Never in the browser's storage, which can outlive a sign-out on a shared PC. The parts are JSON
the use cases write and read (app/practice.py, app/interview.py); this module only keeps them."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from prep_bot.inputs import name_key

log = logging.getLogger(__name__)

METADATA = sa.MetaData()
working_state = sa.Table(
    "working_state", METADATA,
    sa.Column("user_key", sa.String(120), primary_key=True),  # the account's name as compared (name_key)
    sa.Column("practice", sa.Text, nullable=True),  # JSON: the Practice room's question and conversation
    sa.Column("interview", sa.Text, nullable=True),  # JSON: the mock interview in progress
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
_T = working_state.c
PARTS = ("practice", "interview")
MAX_PART_CHARS = 2_000_000  # a part larger than this is not kept (the caller trims long conversations first)


class WorkingState:
    """Keeps and reads each account's working state. ``engine``: the attempts database's (its
    schema current)."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine

    def load(self, user: str, part: str) -> dict | None:
        """The part of ``user``'s state last kept (None: nothing kept, or unreadable)."""
        column = _column(part)
        with self.engine.connect() as db:
            text = db.execute(sa.select(column).where(_T.user_key == name_key(user))).scalar()
        if not text:
            return None
        try:
            value = json.loads(text)
        except ValueError:
            log.warning("the kept %s state of one account was unreadable and is ignored", part)
            return None
        return value if isinstance(value, dict) else None

    def save(self, user: str, part: str, value: dict | None) -> bool:
        """Keep ``value`` as ``user``'s part (None clears it). False when it was too large to keep."""
        _column(part)
        text = None if value is None else json.dumps(value, ensure_ascii=False)
        if text is not None and len(text) > MAX_PART_CHARS:
            log.warning("a %s state of %d characters is too large to keep", part, len(text))
            return False
        key, now = name_key(user), datetime.now(timezone.utc)
        for _ in range(2):  # two workers writing the first row at once: the second one's insert
            try:            # fails (its transaction rolled back whole), and it updates the row instead
                with self.engine.begin() as db:
                    done = db.execute(working_state.update().where(_T.user_key == key).values({part: text, "updated_at": now}))
                    if not done.rowcount and text is not None:
                        db.execute(working_state.insert().values({"user_key": key, part: text, "updated_at": now}))
                return True
            except IntegrityError:
                continue
        return False

    def clear(self, user: str, part: str | None = None) -> None:
        """Forget ``user``'s part (every part when None)."""
        with self.engine.begin() as db:
            if part is None:
                db.execute(working_state.delete().where(_T.user_key == name_key(user)))
            else:
                db.execute(working_state.update().where(_T.user_key == name_key(user)).values({_column(part).name: None}))


def _column(part: str) -> sa.Column:
    if part not in PARTS:
        raise ValueError(f"unknown part of the working state: {part!r}")
    return _T[part]
