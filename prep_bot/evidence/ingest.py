"""Ingest: walk files, read, redact, chunk, embed, tag and store them. Passages of several files
are embedded together, but each document is stored and committed on its own, so that one
broken file never stops a batch nor damages what is already stored.

Reading a file (within its limits: prep_bot/evidence/limits.py, isolation.py) and embedding
its passages happen outside the store's write lock; only tagging and committing hold it, and
what the catalog says (unchanged, duplicate, replacing) is checked again under it. So a large
or hostile file being read never holds up another person's upload."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import yaml

from prep_bot.errors import EvidenceFileError
from prep_bot.evidence.corrections import apply_corrections
from prep_bot.evidence.chunking import DraftPassage, chunk_blocks
from prep_bot.evidence.classifier import StatementClassifier, store_examples, training_file
from prep_bot.evidence.isolation import read_evidence
from prep_bot.evidence.limits import ReadLimits
from prep_bot.evidence.loaders import LoadedFile, loader_for, size_limit_error, unsupported
from prep_bot.evidence.passage import DocumentInfo, Passage
from prep_bot.evidence.redaction import redact
from prep_bot.evidence.tagging import TaggedPassage, Tagger
from prep_bot.framework.statements import Framework
from prep_bot.evidence.figure_model import FigureReader
from prep_bot.evidence.provenance import (
    TITLE_LINES, detect_council, detect_doc_type, document_date, normalise_date,
)
from prep_bot.evidence.store import EvidenceStore
from prep_bot.framework.vocab import DOC_TYPES

log = logging.getLogger(__name__)
MANIFEST = "manifest.yaml"
# Bump when loading, chunking, tagging or redaction change what a file becomes, so that
# re-ingesting an unchanged file re-processes it instead of keeping stale passages.
# 4: units tagged by a learnt classifier and packed per statement; council and date. 5: each text
# embedded once (units judged by content through the int8 copy of the model).
PIPELINE_VERSION = "5"
Status = Literal["added", "replaced", "unchanged", "duplicate", "failed"]
# Passages embedded together across files (the model still encodes them embed_batch_size at a time).
EMBED_BATCH = 512


@dataclass
class FileResult:
    path: Path
    status: Status
    doc_id: str = ""
    chunks: int = 0
    redactions: int = 0
    reason: str = ""


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)

    def count(self, *statuses: Status) -> int:
        return sum(1 for r in self.results if r.status in statuses)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def chunks(self) -> int:
        return sum(r.chunks for r in self.results if r.status in ("added", "replaced"))

    @property
    def redactions(self) -> int:
        return sum(r.redactions for r in self.results if r.status in ("added", "replaced"))

    @property
    def ingested(self) -> int:
        """Files whose content is now in the store (new, replaced, or already there)."""
        return self.count("added", "replaced", "unchanged", "duplicate")

    def summary(self) -> str:
        return (
            f"{self.count('added')} added, {self.count('replaced')} replaced, "
            f"{self.count('unchanged', 'duplicate')} unchanged, {len(self.failed)} failed; "
            f"{self.chunks} passages stored; {self.redactions} redactions (emails and phone numbers)"
        )


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80] or "document"


def find_files(paths: Iterable[Path]) -> tuple[list[tuple[Path, str]], list[FileResult]]:
    """Expand folders recursively into (file, name relative to what was given); report paths
    that do not exist or are not supported."""
    files: list[tuple[Path, str]] = []
    problems: list[FileResult] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not _hidden(child, path) and child.name != MANIFEST:
                    if loader_for(child) is not None:
                        files.append((child, child.relative_to(path).as_posix()))
                    else:
                        problems.append(FileResult(child, "failed", reason=str(unsupported(child.name))))
        elif path.is_file():
            files.append((path, path.name))
        else:
            problems.append(FileResult(path, "failed", reason=f"{path}: no such file or folder"))
    return files, problems


def _hidden(child: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in child.relative_to(root).parts)


class Ingestor:
    """Turns evidence files into tagged, embedded passages in the store."""

    def __init__(
        self, store: EvidenceStore, framework: Framework, max_file_mb: float = 50.0, chunk_tokens: int = 200,
        limits: ReadLimits | None = None,
    ) -> None:
        self.store = store
        self.framework = framework
        self.embedder = store.embedder
        self.classifier = StatementClassifier(
            framework, store.embedder, training_file(store.settings.knowledge_dir),
            cache_dir=store.settings.data_dir / "tagger",
        )
        self.tagger = Tagger(framework, self.classifier)
        self.max_file_mb = max_file_mb
        self.chunk_tokens = chunk_tokens
        self.limits = limits or ReadLimits.from_settings(store.settings)
        self._fitted_at: int | None = None  # catalog generation the tagger was last fitted against
        # What a file becomes depends on its bytes and on these: part of its fingerprint.
        training = self.classifier.training_file
        trained_on = hashlib.sha256(training.read_bytes()).hexdigest() if training.is_file() else ""
        self._salt = f"{PIPELINE_VERSION}|{chunk_tokens}|{framework.model_dump_json()}|{trained_on}".encode()

    def ingest(self, paths: Sequence[Path], progress: bool = False, council: str | None = None) -> IngestReport:
        """Ingest files and folders. ``council`` names the council of every file given (else
        each file's manifest entry, else its own title lines say)."""
        return self._ingest(paths, progress, council)

    def refit(self) -> bool:
        """Refit the tagger when the store's headed or corrected passages changed. Their ids
        and vectors are read again only when the catalog has changed since the last look."""
        generation = self.store.catalog.generation
        if generation == self._fitted_at:
            return False
        refitted = self.classifier.fit(store_examples(self.store))
        self._fitted_at = generation
        return refitted

    def _ingest(self, paths: Sequence[Path], progress: bool, council: str | None) -> IngestReport:
        files, problems = find_files(paths)
        report = IngestReport(list(problems))
        self.embedder.load(export=True)  # before the lock: the first ingest here writes the ONNX copies
        with self.store.writing():  # one writer at a time, in this process and any other
            self.store.reconcile()
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(files), unit="file", desc="Ingesting", dynamic_ncols=True)

        def done(results: list[FileResult]) -> None:
            report.results.extend(results)
            if bar is not None:
                bar.update(len(results))
                bar.set_postfix(passages=report.chunks, failed=len(report.failed))

        try:
            self._run(files, done, council)
        finally:
            if bar is not None:
                bar.close()
        with self.store.writing():
            self.store.lexical.ensure_current(self.store.catalog)
        return report

    def ingest_file(
        self, path: Path, name: str | None = None, council: str | None = None,
        stored: Callable[[FileResult], None] | None = None,
    ) -> FileResult:
        """Ingest one file; any problem comes back as a failed result with a one-line reason.
        ``name`` is the file's path relative to the folder being ingested (its source).
        ``stored`` is called with the result, still under the write lock, once the document
        is committed (an upload keeps its copy there, so the copy and the store agree)."""
        results: list[FileResult] = []
        self.embedder.load(export=True)
        self._run([(path, name or path.name)], results.extend, council, stored=stored)
        return results[0]

    def preview(self, path: Path) -> list[TaggedPassage]:
        """Read, chunk, embed and tag one file as ingest would, storing nothing (for the tagging
        evaluation and for checking a file before adding it)."""
        loaded = read_evidence(path, path.read_bytes(), self.limits)
        units = chunk_blocks(loaded.blocks, self.framework, self.embedder.count_tokens, self.chunk_tokens)
        if not units:
            raise EvidenceFileError(f"{path.name}: no text passages found")
        self.embedder.load(export=True)
        self.refit()
        vectors = self._unit_vectors([units])[0].vectors
        return self.tagger.tag(units, vectors, self.embedder.count_tokens, self.chunk_tokens)

    def _unit_vectors(self, documents: Sequence[Sequence[DraftPassage]]) -> list[_UnitVectors]:
        """The vectors tagging needs, for several documents together (one long encode runs near
        the model's full speed; many short ones do not), outside the write lock: the units that
        are a passage on their own whatever the statements, at full precision (judged with, then
        stored as the passage's), and, through the fast int8 copy, the units judged by content
        that may be joined (judged only). Units under a heading that names their statement need
        none."""
        count, target = self.embedder.count_tokens, self.chunk_tokens
        plans = [self.tagger.plan(units, count, target) for units in documents]
        # The two encodes are independent: the int8 judging runs on a second thread (and core)
        # while the full-precision encode runs on this one.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prep-bot-judge") as pool:
            judging = pool.submit(
                self.embedder.encode_fast, [units[i].embed_text for units, plan in zip(documents, plans) for i in plan.judged]
            )
            alone = self.embedder.encode([units[i].embed_text for units, plan in zip(documents, plans) for i in plan.alone])
            judged = judging.result()
        out, a, j = [], 0, 0
        for plan in plans:
            own = dict(zip(plan.alone, alone[a : a + len(plan.alone)]))
            out.append(_UnitVectors({**dict(zip(plan.judged, judged[j : j + len(plan.judged)])), **own}, own))
            a, j = a + len(plan.alone), j + len(plan.judged)
        return out

    def _embed_and_tag(self, batch: Sequence[_Prepared], before_tagging: Callable[[], None]) -> list[_Tagged]:
        """Embed what the batch's tagging needs (see _unit_vectors); tag each document's units
        and pack them into passages, under the write lock after ``before_tagging`` (the refit);
        then embed each passage that is not a unit already embedded alone, in one encode for the
        whole batch (sorted by length and batched across documents, as a bare encode would be):
        every stored text is embedded once. A passage joined from several units is embedded as a
        whole (a mean of its units' vectors would blur what it says)."""
        unit_vectors = self._unit_vectors([p.drafts for p in batch])
        with self.store.writing():
            before_tagging()
            tagged = [
                self.tagger.tag(p.drafts, v.vectors, self.embedder.count_tokens, self.chunk_tokens)
                for p, v in zip(batch, unit_vectors)
            ]
        todo = [
            (d, k) for d, (passages, v) in enumerate(zip(tagged, unit_vectors))
            for k, t in enumerate(passages) if not (len(t.units) == 1 and t.units[0] in v.own)
        ]
        fresh = dict(zip(todo, self.embedder.encode([tagged[d][k].draft.embed_text for d, k in todo])))
        out = []
        for d, (passages, v) in enumerate(zip(tagged, unit_vectors)):
            vectors = [fresh[(d, k)] if (d, k) in fresh else v.own[t.units[0]] for k, t in enumerate(passages)]
            out.append(_Tagged(passages, np.stack(vectors) if vectors else np.zeros((0, self.embedder.dimension), dtype=np.float32)))
        return out

    def _run(
        self, files: Sequence[tuple[Path, str]], done, council: str | None = None,
        stored: Callable[[FileResult], None] | None = None,
    ) -> None:
        """Prepare files one by one; about EMBED_BATCH units at a time, embed and tag them together
        (see _embed_and_tag); then store and commit each document on its own under the lock.
        The tagger is refitted (when the store changed) before the first document is stored, so
        every file of a batch is tagged against the store as it was, and a batch with nothing new
        to store (an unchanged re-ingest) never pays for a fit. ``done`` gets results in file order."""
        pending: list[_Prepared] = []
        fitted = False

        def fit_once() -> None:
            nonlocal fitted
            if not fitted:
                self.refit()
                fitted = True

        def commit(prepared: _Prepared, ready: _Tagged) -> FileResult:
            with self.store.writing():
                result = self._store(prepared, ready)
                if stored is not None and result.status in ("added", "replaced"):
                    stored(result)
                return result

        def flush() -> None:
            if not pending:
                return
            batch = list(pending)
            pending.clear()
            try:
                ready = self._embed_and_tag(batch, fit_once)
            except Exception:  # noqa: BLE001 - one file's text must not fail the others
                log.warning("embedding %d files together failed; embedding them one by one", len(batch))
                ready = [self._guarded(p.path, lambda: self._embed_and_tag([p], fit_once)[0]) for p in batch]
            done([r if isinstance(r, FileResult) else self._guarded(p.path, lambda: commit(p, r)) for p, r in zip(batch, ready)])

        for path, name in files:
            step = self._guarded(path, lambda: self._ingest_file(path, name, council))
            if pending and (
                (isinstance(step, FileResult) and step.status in ("unchanged", "duplicate"))
                or (isinstance(step, _Prepared) and any(
                    p.info.doc_id == step.info.doc_id or p.info.sha256 == step.info.sha256 for p in pending
                ))
            ):
                # Judged against a catalog that documents not stored yet will change (same id,
                # same content, or a version about to be replaced): store those first, so this
                # file is named and recognised exactly as it would be alone.
                flush()
                step = self._guarded(path, lambda: self._ingest_file(path, name, council))
            if isinstance(step, _Prepared):
                pending.append(step)
                if sum(len(p.drafts) for p in pending) >= EMBED_BATCH:
                    flush()
            else:
                flush()  # keep results in file order
                done([step])
        flush()

    @staticmethod
    def _guarded(path: Path, work):
        """Run one file's step; any problem becomes a failed result with a one-line reason."""
        try:
            return work()
        except EvidenceFileError as e:
            return FileResult(path, "failed", reason=str(e))
        except OSError as e:
            return FileResult(path, "failed", reason=f"{path.name}: cannot be read ({e.strerror or e})")
        except Exception as e:  # noqa: BLE001 - a bug on one file must not stop the batch
            log.exception("unexpected error ingesting %s", path.name)
            return FileResult(path, "failed", reason=f"{path.name}: unexpected error ({type(e).__name__})")

    def _doc_id(self, source: str) -> str:
        """A stable id from the file's name; a second file with the same name elsewhere, or
        with another extension, gets one from its whole relative path."""
        doc_id = slugify(source.rsplit(".", 1)[0].split("/")[-1])
        existing = self.store.catalog.document(doc_id)
        if existing and existing.source != source:
            doc_id = slugify(source)
        return doc_id

    def _ingest_file(self, path: Path, source: str, council: str | None = None) -> FileResult | _Prepared:
        """Read, check, redact and chunk a file: a result when there is nothing to embed
        (unchanged, duplicate), else the prepared document. Takes no lock: what the catalog
        says here is checked again when the document is stored."""
        too_big = size_limit_error(path.name, path.stat().st_size, self.max_file_mb)
        if too_big is not None:
            raise too_big  # refused from its size alone: never read
        data = path.read_bytes()
        # A council named on the command line is part of what the file becomes.
        sha = hashlib.sha256(self._salt + (council or "").encode() + b"|" + data).hexdigest()
        doc_id = self._doc_id(source)
        known = self._known(path, doc_id, sha)
        if known is not None:
            return known

        loaded = read_evidence(path, data, self.limits)
        del data
        meta = _manifest_entry(path)
        redactions = 0
        for block in loaded.blocks:
            cleaned = redact(block.text)
            block.text, redactions = cleaned.text, redactions + cleaned.count
        title = redact(str(meta.get("title") or loaded.title or _first_line(loaded) or path.stem)).text
        head = ([loaded.title] if loaded.title else []) + [b.text for b in loaded.blocks[:TITLE_LINES] if b.kind != "row"]
        tabular = path.suffix.lower() in (".csv", ".xlsx")
        doc_type = str(meta.get("doc_type") or detect_doc_type(path.stem, title, head, tabular))
        if doc_type not in DOC_TYPES:
            raise EvidenceFileError(f"{path.name}: manifest doc_type {doc_type!r} is not one of {', '.join(DOC_TYPES)}")

        drafts = chunk_blocks(loaded.blocks, self.framework, self.embedder.count_tokens, self.chunk_tokens)
        if not drafts:
            raise EvidenceFileError(f"{path.name}: no text passages found")
        council = council or str(meta.get("council") or "") or detect_council(head)
        when = normalise_date(meta.get("date")) or document_date(head + [b.text for b in loaded.blocks[TITLE_LINES:] if b.kind != "row"])
        info = DocumentInfo(
            doc_id=doc_id, title=title, source=source, doc_type=doc_type, sha256=sha,
            council=" ".join(council.split()), date=when, redactions=redactions,
        )
        return _Prepared(path, info, drafts)

    def _known(self, path: Path, doc_id: str, sha: str) -> FileResult | None:
        """``unchanged`` when the document is stored with this content, ``duplicate`` when
        another document has it; else None."""
        existing = self.store.catalog.document(doc_id)
        if existing and existing.sha256 == sha:
            return FileResult(path, "unchanged", doc_id, existing.chunks)
        twin = self.store.catalog.find_by_sha(sha)
        if twin and twin.doc_id != doc_id:
            return FileResult(path, "duplicate", twin.doc_id, twin.chunks, reason=f"same content as {twin.doc_id}")
        return None

    def _store(self, prepared: _Prepared, ready: _Tagged) -> FileResult:
        """Make a tagged, embedded document's passages (see _embed_and_tag), apply any lead's
        corrections, and commit the document to the store. Called under the write lock: the
        catalog is asked again, as another writer may have changed it since the file was read."""
        info = prepared.info
        info.doc_id = self._doc_id(info.source)
        known = self._known(prepared.path, info.doc_id, info.sha256)
        if known is not None:
            return known
        replaces = self.store.catalog.document(info.doc_id) is not None
        tagged, vectors = ready.passages, ready.vectors
        passages = [
            Passage(
                id=f"{info.doc_id}:{info.sha256[:12]}:{i:05d}",
                text=t.draft.text,
                doc_id=info.doc_id,
                title=info.title,
                source=info.source,
                page=t.draft.page,
                section=t.draft.section,
                quality_statements=t.tags.quality_statements,
                theme=t.tags.theme,
                polarity=t.tags.polarity,
                doc_type=info.doc_type,
                position=i,
                council=info.council,
                date=info.date,
                tag_confidence=t.tags.confidence,
                tag_source=t.tags.source,
            )
            for i, t in enumerate(tagged)
        ]
        apply_corrections(passages, self.store.catalog.corrections(), self.framework)
        self.store.put_document(info, passages, [t.draft.embed_text for t in tagged], vectors)
        # Label the figures now, while the model is loaded: the briefing pack reads them without it.
        FigureReader(self.embedder).warm([p.text for p in passages])
        log.info("stored %s: %d passages", info.doc_id, len(passages))
        status: Status = "replaced" if replaces else "added"
        return FileResult(prepared.path, status, info.doc_id, len(passages), info.redactions)


@dataclass
class _Prepared:
    """A document read, redacted and chunked, waiting to be embedded and tagged."""

    path: Path
    info: DocumentInfo
    drafts: list


@dataclass
class _Tagged:
    """A document's passages, tagged and packed, with their full-precision vectors."""

    passages: list[TaggedPassage]
    vectors: np.ndarray


@dataclass
class _UnitVectors:
    """What a document's tagging needs (see Ingestor._unit_vectors): vectors by unit index, and
    among them the full-precision ones of units that are a passage on their own."""

    vectors: dict[int, np.ndarray]
    own: dict[int, np.ndarray]


def _first_line(loaded: LoadedFile) -> str | None:
    for block in loaded.blocks[:5]:
        text = block.text.strip()
        if text and len(text) <= 120 and block.kind != "row":
            return text
    return None


def _manifest_entry(path: Path) -> dict:
    manifest = path.parent / MANIFEST
    if not manifest.is_file():
        return {}
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        log.warning("%s is unreadable; using defaults for %s", manifest, path.name)
        return {}
    for entry in data.get("documents", []) if isinstance(data, dict) else []:
        if isinstance(entry, dict) and entry.get("file") == path.name:
            return entry
    return {}
