"""The document catalog: which documents are stored, in which version, and their passages.

A SQLite file in the data dir (WAL, synchronous=FULL), or the shared database server named by
PREP_BOT_DATABASE_URL, through SQLAlchemy Core; the schema is made by Alembic (the ``catalog``
scripts in prep_bot/migrations). It is the commit point of ingest: a document's passages count
as stored only once its catalog row names their version, so a crash mid-ingest leaves either
the old version or the new one, never half of each. Its generation counter moves with every
change, so every process (on any machine) knows when to rebuild its BM25 index.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from prep_bot.evidence.corrections import Correction
from prep_bot.infra.database import is_sqlite, make_engine, url_of
from prep_bot.evidence.passage import DocumentInfo, Passage

_META = sa.MetaData()
documents_table = sa.Table(
    "documents", _META,
    sa.Column("doc_id", sa.Text, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("doc_type", sa.Text, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("council", sa.Text, nullable=False, server_default=""),
    sa.Column("date", sa.Text, nullable=False, server_default=""),
    sa.Column("chunks", sa.Integer, nullable=False),
    sa.Column("redactions", sa.Integer, nullable=False, server_default="0"),
    sa.Column("ingested_at", sa.Text, nullable=False),
)
passages_table = sa.Table(
    "passages", _META,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("doc_id", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("embed_text", sa.Text, nullable=False),
    sa.Column("meta", sa.Text, nullable=False),  # JSON
    sa.Index("passages_doc", "doc_id", "position"),
)
state_table = sa.Table(
    "state", _META,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Integer, nullable=False),
)
corrections_table = sa.Table(
    "corrections", _META,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("quality_statements", sa.Text, nullable=False),  # JSON list
    sa.Column("polarity", sa.Text, nullable=False, server_default=""),
    sa.Column("by", sa.Text, nullable=False),
    sa.Column("at", sa.Text, nullable=False),
)
uploads_table = sa.Table(
    "uploads", _META,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("stored_at", sa.Text, nullable=False),
)
METADATA = _META  # what the migrations make (tests compare them)
_DOC_FIELDS = ("doc_id", "title", "source", "doc_type", "sha256", "council", "date", "chunks", "redactions", "ingested_at")
_DOC_COLUMNS = [documents_table.c[f] for f in _DOC_FIELDS]
_P = passages_table.c
_PASSAGE_COLUMNS = (_P.id, _P.doc_id, _P.position, _P.text, _P.meta)
_GENERATION = sa.select(state_table.c.value).where(state_table.c.key == "generation")
_BUMP = state_table.update().where(state_table.c.key == "generation").values(value=state_table.c.value + 1)


class Catalog:
    """Documents and passages, with a generation counter bumped on every change."""

    def __init__(self, location: Path | str) -> None:
        """``location``: a SQLite file's path, or a database URL (the schema must be current,
        see prep_bot.infra.migrations: a SQLite file upgrades itself)."""
        from prep_bot.infra import migrations

        self.url = url_of(location)
        self.sqlite = is_sqlite(self.url)
        if self.sqlite:
            Path(sa.engine.make_url(self.url).database).parent.mkdir(parents=True, exist_ok=True)
        # SQLite: the driver opens no transaction by itself; writes say BEGIN IMMEDIATE.
        self.engine = make_engine(self.url, autocommit_driver=True)
        try:
            migrations.ensure(self.engine, migrations.CATALOG)
        except BaseException:
            self.engine.dispose()
            raise
        self._lock = threading.RLock()

    def close(self) -> None:
        with self._lock:
            self.engine.dispose()

    @contextmanager
    def _read(self):
        with self._lock, self.engine.connect() as connection:
            yield connection

    @contextmanager
    def _write(self):
        """One transaction that takes the write lock first (SQLite: BEGIN IMMEDIATE; a database
        server locks the rows it changes, the generation row last of all)."""
        with self._lock, self.engine.connect() as connection:
            if self.sqlite:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield connection
                connection.commit()
            except BaseException:
                connection.rollback()
                raise

    @property
    def generation(self) -> int:
        with self._read() as db:
            return db.execute(_GENERATION).scalar_one()

    # -- documents --------------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        with self._read() as db:
            rows = db.execute(sa.select(*_DOC_COLUMNS).order_by(documents_table.c.doc_id)).all()
        return [_document(row) for row in rows]

    def document(self, doc_id: str) -> DocumentInfo | None:
        with self._read() as db:
            row = db.execute(sa.select(*_DOC_COLUMNS).where(documents_table.c.doc_id == doc_id)).first()
        return _document(row) if row else None

    def find_by_sha(self, sha256: str) -> DocumentInfo | None:
        with self._read() as db:
            row = db.execute(sa.select(*_DOC_COLUMNS).where(documents_table.c.sha256 == sha256).limit(1)).first()
        return _document(row) if row else None

    def passage_count(self) -> int:
        with self._read() as db:
            return db.execute(sa.select(sa.func.count()).select_from(passages_table)).scalar_one()

    def put_document(self, info: DocumentInfo, passages: Sequence[Passage], embed_texts: Sequence[str]) -> None:
        """Replace a document and its passages in one transaction (the ingest commit point)."""
        info.chunks = len(passages)
        info.ingested_at = info.ingested_at or datetime.now(timezone.utc).isoformat(timespec="seconds")
        rows = [
            {"id": p.id, "doc_id": p.doc_id, "position": p.position, "text": p.text, "embed_text": e,
             "meta": json.dumps(_meta(p))}
            for p, e in zip(passages, embed_texts)
        ]
        with self._write() as db:
            db.execute(passages_table.delete().where(_P.doc_id == info.doc_id))
            db.execute(documents_table.delete().where(documents_table.c.doc_id == info.doc_id))
            db.execute(documents_table.insert().values({f: getattr(info, f) for f in _DOC_FIELDS}))
            if rows:
                db.execute(passages_table.insert(), rows)
            db.execute(_BUMP)

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document, its passages and its kept upload (if any) in one transaction."""
        with self._write() as db:
            info = db.execute(sa.select(documents_table.c.source).where(documents_table.c.doc_id == doc_id)).first()
            db.execute(passages_table.delete().where(_P.doc_id == doc_id))
            gone = db.execute(documents_table.delete().where(documents_table.c.doc_id == doc_id)).rowcount
            if info is not None:
                db.execute(uploads_table.delete().where(uploads_table.c.name == info.source))
            db.execute(_BUMP)
        return gone > 0

    # -- passages ---------------------------------------------------------------------------
    def passages(self, ids: Sequence[str]) -> dict[str, Passage]:
        """Passages by id (ids the catalog does not hold are left out)."""
        found: dict[str, Passage] = {}
        with self._read() as db:
            for start in range(0, len(ids), 500):
                part = list(ids[start : start + 500])
                for row in db.execute(sa.select(*_PASSAGE_COLUMNS).where(_P.id.in_(part))):
                    found[row[0]] = _passage(row)
        return found

    def iter_passages(self, doc_id: str | None = None, polarity: str | None = None) -> Iterator[Passage]:
        query = sa.select(*_PASSAGE_COLUMNS).order_by(_P.doc_id, _P.position)
        if doc_id:
            query = query.where(_P.doc_id == doc_id)
        if polarity:
            query = query.where(self._meta_text("polarity") == polarity)
        with self._read() as db:
            rows = db.execute(query).all()
        for row in rows:
            yield _passage(row)

    def iter_index_rows(self) -> Iterable[tuple[str, str, str]]:
        """(id, text for lexical search, meta json) for every passage, in a stable order
        (SQLite: the order they were stored in; a database server: document and position)."""
        order = [sa.literal_column("rowid")] if self.sqlite else [_P.doc_id, _P.position]
        with self._read() as db:
            return [tuple(r) for r in db.execute(sa.select(_P.id, _P.embed_text, _P.meta).order_by(*order))]

    def labelled_passages(self) -> list[tuple[str, str]]:
        """(id, first statement) of passages a heading or a lead tagged."""
        query = sa.select(_P.id, self._meta_text("quality_statements", 0)).where(
            self._meta_text("tag_source").in_(("heading", "lead"))
        )
        with self._read() as db:
            rows = db.execute(query).all()
        return [(pid, qs) for pid, qs in rows if qs]

    def _meta_text(self, key: str, index: int | None = None):
        """A field of a passage's JSON meta, as text, in this database's dialect."""
        if self.sqlite:
            return sa.func.json_extract(_P.meta, f"$.{key}" + (f"[{index}]" if index is not None else ""))
        from sqlalchemy.dialects.postgresql import JSONB

        field = sa.cast(_P.meta, JSONB)[key]
        return (field[index] if index is not None else field).astext

    def update_passages(self, passages: Sequence[Passage], correction: Correction | None = None) -> None:
        """Store new tags for passages already in the catalog, and the correction that set
        them, in one transaction."""
        with self._write() as db:
            if correction is not None:
                db.execute(corrections_table.delete().where(corrections_table.c.key == correction.key))
                db.execute(corrections_table.insert().values(
                    key=correction.key, text=correction.text, quality_statements=json.dumps(correction.quality_statements),
                    polarity=correction.polarity, by=correction.by, at=correction.at,
                ))
            if passages:
                db.execute(
                    passages_table.update().where(_P.id == sa.bindparam("pid")).values(meta=sa.bindparam("new_meta")),
                    [{"pid": p.id, "new_meta": json.dumps(_meta(p))} for p in passages],
                )
            db.execute(_BUMP)

    # -- corrections ------------------------------------------------------------------------
    def corrections(self) -> list[Correction]:
        c = corrections_table.c
        with self._read() as db:
            rows = db.execute(sa.select(c.key, c.text, c.quality_statements, c.polarity, c.by, c.at).order_by(c.at)).all()
        return [Correction(k, t, json.loads(q), pol, by, at) for k, t, q, pol, by, at in rows]

    def passage_ids(self) -> set[str]:
        with self._read() as db:
            return set(db.execute(sa.select(_P.id)).scalars())

    # -- kept uploads (a shared database keeps them as rows, for every machine) ---------------
    def put_upload(self, name: str, data: bytes) -> None:
        """Keep an uploaded file under its name, replacing an earlier one of that name."""
        row = {
            "name": name, "data": data, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
            "stored_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        with self._write() as db:
            db.execute(uploads_table.delete().where(uploads_table.c.name == name))
            db.execute(uploads_table.insert().values(row))

    def upload(self, name: str) -> bytes | None:
        with self._read() as db:
            return db.execute(sa.select(uploads_table.c.data).where(uploads_table.c.name == name)).scalar()

    def has_upload(self, name: str) -> bool:
        with self._read() as db:
            return db.execute(sa.select(uploads_table.c.size).where(uploads_table.c.name == name)).first() is not None

    def upload_names(self) -> list[str]:
        with self._read() as db:
            return list(db.execute(sa.select(uploads_table.c.name).order_by(uploads_table.c.name)).scalars())

    def forget_upload(self, name: str) -> bool:
        with self._write() as db:
            return db.execute(uploads_table.delete().where(uploads_table.c.name == name)).rowcount > 0


def _meta(p: Passage) -> dict:
    return {
        "title": p.title, "source": p.source, "page": p.page, "section": p.section,
        "quality_statements": p.quality_statements, "theme": p.theme, "polarity": p.polarity,
        "doc_type": p.doc_type, "council": p.council, "date": p.date,
        "tag_confidence": round(float(p.tag_confidence), 4), "tag_source": p.tag_source,
    }


def _document(row) -> DocumentInfo:
    return DocumentInfo(**dict(zip(_DOC_FIELDS, row)))


def _passage(row) -> Passage:
    pid, doc_id, position, text, meta = row
    return Passage(id=pid, doc_id=doc_id, position=position, text=text, **json.loads(meta))
