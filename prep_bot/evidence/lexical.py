"""BM25 keyword index over the stored passages (bm25s), kept in memory and persisted.

It is rebuilt only when the catalog's generation changes (after an ingest or a removal),
saved next to the catalog, and reloaded from disk by the next process, so no query pays for
an index build. Filters are boolean masks over arrays kept beside the index.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from prep_bot.evidence.catalog import Catalog
from prep_bot.framework.statements import POLARITIES, QS_SLUGS
from prep_bot.evidence.provenance import council_key
from prep_bot.evidence.provenance import parse as parse_date
from prep_bot.framework.vocab import DOC_TYPES

try:
    import fcntl
except ImportError:  # not POSIX: each save is still atomic, only not serialised across processes
    fcntl = None

log = logging.getLogger(__name__)
_WORD = re.compile(r"[a-z]+|\d+(?:[.,]\d+)*%?")


@dataclass(frozen=True)
class Snapshot:
    """One generation of the index, never changed once made: a search that takes it sees ids,
    filter fields and BM25 matrix that belong together, even while another thread swaps in the
    next generation."""

    generation: int
    ids: list[str]
    qs: np.ndarray  # passages x statements, bool
    polarity: np.ndarray
    doc_type: np.ndarray
    council: np.ndarray  # the council key of each passage's document ("" for none)
    when: np.ndarray  # each passage's document date as a day ordinal (0 when unknown)
    bm25: object | None
    positions: dict[str, int] = field(default_factory=dict)  # id -> row

    @classmethod
    def of(cls, generation: int, ids: list[str], qs, polarity, doc_type, council, when, bm25) -> Snapshot:
        return cls(
            generation, ids, qs, polarity, doc_type, council, when, bm25, {pid: row for row, pid in enumerate(ids)}
        )


EMPTY = Snapshot.of(
    -1, [], np.zeros((0, len(QS_SLUGS)), dtype=bool), np.zeros(0, dtype=np.int8), np.zeros(0, dtype=np.int8),
    np.zeros(0, dtype="<U1"), np.zeros(0, dtype=np.int32), None,
)


@dataclass(frozen=True)
class CouncilScope:
    """Which councils' passages a search may return: those whose key is in ``keys``
    (``inside``), or those whose key is not (other councils' reports)."""

    keys: frozenset[str]
    inside: bool = True

    def mask(self, council: np.ndarray) -> np.ndarray:
        found = np.isin(council, list(self.keys)) if len(council) else np.zeros(0, dtype=bool)
        return found if self.inside else ~found

    def admits(self, key: str) -> bool:
        return (key in self.keys) == self.inside


class LexicalIndex:
    """A BM25 index plus, per passage, its id and the fields that search filters on."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._snapshot = EMPTY
        self._lock = threading.RLock()
        self._words = None  # (stemmer, stopwords): bm25s is imported on first use, not by every command

    def tokenize(self, text: str) -> list[str]:
        if self._words is None:
            import Stemmer

            _bm25s()
            from bm25s.stopwords import STOPWORDS_EN

            self._words = (Stemmer.Stemmer("english").stemWords, frozenset(STOPWORDS_EN))
        stem, stopwords = self._words
        return stem([w for w in _WORD.findall(text.lower()) if w not in stopwords])

    def __len__(self) -> int:
        return len(self._snapshot.ids)

    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def ids(self) -> list[str]:
        return self._snapshot.ids

    @property
    def generation(self) -> int:
        return self._snapshot.generation

    # -- keeping in step with the catalog --------------------------------------------------
    def ensure_current(self, catalog: Catalog) -> None:
        """Make the index match the catalog: reuse memory, else disk, else rebuild and save."""
        generation = catalog.generation
        if generation == self.generation:
            return
        with self._lock:
            if generation == self.generation:
                return
            if not self._load(generation):
                self._build(catalog, generation)
                try:
                    self._save()
                except OSError as e:  # the index in memory is good; the next process rebuilds
                    log.warning("could not save the BM25 index (%s); it will be rebuilt", type(e).__name__)

    def _build(self, catalog: Catalog, generation: int) -> None:
        bm25s = _bm25s()
        rows = catalog.iter_index_rows()
        metas = [json.loads(r[2]) for r in rows]
        qs = np.array(
            [[slug in m["quality_statements"] for slug in QS_SLUGS] for m in metas], dtype=bool
        ).reshape(len(rows), len(QS_SLUGS))
        polarity = np.array([_code(POLARITIES, m["polarity"]) for m in metas], dtype=np.int8)
        doc_type = np.array([_code(DOC_TYPES, m["doc_type"]) for m in metas], dtype=np.int8)
        council = np.array([council_key(m.get("council")) for m in metas] or [""], dtype=str)[: len(metas)]
        when = np.array([_ordinal(m.get("date")) for m in metas], dtype=np.int32)
        retriever = None
        if rows:
            retriever = bm25s.BM25()
            retriever.index([self.tokenize(r[1]) or ["_"] for r in rows], show_progress=False)
        self._snapshot = Snapshot.of(generation, [r[0] for r in rows], qs, polarity, doc_type, council, when, retriever)
        log.debug("built BM25 index over %d passages (generation %d)", len(rows), generation)

    @contextmanager
    def _disk_lock(self, exclusive: bool):
        """Serialise saving and loading across processes (a server rebuilding while an ingest
        saves): interleaved, two savers leave one's ids beside the other's BM25 matrix. The
        kernel releases the lock when its holder dies, so a killed process never blocks."""
        if fcntl is None:
            yield
            return
        self.directory.parent.mkdir(parents=True, exist_ok=True)
        with open(self.directory.with_name(self.directory.name + ".lock"), "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield  # closing the file releases the lock

    def _save(self) -> None:
        snap = self._snapshot
        with self._disk_lock(exclusive=True):
            tmp = self.directory.with_name(self.directory.name + ".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            if snap.bm25 is not None:
                snap.bm25.save(str(tmp / "bm25"), show_progress=False)
            np.savez(
                tmp / "fields.npz", qs=snap.qs, polarity=snap.polarity, doc_type=snap.doc_type,
                council=snap.council, when=snap.when,
            )
            (tmp / "ids.json").write_text(json.dumps(snap.ids))
            (tmp / "generation.json").write_text(json.dumps({"generation": snap.generation}))
            old = self.directory.with_name(self.directory.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            if self.directory.exists():
                os.replace(self.directory, old)
            os.replace(tmp, self.directory)
            shutil.rmtree(old, ignore_errors=True)

    def _load(self, generation: int) -> bool:
        with self._disk_lock(exclusive=False):
            try:
                stored = json.loads((self.directory / "generation.json").read_text())["generation"]
            except (OSError, ValueError, KeyError):
                return False
            if stored != generation:
                return False
            bm25s = _bm25s()
            try:
                ids = json.loads((self.directory / "ids.json").read_text())
                with np.load(self.directory / "fields.npz") as fields:
                    qs, polarity, doc_type = fields["qs"], fields["polarity"], fields["doc_type"]
                    council, when = fields["council"], fields["when"]
                bm25 = None
                if ids:
                    bm25 = bm25s.BM25.load(str(self.directory / "bm25"), show_progress=False)
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
                log.warning("BM25 index on disk is unreadable (%s); rebuilding", type(e).__name__)
                return False
        n = len(ids)
        docs = (getattr(bm25, "scores", None) or {}).get("num_docs", n) if bm25 is not None else n
        if not (docs == n == len(qs) == len(polarity) == len(doc_type) == len(council) == len(when)):
            log.warning("BM25 index on disk does not hang together; rebuilding")
            return False
        self._snapshot = Snapshot.of(generation, ids, qs, polarity, doc_type, council, when, bm25)
        return True

    # -- search -----------------------------------------------------------------------------
    def mask(
        self,
        qs: str | None = None,
        polarity: str | None = None,
        doc_type: str | None = None,
        snap: Snapshot | None = None,
        scope: CouncilScope | None = None,
    ) -> np.ndarray | None:
        """Which passages of ``snap`` (default: the current one) pass the filters (None when
        there are no filters)."""
        if not (qs or polarity or doc_type or scope):
            return None
        snap = snap or self._snapshot
        keep = np.ones(len(snap.ids), dtype=bool)
        if scope is not None:
            keep &= scope.mask(snap.council)
        if qs:
            keep &= snap.qs[:, QS_SLUGS.index(qs)]
        if polarity:
            keep &= snap.polarity == _code(POLARITIES, polarity)
        if doc_type:
            keep &= snap.doc_type == _code(DOC_TYPES, doc_type)
        return keep

    def search(
        self, query: str, n: int, keep: np.ndarray | None = None, snap: Snapshot | None = None
    ) -> list[tuple[str, float]]:
        """The n best (id, BM25 score) pairs with a score above zero, within ``keep`` (a mask
        over the same snapshot)."""
        snap = snap or self._snapshot
        if snap.bm25 is None or not snap.ids:
            return []
        vocab = snap.bm25.vocab_dict
        tokens = [t for t in self.tokenize(query) if t in vocab]
        if not tokens:
            return []
        with self._lock:  # bm25s scoring is not documented as thread-safe
            scores = snap.bm25.get_scores(tokens)
        ids = snap.ids
        if keep is not None:
            scores = np.where(keep, scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top])]
        return [(ids[i], float(scores[i])) for i in top if scores[i] > 0]


def _bm25s():
    """Import bm25s, which sets its own logger to DEBUG on import; keep it quiet."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def _ordinal(value: str | None) -> int:
    when = parse_date(value)
    return when.toordinal() if when else 0


def _code(values: tuple[str, ...], value: str) -> int:
    return values.index(value) if value in values else len(values)
