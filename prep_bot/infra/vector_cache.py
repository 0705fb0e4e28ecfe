"""A disk cache in the data dir (``cache.sqlite``): embeddings keyed by model and text digest,
and small computed results keyed by a digest of everything they depend on.

Texts that recur across processes (the question bank, the rubric's exemplars, practice
answers) are embedded once per data dir, so a command that needs no new embedding never loads
the model. The cache is only an accelerator: any failure to read or write it is a miss, never
an error, and deleting the file loses nothing but time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
MAX_VECTORS = 100_000  # about 160 MB of 384-float rows at most; the oldest go first
_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, digest TEXT NOT NULL, vector BLOB NOT NULL,
                                    PRIMARY KEY (model, digest));
CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


class VectorCache:
    """Embeddings and computed results that outlive the process, in one SQLite file."""

    def __init__(self, path: Path, max_vectors: int = MAX_VECTORS) -> None:
        self.path = Path(path)
        self.max_vectors = max_vectors
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._broken = False

    def _conn(self) -> sqlite3.Connection | None:
        if self._db is None and not self._broken:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=10, check_same_thread=False, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.executescript(_SCHEMA)
                self._db = db
            except (sqlite3.Error, OSError) as e:
                log.warning("the cache at %s is unusable (%s); working without it", self.path, e)
                self._broken = True
        return self._db

    def _run(self, work, default):
        """Run ``work(connection)`` under the lock; a failure is logged and gives ``default``."""
        with self._lock:
            db = self._conn()
            if db is None:
                return default
            try:
                return work(db)
            except sqlite3.Error as e:
                log.warning("the cache at %s failed (%s); carrying on without it", self.path, e)
                return default

    # -- embeddings -------------------------------------------------------------------------
    def vectors(self, model: str, texts: Iterable[str]) -> dict[str, np.ndarray]:
        """The cached vectors of ``texts`` under ``model`` (those not cached are absent)."""
        by_digest = {digest(t): t for t in texts}
        if not by_digest:
            return {}

        def read(db):
            found: dict[str, np.ndarray] = {}
            keys = list(by_digest)
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                rows = db.execute(
                    f"SELECT digest, vector FROM vectors WHERE model=? AND digest IN ({','.join('?' * len(chunk))})",
                    (model, *chunk),
                )
                for key, blob in rows:
                    found[by_digest[key]] = np.frombuffer(blob, dtype=np.float32).copy()
            return found

        return self._run(read, {})

    def put_vectors(self, model: str, items: dict[str, np.ndarray]) -> None:
        if not items:
            return

        def write(db):
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    "INSERT OR REPLACE INTO vectors(model, digest, vector) VALUES (?, ?, ?)",
                    [(model, digest(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in items.items()],
                )
                # Oldest rows first (rowid order) once the cache is over its size.
                over = db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0] - self.max_vectors
                if over > 0:
                    db.execute("DELETE FROM vectors WHERE rowid IN (SELECT rowid FROM vectors ORDER BY rowid LIMIT ?)", (over,))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

        self._run(write, None)

    def forget(self, texts: Sequence[str]) -> int:
        """Drop the vectors of ``texts`` under every model (erased answers); how many went."""
        keys = list({digest(t) for t in texts})
        if not keys:
            return 0

        def delete(db):
            gone = 0
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                gone += db.execute(f"DELETE FROM vectors WHERE digest IN ({','.join('?' * len(chunk))})", chunk).rowcount
            return gone

        return self._run(delete, 0)

    # -- computed results -------------------------------------------------------------------
    def result(self, key: str):
        """A JSON result stored under ``key``, or None."""
        row = self._run(lambda db: db.execute("SELECT value FROM results WHERE key=?", (key,)).fetchone(), None)
        if row is None:
            return None
        try:
            return json.loads(row[0])
        except ValueError:
            return None

    def put_result(self, key: str, value, kind: str) -> None:
        """Store ``value`` (JSON) under ``key``, replacing every older result of the same
        ``kind`` (keys are ``kind:digest``), so that stale results do not pile up."""

        def write(db):
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("DELETE FROM results WHERE key LIKE ?", (f"{kind}:%",))
                db.execute("INSERT OR REPLACE INTO results(key, value) VALUES (?, ?)", (key, json.dumps(value)))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

        self._run(write, None)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
