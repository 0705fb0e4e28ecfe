"""Read evidence files into blocks. One loader per format, all listed once in ``LOADERS``: that
list is what decides the suffixes ingest accepts, the types the upload widget offers and the
"unsupported file type" message. Each loader raises EvidenceFileError with a one-line reason a
user can act on when the file cannot be read ("PDF is password-protected", "not a Word document
(a zip archive of other files)", "not text (binary)"...), never a parser's traceback, and keeps
to the caps in ``ReadLimits`` (prep_bot/evidence/limits.py) as it reads."""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from prep_bot.errors import EvidenceFileError
from prep_bot.evidence.limits import ReadLimits, TableBudget, TextBudget, check_package, too_much_text
from prep_bot.evidence.passage import Block, LoadedFile

_TOC_LINE = re.compile(r"(\.{3,}|\t|\s{3,})\s*\d{1,3}\s*$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Office files, and password-protected new ones
DEFAULT_LIMITS = ReadLimits()


def size_limit_error(name: str, size: int, max_file_mb: float) -> EvidenceFileError | None:
    """The error for a file of ``size`` bytes over the limit (checked before it is read), else None."""
    if size <= int(max_file_mb * 1024 * 1024):
        return None
    mb = size / 1048576
    return EvidenceFileError(f"{name}: {mb:.3g} MB is over the {max_file_mb:g} MB limit (set PREP_BOT_MAX_FILE_MB to raise it)")


def _not_text(name: str) -> EvidenceFileError:
    suffix = Path(name).suffix
    renamed = f" renamed {suffix}" if suffix else ""
    return EvidenceFileError(f"{name}: not text (binary): is it an image, archive or program{renamed}?")


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the bytes look like UTF-16 text with no BOM (mostly
    ASCII: every other byte is zero, the others printable ASCII), else None."""
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    for zeros, chars, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        printable = sum(1 for b in chars if 32 <= b < 127 or b in (9, 10, 13))
        if zeros.count(0) > 0.9 * len(zeros) and printable > 0.9 * len(chars):
            return encoding
    return None


def decode_text(data: bytes, name: str) -> str:
    """Decode text bytes (UTF-8, UTF-16 with or without BOM, Windows-1252), refusing binary content."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _check_text(data.decode("utf-16"), name)
        except UnicodeDecodeError as e:
            raise EvidenceFileError(f"{name}: UTF-16 text that cannot be decoded") from e
    if b"\x00" in data[:4096]:
        utf16 = _utf16_without_bom(data[:4096])
        if utf16 is None:
            raise _not_text(name)
        try:
            return _check_text(data.decode(utf16), name)
        except UnicodeDecodeError as e:
            raise _not_text(name) from e
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything; latin-1 always does
        text = data.decode("latin-1")
    return _check_text(text, name)


def _check_text(text: str, name: str) -> str:
    """Refuse decoded 'text' that is mostly control characters (binary data), and drop the
    few stray ones (NULs and the like) that real text files sometimes carry. Form feeds (page
    breaks) are kept."""
    sample = text[:4096]
    controls = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\r\n\t\f") or ch == "\ufffd")
    if controls > 0.05 * max(1, len(sample)):
        raise _not_text(name)
    return re.sub(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", "", text)


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


def load_text(path: Path, data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> LoadedFile:
    text = decode_text(data, path.name)
    if len(text) > 2 * limits.text_chars:  # far over: refused before it is split into lines
        raise too_much_text(path.name, limits.text_chars, len(text))
    blocks = _text_blocks(text, markdown=path.suffix.lower() in {".md", ".markdown"})
    budget = TextBudget(path.name, limits)
    for block in blocks:
        budget.add(block.text)
    return LoadedFile(blocks)


def load_pdf(path: Path, data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> LoadedFile:
    from pypdf import PdfReader

    # pypdf logs a warning for every flaw it works around; a file it cannot read gets a reason
    # below instead, so these would only be noise between the CLI's one line per failure.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    if b"%PDF-" not in data[:1024]:  # the header may follow a little junk, as readers allow
        raise EvidenceFileError(f"{path.name}: not a readable PDF (it does not start with %PDF: another kind of file?)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as e:  # noqa: BLE001 - pypdf raises several types here
                if type(e).__name__ == "DependencyError":  # AES needs the cryptography package
                    raise EvidenceFileError(
                        f"{path.name}: PDF is encrypted (AES) and cannot be read here; save a copy without encryption"
                    ) from e
                raise EvidenceFileError(f"{path.name}: PDF is password-protected; save a copy without the password") from e
            if not ok:
                raise EvidenceFileError(f"{path.name}: PDF is password-protected; save a copy without the password")
        pages = list(reader.pages)
    except EvidenceFileError:
        raise
    except RecursionError as e:
        raise EvidenceFileError(f"{path.name}: not a readable PDF (damaged: objects nested too deeply)") from e
    except Exception as e:  # noqa: BLE001 - a damaged PDF makes pypdf raise almost any type
        raise EvidenceFileError(f"{path.name}: not a readable PDF (damaged or truncated: {type(e).__name__})") from e
    if not pages:
        raise EvidenceFileError(f"{path.name}: not a readable PDF (damaged or truncated: no pages found)")
    blocks: list[Block] = []
    budget = TextBudget(path.name, limits)
    title = None
    try:
        if reader.metadata and reader.metadata.title:
            title = str(reader.metadata.title).strip() or None
    except Exception:  # noqa: BLE001 - broken metadata must not stop the text
        title = None
    for number, page in enumerate(pages, start=1):
        try:
            text = page.extract_text() or ""
        except RecursionError as e:
            raise EvidenceFileError(f"{path.name}: page {number} cannot be read (damaged: nested too deeply)") from e
        except Exception as e:  # noqa: BLE001
            raise EvidenceFileError(f"{path.name}: page {number} cannot be read (damaged: {type(e).__name__})") from e
        blocks.extend(_pdf_page_blocks(budget.add(text), number))
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


def _office_package(path: Path, data: bytes, kind: str, part: str, old: str, limits: ReadLimits) -> None:
    """Check that ``data`` is an Office Open XML package holding ``part`` (the main part of a
    ``kind``, e.g. word/document.xml), with a reason naming what the file is instead; and,
    before any part is inflated, that it unpacks within the limits (a zip bomb does not)."""
    if data.startswith(OLE_MAGIC):
        raise EvidenceFileError(
            f"{path.name}: not a {kind} (an old {old} file, or a password-protected one): save it as {path.suffix.lower()} without a password"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        what = "text" if _looks_like_text(data) else "not a zip package"
        raise EvidenceFileError(f"{path.name}: not a {kind} ({what}: another kind of file renamed {path.suffix}?)") from e
    check_package(path.name, infos, limits)
    names = {i.filename for i in infos}
    if part not in names:
        if "word/document.xml" in names:
            found = "a Word document"
        elif "xl/workbook.xml" in names:
            found = "an Excel workbook"
        elif "ppt/presentation.xml" in names:
            found = "a PowerPoint file"
        elif "mimetype" in names:
            found = "an OpenDocument file"
        else:
            found = "a zip archive of other files"
        raise EvidenceFileError(f"{path.name}: not a {kind} ({found} renamed {path.suffix})")


def _looks_like_text(data: bytes) -> bool:
    try:
        decode_text(data[:4096], "sample")
    except EvidenceFileError:
        return False
    return True


_DOCX_TEXT = re.compile(rb"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")


def load_docx(path: Path, data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> LoadedFile:
    _office_package(path, data, "Word document", "word/document.xml", "Word 97-2003 .doc", limits)
    # The body's text runs, counted from the XML (fast) before the document is built (slow):
    # a long document is refused in a second, not after minutes of parsing.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = archive.read("word/document.xml")
    chars = sum(len(m.group(1)) for m in _DOCX_TEXT.finditer(body))
    del body
    if chars > limits.text_chars:
        raise too_much_text(path.name, limits.text_chars, chars)
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # noqa: BLE001 - python-docx and lxml raise many types on a damaged package
        raise EvidenceFileError(f"{path.name}: not a readable Word document (damaged: {type(e).__name__})") from e
    blocks: list[Block] = []
    budget = TextBudget(path.name, limits)
    title = (document.core_properties.title or "").strip() or None
    from docx.table import Table

    for item in document.iter_inner_content():  # paragraphs and tables in document order
        if isinstance(item, Table):
            rows = ([c.text for c in row.cells] for row in item.rows)
            blocks.extend(_table_blocks(rows, "table", TableBudget(path.name, "", limits), budget))
            continue
        text = budget.add(_clean(item.text))
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


_HTML_SKIP = {"head", "title", "script", "style", "noscript", "template", "nav", "footer", "svg", "math", "iframe", "object", "canvas", "select"}
_HTML_BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li",
    "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}


def load_html(path: Path, data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> LoadedFile:
    """Text of an HTML page, one block per paragraph, heading, list item or cell, in page order.
    The tree is walked with an explicit stack, so however deeply the page nests (thousands of
    divs) nothing recurses and the time stays linear; a page with more tags than the limit is
    refused before it is parsed (each becomes an object in memory)."""
    from bs4 import BeautifulSoup
    from bs4.element import NavigableString, PreformattedString, Tag

    text = decode_text(data, path.name)
    tags = text.count("<") - text.count("</")  # opening tags (and comments): an upper bound
    if tags > limits.html_tags:
        raise EvidenceFileError(
            f"{path.name}: has about {tags:,} HTML tags, over the {limits.html_tags:,} a page may "
            "(split it, or raise PREP_BOT_MAX_HTML_TAGS)"
        )
    if len(text) > 20 * limits.text_chars:
        raise too_much_text(path.name, limits.text_chars, len(text))
    try:
        soup = BeautifulSoup(text, "html.parser")
    except RecursionError as e:
        raise EvidenceFileError(f"{path.name}: HTML is nested too deeply to read") from e
    title_tag = soup.find("title")
    title = (_clean(title_tag.get_text(" ")) or None) if title_tag else None

    segments: list[tuple[str, list[str]]] = [("body", [])]  # (enclosing block tag, text pieces)
    stack: list[tuple[object, str]] = [(soup, "body")]
    end = object()  # marks leaving a block element: text after it starts a new segment
    while stack:
        node, enclosing = stack.pop()
        if node is end:
            segments.append((enclosing, []))
        elif isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, CDATA, doctype
                segments[-1][1].append(str(node))
        elif isinstance(node, Tag):
            name = (node.name or "").lower()
            if name in _HTML_SKIP:
                continue
            if name == "br":
                segments[-1][1].append(" ")
                continue
            inner = enclosing
            if name in _HTML_BLOCKS:
                segments.append((name, []))
                stack.append((end, enclosing))
                inner = name
            stack.extend((child, inner) for child in reversed(node.contents))

    blocks: list[Block] = []
    budget = TextBudget(path.name, limits)
    for name, pieces in segments:
        content = budget.add(_clean("".join(pieces).replace("\n", " ")))
        if not content:
            continue
        if len(name) == 2 and name[0] == "h" and name[1].isdigit():
            blocks.append(Block(content, kind="heading", level=int(name[1])))
        else:
            blocks.append(Block(content))
    return LoadedFile(blocks, title=title)


def _table_blocks(rows: Iterable[Iterable[object]], section: str, table: TableBudget, text: TextBudget) -> list[Block]:
    """Each data row becomes one passage naming its columns: 'measure: ...; council: ...'.
    Rows are read one at a time and counted, so a table over the caps stops at the cap."""
    header: list[str] | None = None
    blocks = []
    for raw in rows:
        row = table.add([("" if c is None else str(c)).strip() for c in raw])
        if not any(row):
            continue
        if header is None:
            header = [h or f"column {i + 1}" for i, h in enumerate(row)]
            continue
        parts = [f"{name}: {value}" for name, value in zip(header, row) if value]
        if parts:
            blocks.append(Block(text.add("; ".join(parts)), kind="row", section=section))
    return blocks


def _format_cell(value: object) -> str:
    """Numbers as people typed them: 412 not 412.0, 47.83 not 47.830000000000005,
    1234567.5 not 1.23457e+06."""
    if isinstance(value, float):
        return format(value, ".15g") if abs(value) < 1e15 else repr(value)
    return "" if value is None else str(value)


def load_csv(path: Path, data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> LoadedFile:
    text = decode_text(data, path.name)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    budget = TableBudget(path.name, "", limits)
    try:
        blocks = _table_blocks(csv.reader(io.StringIO(text), dialect), path.stem, budget, TextBudget(path.name, limits))
    except csv.Error as e:
        raise EvidenceFileError(f"{path.name}: not a readable CSV table ({e})") from e
    if not blocks:
        raise EvidenceFileError(f"{path.name}: CSV needs a header row and at least one data row")
    return LoadedFile(blocks)


def load_xlsx(path: Path, data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> LoadedFile:
    from openpyxl import load_workbook

    _office_package(path, data, "Excel workbook", "xl/workbook.xml", "Excel 97-2003 .xls", limits)
    budget = TextBudget(path.name, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        blocks: list[Block] = []
        try:
            for sheet in workbook.worksheets:
                # The sheet's stated size is not trusted: a few cells can claim a million rows
                # of 16,384 columns, and the rows would be padded to it.
                sheet.reset_dimensions()
                rows = ([_format_cell(v) for v in row] for row in sheet.iter_rows(values_only=True))
                blocks.extend(_table_blocks(rows, sheet.title, TableBudget(path.name, sheet.title, limits), budget))
        finally:
            workbook.close()
    except EvidenceFileError:
        raise
    except Exception as e:  # noqa: BLE001 - openpyxl and lxml raise many types on a damaged package
        raise EvidenceFileError(f"{path.name}: not a readable Excel workbook (damaged: {type(e).__name__})") from e
    if not blocks:
        raise EvidenceFileError(f"{path.name}: workbook has no table with a header row and data rows")
    return LoadedFile(blocks)


@dataclass(frozen=True)
class Loader:
    """One format prep-bot reads: what it is called, its suffixes, and the function reading it.
    ``isolated``: read in a separate process with a time and memory limit (every format whose
    parser could be made to run long or grow large; plain text is read in a single pass)."""

    label: str
    suffixes: tuple[str, ...]
    read: Callable[[Path, bytes, ReadLimits], LoadedFile]
    isolated: bool = True


# The one list of formats: ingest, uploads, the upload widget and the error message all read it.
LOADERS: tuple[Loader, ...] = (
    Loader("plain text", (".txt",), load_text, isolated=False),
    Loader("Markdown", (".md", ".markdown"), load_text, isolated=False),
    Loader("PDF", (".pdf",), load_pdf),
    Loader("Word document", (".docx",), load_docx),
    Loader("web page", (".html", ".htm"), load_html),
    Loader("CSV table", (".csv",), load_csv),
    Loader("Excel workbook", (".xlsx",), load_xlsx),
)
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(s for loader in LOADERS for s in loader.suffixes)
_BY_SUFFIX = {s: loader for loader in LOADERS for s in loader.suffixes}


def loader_for(name: str | Path) -> Loader | None:
    """The loader for a file name (by its suffix, any case), None when no format has it."""
    return _BY_SUFFIX.get(Path(name).suffix.lower())


def unsupported(name: str) -> EvidenceFileError:
    """The one "unsupported file type" error, for a file no loader reads."""
    suffix = Path(name).suffix.lower()
    return EvidenceFileError(
        f"{Path(name).name}: unsupported file type {suffix or '(none)'}; supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}"
    )


def formats_sentence() -> str:
    """The formats for people to read: each loader's first suffix, ".txt, .md, ... or .xlsx"."""
    first = [loader.suffixes[0] for loader in LOADERS]
    return ", ".join(first[:-1]) + f" or {first[-1]}" if len(first) > 1 else first[0]


def load_file(path: Path, data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> LoadedFile:
    """Read one file's bytes, in this process, with the loader its extension names (see
    prep_bot/evidence/isolation.py for reading with a time and memory limit)."""
    loader = loader_for(path)
    if loader is None:
        raise unsupported(path.name)
    if not data.strip():
        raise EvidenceFileError(f"{path.name}: file is empty")
    loaded = loader.read(path, data, limits)
    if not any(b.text.strip() for b in loaded.blocks):
        raise EvidenceFileError(f"{path.name}: no text found")
    return loaded
