"""Files that are small on disk but unpack or expand into far more: made by the tests (nothing
is checked in), each under the 50 MB file limit.

``build_bombs(folder)`` writes every bomb and returns, per file name, words its one-line refusal
must contain. Parts are written through ``ZipFile.open(..., "w")`` a block at a time, so making
a 470 MB part never holds it in memory.
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

MB = 1024 * 1024
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
S = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _docx_template() -> dict[str, bytes]:
    """The parts of a real, empty Word document (python-docx's own template)."""
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _xlsx_template() -> dict[str, bytes]:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    book = Workbook()
    book.active["A1"] = "measure"
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write_package(
    path: Path, parts: dict[str, bytes], streamed: dict[str, tuple[bytes, bytes, bytes, int]], level: int = 9,
) -> Path:
    """A zip with ``parts`` as given and each ``streamed`` part as head + body * count + tail."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in parts.items():
            if name not in streamed:
                archive.writestr(name, data)
        for name, (head, body, tail, count) in streamed.items():
            with archive.open(name, "w", force_zip64=True) as out:
                out.write(head)
                per_block = max(1, (4 * MB) // len(body))
                block = body * per_block
                written = 0
                while written + per_block <= count:
                    out.write(block)
                    written += per_block
                out.write(body * (count - written))
                out.write(tail)
    return path


def docx_bomb(path: Path, unpacked_mb: int = 470) -> Path:
    """A real .docx whose document part unpacks to ``unpacked_mb`` of the same paragraph."""
    paragraph = b"<w:p><w:r><w:t>The council reviewed every care plan again this quarter.</w:t></w:r></w:p>"
    count = unpacked_mb * MB // len(paragraph)
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>'.encode()
    return _write_package(path, _docx_template(), {"word/document.xml": (head, paragraph, b"</w:body></w:document>", count)})


def docx_within_caps(path: Path, paragraphs: int = 120_000, seed: int = 5) -> Path:
    """A .docx that passes every package cap (its part is under 50 MB and packs only a few times
    smaller, being varied words) but holds far more text than a document may."""
    rng = random.Random(seed)
    words = [w.encode() for w in (
        "council carers review plan people support assessment waiting weeks team partners data outcome "
        "housing safeguarding hospital discharge reablement voice feedback audit quality improve"
    ).split()]
    body = b"".join(
        b"<w:p><w:r><w:t>" + b" ".join(rng.choice(words) for _ in range(18)) + b".</w:t></w:r></w:p>"
        for _ in range(paragraphs)
    )
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>'.encode()
    return _write_package(path, _docx_template(), {"word/document.xml": (head, body, b"</w:body></w:document>", 1)})


def xlsx_bomb(path: Path, rows: int = 3_000_000) -> Path:
    """A real .xlsx whose first sheet unpacks to ``rows`` rows of the same inline cell."""
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {S}><sheetData>'.encode()
    row = b'<row><c t="inlineStr"><is><t>waiting list</t></is></c><c><v>412</v></c></row>'
    return _write_package(path, _xlsx_template(), {"xl/worksheets/sheet1.xml": (head, row, b"</sheetData></worksheet>", rows)})


def xlsx_claims_a_million_rows(path: Path) -> Path:
    """A tiny .xlsx whose few cells stand at row 1,048,576 and column XFD: a reader that trusts
    where cells claim to be pads out a million rows of 16,384 columns."""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {S}>'
        '<dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>measure</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    parts = _xlsx_template()
    parts["xl/worksheets/sheet1.xml"] = sheet
    return _write_package(path, parts, {})


def pptx_like_many_parts(path: Path, parts: int = 30_000) -> Path:
    """A zip of slide-like parts (named .docx, as a presentation renamed would be): tens of
    thousands of entries, each tiny."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/presentation.xml", "<p:presentation/>")
        for i in range(parts):
            archive.writestr(f"ppt/slides/slide{i}.xml", "<p:sld/>")
    return path


def pptx_like_large_media(path: Path, parts: int = 5, part_mb: int = 40, seed: int = 9) -> Path:
    """A presentation-like .docx with parts each under the part cap and packing about 30 times
    (varied runs of text, so well under the ratio cap), together unpacking to more than a
    package may."""
    rng = random.Random(seed)
    tokens = [b"<a:t>slide</a:t>", b"<a:t>media</a:t>", b"<a:t>notes</a:t>", b"<a:t>chart</a:t>"]
    body = b"".join(rng.choice(tokens) for _ in range(MB // 16))
    streamed = {f"word/media/slide{i}.xml": (b"", body, b"", part_mb) for i in range(parts)}
    return _write_package(path, _docx_template(), streamed, level=6)


def csv_million_rows(path: Path, rows: int = 1_000_000) -> Path:
    """A million short rows (about 18 MB): the row cap, not the text cap, is what stops it."""
    with open(path, "w", encoding="utf-8") as out:
        out.write("case,weeks\n")
        for i in range(rows):
            out.write(f"{i},{i % 13}\n")
    return path


def csv_million_long_rows(path: Path, rows: int = 1_000_000) -> Path:
    """A million rows of four columns (about 38 MB): its text is over the document cap first."""
    with open(path, "w", encoding="utf-8") as out:
        out.write("measure,area,value,year\n")
        for i in range(rows):
            out.write(f"reviews completed,locality {i % 7},{i % 1000},2024\n")
    return path


def html_deep(path: Path, depth: int = 1_000_000) -> Path:
    path.write_bytes(b"<html><body>" + b"<div>" * depth + b"<p>The deepest paragraph.</p>" + b"</div>" * depth + b"</body></html>")
    return path


def html_huge(path: Path, megabytes: int = 45) -> Path:
    paragraph = b"<p>The council reviewed the plan.</p>\n"
    path.write_bytes(b"<html><body>" + paragraph * (megabytes * MB // len(paragraph)) + b"</body></html>")
    return path


def html_one_huge_paragraph(path: Path, megabytes: int = 45) -> Path:
    path.write_bytes(b"<html><body><p>" + b"people waited less this year " * (megabytes * MB // 29) + b"</p></body></html>")
    return path


BOMBS = {
    "report-bomb.docx": (docx_bomb, ("unpacks to", "PREP_BOT_MAX_PART_MB")),
    "report-long.docx": (docx_within_caps, ("characters", "PREP_BOT_MAX_TEXT_CHARS")),
    "figures-bomb.xlsx": (xlsx_bomb, ("unpacks to",)),
    "figures-far-cells.xlsx": (xlsx_claims_a_million_rows, ("PREP_BOT_MAX_TABLE",)),
    "slides-many-parts.docx": (pptx_like_many_parts, ("packed parts", "zip bomb")),
    "slides-large-media.docx": (pptx_like_large_media, ("unpacks to", "PREP_BOT_MAX_UNPACKED_MB")),
    "returns-million-rows.csv": (csv_million_rows, ("more than 5,000 rows", "PREP_BOT_MAX_TABLE_ROWS")),
    "returns-million-long-rows.csv": (csv_million_long_rows, ("characters", "PREP_BOT_MAX_TEXT_CHARS")),
    "page-deep.html": (html_deep, ("HTML tags", "PREP_BOT_MAX_HTML_TAGS")),
    "page-huge.html": (html_huge, ("HTML tags", "PREP_BOT_MAX_HTML_TAGS")),
    "page-one-paragraph.html": (html_one_huge_paragraph, ("characters", "PREP_BOT_MAX_TEXT_CHARS")),
}


def build_bombs(folder: Path) -> dict[str, tuple[str, ...]]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (make, _) in BOMBS.items():
        make(folder / name)
    return {name: words for name, (_, words) in BOMBS.items()}
