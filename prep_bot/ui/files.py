"""Files the app hands to the browser (exports) and takes from it (uploads, recordings): kept
in a private folder inside the data dir, served only to the person they belong to, deleted
once downloaded and at every start.

- ``private/`` in the data dir (0700) holds ``gradio/``, Gradio's cache (every upload and every
  file the page offers for download), and ``exports/``, where exports are written; ``serve``
  runs with umask 077, so the files in them are 0600. ``serve`` empties it at start-up.
- ``OWNERS`` remembers who uploaded each file and whom each export was made for; the server
  (ui/server.py) serves a remembered file only to that person and deletes an export's copy
  once they have downloaded it, and a recording is transcribed (and deleted) only for the
  person who uploaded it.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path

from prep_bot.people.identity import AccessDenied, Identity
from prep_bot.evidence.uploads import UPLOADS

log = logging.getLogger(__name__)
PRIVATE = "private"
NOT_YOURS = "that recording is not one you uploaded: record or upload your answer again"


def private_dir(data_dir: Path) -> Path:
    folder = Path(data_dir) / PRIVATE
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def use_private_cache(data_dir: Path, replace: bool = False) -> Path:
    """Point Gradio's cache at ``private/gradio`` (before the app is built); returns the cache.
    Gradio reads the folder from the environment whenever it checks an upload, so it is one per
    process: the first app's, unless ``replace`` (`serve`, which runs one app per process)."""
    current = os.environ.get("GRADIO_TEMP_DIR")
    if current and not replace:
        return Path(current)
    cache = private_dir(data_dir) / "gradio"
    cache.mkdir(mode=0o700, exist_ok=True)
    os.environ["GRADIO_TEMP_DIR"] = str(cache)
    return cache


def clear_private(data_dir: Path) -> int:
    """Delete everything left in ``private/`` (cached uploads and exports of an earlier run);
    how many files went."""
    folder = Path(data_dir) / PRIVATE
    if not folder.is_dir():
        return 0
    gone = sum(1 for p in folder.rglob("*") if p.is_file() or p.is_symlink())
    shutil.rmtree(folder, ignore_errors=True)
    private_dir(data_dir)
    return gone


def remove_orphaned_uploads(data_dir: Path, sources: set[str]) -> int:
    """Delete files in ``uploads/`` that are no stored document's kept copy (an upload cut
    off by a crash before it was stored, "name (2)" copies); how many."""
    folder = Path(data_dir) / UPLOADS
    if not folder.is_dir():
        return 0
    gone = 0
    for path in folder.iterdir():
        if (path.is_file() or path.is_symlink()) and path.name not in sources:
            path.unlink(missing_ok=True)
            gone += 1
    return gone


def export_folder(data_dir: Path, prefix: str) -> Path:
    """A fresh 0700 folder for one export, inside ``private/exports``."""
    exports = private_dir(data_dir) / "exports"
    exports.mkdir(mode=0o700, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=exports))


def owner_of(who: Identity) -> str:
    """Whose a file is: the signed-in account's name, or "" for the local person (no accounts)."""
    return who.name.casefold() if who.authenticated else ""


class Owners:
    """path -> the people a file may be served to (a cached copy is named by its content, so two
    people's identical exports share one)."""

    def __init__(self) -> None:
        self._owners: dict[str, set[str]] = {}
        self._exports: set[str] = set()
        self._lock = threading.Lock()

    @staticmethod
    def _key(path: str | os.PathLike) -> str:
        return os.path.realpath(os.fspath(path))

    def claim(self, path, owner: str, export: bool = False) -> None:
        with self._lock:
            key = self._key(path)
            self._owners.setdefault(key, set()).add(owner)
            if export:
                self._exports.add(key)

    def owners(self, path) -> set[str] | None:
        """Who may have the file (None: not one the app handed out or took in)."""
        with self._lock:
            found = self._owners.get(self._key(path))
            return set(found) if found is not None else None

    def is_export(self, path) -> bool:
        with self._lock:
            return self._key(path) in self._exports

    def forget(self, path) -> None:
        with self._lock:
            key = self._key(path)
            self._owners.pop(key, None)
            self._exports.discard(key)

    def check_recording(self, who: Identity, path) -> None:
        """AccessDenied unless ``who`` uploaded the recording at ``path`` (so that naming another
        file, someone's export, cannot have it transcribed and deleted)."""
        owners = self.owners(path)
        if owners is None:  # converted on the way in: beside the upload, in the folder it was given
            owners = self.owners(Path(path).parent)
        if owners is None or owner_of(who) not in owners:
            raise AccessDenied(NOT_YOURS)


OWNERS = Owners()
REFUSED_PATH = "That file is not one you uploaded here: upload it again."


def quiet_refused_paths() -> None:
    """A call naming a file the app may not read (not uploaded, outside its folders) is refused
    in one line: Gradio raises a plain ValueError for it, which it prints with a traceback."""
    from gradio import processing_utils
    from gradio.exceptions import Error, InvalidPathError

    original = processing_utils._check_allowed
    if getattr(original, "prep_bot", False):
        return

    def check_allowed(path, check_in_upload_folder: bool):
        try:
            return original(path, check_in_upload_folder)
        except InvalidPathError:
            log.info("refused a call naming a file it did not upload")
            raise Error(REFUSED_PATH, print_exception=False) from None

    check_allowed.prep_bot = True
    processing_utils._check_allowed = check_allowed


def handed(paths, who: Identity) -> list[str]:
    """Exports offered for download to ``who``: each remembered as theirs under the name Gradio's
    cache will give its copy (the file's content hash), so only they can fetch it."""
    from gradio.processing_utils import hash_file
    from gradio.utils import get_upload_folder
    from gradio_client.utils import strip_invalid_filename_characters

    out = []
    for path in paths:
        path = Path(path)
        os.chmod(path, 0o600)  # Gradio's cached copy keeps the mode
        cached = Path(get_upload_folder()) / hash_file(path) / strip_invalid_filename_characters(path.name)
        OWNERS.claim(cached.resolve(), owner_of(who), export=True)
        out.append(str(path))
    return out
