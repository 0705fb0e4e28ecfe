"""Moving a council's store between places: `prep-bot export` writes everything a data dir's
settings hold (a local data dir, or Postgres + a Chroma server) to a folder, and `prep-bot import`
loads such a folder into the store the current settings name.

The folder (format "prep-bot-export", version 1):

- ``manifest.json``: format, version, created_at, the prep-bot version, a description of the
  source (never a password), the counts, the home council, the vector dimension, and the
  sha256 of every other file; written last, so a folder without it is a half-written export.
- ``documents.jsonl``: one catalog row per document (doc_id, title, source, sha256, ...).
- ``passages.jsonl``: one row per passage (id, doc_id, position, text, embed_text, meta), in
  document order; row i's vector is row i of ``vectors.npy`` (float32, as Chroma stored it:
  nothing is embedded again).
- ``corrections.jsonl``: leads' tag corrections (the corrected tags are in the passages' meta).
- ``uploads.jsonl`` and ``uploads/``: kept uploads (name, sha256, size, stored_at) and their bytes.
- ``users.jsonl``: accounts with their Argon2 password hashes (people sign in with the same
  passwords); ``attempts.jsonl``: practice attempts with their feedback and delivery.

An export holds the source's writer lock (no ingest changes the library under it) and is
written to a hidden folder beside ``--out``, renamed into place once complete. An import
refuses a target that holds any document, correction, kept upload, account or attempt; it
holds the target's writer lock, writes the vectors first and the rows in one transaction (a
database server) or one per SQLite file, the catalog's last: the catalog is the commit point
(vectors no catalog row names are removed by the next writer, as after an interrupted ingest,
and an import stopped between the two SQLite commits is completed by running it again). Then
every count is checked against the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from prep_bot.app.policy import Action, Policy
from prep_bot.errors import PrepBotError
from prep_bot.evidence.uploads import safe_name
from prep_bot.people.identity import Identity
from prep_bot.practice.attempts import linked_follow_ups

FORMAT, VERSION = "prep-bot-export", 1
MANIFEST = "manifest.json"
UPLOADS = "uploads"
BATCH = 512  # passages read, fetched from Chroma or written per step
ATTEMPT_FIELDS = ("id", "user", "team", "audience", "qs", "question_id", "question", "answer", "score",
                  "dimensions", "claims", "created_at", "feedback", "delivery", "follows", "turns")
USER_FIELDS = ("id", "name", "name_key", "role", "team", "password_hash", "created_at")


class TransferError(PrepBotError):
    """An export or import cannot be done, or did not carry everything (the message says which)."""


@dataclass
class Counts:
    documents: int = 0
    passages: int = 0
    vectors: int = 0
    corrections: int = 0
    uploads: int = 0
    users: int = 0
    attempts: int = 0

    def describe(self) -> str:
        return ", ".join(f"{getattr(self, f.name)} {f.name}" for f in fields(self))

    def differences(self, other: Counts) -> list[str]:
        """``what: expected -> found`` for each count that differs."""
        return [f"{f.name} {getattr(self, f.name)} expected, {getattr(other, f.name)} found"
                for f in fields(self) if getattr(self, f.name) != getattr(other, f.name)]


def describe_store(settings) -> str:
    """Where a store lives, fit for messages and the manifest (no password)."""
    from prep_bot.infra.database import shown

    if settings.shared_database:
        rows = f"database {shown(settings.database_url)}"
    else:
        rows = f"data dir {settings.data_dir}" + (f" (accounts in {shown(settings.database_url)})" if settings.database_url else "")
    vectors = f"Chroma server {settings.chroma_url}" if settings.chroma_url else "embedded Chroma"
    return f"{rows}, {vectors} (collection {settings.collection})"


# -- what a store holds ------------------------------------------------------------------------
def _tables():
    from prep_bot.practice.attempts import AttemptRow
    from prep_bot.evidence.catalog import corrections_table, documents_table, passages_table, uploads_table
    from prep_bot.people.accounts import UserRow

    return documents_table, passages_table, corrections_table, uploads_table, UserRow.__table__, AttemptRow.__table__


def _count(engine, table) -> int:
    with engine.connect() as db:
        return db.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def _local_uploads(settings, sources: set[str]) -> list[Path]:
    """A local data dir's kept uploads: the files of its uploads folder that a document names."""
    folder = settings.data_dir / UPLOADS
    if settings.shared_database or not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name in sources and p.is_file() and not p.is_symlink())


def counts(settings, store, accounts) -> Counts:
    """What a store holds (the evidence ``store`` and the ``accounts`` database of attempts and
    users that ``settings`` name), counted in the databases and in Chroma."""
    documents, passages, corrections, uploads, users, attempts = _tables()
    catalog = store.catalog.engine
    if settings.shared_database:
        kept = _count(catalog, uploads)
    else:
        kept = len(_local_uploads(settings, {d.source for d in store.documents()}))
    with store._chroma():
        vectors = store.collection.count()
    return Counts(_count(catalog, documents), _count(catalog, passages), vectors, _count(catalog, corrections), kept,
                  _count(accounts.engine, users), _count(accounts.engine, attempts))


# -- export --------------------------------------------------------------------------------------
def _jsonable(row: dict) -> dict:
    out = {}
    for key, value in row.items():
        if isinstance(value, datetime):
            value = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()
        out[key] = value
    return out


class _Writer:
    """JSON Lines files in a folder, each line counted."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.lines: dict[str, int] = {}

    def write(self, name: str, rows) -> int:
        with open(self.folder / name, "a", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                self.lines[name] = self.lines.get(name, 0) + 1
        self.lines.setdefault(name, 0)
        return self.lines[name]


def export(settings, store, accounts, out: Path, progress: bool = False) -> dict:
    """Write the store that ``settings`` name (the evidence ``store``, the ``accounts`` database
    of users and attempts) to the folder ``out`` (which must not exist, or be empty); returns
    the manifest."""
    from tqdm import tqdm

    from prep_bot import __version__; from prep_bot.infra import migrations
    from prep_bot.infra.config import read_council

    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise TransferError(f"{out} already exists and is not an empty folder: choose a new --out folder")
    documents, passages, corrections, uploads, users, attempts = _tables()
    partial = out.parent / f".{out.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    (partial / UPLOADS).mkdir(parents=True)
    files = _Writer(partial)
    try:
        with store.writing():  # no ingest changes the library while it is copied
            catalog = store.catalog.engine
            with catalog.connect() as db:
                docs = [dict(r._mapping) for r in db.execute(sa.select(documents).order_by(documents.c.doc_id))]
                files.write("documents.jsonl", docs)
                files.write("corrections.jsonl", (dict(r._mapping) for r in db.execute(sa.select(corrections).order_by(corrections.c.key))))
            n, dim = _export_passages(store, partial, files, progress, tqdm)
            kept = _export_uploads(settings, catalog, uploads, partial, files, {d["source"] for d in docs})
        with accounts.engine.connect() as db:
            files.write("users.jsonl", (_jsonable(dict(r._mapping)) for r in db.execute(sa.select(users).order_by(users.c.id))))
            files.write("attempts.jsonl", (_jsonable(dict(r._mapping)) for r in db.execute(sa.select(attempts).order_by(attempts.c.id))))
        lines = files.lines
        manifest = {
            "format": FORMAT, "version": VERSION,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "prep_bot": __version__, "source": describe_store(settings),
            "schema": dict(migrations.HEADS),
            "counts": asdict(Counts(len(docs), n, n, lines["corrections.jsonl"], kept, lines["users.jsonl"], lines["attempts.jsonl"])),
            "home_council": read_council(settings.data_dir), "vector_dimension": dim,
            "files": {p.relative_to(partial).as_posix(): _sha256(p) for p in sorted(partial.rglob("*")) if p.is_file()},
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if out.exists():
            out.rmdir()
        os.replace(partial, out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def _export_passages(store, folder: Path, files: _Writer, progress: bool, tqdm) -> tuple[int, int]:
    """passages.jsonl and vectors.npy, in document order; returns (passages, dimension)."""
    from prep_bot.evidence.catalog import passages_table as table

    columns = (table.c.id, table.c.doc_id, table.c.position, table.c.text, table.c.embed_text, table.c.meta)
    total = store.catalog.passage_count()
    vectors = None
    done = 0
    with store.catalog.engine.connect() as db, tqdm(total=total, desc="passages", unit="", disable=not progress) as bar:
        rows = db.execute(sa.select(*columns).order_by(table.c.doc_id, table.c.position))
        while batch := rows.fetchmany(BATCH):
            ids = [r[0] for r in batch]
            found = store.embeddings(ids)  # as Chroma stored them: nothing is embedded again
            missing = [i for i in ids if i not in found]
            if missing:
                raise TransferError(f"passage {missing[0]} has no vector in the Chroma store; run `prep-bot ingest` on its file again, then export")
            if vectors is None:
                dim = len(found[ids[0]])
                vectors = np.lib.format.open_memmap(folder / "vectors.npy", mode="w+", dtype=np.float32, shape=(total, dim))
            vectors[done : done + len(ids)] = np.stack([found[i] for i in ids])
            files.write("passages.jsonl", ({"id": r[0], "doc_id": r[1], "position": r[2], "text": r[3], "embed_text": r[4],
                                            "meta": json.loads(r[5])} for r in batch))
            done += len(ids)
            bar.update(len(ids))
    if vectors is None:
        np.save(folder / "vectors.npy", np.zeros((0, 0), dtype=np.float32))
        files.write("passages.jsonl", [])
        return 0, 0
    vectors.flush()
    dim = vectors.shape[1]
    del vectors
    if done != total:
        raise TransferError(f"the catalog changed while it was read ({done} passages, then {total}); export again")
    return done, dim


def _export_uploads(settings, catalog, table, folder: Path, files: _Writer, sources: set[str]) -> int:
    rows = []
    if settings.shared_database:
        with catalog.connect() as db:
            for name, data, stored_at in db.execute(sa.select(table.c.name, table.c.data, table.c.stored_at).order_by(table.c.name)):
                (folder / UPLOADS / name).write_bytes(data)
                rows.append({"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "stored_at": stored_at})
    else:
        for path in _local_uploads(settings, sources):
            shutil.copyfile(path, folder / UPLOADS / path.name)
            stored_at = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).isoformat(timespec="seconds")
            rows.append({"name": path.name, "sha256": _sha256(path), "size": path.stat().st_size, "stored_at": stored_at})
    return files.write("uploads.jsonl", rows)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- reading an export ---------------------------------------------------------------------------
def read_manifest(folder: Path) -> dict:
    """The manifest of an export folder, with every file checked against it; TransferError when
    the folder is not a complete export of a format this prep-bot reads."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TransferError(f"{folder} has no {MANIFEST}: it is not a prep-bot export, or the export did not finish") from None
    except (OSError, ValueError) as e:
        raise TransferError(f"{folder / MANIFEST} cannot be read ({e}); export again") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise TransferError(f"{folder} is a {manifest.get('format')} version {manifest.get('version')} export; "
                            f"this prep-bot reads {FORMAT} version {VERSION}")
    root = folder.resolve()
    for name, sha in manifest["files"].items():
        path = folder / name
        if not path.resolve().is_relative_to(root) or (name.startswith(f"{UPLOADS}/") and safe_name(Path(name).name) != Path(name).name):
            raise TransferError(f"{folder / MANIFEST} names a file outside the export ({name!r}); export again")
        if not path.is_file() or _sha256(path) != sha:
            raise TransferError(f"{path} is missing or changed since the export; export again")
    expected = manifest["counts"]
    if any(safe_name(row["name"]) != row["name"] or f"{UPLOADS}/{row['name']}" not in manifest["files"]
           for row in _rows(folder / "uploads.jsonl")):
        raise TransferError(f"{folder / 'uploads.jsonl'} names an upload the export does not hold; export again")
    lines = {name: _line_count(folder / f"{name}.jsonl") for name in ("documents", "passages", "corrections", "uploads", "users", "attempts")}
    vectors = np.load(folder / "vectors.npy", mmap_mode="r").shape[0]
    for name, n in (*lines.items(), ("vectors", vectors)):
        if n != expected[name]:
            raise TransferError(f"{folder} holds {n} {name} but its manifest says {expected[name]}; export again")
    return manifest


def _line_count(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def _rows(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def _batches(items, size: int = BATCH) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# -- import --------------------------------------------------------------------------------------
def import_(settings, store, accounts, folder: Path, progress: bool = False) -> tuple[dict, Counts]:
    """Load the export in ``folder`` into the empty store that ``settings`` name (the evidence
    ``store``, the ``accounts`` database); returns (manifest,
    what the target holds afterwards). TransferError when the target is not empty or a count
    differs afterwards."""
    from tqdm import tqdm

    from prep_bot.infra.config import remember_council

    folder = Path(folder)
    manifest = read_manifest(folder)
    expected = Counts(**manifest["counts"])
    if not settings.keep_uploads:
        expected.uploads = 0  # PREP_BOT_KEEP_UPLOADS is off: the target keeps none
    with store.writing():
        found = counts(settings, store, accounts)
        held = [f"{n} {name}" for name, n in asdict(found).items() if n and name != "vectors"]
        resumed = held and _stopped_between_commits(settings, accounts, folder, found, expected)
        if held and not resumed:
            raise TransferError(f"the target ({describe_store(settings)}) already holds {', '.join(held)}: "
                                "import into an empty store (a new database and collection, or a new data dir)")
        store.reconcile()  # vectors a stopped import (or ingest) left, which no catalog row names
        _import_vectors(store, folder, manifest, progress, tqdm)
        _import_rows(settings, store, accounts, folder, keep_uploads=settings.keep_uploads, accounts_done=resumed)
        store.lexical.ensure_current(store.catalog)  # this machine's BM25 index; others follow the generation
    if manifest.get("home_council"):
        remember_council(settings.data_dir, manifest["home_council"])
    after = counts(settings, store, accounts)
    wrong = expected.differences(after)
    if wrong:
        raise TransferError(f"the import into {describe_store(settings)} is incomplete: {'; '.join(wrong)}")
    return manifest, after


def _import_vectors(store, folder: Path, manifest: dict, progress: bool, tqdm) -> None:
    from prep_bot.evidence.passage import Passage
    from prep_bot.evidence.store import _chroma_meta

    sha = {row["doc_id"]: row["sha256"] for row in _rows(folder / "documents.jsonl")}
    vectors = np.load(folder / "vectors.npy", mmap_mode="r")
    with store._chroma():
        step = max(1, min(BATCH, store.client.get_max_batch_size()))
        done = 0
        with tqdm(total=len(vectors), desc="vectors", unit="", disable=not progress) as bar:
            for batch in _batches(_rows(folder / "passages.jsonl"), step):
                passages = [Passage(id=r["id"], doc_id=r["doc_id"], position=r["position"], text=r["text"], **r["meta"]) for r in batch]
                store.collection.upsert(
                    ids=[p.id for p in passages], embeddings=np.asarray(vectors[done : done + len(batch)]),
                    documents=[p.text for p in passages], metadatas=[_chroma_meta(p, sha.get(p.doc_id, "")) for p in passages],
                )
                done += len(batch)
                bar.update(len(batch))


@contextmanager
def _transaction(engine):
    """One transaction that takes the database's write lock first (SQLite: BEGIN IMMEDIATE)."""
    from prep_bot.infra.database import is_sqlite

    with engine.connect() as db:
        if is_sqlite(str(engine.url)):
            db.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise


def _stopped_between_commits(settings, accounts, folder: Path, found: Counts, expected: Counts) -> bool:
    """Whether a local target holds exactly this export's accounts and attempts and nothing
    else: an import of it stopped after its first commit (the two SQLite files cannot share one
    transaction), which the catalog's rows can now complete."""
    if settings.shared_database or (found.documents, found.passages, found.corrections, found.uploads) != (0, 0, 0, 0):
        return False
    if (found.users, found.attempts) != (expected.users, expected.attempts):
        return False
    users = _tables()[4]
    with accounts.engine.connect() as db:
        names = set(db.execute(sa.select(users.c.name)).scalars())
    return names == {row["name"] for row in _rows(folder / "users.jsonl")}


def _import_rows(settings, store, accounts_db, folder: Path, keep_uploads: bool, accounts_done: bool = False) -> None:
    """Accounts and attempts, then the catalog (the commit point); one transaction when both
    live in one database server. ``accounts_done``: a stopped import wrote them already."""
    from prep_bot.evidence.catalog import state_table

    documents, passages, corrections, uploads, users, attempts = _tables()
    catalog = store.catalog

    def accounts(db) -> None:
        for batch in _batches(_rows(folder / "users.jsonl")):
            db.execute(users.insert(), [_dated(r, USER_FIELDS) for r in batch])
        for batch in _batches(linked_follow_ups(_rows(folder / "attempts.jsonl"))):  # older exports: "#probe" ids
            db.execute(attempts.insert(), [_dated(r, ATTEMPT_FIELDS) for r in batch])
        if db.dialect.name == "postgresql":  # ids were carried: the next new row must not reuse one
            for table in ("users", "attempts"):
                db.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"))

    def library(db) -> None:
        for batch in _batches(_rows(folder / "documents.jsonl")):
            db.execute(documents.insert(), batch)
        for batch in _batches(_rows(folder / "passages.jsonl")):
            db.execute(passages.insert(), [{**r, "meta": json.dumps(r["meta"])} for r in batch])
        for batch in _batches(_rows(folder / "corrections.jsonl")):
            db.execute(corrections.insert(), batch)
        if keep_uploads and settings.shared_database:
            for row in _rows(folder / "uploads.jsonl"):
                db.execute(uploads.insert().values(**row, data=(folder / UPLOADS / row["name"]).read_bytes()))
        db.execute(state_table.update().where(state_table.c.key == "generation").values(value=state_table.c.value + 1))

    if keep_uploads and not settings.shared_database:  # files first: harmless until a document names them
        target = settings.data_dir / UPLOADS
        target.mkdir(parents=True, exist_ok=True)
        for row in _rows(folder / "uploads.jsonl"):
            shutil.copyfile(folder / UPLOADS / row["name"], target / f".{row['name']}.importing")
            os.replace(target / f".{row['name']}.importing", target / row["name"])
    if settings.shared_database:
        with _transaction(catalog.engine) as db:
            accounts(db)
            library(db)
    else:
        if not accounts_done:
            with _transaction(accounts_db.engine) as db:
                accounts(db)
        with _transaction(catalog.engine) as db:
            library(db)


def _dated(row: dict, names: tuple[str, ...]) -> dict:
    out = {k: row.get(k) for k in names}
    out["created_at"] = datetime.fromisoformat(out["created_at"]) if out.get("created_at") else datetime.now(timezone.utc)
    return out


# -- the use case --------------------------------------------------------------------------------
class StoreTransfer:
    """Export and import (`prep-bot export` / `import`): the whole store, so leads only (in
    practice, whoever runs the command on the server)."""

    def __init__(self, policy: Policy, settings, store, accounts) -> None:
        """``store``: the evidence store; ``accounts``: the database of users and attempts."""
        self.policy = policy
        self.settings = settings
        self.store = store
        self.accounts = accounts

    def export(self, who: Identity, out: Path, progress: bool = False) -> dict:
        """Everything the store holds, written to the folder ``out``; returns the manifest."""
        self.policy.ensure(who, Action.MOVE_STORE)
        return export(self.settings, self.store, self.accounts, out, progress=progress)

    def import_(self, who: Identity, folder: Path, progress: bool = False) -> tuple[dict, Counts]:
        """The export in ``folder`` loaded into this (empty) store: (manifest, counts after)."""
        self.policy.ensure(who, Action.MOVE_STORE)
        return import_(self.settings, self.store, self.accounts, folder, progress=progress)
