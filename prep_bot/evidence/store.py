"""The evidence store: passages embedded in Chroma, a BM25 index beside them, and the
document catalog that says which version of each document is live. Hybrid search fuses the
dense and keyword rankings with reciprocal rank fusion."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from datetime import date
from contextlib import contextmanager
from typing import Literal
from urllib.parse import urlparse

import numpy as np

from prep_bot.evidence.catalog import Catalog
from prep_bot.infra.config import Settings
from prep_bot.infra.embeddings import Embedder
from prep_bot.errors import InputError, StoreError, UnknownDocumentError, UnknownPassageError
from prep_bot.evidence.passage import DocumentInfo, Passage, SearchHit
from prep_bot.framework.statements import POLARITIES, QS_SLUGS
from prep_bot.framework.glossary import Glossary
from prep_bot.inputs import clean_text
from prep_bot.evidence.lexical import CouncilScope, LexicalIndex, Snapshot
from prep_bot.evidence.provenance import council_key, is_dated
from prep_bot.framework.vocab import DOC_TYPES
from prep_bot.infra.writelock import writer_lock

log = logging.getLogger(__name__)
SearchMode = Literal["hybrid", "dense", "bm25"]
RRF_K = 60  # the usual constant of reciprocal rank fusion
RECENCY_WEIGHT = 0.004  # fused score given up per year of a passage's age (at most 10 years):
# rank 1 and rank 2 of one ranking differ by about 0.8%, so age reorders close passages only
YEAR_MATCH_BONUS = 0.05  # fused score added (as a share) to evidence of a year the question names
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
ALL = "all"  # every council's documents
ELSEWHERE = "elsewhere"  # other councils' documents only (not the home council's, not unnamed ones)
CANDIDATES = 50  # how deep each ranking is read before fusing
OVERSAMPLE = 1.5  # a filtered dense search reads 1.5x (what it needs / the filter's share) neighbours
MAX_UNFILTERED = 2000  # beyond this many, Chroma's own filter is quicker


class EvidenceStore:
    """Stores, removes and finds evidence passages."""

    def __init__(
        self, settings: Settings, embedder: Embedder, glossary: Glossary | Callable[[], Glossary] | None = None
    ) -> None:
        """``glossary`` may be a function that loads it: it is then loaded at the first search."""
        self.settings = settings
        self.embedder = embedder
        self._glossary = glossary
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(settings.catalog_location)
        self.lexical = LexicalIndex(settings.data_dir / "bm25")
        self._client = None
        self._collection = None
        self._write_lock = threading.RLock()
        self._write_depth = 0
        self._writer = writer_lock(self.catalog, settings.data_dir)

    @contextmanager
    def writing(self, wait: bool = True):
        """Hold the store's write lock: one writer (ingest, upload, removal, clean-up) at a
        time across threads, processes and (with a shared database) machines, so a clean-up
        never takes another writer's vectors, written but not yet committed, for leftovers.
        Reentrant. Yields False, without the lock, when ``wait`` is False and another writer
        holds it. A process that dies releases it (see prep_bot.infra.writelock)."""
        if not self._write_lock.acquire(blocking=wait):
            yield False
            return
        try:
            if self._write_depth == 0:
                if not self._writer.acquire(wait):
                    yield False
                    return
            self._write_depth += 1
            try:
                yield True
            finally:
                self._write_depth -= 1
                if self._write_depth == 0:
                    self._writer.release()
        finally:
            self._write_lock.release()

    @property
    def glossary(self) -> Glossary | None:
        if callable(self._glossary):
            self._glossary = self._glossary()
        return self._glossary

    # -- Chroma -----------------------------------------------------------------------------
    @property
    def client(self):
        if self._client is None:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            chroma_settings = ChromaSettings(anonymized_telemetry=False)
            try:
                if self.settings.chroma_url:
                    url = urlparse(self.settings.chroma_url)
                    if not url.hostname:
                        raise StoreError(f"PREP_BOT_CHROMA_URL is not a URL: {self.settings.chroma_url!r}")
                    self._client = chromadb.HttpClient(
                        host=url.hostname,
                        port=url.port or (443 if url.scheme == "https" else 8000),
                        ssl=url.scheme == "https",
                        settings=chroma_settings,
                    )
                else:
                    self._client = chromadb.PersistentClient(path=str(self.settings.chroma_path), settings=chroma_settings)
            except StoreError:
                raise
            except Exception as e:  # noqa: BLE001 - chromadb raises many types when unreachable
                where = self.settings.chroma_url or self.settings.chroma_path
                raise StoreError(f"cannot open the Chroma store at {where}: {e}") from e
        return self._client

    def close(self) -> None:
        """Let go of the catalog's connections and of the Chroma client (its files are written
        out when no other client in this process holds them); the next use opens them again."""
        self.catalog.close()
        client, self._client, self._collection = self._client, None, None
        if client is not None:
            client.close()

    @contextmanager
    def _chroma(self):
        """Turn any failure of Chroma (a server that went away, a broken store) into a
        StoreError that says where, and reconnect on the next call."""
        try:
            yield
        except (StoreError, ValueError):
            raise
        except Exception as e:  # noqa: BLE001 - chromadb and httpx raise many types
            self._client = self._collection = None
            where = self.settings.chroma_url or self.settings.chroma_path
            raise StoreError(f"the Chroma store at {where} is not answering: {e}") from e

    @property
    def collection(self):
        if self._collection is None:
            # embedding_function=None: Chroma must never embed (its default downloads a model).
            with self._chroma():
                self._collection = self.client.get_or_create_collection(
                    self.settings.collection,
                    embedding_function=None,
                    configuration={"hnsw": {"space": "cosine"}},
                    metadata={"embedding_model": "all-MiniLM-L6-v2"},
                )
        return self._collection

    def langchain_vectorstore(self):
        """The same collection through LangChain's Chroma wrapper (a plain dense baseline)."""
        from langchain_chroma import Chroma
        from langchain_core.embeddings import Embeddings

        Embeddings.register(Embedder)  # it has the interface; registered here, not imported by every command
        return Chroma(client=self.client, collection_name=self.settings.collection, embedding_function=self.embedder)

    # -- writing ----------------------------------------------------------------------------
    def put_document(
        self, info: DocumentInfo, passages: Sequence[Passage], embed_texts: Sequence[str], embeddings: np.ndarray
    ) -> None:
        """Store a document's passages, then commit it in the catalog, then drop its old
        version: a crash at any point leaves one complete version live."""
        ids = [p.id for p in passages]
        with self.writing():
            with self._chroma():
                batch = max(1, min(5000, self.client.get_max_batch_size()))
                for start in range(0, len(ids), batch):
                    end = start + batch
                    self.collection.upsert(
                        ids=ids[start:end],
                        embeddings=embeddings[start:end],
                        documents=[p.text for p in passages[start:end]],
                        metadatas=[_chroma_meta(p, info.sha256) for p in passages[start:end]],
                    )
            self.catalog.put_document(info, passages, embed_texts)
            self._delete_stale(info.doc_id, keep=set(ids))

    def retag(self, passages: Sequence[Passage], correction=None) -> None:
        """Store new tags of passages already stored (a lead's correction, kept with them)."""
        if not passages:
            return
        with self.writing():
            sha = {d.doc_id: d.sha256 for d in self.catalog.documents()}
            with self._chroma():
                self.collection.update(
                    ids=[p.id for p in passages], metadatas=[_chroma_meta(p, sha.get(p.doc_id, "")) for p in passages]
                )
            self.catalog.update_passages(passages, correction)

    def remove_document(self, doc_id: str) -> DocumentInfo:
        with self.writing():
            info = self.catalog.document(doc_id)
            if info is None:
                raise UnknownDocumentError(f"no document with id {doc_id!r}; `prep-bot docs` lists them")
            self.catalog.delete_document(doc_id)
            self._delete_stale(doc_id, keep=set())
        return info

    def _delete_stale(self, doc_id: str, keep: set[str]) -> None:
        with self._chroma():
            found = self.collection.get(where={"doc_id": doc_id}, include=[])
            stale = [i for i in found["ids"] if i not in keep]
            if stale:
                self.collection.delete(ids=stale)

    def reconcile(self) -> int:
        """Delete vectors that no catalog entry owns (left by an interrupted ingest). Skipped
        when another writer is at work: its vectors may not be committed yet."""
        with self.writing(wait=False) as mine:
            if not mine:
                log.info("another ingest is running; leftovers are cleaned up by the next one")
                return 0
            return self._reconcile()

    def _reconcile(self) -> int:
        # Vectors are written before the catalog names them, so every live passage has its
        # vector: equal counts mean no orphans, and the full scan of ids is skipped.
        with self._chroma():
            if self.collection.count() == self.catalog.passage_count():
                return 0
        live = self.catalog.passage_ids()
        orphans: list[str] = []
        offset, page = 0, 10000
        with self._chroma():
            while True:
                got = self.collection.get(include=[], limit=page, offset=offset)
                orphans += [i for i in got["ids"] if i not in live]
                if len(got["ids"]) < page:
                    break
                offset += page
            for start in range(0, len(orphans), 5000):
                self.collection.delete(ids=orphans[start : start + 5000])
        if orphans:
            log.info("removed %d passages left by an interrupted ingest", len(orphans))
        return len(orphans)

    # -- reading ----------------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        return self.catalog.documents()

    def passages(self, doc_id: str | None = None, polarity: str | None = None, council: str | None = None) -> list[Passage]:
        """Stored passages in document order, within the council scope (see ``scope``)."""
        if doc_id and self.catalog.document(doc_id) is None:
            raise UnknownDocumentError(f"no document with id {doc_id!r}; `prep-bot docs` lists them")
        scope = self.scope(council)
        return [
            p for p in self.catalog.iter_passages(doc_id, polarity)
            if scope is None or scope.admits(council_key(p.council))
        ]

    def passage(self, passage_id: str) -> Passage:
        found = self.catalog.passages([passage_id]).get(passage_id)
        if found is None:
            raise UnknownPassageError(f"no passage with id {passage_id!r}; `prep-bot chunks` and `search --json` show ids")
        return found

    # -- councils and age -------------------------------------------------------------------
    @property
    def home_council(self) -> str:
        return (self.settings.council or "").strip()

    def scope(self, council: str | None = None) -> CouncilScope | None:
        """Which documents a read covers. ``None``: the home council's and those naming no
        council (everything when no home council is set); ``"all"``: every council's;
        ``"elsewhere"``: other councils' only; a name: that council's only."""
        home = council_key(self.home_council)
        wanted = (council or "").strip()
        if not wanted:
            return CouncilScope(frozenset({home, ""})) if home else None
        if wanted.lower() == ALL:
            return None
        if wanted.lower() == ELSEWHERE:
            return CouncilScope(frozenset({home, ""}), inside=False)
        key = council_key(wanted)
        if not key:
            raise InputError(f"{wanted!r} is not a council name")
        return CouncilScope(frozenset({key}))

    def is_dated(self, passage: Passage | DocumentInfo) -> bool:
        return is_dated(passage.date, self.settings.stale_years)

    def is_empty(self) -> bool:
        return not self.catalog.documents()

    def search(
        self,
        query: str,
        k: int = 5,
        qs: str | None = None,
        polarity: str | None = None,
        doc_type: str | None = None,
        mode: SearchMode = "hybrid",
        vector: np.ndarray | None = None,
        council: str | None = None,
    ) -> list[SearchHit]:
        """The k passages that best answer ``query`` within the filters, best first.
        ``vector`` is the query's embedding when the caller already has it. ``council`` is
        the scope (see ``scope``): by default the home council's documents and unnamed ones.
        Glossary terms in the query bring in their expansions ("pooled budget" reaches
        "Better Care Fund"); of passages otherwise close, the newer ranks first."""
        _check_filters(qs, polarity, doc_type)
        scope = self.scope(council)
        query = clean_text(query).strip()  # lone surrogates (undecodable bytes) would crash the tokenizer
        if not query or k <= 0:
            return []
        self.lexical.ensure_current(self.catalog)
        snap = self.lexical.snapshot()  # ids, filter fields and BM25 of one generation
        if not snap.ids:
            return []
        depth = max(CANDIDATES, 4 * k)
        # Glossary names help the keyword ranking; the meaning of the query is already in its vector.
        expanded = self.glossary.expand(query) if self.glossary is not None else query
        if vector is None:
            vector = self.embedder.encode_cached([query])[0]
        keep = self.lexical.mask(qs, polarity, doc_type, snap, scope)
        if keep is not None and not keep.any():
            return []
        rankings: list[list[str]] = []
        similarity: dict[str, float] = {}
        if mode in ("hybrid", "dense"):
            dense = self._dense(vector, k, depth, snap, keep, _where(qs, polarity, doc_type, scope))
            similarity.update(dense)
            rankings.append(list(dense))
        if mode in ("hybrid", "bm25"):
            # The query's own words count twice, the glossary's once: other names widen the
            # net without outweighing what was asked.
            lexical_query = query if expanded == query else f"{query} {expanded}"
            rankings.append([pid for pid, _ in self.lexical.search(lexical_query, depth, keep, snap)])
        fused: dict[str, float] = {}
        for ranking in rankings:
            for rank, pid in enumerate(ranking):
                fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)
        _by_age(fused, snap, query)
        order = sorted(fused, key=fused.get, reverse=True)
        # Read passages from the catalog k at a time until k are found (vectors an interrupted
        # ingest left behind are not in it).
        found: dict[str, Passage] = {}
        for start in range(0, len(order), k):
            found.update(self.catalog.passages(order[start : start + k]))
            if len(found) >= k:
                break
        best = [pid for pid in order if pid in found][:k]
        missing = [pid for pid in best if pid not in similarity]
        if missing:
            similarity.update(self._similarity(vector, missing))
        return [SearchHit(found[pid], fused[pid], similarity.get(pid, 0.0)) for pid in best]

    def embeddings(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors of passages, by id (no re-embedding)."""
        if not ids:
            return {}
        with self._chroma():
            got = self.collection.get(ids=list(ids), include=["embeddings"])
        return {pid: np.asarray(v, dtype=np.float32) for pid, v in zip(got["ids"], got["embeddings"])}

    def _dense(
        self, vector: np.ndarray, k: int, depth: int, snap: Snapshot, keep: np.ndarray | None, where: dict | None
    ) -> dict[str, float]:
        """Up to ``depth`` nearest live passages within the filters (4k of them when that many
        exist; at least k), with their similarity.

        Chroma's own metadata filter scans every row (a few hundred ms at 100k passages), so
        the nearest neighbours are read unfiltered, deep enough for the filter's share of the
        store, and filtered here with the masks kept beside the BM25 index; vectors that no
        catalog entry owns (an interrupted ingest) are dropped the same way. Only a filter
        too narrow for that falls back to Chroma's filter."""
        positions = snap.positions
        allowed = len(positions) if keep is None else int(keep.sum())
        if allowed == 0:
            return {}
        enough = 4 * k  # depth is at least 4k
        # Deep enough to expect ``enough`` passages within the filter.
        n = depth if keep is None else min(MAX_UNFILTERED, int(enough * OVERSAMPLE * len(keep) / allowed) + 1)
        while True:
            with self._chroma():
                result = self.collection.query(query_embeddings=[vector], n_results=n, include=["distances"])
            ids, distances = result["ids"][0], result["distances"][0]
            live: dict[str, float] = {}
            for pid, distance in zip(ids, distances):
                row = positions.get(pid)
                if row is not None and (keep is None or keep[row]):
                    live[pid] = 1.0 - float(distance)
                    if len(live) == depth:
                        return live
            if len(ids) < n or len(live) >= enough:  # all read, or enough to rank the top k
                return live
            if n >= MAX_UNFILTERED:
                if len(live) >= k:
                    return live
                return self._dense_filtered(vector, depth, snap, where)
            # Orphans, or a neighbourhood mostly about other things: read deeper, as deep as the
            # share of passages that passed so far says is needed.
            n = min(MAX_UNFILTERED, max(2 * n, int(n * enough * OVERSAMPLE / max(1, len(live)))))

    def _dense_filtered(self, vector: np.ndarray, depth: int, snap: Snapshot, where: dict | None) -> dict[str, float]:
        """Chroma's own filter, for filters that hold a small share of the store."""
        positions = snap.positions
        n = depth
        while True:
            with self._chroma():
                result = self.collection.query(
                    query_embeddings=[vector], n_results=n, where=where, include=["distances"]
                )
            ids, distances = result["ids"][0], result["distances"][0]
            live = {pid: 1.0 - float(d) for pid, d in zip(ids, distances) if pid in positions}
            if len(live) >= depth or len(ids) < n:
                return dict(list(live.items())[:depth])
            n *= 2

    def _similarity(self, vector: np.ndarray, ids: list[str]) -> dict[str, float]:
        return {pid: float(np.dot(vector, emb)) for pid, emb in self.embeddings(ids).items()}


def _by_age(fused: dict[str, float], snap: Snapshot, query: str) -> None:
    """Adjust fused scores for age: a question that names a year ("in 2015") favours evidence
    of that year; any other favours newer evidence, by a margin that only reorders close ones."""
    years = {int(y) for y in _YEAR.findall(query)}
    today = date.today().toordinal()
    for pid in fused:
        when = int(snap.when[snap.positions[pid]]) if pid in snap.positions else 0
        if not when:
            continue
        if years:
            if date.fromordinal(when).year in years:
                fused[pid] *= 1.0 + YEAR_MATCH_BONUS
        else:
            fused[pid] *= 1.0 - RECENCY_WEIGHT * min(10.0, max(0.0, (today - when) / 365.25))


def _chroma_meta(p: Passage, sha256: str) -> dict:
    meta = {
        "doc_id": p.doc_id, "sha256": sha256, "position": p.position, "title": p.title,
        "source": p.source, "section": p.section, "theme": p.theme, "polarity": p.polarity,
        "doc_type": p.doc_type, "council_key": council_key(p.council), "date": p.date,
        "tag_source": p.tag_source,
    }
    if p.page is not None:
        meta["page"] = p.page
    if p.quality_statements:
        meta["quality_statements"] = list(p.quality_statements)
        meta["qs_primary"] = p.quality_statements[0]
    return meta


def _where(qs: str | None, polarity: str | None, doc_type: str | None, scope: CouncilScope | None = None) -> dict | None:
    clauses = []
    if scope is not None:
        clauses.append({"council_key": {"$in" if scope.inside else "$nin": sorted(scope.keys)}})
    if qs:
        clauses.append({"quality_statements": {"$contains": qs}})
    if polarity:
        clauses.append({"polarity": polarity})
    if doc_type:
        clauses.append({"doc_type": doc_type})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _check_filters(qs: str | None, polarity: str | None, doc_type: str | None) -> None:
    if qs and qs not in QS_SLUGS:
        raise InputError(f"unknown quality statement {qs!r}; expected one of {', '.join(QS_SLUGS)}")
    if polarity and polarity not in POLARITIES:
        raise InputError(f"unknown polarity {polarity!r}; expected one of {', '.join(POLARITIES)}")
    if doc_type and doc_type not in DOC_TYPES:
        raise InputError(f"unknown document type {doc_type!r}; expected one of {', '.join(DOC_TYPES)}")
