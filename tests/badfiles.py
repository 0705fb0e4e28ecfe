"""A corpus of bad evidence files, built in a folder by the tests (nothing is checked in).

``build_corpus(folder)`` writes every file and returns the expected outcome per file name: the
status the ingest should report and, for failures, words the one-line reason must contain.
The CLI, the ingestor and the upload in the app are all checked against the same table.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# -- good files: each carries a made-up word that only it contains, so search proves it is in --
CARERS_TEXT = """Carers Support Plan

Strengths

The heronsgate carers hub offers short breaks in every locality and carers told us it is easy to reach.

Areas for development

Waiting times for a carer's assessment are still too long in the north of the borough.
"""
GOVERNANCE_TEXT = """Governance Summary

The Lead Member chairs a monthly performance board that scrutinises the marigoldshire budget dashboard.
"""
# "café – £5" in two legacy encodings: the characters must come back exactly.
CAFE = "café – £5"
UTF16_TEXT = """Day Centre Notes

The quillbrook day centre café – £5 for a hot lunch – reopened in March and people said they missed it.
"""
CP1252_TEXT = f"""Community Meals Review

At the tansybrook luncheon club the {CAFE} meal deal was kept after people asked for it to stay.
"""
ODD_NAME_TEXT = """Evidence Report

The wintermere reablement team helped people return home within a week of leaving hospital.
"""
NESTED_DEPTH = 5000
NESTED_WORD = "larkspurton"


@dataclass(frozen=True)
class Expect:
    status: str  # added, duplicate or failed
    words: tuple[str, ...] = ()  # all must appear in the reason (after "name: ")
    search: str = ""  # a word that finds the file's passages once ingested


# File names in the corpus (sorted order matters for the duplicate: the original comes first).
CORRUPT_PDF = "board-minutes-corrupt.pdf"
TRUNCATED_PDF = "annual-report-truncated.pdf"
LOCKED_PDF = "locked-report.pdf"
SCANNED_PDF = "scanned-letter.pdf"
EMPTY = "empty-notes.txt"
BINARY = "photo-really.txt"
UTF16 = "day-centre-utf16.txt"
CP1252 = "meals-review-cp1252.txt"
HUGE = "huge-export.txt"
NESTED = "deeply-nested.html"
FAKE_DOCX = "policy-really-a-zip.docx"
ORIGINAL = "carers-plan.txt"
DUPLICATE = "duplicate-of-carers-plan.txt"
GOVERNANCE = "governance-summary.md"
ODD_NAME = "..évidence  report ..txt"  # spaces, unicode and a literal "..": a dotfile to a folder walk
HUGE_MB = 200


def pdf_with_text(text: str, *, user_password: str | None = None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    if user_password is not None:
        pdf.set_encryption(owner_password="owner-secret", user_password=user_password)
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    for line in text.splitlines():
        pdf.multi_cell(0, 8, line or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def pdf_without_text() -> bytes:
    """A page with drawings only, like a scan: no text layer at all."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(120, 120, 120)
    for i in range(12):
        pdf.rect(20, 20 + i * 20, 170 - i * 8, 8, style="F")
    pdf.ellipse(60, 200, 80, 40)
    return bytes(pdf.output())


def fake_docx() -> bytes:
    """A real zip archive with a .docx name, holding something that is not a Word document."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "Meeting notes, not a Word document.\n")
        archive.writestr("photos/site-visit.jpg", np.random.default_rng(3).bytes(2000))
    return buffer.getvalue()


def nested_html(depth: int = NESTED_DEPTH) -> bytes:
    inner = f"<p>The {NESTED_WORD} outreach worker visits people in their homes every week.</p>"
    return f"<html><head><title>Outreach</title></head><body>{'<div>' * depth}{inner}{'</div>' * depth}</body></html>".encode()


def make_sparse(path: Path, megabytes: int) -> Path:
    """A file of ``megabytes`` that takes no disk space (and must never be read)."""
    with open(path, "wb") as f:
        f.truncate(megabytes * 1024 * 1024)
    return path


def build_corpus(folder: Path, *, huge: bool = True) -> dict[str, Expect]:
    """Write the corpus into ``folder``; return the expected result per file name."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(11)
    good_pdf = pdf_with_text("Annual Report\n\nThe council reviewed its carers strategy with partners.\n" * 6)
    files: dict[str, bytes] = {
        CORRUPT_PDF: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + rng.bytes(3000),
        TRUNCATED_PDF: good_pdf[:200],
        LOCKED_PDF: pdf_with_text("Confidential safeguarding audit\n\nThe audit found gaps.", user_password="letmein"),
        SCANNED_PDF: pdf_without_text(),
        EMPTY: b"",
        BINARY: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.bytes(3000).replace(b"\x00", b"\x01") + b"\x00" * 64,
        UTF16: UTF16_TEXT.encode("utf-16"),  # with a BOM
        CP1252: CP1252_TEXT.encode("cp1252"),
        NESTED: nested_html(),
        FAKE_DOCX: fake_docx(),
        ORIGINAL: CARERS_TEXT.encode(),
        DUPLICATE: CARERS_TEXT.encode(),
        GOVERNANCE: GOVERNANCE_TEXT.encode(),
        ODD_NAME: ODD_NAME_TEXT.encode(),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    expected = {
        CORRUPT_PDF: Expect("failed", ("not a readable PDF", "damaged")),
        TRUNCATED_PDF: Expect("failed", ("not a readable PDF", "damaged")),
        LOCKED_PDF: Expect("failed", ("password-protected",)),
        SCANNED_PDF: Expect("failed", ("no text layer (scanned?)",)),
        EMPTY: Expect("failed", ("file is empty",)),
        BINARY: Expect("failed", ("not text (binary)",)),
        UTF16: Expect("added", search="quillbrook"),
        CP1252: Expect("added", search="tansybrook"),
        NESTED: Expect("added", search=NESTED_WORD),
        FAKE_DOCX: Expect("failed", ("not a Word document",)),
        ORIGINAL: Expect("added", search="heronsgate"),
        DUPLICATE: Expect("duplicate", ("same content as carers-plan",)),
        GOVERNANCE: Expect("added", search="marigoldshire"),
        ODD_NAME: Expect("added", search="wintermere"),
    }
    if huge:
        make_sparse(folder / HUGE, HUGE_MB)
        expected[HUGE] = Expect("failed", (f"{HUGE_MB} MB", "over the 50 MB limit", "PREP_BOT_MAX_FILE_MB"))
    return expected


def corpus_paths(folder: Path, expected: dict[str, Expect]) -> list[Path]:
    """Every corpus file as an explicit path (a folder walk skips the dotfile-looking name)."""
    return [folder / name for name in sorted(expected)]


def sparse_size_on_disk(path: Path) -> int:
    return os.stat(path).st_blocks * 512
