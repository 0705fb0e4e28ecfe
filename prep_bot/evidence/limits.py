"""How much one evidence file may make prep-bot read, and the checks that hold it to that.

A file within the size limit can still unpack or expand into far more (a 1.6 MB .docx that
inflates to 470 MB, a 44 MB CSV of a million rows). Each cap below refuses such a file with a
one-line reason naming the setting that raises it, before the work it would cause:

- an Office package (.docx, .xlsx, and any zip given one of their names) is checked from its zip
  directory before any part is inflated: the total unpacked size, each part's size, each part's
  packing ratio and the number of parts;
- a table (CSV, a sheet, a Word table) is read row by row and stops at the row or character cap;
- a document's text is counted as it is read and stops at the character cap (which also bounds
  the time embedding it takes);
- an HTML page's tags are counted before it is parsed.

What no count can foresee (a parser that loops, or a part that is small but explodes in memory)
is bounded by reading the file in a separate process with a time and memory limit
(prep_bot/evidence/isolation.py).
"""

from __future__ import annotations

import zipfile
from dataclasses import asdict, dataclass, fields

from prep_bot.errors import EvidenceFileError

MB = 1024 * 1024
RATIO_FROM_BYTES = 1 * MB  # parts smaller than this unpacked are never refused for their ratio
MAX_PARTS = 10_000  # parts in one package: a real .docx or .xlsx has tens to a few hundred


@dataclass(frozen=True)
class ReadLimits:
    """The caps on reading one file (see the module docstring); the defaults are the settings'."""

    seconds: float = 30.0
    memory_mb: int = 1024
    unpacked_mb: float = 150.0
    part_mb: float = 50.0
    packing_ratio: float = 100.0
    table_rows: int = 5_000
    table_chars: int = 300_000
    text_chars: int = 300_000
    html_tags: int = 200_000

    @classmethod
    def from_settings(cls, settings) -> "ReadLimits":
        return cls(
            seconds=settings.read_seconds, memory_mb=settings.read_memory_mb,
            unpacked_mb=settings.max_unpacked_mb, part_mb=settings.max_part_mb,
            packing_ratio=settings.max_packing_ratio, table_rows=settings.max_table_rows,
            table_chars=settings.max_table_chars, text_chars=settings.max_text_chars,
            html_tags=settings.max_html_tags,
        )

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ReadLimits":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def _mb(size: float) -> str:
    return f"{size / MB:,.0f} MB" if size >= 10 * MB else f"{size / MB:,.1f} MB"


def check_package(name: str, infos: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    """Refuse a zip package whose directory says it would unpack too far (before anything is
    inflated). Python's zipfile never inflates a part beyond the size its directory states (a
    part that tries fails its check), so these sizes bound what the parsers can be given."""
    if len(infos) > MAX_PARTS:
        raise EvidenceFileError(f"{name}: holds {len(infos):,} packed parts, more than the {MAX_PARTS:,} a document has (a zip bomb?)")
    total = 0
    for info in infos:
        size, packed = info.file_size, info.compress_size
        total += size
        if size > limits.part_mb * MB:
            raise EvidenceFileError(
                f"{name}: its part {_short(info.filename)} unpacks to {_mb(size)}, over the {limits.part_mb:g} MB "
                "a part may (a zip bomb? PREP_BOT_MAX_PART_MB raises it)"
            )
        if size >= RATIO_FROM_BYTES and size > limits.packing_ratio * max(packed, 1):
            raise EvidenceFileError(
                f"{name}: its part {_short(info.filename)} unpacks to {size / max(packed, 1):,.0f} times its packed size, "
                f"over the {limits.packing_ratio:g} allowed (a zip bomb? PREP_BOT_MAX_PACKING_RATIO raises it)"
            )
    if total > limits.unpacked_mb * MB:
        raise EvidenceFileError(
            f"{name}: unpacks to {_mb(total)}, over the {limits.unpacked_mb:g} MB that can be read "
            "(PREP_BOT_MAX_UNPACKED_MB raises it)"
        )


def _short(part: str, limit: int = 60) -> str:
    part = "".join(ch if ch.isprintable() else "?" for ch in part)
    return part if len(part) <= limit else part[: limit - 1] + "…"


class TextBudget:
    """Characters read so far from one document; refuses the document once over the cap."""

    def __init__(self, name: str, limits: ReadLimits) -> None:
        self.name = name
        self.limit = limits.text_chars
        self.used = 0

    def add(self, text: str) -> str:
        self.used += len(text)
        if self.used > self.limit:
            raise too_much_text(self.name, self.limit)
        return text


def too_much_text(name: str, limit: int, seen: int | None = None) -> EvidenceFileError:
    held = f"holds {seen:,} characters of text, over" if seen else "holds more text than"
    return EvidenceFileError(
        f"{name}: {held} the {limit:,} characters one document may (split it into smaller files, "
        "or raise PREP_BOT_MAX_TEXT_CHARS)"
    )


class TableBudget:
    """Rows and characters read so far from one table (a CSV, a sheet, a Word table); a cell
    counts one character more than its text, so a sheet of empty cells is counted too."""

    def __init__(self, name: str, table: str, limits: ReadLimits) -> None:
        self.name, self.table = name, table
        self.limits = limits
        self.rows = 0
        self.chars = 0

    def add(self, row: list[str]) -> list[str]:
        self.rows += 1
        self.chars += sum(len(cell) + 1 for cell in row)
        where = f"table {self.table!r}" if self.table else "its table"
        if self.rows > self.limits.table_rows:
            raise EvidenceFileError(
                f"{self.name}: {where} has more than {self.limits.table_rows:,} rows (split it, "
                "or raise PREP_BOT_MAX_TABLE_ROWS)"
            )
        if self.chars > self.limits.table_chars:
            raise EvidenceFileError(
                f"{self.name}: {where} holds more than {self.limits.table_chars:,} characters (split it, "
                "or raise PREP_BOT_MAX_TABLE_CHARS)"
            )
        return row
