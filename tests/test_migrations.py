"""Alembic migrations: a fresh database gets exactly the schema the code uses (SQLite and
Postgres); a data dir made by the release before migrations upgrades in place, keeping every
row; `prep-bot migrate` says what it did; a schema made by a newer prep-bot is refused, by
`serve` in one line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import free_port
from postgres import pg_url, postgres_server  # noqa: F401 - fixtures
from processes import env_for
from prep_bot.infra import migrations
from prep_bot.practice.attempts import AttemptLog
from prep_bot.evidence.catalog import Catalog
from prep_bot.infra.database import make_engine
from prep_bot.infra.migrations import SchemaError

# The release before migrations: the catalog as its raw SQL made it, the attempts table as the
# oldest releases made it (no feedback, no delivery), users as SQLAlchemy's create_all made it.
OLD_CATALOG = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT NOT NULL, doc_type TEXT NOT NULL,
    sha256 TEXT NOT NULL, council TEXT NOT NULL DEFAULT '', date TEXT NOT NULL DEFAULT '',
    chunks INTEGER NOT NULL, redactions INTEGER NOT NULL DEFAULT 0, ingested_at TEXT NOT NULL
);
CREATE TABLE passages (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, position INTEGER NOT NULL, text TEXT NOT NULL,
    embed_text TEXT NOT NULL, meta TEXT NOT NULL
);
CREATE INDEX passages_doc ON passages(doc_id, position);
CREATE TABLE state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE corrections (
    key TEXT PRIMARY KEY, text TEXT NOT NULL, quality_statements TEXT NOT NULL,
    polarity TEXT NOT NULL DEFAULT '', by TEXT NOT NULL, at TEXT NOT NULL
);
INSERT INTO state(key, value) VALUES ('generation', 7);
"""
OLD_ACCOUNTS = """
CREATE TABLE attempts (
    id INTEGER NOT NULL PRIMARY KEY, user VARCHAR(120) NOT NULL, team VARCHAR(120) NOT NULL,
    audience VARCHAR(40) NOT NULL, qs VARCHAR(40) NOT NULL, question_id VARCHAR(200) NOT NULL,
    question TEXT NOT NULL, answer TEXT NOT NULL, score INTEGER NOT NULL, dimensions TEXT NOT NULL,
    claims TEXT NOT NULL, created_at DATETIME NOT NULL
);
CREATE INDEX ix_attempts_user ON attempts (user);
CREATE INDEX ix_attempts_team ON attempts (team);
CREATE INDEX ix_attempts_qs ON attempts (qs);
CREATE TABLE users (
    id INTEGER NOT NULL, name VARCHAR(120) NOT NULL, name_key VARCHAR(360) NOT NULL, role VARCHAR(20) NOT NULL,
    team VARCHAR(120) NOT NULL, password_hash TEXT NOT NULL, created_at DATETIME NOT NULL,
    PRIMARY KEY (id), UNIQUE (name)
);
CREATE UNIQUE INDEX ix_users_name_key ON users (name_key);
CREATE INDEX ix_users_team ON users (team);
"""
META = {"title": "Old report", "source": "old.txt", "page": None, "section": "Strengths",
        "quality_statements": ["safeguarding"], "theme": "", "polarity": "strength", "doc_type": "other",
        "council": "", "date": "2024", "tag_confidence": 0.9, "tag_source": "heading"}


def old_data_dir(folder: Path) -> Path:
    """A data dir as the release before migrations left it, with a document, a correction, a
    user and an attempt."""
    folder.mkdir(parents=True)
    with sqlite3.connect(folder / "catalog.sqlite") as db:
        db.executescript(OLD_CATALOG)
        db.execute("INSERT INTO documents VALUES ('old', 'Old report', 'old.txt', 'other', 'abc', '', '2024', 2, 0, '2025-01-01')")
        for i, text in enumerate(["Carers told us waiting times for assessments fell.", "Safeguarding enquiries were timely."]):
            db.execute("INSERT INTO passages VALUES (?, 'old', ?, ?, ?, ?)", (f"old:abc:{i:05d}", i, text, text, json.dumps(META)))
        db.execute("INSERT INTO corrections VALUES ('k1', 'Carers told us', '[\"safeguarding\"]', 'strength', 'Lee', '2025-01-02')")
    with sqlite3.connect(folder / "attempts.sqlite") as db:
        db.executescript(OLD_ACCOUNTS)
        db.execute("INSERT INTO attempts (user, team, audience, qs, question_id, question, answer, score, dimensions, claims, "
                   "created_at) VALUES ('Ana', 'Front door', 'frontline', 'safeguarding', 'q1', 'Old question?', 'Old answer.', "
                   "44, '{\"outcome\": 40}', '[]', '2025-11-30 09:15:00')")
        db.execute("INSERT INTO users (name, name_key, role, team, password_hash, created_at) VALUES "
                   "('Ana', 'ana', 'staff', 'Front door', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g', '2025-11-01 08:00:00')")
    return folder


def check_upgraded(folder: Path) -> None:
    log = AttemptLog(f"sqlite:///{folder / 'attempts.sqlite'}")
    try:
        columns = {row[1] for row in sqlite3.connect(folder / "attempts.sqlite").execute("PRAGMA table_info(attempts)")}
        assert {"feedback", "delivery"} <= columns
        [old] = log.list()
        assert (old.user, old.question, old.score, old.dimensions, old.feedback) == ("Ana", "Old question?", 44, {"outcome": 40}, None)
        log.add(user="Ana", team="Front door", audience="frontline", qs="safeguarding", question_id="q2", question="New?",
                answer="New.", score=70, dimensions={}, feedback={"reply": "kept"}, delivery={"wpm": 140})
        assert [a.feedback for a in log.list()] == [None, {"reply": "kept"}]
        from prep_bot.people.accounts import UserStore

        assert [u.name for u in UserStore(log).list()] == ["Ana"]
    finally:
        log.close()
    catalog = Catalog(folder / "catalog.sqlite")
    try:
        assert catalog.generation == 7
        assert [d.doc_id for d in catalog.documents()] == ["old"]
        assert [p.text for p in catalog.iter_passages("old")][0].startswith("Carers told us")
        assert [c.by for c in catalog.corrections()] == ["Lee"]
        assert catalog.labelled_passages() == [("old:abc:00000", "safeguarding"), ("old:abc:00001", "safeguarding")]
        assert catalog.upload_names() == []  # the new table is there
    finally:
        catalog.close()


def test_the_heads_named_in_code_are_the_scripts_heads():
    assert {w: migrations.head(w) for w in migrations.HEADS} == migrations.HEADS


def _differences(url: str, sets: tuple[str, ...] = ("accounts", "catalog")) -> list:
    """What the migrated database lacks or has beyond the tables the code declares for ``sets``."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from prep_bot.practice.attempts import Base
    from prep_bot.evidence.catalog import METADATA
    from prep_bot.people.accounts import _Base
    from prep_bot.practice.working import METADATA as WORKING
    from prep_bot.story.book import METADATA as STORY

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            found = []
            for which, metadata in (("accounts", Base.metadata), ("accounts", _Base.metadata), ("accounts", STORY),
                                    ("accounts", WORKING), ("catalog", METADATA)):
                if which not in sets:
                    continue
                context = MigrationContext.configure(connection, opts={"version_table": migrations.VERSION_TABLES[which]})
                for diff in compare_metadata(context, metadata):
                    if diff[0] == "remove_table" or (diff[0] == "remove_index" and diff[1].table.name not in metadata.tables):
                        continue  # another set's table (users beside attempts, the other version table...)
                    found.append(diff)
            return found
    finally:
        engine.dispose()


def test_a_fresh_sqlite_data_dir_gets_the_schema_the_code_declares(tmp_path):
    from prep_bot.infra.config import Settings

    steps = migrations.migrate(Settings(data_dir=tmp_path))
    assert [s.describe() for s in steps] == [
        f"accounts and attempts ({tmp_path / 'attempts.sqlite'}): from an empty database to accounts_0007",
        f"document catalog ({tmp_path / 'catalog.sqlite'}): from an empty database to catalog_0002",
    ]
    assert _differences(f"sqlite:///{tmp_path / 'attempts.sqlite'}", ("accounts",)) == []
    assert _differences(f"sqlite:///{tmp_path / 'catalog.sqlite'}", ("catalog",)) == []
    db = sqlite3.connect(tmp_path / "catalog.sqlite")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_fresh_postgres_database_gets_the_schema_the_code_declares(pg_url, tmp_path, invoke):
    done = invoke("migrate", data_dir=tmp_path, env=env_for(tmp_path) | {"PREP_BOT_DATABASE_URL": pg_url})
    assert done.returncode == 0, done.stderr
    shown = pg_url.split("://", 1)[1]
    assert [line.split(" (")[0] + " " + line.split("): ")[1] for line in done.stdout.splitlines()] == [
        "accounts and attempts from an empty database to accounts_0007",
        "document catalog from an empty database to catalog_0002",
    ]
    assert shown in done.stdout
    assert _differences(pg_url) == []
    again = invoke("migrate", data_dir=tmp_path, env=env_for(tmp_path) | {"PREP_BOT_DATABASE_URL": pg_url})
    assert [line.split("): ")[1] for line in again.stdout.splitlines()] == ["already at accounts_0007", "already at catalog_0002"]


def test_a_data_dir_from_the_release_before_migrations_upgrades_in_place(tmp_path, invoke):
    by_command = old_data_dir(tmp_path / "by-command")
    done = invoke("migrate", data_dir=by_command, env=env_for(by_command))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"accounts and attempts ({by_command / 'attempts.sqlite'}): from the schema of a release before migrations to accounts_0007",
        f"document catalog ({by_command / 'catalog.sqlite'}): from the schema of a release before migrations to catalog_0002",
    ]
    check_upgraded(by_command)
    assert _differences(f"sqlite:///{by_command / 'attempts.sqlite'}", ("accounts",)) == []
    # The old raw SQL said "TEXT PRIMARY KEY", which SQLite lets hold NULL; nothing writes one, and
    # rebuilding the tables of a large catalog to say NOT NULL is not worth it.
    left = _differences(f"sqlite:///{by_command / 'catalog.sqlite'}", ("catalog",))
    assert sorted((d[0][2], d[0][3]) for d in left) == [
        ("corrections", "key"), ("documents", "doc_id"), ("passages", "id"), ("state", "key")]
    assert all(d[0][0] == "modify_nullable" and d[0][5] is True and d[0][6] is False for d in left), left

    on_open = old_data_dir(tmp_path / "on-open")  # no `migrate`: opening a local store upgrades it
    check_upgraded(on_open)


def _set_revision(url: str, which: str, revision: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"UPDATE {migrations.VERSION_TABLES[which]} SET version_num = :r"), {"r": revision})
    engine.dispose()


def test_serve_refuses_a_schema_made_by_a_newer_prep_bot(tmp_path, invoke):
    from prep_bot.infra.config import Settings

    migrations.migrate(Settings(data_dir=tmp_path))
    _set_revision(f"sqlite:///{tmp_path / 'attempts.sqlite'}", "accounts", "accounts_0099")
    # No model where the settings point: a serve that went past the check would stop there, not serve.
    served = invoke("serve", "--port", str(free_port()), data_dir=tmp_path,
                    env=env_for(tmp_path) | {"PREP_BOT_MODEL_PATH": str(tmp_path / "no-model")}, own_model=True)
    assert served.returncode != 0
    assert served.stderr.strip() == (
        f"Error: the accounts and attempts database at {tmp_path / 'attempts.sqlite'} is at revision accounts_0099, "
        "made by a newer prep-bot: upgrade prep-bot to use it"
    )
    assert "prep-bot on http" not in served.stdout
    migrate = invoke("migrate", data_dir=tmp_path, env=env_for(tmp_path))
    assert migrate.returncode != 0 and "made by a newer prep-bot" in migrate.stderr  # never downgraded by guesswork

    _set_revision(f"sqlite:///{tmp_path / 'catalog.sqlite'}", "catalog", "catalog_0099")
    with pytest.raises(SchemaError, match="document catalog database .* is at revision catalog_0099, made by a newer"):
        Catalog(tmp_path / "catalog.sqlite")


def test_postgres_refuses_a_newer_schema_and_waits_for_migrate(pg_url, tmp_path):
    with pytest.raises(SchemaError, match="is at no schema, this prep-bot needs accounts_0007: run `prep-bot migrate` first"):
        AttemptLog(pg_url)
    with pytest.raises(SchemaError, match="run `prep-bot migrate` first"):
        Catalog(pg_url)
    engine = make_engine(pg_url)
    assert migrations.upgrade(engine, "catalog").after == "catalog_0002"
    engine.dispose()
    _set_revision(pg_url, "catalog", "catalog_0099")
    with pytest.raises(SchemaError, match="made by a newer prep-bot"):
        Catalog(pg_url)
