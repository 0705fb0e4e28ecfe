"""The document catalog: which documents are stored, in which version, and their passages.

A SQLite file in the data dir. It is the commit point of ingest: a document's passages count
as stored only once its catalog row names their version, so a crash mid-ingest leaves either
the old version or the new one, never half of each.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path

from prep_bot.corrections import Correction
from prep_bot.evidence.passage import DocumentInfo, Passage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT NOT NULL, doc_type TEXT NOT NULL,
    sha256 TEXT NOT NULL, council TEXT NOT NULL DEFAULT '', date TEXT NOT NULL DEFAULT '',
    chunks INTEGER NOT NULL, redactions INTEGER NOT NULL DEFAULT 0, ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS passages (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, position INTEGER NOT NULL, text TEXT NOT NULL,
    embed_text TEXT NOT NULL, meta TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id, position);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS corrections (
    key TEXT PRIMARY KEY, text TEXT NOT NULL, quality_statements TEXT NOT NULL,
    polarity TEXT NOT NULL DEFAULT '', by TEXT NOT NULL, at TEXT NOT NULL
);
INSERT OR IGNORE INTO state(key, value) VALUES ('generation', 0);
"""
_DOC_FIELDS = ("doc_id", "title", "source", "doc_type", "sha256", "council", "date", "chunks", "redactions", "ingested_at")


class Catalog:
    """Documents and passages, with a generation counter bumped on every change."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before ingest deletes the old version's vectors, so even a
        # power cut cannot roll the catalog back to a version whose vectors are gone.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @property
    def generation(self) -> int:
        with self._lock:
            return self._db.execute("SELECT value FROM state WHERE key='generation'").fetchone()[0]

    # -- documents --------------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        with self._lock:
            rows = self._db.execute(f"SELECT {', '.join(_DOC_FIELDS)} FROM documents ORDER BY doc_id").fetchall()
        return [DocumentInfo(**dict(zip(_DOC_FIELDS, row))) for row in rows]

    def document(self, doc_id: str) -> DocumentInfo | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {', '.join(_DOC_FIELDS)} FROM documents WHERE doc_id=?", (doc_id,)
            ).fetchone()
        return DocumentInfo(**dict(zip(_DOC_FIELDS, row))) if row else None

    def find_by_sha(self, sha256: str) -> DocumentInfo | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {', '.join(_DOC_FIELDS)} FROM documents WHERE sha256=?", (sha256,)
            ).fetchone()
        return DocumentInfo(**dict(zip(_DOC_FIELDS, row))) if row else None

    def passage_count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]

    def put_document(self, info: DocumentInfo, passages: Sequence[Passage], embed_texts: Sequence[str]) -> None:
        """Replace a document and its passages in one transaction (the ingest commit point)."""
        info.chunks = len(passages)
        info.ingested_at = info.ingested_at or datetime.now(timezone.utc).isoformat(timespec="seconds")
        rows = [(p.id, p.doc_id, p.position, p.text, e, json.dumps(_meta(p))) for p, e in zip(passages, embed_texts)]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM passages WHERE doc_id=?", (info.doc_id,))
                self._db.execute("DELETE FROM documents WHERE doc_id=?", (info.doc_id,))
                self._db.execute(
                    f"INSERT INTO documents({', '.join(_DOC_FIELDS)}) VALUES ({', '.join('?' * len(_DOC_FIELDS))})",
                    tuple(getattr(info, f) for f in _DOC_FIELDS),
                )
                self._db.executemany("INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?)", rows)
                self._db.execute("UPDATE state SET value=value+1 WHERE key='generation'")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def delete_document(self, doc_id: str) -> bool:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM passages WHERE doc_id=?", (doc_id,))
                gone = self._db.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,)).rowcount
                self._db.execute("UPDATE state SET value=value+1 WHERE key='generation'")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return gone > 0

    # -- passages ---------------------------------------------------------------------------
    def passages(self, ids: Sequence[str]) -> dict[str, Passage]:
        """Passages by id (ids the catalog does not hold are left out)."""
        found: dict[str, Passage] = {}
        with self._lock:
            for start in range(0, len(ids), 500):
                part = list(ids[start : start + 500])
                marks = ", ".join("?" * len(part))
                for row in self._db.execute(
                    f"SELECT id, doc_id, position, text, meta FROM passages WHERE id IN ({marks})", part
                ):
                    found[row[0]] = _passage(row)
        return found

    def iter_passages(self, doc_id: str | None = None, polarity: str | None = None) -> Iterator[Passage]:
        clauses, args = [], []
        if doc_id:
            clauses.append("doc_id=?")
            args.append(doc_id)
        if polarity:
            clauses.append("json_extract(meta, '$.polarity')=?")
            args.append(polarity)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            rows = self._db.execute(f"SELECT id, doc_id, position, text, meta FROM passages{where} ORDER BY doc_id, position", args).fetchall()
        for row in rows:
            yield _passage(row)

    def iter_index_rows(self) -> Iterable[tuple[str, str, str]]:
        """(id, text for lexical search, meta json) for every passage, in a stable order."""
        with self._lock:
            return self._db.execute("SELECT id, embed_text, meta FROM passages ORDER BY rowid").fetchall()

    def labelled_passages(self) -> list[tuple[str, str]]:
        """(id, first statement) of passages a heading or a lead tagged."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, json_extract(meta, '$.quality_statements[0]') FROM passages "
                "WHERE json_extract(meta, '$.tag_source') IN ('heading', 'lead')"
            ).fetchall()
        return [(pid, qs) for pid, qs in rows if qs]

    def update_passages(self, passages: Sequence[Passage], correction: Correction | None = None) -> None:
        """Store new tags for passages already in the catalog, and the correction that set
        them, in one transaction."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if correction is not None:
                    self._db.execute(
                        "INSERT OR REPLACE INTO corrections(key, text, quality_statements, polarity, by, at) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (correction.key, correction.text, json.dumps(correction.quality_statements),
                         correction.polarity, correction.by, correction.at),
                    )
                self._db.executemany(
                    "UPDATE passages SET meta=? WHERE id=?", [(json.dumps(_meta(p)), p.id) for p in passages]
                )
                self._db.execute("UPDATE state SET value=value+1 WHERE key='generation'")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # -- corrections ------------------------------------------------------------------------
    def corrections(self) -> list[Correction]:
        with self._lock:
            rows = self._db.execute(
                "SELECT key, text, quality_statements, polarity, by, at FROM corrections ORDER BY at"
            ).fetchall()
        return [Correction(k, t, json.loads(q), pol, by, at) for k, t, q, pol, by, at in rows]

    def passage_ids(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._db.execute("SELECT id FROM passages")}


def _meta(p: Passage) -> dict:
    return {
        "title": p.title, "source": p.source, "page": p.page, "section": p.section,
        "quality_statements": p.quality_statements, "theme": p.theme, "polarity": p.polarity,
        "doc_type": p.doc_type, "council": p.council, "date": p.date,
        "tag_confidence": round(float(p.tag_confidence), 4), "tag_source": p.tag_source,
    }


def _passage(row: tuple) -> Passage:
    pid, doc_id, position, text, meta = row
    return Passage(id=pid, doc_id=doc_id, position=position, text=text, **json.loads(meta))
