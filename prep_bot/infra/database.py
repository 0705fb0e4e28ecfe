"""Engines for prep-bot's databases: SQLite files in the data dir by default, or one database
server (Postgres) named by PREP_BOT_DATABASE_URL for everything several machines share.

SQLite connections are durable and patient: WAL, synchronous=FULL (a commit is on disk before
the call returns) and a 30 s busy timeout."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url


def url_of(location: Path | str) -> str:
    """A SQLAlchemy URL for ``location``: a database URL as given, a path as a SQLite file."""
    text = str(location)
    return text if "://" in text else f"sqlite:///{Path(location)}"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def shown(url: str) -> str:
    """A database URL fit for messages: a SQLite file's path, else the URL without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return parsed.database
    return parsed.render_as_string(hide_password=True)


def make_engine(url: str, *, autocommit_driver: bool = False, **kwargs) -> Engine:
    """An engine on ``url``. ``autocommit_driver`` (SQLite only): the sqlite3 driver never opens a
    transaction by itself, so a caller can say ``BEGIN IMMEDIATE`` and reads take no lock."""
    sqlite = is_sqlite(url)
    if sqlite:
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
    else:
        kwargs.setdefault("pool_pre_ping", True)  # a server restarted meanwhile: reconnect, not fail
    engine = create_engine(url, **kwargs)
    if sqlite:
        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record):  # durable and concurrent: WAL, full sync
            if autocommit_driver:
                connection.isolation_level = None
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
    return engine
