"""Files added to the library through the app: each is refused, or copied into the data dir's
``uploads`` folder under a safe name and ingested like any other evidence file.

What is kept of a stored file (``PREP_BOT_KEEP_UPLOADS``, on by default): the copy in the
uploads folder; with a shared database server, a row in its ``uploads`` table instead (every
machine sees it, and removing the document removes it); nothing when the setting is off.

A name from a browser is not trusted: ``safe_name`` keeps only a base name (no folders, no
``..``, no control characters, a capped length, the extension kept), and ``copy_upload`` never
overwrites an earlier upload. Nothing is ever written outside the uploads folder.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from prep_bot.errors import EvidenceFileError, InputError
from prep_bot.evidence.loaders import loader_for, size_limit_error, unsupported

log = logging.getLogger(__name__)
UPLOADS = "uploads"
MAX_STEM_BYTES = 120  # the name before the extension, in UTF-8 bytes (file systems allow 255)
MAX_FILES = 50  # files per "Add to the library"
DEFAULT_STEM = "upload"
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def safe_name(name: str | None) -> str:
    """A file name that is safe to create inside one folder, whatever ``name`` was: its last
    path component (``/`` and ``\\`` both separate), without control or format characters, without
    ``..`` runs or leading and trailing dots and spaces, with Windows' forbidden characters
    removed, the stem capped at MAX_STEM_BYTES and the extension kept. Never empty, never
    ``.`` or ``..``, never a hidden (dot) file."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.sub(r"[\t\n\r\v\f]", " ", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")  # control, format, surrogates
    text = re.split(r"[/\\]", text)[-1]
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = ext, ""
    ext = re.sub(r"[^A-Za-z0-9]", "", ext)[:10]
    stem = _WINDOWS_FORBIDDEN.sub("", stem)
    stem = re.sub(r"\.{2,}", ".", stem)
    stem = re.sub(r"\s+", " ", stem).strip(" .")
    first, dot, rest = stem.partition(".")
    if first.upper() in _WINDOWS_RESERVED:  # "aux.2024" -> "aux-file.2024": safe, and stays so
        stem = f"{first}-file{dot}{rest}"
    stem = stem.encode("utf-8")[:MAX_STEM_BYTES].decode("utf-8", errors="ignore").rstrip(" .")
    if not stem:
        stem = DEFAULT_STEM
    return f"{stem}.{ext}" if ext else stem


def copy_upload(source: Path, folder: Path, name: str) -> Path:
    """Copy ``source`` into ``folder`` as ``name`` (already safe), or ``name (2)``, ``name (3)``...
    when taken: an earlier upload is never overwritten (the file is created exclusively)."""
    if safe_name(name) != name:
        raise InputError(f"not a safe upload name: {name!r}")
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = ext, ""
    for n in range(1, 10_000):
        candidate = name if n == 1 else f"{stem} ({n}){'.' + ext if ext else ''}"
        target = root / candidate
        if target.parent != root:  # cannot happen with a safe name; never write elsewhere
            raise InputError(f"not a safe upload name: {name!r}")
        try:
            out = open(target, "xb")  # O_CREAT | O_EXCL: fails on an existing file or symlink
        except FileExistsError:
            continue
        try:
            with out, open(source, "rb") as src:
                shutil.copyfileobj(src, out, 1024 * 1024)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return target
    raise EvidenceFileError(f"{name}: too many uploads with this name; rename the file")


def forget_upload(data_dir: Path, source: str) -> bool:
    """Delete the uploaded copy of a removed document (its source is its upload name), so the
    original does not outlive the document. True when there was one."""
    if safe_name(source) != source:  # not an upload name (e.g. "sub/report.pdf" from a folder)
        return False
    copy = Path(data_dir) / UPLOADS / source
    if copy.is_file() and not copy.is_symlink():
        copy.unlink()
        return True
    return False


@dataclass
class UploadResult:
    """One uploaded file: its safe name, what happened, passages stored, a one-line reason."""

    name: str
    status: str  # added, replaced, unchanged, duplicate or failed
    passages: int = 0
    reason: str = ""
    doc_id: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "status": self.status, "passages": self.passages, "reason": self.reason, "doc_id": self.doc_id}


def add_uploads(
    ingestor,
    data_dir: Path,
    files: Sequence[Path],
    progress: Callable[[int, int, str], None] | None = None,
    council: str | None = None,
) -> list[UploadResult]:
    """Refuse, copy and ingest each uploaded file in turn. Files are read and embedded outside
    the store's write lock, so two people's uploads go on side by side; only storing a document
    (and keeping its copy) takes the lock, one writer at a time.

    Refused before copying: unsupported types and files over the size limit. A copy whose file
    was not stored (it failed, or the same content is already in the library) is deleted, so the
    uploads folder holds only files the library uses."""
    folder = Path(data_dir) / UPLOADS
    files = list(files)
    if len(files) > MAX_FILES:
        raise EvidenceFileError(f"{len(files)} files at once is too many: add up to {MAX_FILES} at a time")
    results: list[UploadResult] = []
    for done, source in enumerate(files):
        name = safe_name(Path(source).name)
        if progress is not None:
            progress(done, len(files), name)
        results.append(_add_one(ingestor, folder, Path(source), name, council))
    if any(r.status in ("added", "replaced") for r in results):
        with ingestor.store.writing():
            ingestor.store.lexical.ensure_current(ingestor.store.catalog)
    if progress is not None:
        progress(len(files), len(files), "done")
    return results


def _add_one(ingestor, folder: Path, source: Path, name: str, council: str | None = None) -> UploadResult:
    if loader_for(name) is None:
        return UploadResult(name, "failed", reason=str(unsupported(name)))
    try:
        too_big = size_limit_error(name, os.stat(source).st_size, ingestor.max_file_mb)
        if too_big is not None:
            return UploadResult(name, "failed", reason=str(too_big))
        stored = copy_upload(source, folder, name)
    except EvidenceFileError as e:
        return UploadResult(name, "failed", reason=str(e))
    except OSError as e:
        log.warning("could not save an upload: %s", e.strerror or type(e).__name__)
        return UploadResult(name, "failed", reason=f"{name}: cannot be saved ({e.strerror or type(e).__name__})")
    settings = ingestor.store.settings
    kept = False

    def keep(_result) -> None:
        """Under the write lock, right after the document is committed: its copy becomes the
        one kept under this name (an earlier version's is replaced, not left behind)."""
        nonlocal kept
        if not settings.keep_uploads:
            return
        if settings.shared_database:
            ingestor.store.catalog.put_upload(name, stored.read_bytes())  # replaces an earlier version
        else:
            os.replace(stored, folder / name)
            kept = True

    # The name (not the copy's "name (2)") is the document's source: uploading a new version of
    # a file replaces the old one, as re-ingesting an edited file does.
    result = ingestor.ingest_file(stored, name=name, council=council, stored=keep)
    reason = result.reason
    if reason.startswith(f"{stored.name}: "):
        reason = f"{name}: {reason[len(stored.name) + 2:]}"
    if not kept:
        stored.unlink(missing_ok=True)
    return UploadResult(name, result.status, result.chunks, reason, result.doc_id)
