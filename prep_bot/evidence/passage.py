"""The shapes evidence takes on its way into the store."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

BlockKind = Literal["heading", "text", "row"]
UNSURE_BELOW = 0.5  # a content tag with a lower confidence is shown as "unsure"


@dataclass
class Block:
    """One unit read from a file: a heading, a paragraph, or a table row rendered as text.

    ``level`` is set for headings whose level the format states (markdown, docx, html);
    ``maybe_heading`` marks plain-text lines that chunking may decide are headings.
    """

    text: str
    kind: BlockKind = "text"
    page: int | None = None
    level: int | None = None
    maybe_heading: bool = False
    section: str | None = None  # for table rows: the sheet or table name


@dataclass
class LoadedFile:
    """What a loader read from one file."""

    blocks: list[Block]
    title: str | None = None  # the title the file states, if any
    pages: int | None = None


@dataclass
class DocumentInfo:
    """Catalog record of one ingested document."""

    doc_id: str
    title: str
    source: str
    doc_type: str
    sha256: str  # fingerprint of the file's bytes and of the pipeline that processed them
    council: str = ""
    date: str = ""
    chunks: int = 0
    redactions: int = 0
    ingested_at: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Passage:
    """One stored evidence passage with its citation and tags."""

    id: str
    text: str
    doc_id: str
    title: str
    source: str
    page: int | None
    section: str
    quality_statements: list[str] = field(default_factory=list)
    theme: str = ""
    polarity: str = "neutral"
    doc_type: str = "other"
    position: int = 0
    council: str = ""  # the document's council, "" when it names none
    date: str = ""  # the document's date: "YYYY-MM-DD", "YYYY-MM" or "YYYY"; "" when unknown
    tag_confidence: float = 1.0  # how sure the first quality statement is (0-1)
    tag_source: str = "content"  # "heading", "content" or "lead" (a lead's correction)

    def to_dict(self) -> dict:
        """The public JSON shape (search adds ``score``)."""
        return {
            "id": self.id,
            "text": self.text,
            "doc_id": self.doc_id,
            "title": self.title,
            "source": self.source,
            "page": self.page,
            "section": self.section,
            "quality_statements": list(self.quality_statements),
            "theme": self.theme,
            "polarity": self.polarity,
            "doc_type": self.doc_type,
            "date": self.date or None,
            "council": self.council or None,
            "tag_confidence": round(float(self.tag_confidence), 3),
            "tag_source": self.tag_source,
        }

    @property
    def unsure(self) -> bool:
        """A content tag the classifier was not confident of (the UI marks it "unsure")."""
        return self.tag_source == "content" and self.tag_confidence < UNSURE_BELOW

    @property
    def citation(self) -> str:
        return self.cite()

    def cite(self, undated: str = "") -> str:
        """ "Title (May 2025), p. 3, Section"; an unknown date shows as ``undated`` when given."""
        from prep_bot.evidence.provenance import display_date

        when = display_date(self.date) or undated
        parts = [f"{self.title} ({when})" if when else self.title]
        if self.page:
            parts.append(f"p. {self.page}")
        if self.section and self.section != self.title:  # a spreadsheet's section is often its title
            parts.append(self.section)
        return ", ".join(parts)


@dataclass
class SearchHit:
    """A passage found by search, with its fused score and its cosine similarity to the query."""

    passage: Passage
    score: float
    similarity: float

    def to_dict(self) -> dict:
        d = self.passage.to_dict()
        d["score"] = round(self.score, 6)
        d["similarity"] = round(self.similarity, 4)
        return d
