"""The library (leads): the documents in the evidence store, adding files to it (from the
page or the command line), removing one, and correcting a passage's tags."""

from __future__ import annotations

from prep_bot.errors import InputError
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from prep_bot.app.policy import Action, Policy
from prep_bot.people.identity import Identity

if TYPE_CHECKING:
    from prep_bot.evidence.ingest import IngestReport, Ingestor
    from prep_bot.evidence.passage import DocumentInfo, Passage
    from prep_bot.evidence.uploads import UploadResult
    from prep_bot.framework.statements import Framework


@dataclass
class Document:
    """A stored document as the library lists it."""

    info: DocumentInfo
    dated: bool  # older than the stale threshold


@dataclass
class Removed:
    """What removing a document took away, and from where."""

    info: DocumentInfo
    copy: bool  # its uploaded copy went too
    where: str  # the data dir, or the database server holding the catalog


class Library:
    """The library use case."""

    def __init__(self, policy: Policy, store, ingestor: Ingestor, framework: Framework, data_dir: Path,
                 shared_database: bool = False) -> None:
        """``data_dir`` holds the uploads folder; ``shared_database``: the catalog (and kept
        uploads) are on a database server rather than in the data dir."""
        self.policy = policy
        self.store = store
        self.ingestor = ingestor
        self.framework = framework
        self.data_dir = Path(data_dir)
        self.shared_database = shared_database

    def documents(self, who: Identity) -> list[Document]:
        """Every stored document."""
        self.policy.ensure(who, Action.LIST_LIBRARY)
        return [Document(d, self.store.is_dated(d)) for d in self.store.documents()]

    def passages(self, who: Identity, doc_id: str | None = None, council: str | None = None) -> list[Passage]:
        """The stored passages with their tags (of one document, or every one of a council)."""
        self.policy.ensure(who, Action.LIST_LIBRARY)
        return self.store.passages(doc_id, council=council if council or not doc_id else "all")

    def add(self, who: Identity, files: Sequence[Path], progress: Callable[[int, int, str], None] | None = None,
            council: str | None = None) -> list[UploadResult]:
        """Files uploaded from the page, each copied into the uploads folder and ingested in
        turn; each gets its result and a one-line reason. ``council`` (when not blank) names the
        council of every file, as `prep-bot ingest --council` does."""
        self.policy.ensure(who, Action.ADD_DOCUMENTS)
        from prep_bot.evidence.uploads import add_uploads

        if not files:
            raise InputError("Choose one or more files first, then press “Add to the library”.")
        council = " ".join((council or "").split()) or None
        return add_uploads(self.ingestor, self.data_dir, list(files), progress=progress, council=council)

    def ingest(self, who: Identity, paths: Sequence[Path], council: str | None = None, progress: bool = False
               ) -> IngestReport:
        """Files and folders on this machine, ingested where they are (`prep-bot ingest`).
        ``council`` names the council of every file (else each file's manifest or title lines)."""
        self.policy.ensure(who, Action.ADD_DOCUMENTS)
        if council is not None and not council.strip():
            raise InputError("--council is empty: give the council's name.")
        return self.ingestor.ingest(list(paths), progress=progress, council=council)

    def remove(self, who: Identity, doc_id: str) -> Removed:
        """One document, its passages and, if it was uploaded in the app, its kept copy."""
        self.policy.ensure(who, Action.REMOVE_DOCUMENTS)
        from prep_bot.evidence.uploads import forget_upload
        from prep_bot.infra.database import shown

        known = self.store.catalog.document(doc_id)
        kept_row = known is not None and self.store.catalog.has_upload(known.source)  # removed with the document
        info = self.store.remove_document(doc_id)
        copy = forget_upload(self.data_dir, info.source) or kept_row
        where = shown(self.store.catalog.url) if self.shared_database else str(self.data_dir)
        return Removed(info, copy, where)

    def correct_tags(self, who: Identity, passage_id: str, statements: Sequence[str], polarity: str | None = None
                     ) -> Passage:
        """A passage's quality statements (the main one first) and, when given, its polarity, as
        a lead says: kept with who and when, and kept when its document is added again."""
        self.policy.ensure(who, Action.CORRECT_TAGS)
        from prep_bot.evidence.corrections import correct

        passage_id = (passage_id or "").strip()
        if not passage_id:
            raise InputError("Paste the passage id shown under its card first.")
        if not statements:
            raise InputError("Choose at least one quality statement.")
        return correct(self.store, self.framework, passage_id, list(statements), polarity, who.name)
