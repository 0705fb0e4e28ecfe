"""Schema migrations (Alembic), run from code: no alembic.ini.

Two sets of scripts, each with its own version table: ``accounts`` (attempts and users) and
``catalog`` (documents, passages, generation, corrections, uploads). Locally they are two SQLite
files in the data dir; on a database server both live in the one database.

A migration runs in one transaction that first takes the database's lock (SQLite: BEGIN
IMMEDIATE; Postgres: an advisory transaction lock), so processes opening a new store together
migrate it once. Opening a SQLite store upgrades it; a server database is upgraded only by
``prep-bot migrate`` (``ensure`` refuses until then), so replicas never change a schema that
others are using. A schema at a revision these scripts do not know (made by a newer prep-bot)
is always refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from prep_bot.infra.database import is_sqlite, shown
from prep_bot.errors import PrepBotError

HERE = Path(__file__).resolve().parent
ACCOUNTS, CATALOG = "accounts", "catalog"
VERSION_TABLES = {ACCOUNTS: "prep_bot_accounts_version", CATALOG: "prep_bot_catalog_version"}
# The newest revision of each set: lets an up-to-date store open without importing Alembic.
# tests/test_migrations.py checks them against the scripts.
HEADS = {ACCOUNTS: "accounts_0007", CATALOG: "catalog_0002"}
MIGRATE_LOCK = 0x70726570_6D696772  # advisory lock key on Postgres ("prepmigr")
WHAT = {ACCOUNTS: "accounts and attempts", CATALOG: "document catalog"}
TABLES = {ACCOUNTS: {"attempts", "users"}, CATALOG: {"documents", "passages", "state", "corrections"}}


class SchemaError(PrepBotError):
    """A database's schema is not one this prep-bot can use (too new, or not migrated yet)."""


@dataclass(frozen=True)
class Step:
    """What a migration did to one database."""

    which: str
    where: str
    before: str | None
    after: str
    had_tables: bool = False  # before None: tables made by a release before migrations, or none

    def describe(self) -> str:
        if self.before == self.after:
            return f"{WHAT[self.which]} ({self.where}): already at {self.after}"
        before = self.before or ("the schema of a release before migrations" if self.had_tables else "an empty database")
        return f"{WHAT[self.which]} ({self.where}): from {before} to {self.after}"


def current(connection: Connection, which: str) -> str | None:
    """The revision a database is at (None: never migrated, even if tables exist)."""
    table = VERSION_TABLES[which]
    if not sa.inspect(connection).has_table(table):
        return None
    return connection.execute(sa.text(f"SELECT version_num FROM {table}")).scalar()


def _config(which: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(HERE / which))
    config.attributes["version_table"] = VERSION_TABLES[which]
    return config


@lru_cache(maxsize=None)
def _known(which: str) -> frozenset[str]:
    from alembic.script import ScriptDirectory

    return frozenset(s.revision for s in ScriptDirectory.from_config(_config(which)).walk_revisions())


def head(which: str) -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config(which)).get_current_head()


def _check_known(revision: str | None, which: str, where: str) -> None:
    if revision is not None and revision != HEADS[which] and revision not in _known(which):
        raise SchemaError(
            f"the {WHAT[which]} database at {where} is at revision {revision}, made by a newer prep-bot: "
            "upgrade prep-bot to use it"
        )


def check(engine: Engine, which: str) -> str | None:
    """The database's revision; SchemaError when it is one these scripts do not know."""
    with engine.connect() as connection:
        revision = current(connection, which)
    _check_known(revision, which, shown(str(engine.url.render_as_string(hide_password=False))))
    return revision


def upgrade(engine: Engine, which: str) -> Step:
    """Bring one database to the newest revision, holding its lock, in one transaction."""
    from alembic import command

    where = shown(engine.url.render_as_string(hide_password=False))
    with engine.connect() as connection:
        if is_sqlite(str(engine.url)):
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # one migrating process at a time
        else:
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATE_LOCK})
        before = current(connection, which)
        _check_known(before, which, where)
        had_tables = before is None and bool(set(sa.inspect(connection).get_table_names()) & TABLES[which])
        if before != HEADS[which]:
            config = _config(which)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        after = current(connection, which)
        connection.commit()
    return Step(which, where, before, after, had_tables)


def ensure(engine: Engine, which: str, auto: bool | None = None) -> None:
    """Make sure a database can be used: at the newest revision, upgraded now if ``auto``
    (default: SQLite upgrades itself, a database server needs ``prep-bot migrate``)."""
    revision = check(engine, which)
    if revision == HEADS[which]:
        return
    if auto is None:
        auto = is_sqlite(str(engine.url))
    if auto:
        upgrade(engine, which)
        return
    where = shown(engine.url.render_as_string(hide_password=False))
    raise SchemaError(
        f"the {WHAT[which]} database at {where} is at {revision or 'no schema'}, this prep-bot needs "
        f"{HEADS[which]}: run `prep-bot migrate` first"
    )


def run_in_alembic() -> None:
    """The body of each script folder's env.py: migrate on the connection ``upgrade`` gave."""
    from alembic import context

    config = context.config
    context.configure(
        connection=config.attributes["connection"],
        version_table=config.attributes["version_table"],
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def databases(settings) -> list[tuple[str, str]]:
    """(scripts, URL) of each database a data dir's settings use: two SQLite files in the data
    dir, or one database server for both."""
    from prep_bot.infra.database import url_of

    return [(ACCOUNTS, settings.attempts_url), (CATALOG, url_of(settings.catalog_location))]


def _each(settings, action) -> list:
    from sqlalchemy.pool import NullPool

    from prep_bot.infra.database import make_engine

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    done = []
    for which, url in databases(settings):
        engine = make_engine(url, poolclass=NullPool)
        try:
            done.append(action(engine, which))
        finally:
            engine.dispose()
    return done


def migrate(settings) -> list[Step]:
    """``prep-bot migrate``: bring every database of these settings to the newest revision."""
    return _each(settings, upgrade)


def ready(settings) -> None:
    """Refuse, with a SchemaError, a database this prep-bot cannot use: one made by a newer
    prep-bot, or a server database that `prep-bot migrate` has not brought up to date (a SQLite
    file is upgraded here, as opening it would)."""
    _each(settings, ensure)
