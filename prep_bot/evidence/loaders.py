"""Read evidence files into blocks. One loader per format; each raises EvidenceFileError
with a one-line reason a user can act on when the file cannot be read."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from prep_bot.errors import EvidenceFileError
from prep_bot.evidence.passage import Block, LoadedFile

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".pdf", ".docx", ".html", ".htm", ".csv", ".xlsx"}
_TOC_LINE = re.compile(r"(\.{3,}|\t|\s{3,})\s*\d{1,3}\s*$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def decode_text(data: bytes, name: str) -> str:
    """Decode text bytes (UTF-8, UTF-16 with BOM, Windows-1252), refusing binary content."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise EvidenceFileError(f"{name}: UTF-16 text that cannot be decoded") from e
    if b"\x00" in data[:4096]:
        raise EvidenceFileError(f"{name}: looks like a binary file, not text")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything; latin-1 always does
        text = data.decode("latin-1")
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > 0.05 * max(1, min(len(text), 4096)):
        raise EvidenceFileError(f"{name}: looks like a binary file, not text")
    return text


def _clean(line: str) -> str:
    line = line.replace("\u00a0", " ").replace("**", "").strip()
    return re.sub(r"[ \t]+", " ", line)


def _text_blocks(text: str, markdown: bool, page: int | None = None) -> list[Block]:
    """Split plain text into blocks: each non-empty line is a block (paragraphs in these
    reports are single lines); short lines are heading candidates; contents lines skipped."""
    blocks: list[Block] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        if _TOC_LINE.search(raw):
            continue  # a table-of-contents entry: "Background ..... 3"
        if markdown:
            m = _MD_HEADING.match(raw.strip())
            if m:
                blocks.append(Block(_clean(m.group(2)), kind="heading", level=len(m.group(1)), page=page))
                continue
        line = _clean(raw)
        if not line:
            continue
        previous = blocks[-1] if blocks else None
        if (
            previous is not None
            and previous.kind == "text"
            and line[0].islower()
            and not previous.text.endswith((".", "!", "?", ":"))
        ):
            # A paragraph broken over two lines: "... will help to reduce frustrations" /
            # "and keep people informed."
            previous.text = f"{previous.text} {line}"
            previous.maybe_heading = False
            continue
        blocks.append(Block(line, page=page, maybe_heading=not line.startswith(("-", "•", "*", "|"))))
    return blocks


def load_text(path: Path, data: bytes) -> LoadedFile:
    text = decode_text(data, path.name)
    return LoadedFile(_text_blocks(text, markdown=path.suffix.lower() in {".md", ".markdown"}))


def load_pdf(path: Path, data: bytes) -> LoadedFile:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as e:  # noqa: BLE001 - pypdf raises several types here
                raise EvidenceFileError(f"{path.name}: PDF is password-protected") from e
            if not ok:
                raise EvidenceFileError(f"{path.name}: PDF is password-protected")
        pages = list(reader.pages)
    except EvidenceFileError:
        raise
    except (PdfReadError, ValueError, OSError, KeyError, TypeError) as e:
        raise EvidenceFileError(f"{path.name}: not a readable PDF ({type(e).__name__})") from e
    blocks: list[Block] = []
    title = None
    try:
        if reader.metadata and reader.metadata.title:
            title = str(reader.metadata.title).strip() or None
    except Exception:  # noqa: BLE001 - broken metadata must not stop the text
        title = None
    for number, page in enumerate(pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception as e:  # noqa: BLE001
            raise EvidenceFileError(f"{path.name}: page {number} cannot be read ({type(e).__name__})") from e
        blocks.extend(_pdf_page_blocks(text, number))
    if not any(b.text.strip() for b in blocks):
        raise EvidenceFileError(f"{path.name}: PDF has no text layer (scanned?); OCR it first")
    return LoadedFile(blocks, title=title, pages=len(pages))


def _pdf_page_blocks(text: str, page: int) -> list[Block]:
    """PDF text comes as wrapped lines: join lines into paragraphs; a short line standing
    after a finished sentence (or at the top of the page) is a heading candidate."""
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block(" ".join(paragraph), page=page))
            paragraph.clear()

    for raw in text.splitlines():
        line = _clean(raw)
        if not line or _TOC_LINE.search(raw):
            flush()
            continue
        starts_item = line.startswith(("-", "•", "*"))
        short = len(line) <= 90 and not line.endswith((".", ",", ";", ":"))
        previous_done = not paragraph or paragraph[-1].endswith((".", ":", "?", "!"))
        if short and previous_done and not starts_item and line[:1].isupper():
            flush()
            blocks.append(Block(line, page=page, maybe_heading=True))
            continue
        if starts_item:
            flush()
        paragraph.append(line)
        if line.endswith((".", "?", "!")) and len(" ".join(paragraph)) > 400:
            flush()
    flush()
    return blocks


def load_docx(path: Path, data: bytes) -> LoadedFile:
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise EvidenceFileError(f"{path.name}: not a readable Word document ({type(e).__name__})") from e
    blocks: list[Block] = []
    title = (document.core_properties.title or "").strip() or None
    from docx.table import Table

    for item in document.iter_inner_content():  # paragraphs and tables in document order
        if isinstance(item, Table):
            blocks.extend(_table_blocks([[c.text for c in row.cells] for row in item.rows], "table"))
            continue
        text = _clean(item.text)
        if not text:
            continue
        style = (item.style.name if item.style is not None else "") or ""
        m = re.match(r"Heading (\d)", style)
        if style == "Title":
            title = title or text
            blocks.append(Block(text, kind="heading", level=1))
        elif m:
            blocks.append(Block(text, kind="heading", level=int(m.group(1))))
        else:
            blocks.append(Block(text, maybe_heading=len(text) < 80))
    return LoadedFile(blocks, title=title)


def load_html(path: Path, data: bytes) -> LoadedFile:
    from bs4 import BeautifulSoup

    text = decode_text(data, path.name)
    try:
        soup = BeautifulSoup(text, "html.parser")
    except RecursionError as e:
        raise EvidenceFileError(f"{path.name}: HTML is nested too deeply to read") from e
    for tag in soup(["script", "style", "noscript", "template", "nav", "footer"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    blocks: list[Block] = []
    for element in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "pre"]):
        if element.find(["p", "li", "td", "h1", "h2", "h3", "h4", "h5", "h6"]):
            continue  # its children are visited themselves
        content = _clean(element.get_text(" ", strip=True))
        if not content:
            continue
        if element.name and element.name[0] == "h" and element.name[1:].isdigit():
            blocks.append(Block(content, kind="heading", level=int(element.name[1])))
        else:
            blocks.append(Block(content))
    return LoadedFile(blocks, title=title)


def _table_blocks(rows: list[list[object]], section: str) -> list[Block]:
    """Each data row becomes one passage naming its columns: 'measure: ...; council: ...'."""
    rows = [[("" if c is None else str(c)).strip() for c in row] for row in rows]
    rows = [r for r in rows if any(r)]
    if len(rows) < 2:
        return []
    header = [h or f"column {i + 1}" for i, h in enumerate(rows[0])]
    blocks = []
    for row in rows[1:]:
        parts = [f"{name}: {value}" for name, value in zip(header, row) if value]
        if parts:
            blocks.append(Block("; ".join(parts), kind="row", section=section))
    return blocks


def _format_cell(value: object) -> str:
    """Numbers as people typed them: 412 not 412.0, 47.83 not 47.830000000000005,
    1234567.5 not 1.23457e+06."""
    if isinstance(value, float):
        return format(value, ".15g") if abs(value) < 1e15 else repr(value)
    return "" if value is None else str(value)


def load_csv(path: Path, data: bytes) -> LoadedFile:
    text = decode_text(data, path.name)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as e:
        raise EvidenceFileError(f"{path.name}: not a readable CSV table ({e})") from e
    blocks = _table_blocks(rows, path.stem)
    if not blocks:
        raise EvidenceFileError(f"{path.name}: CSV needs a header row and at least one data row")
    return LoadedFile(blocks)


def load_xlsx(path: Path, data: bytes) -> LoadedFile:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise EvidenceFileError(f"{path.name}: not a readable Excel workbook ({type(e).__name__})") from e
    blocks: list[Block] = []
    for sheet in workbook.worksheets:
        rows = [[_format_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        blocks.extend(_table_blocks(rows, sheet.title))
    workbook.close()
    if not blocks:
        raise EvidenceFileError(f"{path.name}: workbook has no table with a header row and data rows")
    return LoadedFile(blocks)


LOADERS: dict[str, Callable[[Path, bytes], LoadedFile]] = {
    ".txt": load_text,
    ".md": load_text,
    ".markdown": load_text,
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".html": load_html,
    ".htm": load_html,
    ".csv": load_csv,
    ".xlsx": load_xlsx,
}


def load_file(path: Path, data: bytes) -> LoadedFile:
    """Read one file's bytes with the loader its extension names."""
    suffix = path.suffix.lower()
    loader = LOADERS.get(suffix)
    if loader is None:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise EvidenceFileError(f"{path.name}: unsupported file type {suffix or '(none)'}; supported: {supported}")
    if not data.strip():
        raise EvidenceFileError(f"{path.name}: file is empty")
    loaded = loader(path, data)
    if not any(b.text.strip() for b in loaded.blocks):
        raise EvidenceFileError(f"{path.name}: no text found")
    return loaded
