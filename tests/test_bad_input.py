"""Bad evidence files: a corpus built by the tests (tests/badfiles.py) of corrupt, locked,
scanned, empty, binary, oversized, deeply nested, mislabelled, duplicated and oddly named files,
with good ones among them. Each bad file gets its own one-line reason, the good ones go in and
are searchable, and a failed file never changes the store, even when it is a broken new version
of a stored document. Real store, real model, the real `prep-bot` command (in this process)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from badfiles import (
    BINARY,
    CAFE,
    CARERS_TEXT,
    CORRUPT_PDF,
    CP1252,
    DUPLICATE,
    EMPTY,
    FAKE_DOCX,
    HUGE,
    HUGE_MB,
    LOCKED_PDF,
    NESTED_DEPTH,
    NESTED_WORD,
    ODD_NAME,
    ORIGINAL,
    SCANNED_PDF,
    TRUNCATED_PDF,
    UTF16,
    build_corpus,
    corpus_paths,
    fake_docx,
    make_sparse,
    nested_html,
    pdf_with_text,
    pdf_without_text,
    sparse_size_on_disk,
)
from conftest import cli_env, services_with


def reason_body(result) -> str:
    """The reason after 'name: ', insisting it is one line that names the file first."""
    assert "\n" not in result.reason, result.reason
    assert result.reason.startswith(f"{result.path.name}: "), result.reason
    return result.reason[len(result.path.name) + 2 :]


def store_state(services) -> dict:
    """Everything a failed ingest must leave as it was: documents, passage ids, vectors."""
    catalog = services.store.catalog
    return {
        "documents": {d.doc_id: (d.sha256, d.chunks, d.source) for d in services.store.documents()},
        "passages": [p.id for p in services.store.passages()],
        "vectors": sorted(services.store.collection.get(include=[])["ids"]),
        "generation": catalog.generation,
    }


# -- the corpus through the ingestor ---------------------------------------------------------------
@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory, embedder):
    """The corpus ingested once into a fresh store; every file read is recorded."""
    root = tmp_path_factory.mktemp("bad-input")
    folder = root / "corpus"
    expected = build_corpus(folder)
    services = services_with(embedder, data_dir=root / "store")
    read: list[str] = []
    real_read_bytes = Path.read_bytes

    def spy(self):
        read.append(self.name)
        return real_read_bytes(self)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Path, "read_bytes", spy)
        report = services.ingestor.ingest(corpus_paths(folder, expected))
    yield services, folder, expected, report, read
    services.store.catalog.close()


def test_every_file_gets_the_expected_status(corpus_run):
    _, _, expected, report, _ = corpus_run
    got = {r.path.name: r.status for r in report.results}
    assert got == {name: e.status for name, e in expected.items()}


def test_each_bad_file_has_its_own_specific_reason(corpus_run):
    _, _, expected, report, _ = corpus_run
    reasons = {r.path.name: reason_body(r) for r in report.failed}
    assert set(reasons) == {n for n, e in expected.items() if e.status == "failed"}
    for name, body in reasons.items():
        for words in expected[name].words:
            assert words in body, f"{name}: {body!r} should say {words!r}"
        assert "unexpected" not in body and "Traceback" not in body
    # Specific means different: no two kinds of damage share a reason.
    kinds = {name: body for name, body in reasons.items() if name not in (CORRUPT_PDF, TRUNCATED_PDF)}
    assert len(set(kinds.values())) == len(kinds), kinds
    assert reasons[HUGE].startswith(f"{HUGE_MB} MB is over the 50 MB limit")
    assert "password-protected" in reasons[LOCKED_PDF] and "no text layer" not in reasons[LOCKED_PDF]
    assert "(a zip archive of other files renamed .docx)" in reasons[FAKE_DOCX]


def test_the_oversized_file_is_refused_without_being_read(corpus_run):
    _, folder, _, report, read = corpus_run
    assert (folder / HUGE).stat().st_size == HUGE_MB * 1024 * 1024
    assert sparse_size_on_disk(folder / HUGE) < 1024 * 1024  # sparse: the test costs no disk
    assert HUGE not in read
    assert ORIGINAL in read and EMPTY in read  # the spy does see the files that are read


def test_good_files_in_the_batch_are_stored_and_searchable(corpus_run):
    services, _, expected, report, _ = corpus_run
    for name, e in expected.items():
        if e.status != "added":
            continue
        hits = services.store.search(e.search, mode="bm25")
        assert hits and hits[0].passage.source == name, (name, [h.passage.source for h in hits])
        assert services.store.search(e.search)[0].passage.source == name  # hybrid too
    # The failed files left nothing behind, and vectors and catalog agree.
    stored = {d.source for d in services.store.documents()}
    assert stored == {n for n, e in expected.items() if e.status == "added"}
    assert services.store.search("Confidential safeguarding audit", mode="bm25") == []
    state = store_state(services)
    assert state["vectors"] == sorted(state["passages"])


def test_legacy_encodings_keep_their_characters(corpus_run):
    services, _, _, _, _ = corpus_run
    for name, word in ((UTF16, "quillbrook"), (CP1252, "tansybrook")):
        (hit,) = [p for p in services.store.passages() if word in p.text]
        assert hit.source == name
        assert CAFE in hit.text, hit.text  # "café – £5", character for character
        assert "\ufffd" not in hit.text and "Ã" not in hit.text and "\x00" not in hit.text


def test_deeply_nested_html_is_read_without_recursion(corpus_run):
    services, _, _, _, _ = corpus_run
    (passage,) = [p for p in services.store.passages() if NESTED_WORD in p.text]
    assert passage.text == f"The {NESTED_WORD} outreach worker visits people in their homes every week."
    assert passage.title == "Outreach"


def test_duplicate_under_another_name_is_reported_against_the_first(corpus_run):
    services, _, _, report, _ = corpus_run
    (dup,) = [r for r in report.results if r.path.name == DUPLICATE]
    assert dup.status == "duplicate"
    assert dup.doc_id == "carers-plan" and dup.reason == "same content as carers-plan"
    assert [d.source for d in services.store.documents() if d.doc_id == "carers-plan"] == [ORIGINAL]
    assert not any(p.source == DUPLICATE for p in services.store.passages())
    assert report.summary().startswith("6 added, 0 replaced, 1 unchanged, 8 failed;")


def test_a_name_with_spaces_unicode_and_dots_keeps_its_name(corpus_run):
    services, _, _, _, _ = corpus_run
    (passage,) = [p for p in services.store.passages() if "wintermere" in p.text]
    assert passage.source == ODD_NAME
    assert passage.title == "Evidence Report"
    assert passage.doc_id and "/" not in passage.doc_id and ".." not in passage.doc_id


# -- a failed new version never replaces the stored one --------------------------------------------
def test_failed_reingest_of_a_stored_document_changes_nothing(make_services, evidence_dir):
    """Each stored file is overwritten with a broken version of its own kind and ingested again:
    the old passages stay live and searchable, the catalog and Chroma exactly as they were."""
    text = evidence_dir / "carers-plan.txt"
    text.write_text(CARERS_TEXT, encoding="utf-8")
    pdf = evidence_dir / "annual-report.pdf"
    pdf.write_bytes(pdf_with_text("Annual Report\n\nThe kestrelby day service reopened after a review with families."))
    html = evidence_dir / "outreach.html"
    html.write_text("<h1>Outreach</h1><p>The brackenmoor outreach team visits people at home.</p>", encoding="utf-8")
    services = make_services(max_file_mb=1)
    report = services.ingestor.ingest([evidence_dir])
    assert report.count("added") == 3, report.results
    before = store_state(services)
    words = {text: "heronsgate", pdf: "kestrelby", html: "brackenmoor"}
    live = {path: services.store.search(word, mode="bm25")[0].passage.id for path, word in words.items()}

    broken_versions = [
        (text, b"", "file is empty"),
        (text, b"\x00\x01\x02\xff" * 500, "not text (binary)"),
        (text, None, "over the 1 MB limit"),  # a sparse 3 MB file
        (pdf, pdf_with_text("A new secret version", user_password="pw"), "password-protected"),
        (pdf, pdf_without_text(), "no text layer (scanned?)"),
        (pdf, pdf.read_bytes()[:300], "damaged or truncated"),
        (html, b"<html><body><script>only('a script')</script></body></html>", "no text found"),
        (html, fake_docx(), "not text (binary)"),
    ]
    for path, data, words_in_reason in broken_versions:
        if data is None:
            path.unlink()
            make_sparse(path, 3)
        else:
            path.write_bytes(data)
        result = services.ingestor.ingest([path]).results[0]
        assert result.status == "failed", (path.name, result)
        assert words_in_reason in reason_body(result), result.reason
        assert store_state(services) == before, f"{path.name} changed the store: {result.reason}"
        for stored, word in words.items():
            hits = services.store.search(word, mode="bm25")
            assert hits and hits[0].passage.id == live[stored], (word, path.name)
    # And a good new version still replaces the old one afterwards.
    text.write_text(CARERS_TEXT.replace("heronsgate", "heronsgate and ashcombe"), encoding="utf-8")
    assert services.ingestor.ingest([text]).results[0].status == "replaced"
    assert services.store.search("ashcombe", mode="bm25")[0].passage.doc_id == "carers-plan"


def test_deeper_html_and_markup_without_paragraphs():
    """Text outside <p> (loose in nested divs, in unclosed tags, in list items 5,000 deep) is read,
    and quickly: the walk is linear however deep the page nests."""
    import time

    from prep_bot.evidence.loaders import load_file

    pages = {
        "unclosed.html": "<div>" * NESTED_DEPTH + "The ferncliff warden checks in daily.",
        "lists.html": "<ul><li>" * NESTED_DEPTH + "The ferncliff list item." + "</li></ul>" * NESTED_DEPTH,
        "cells.html": "<table><tr><td>" * 2000 + "The ferncliff cell." + "</td></tr></table>" * 2000,
    }
    for name, page in pages.items():
        started = time.monotonic()
        loaded = load_file(Path(name), page.encode())
        assert time.monotonic() - started < 10, name
        assert [b.text for b in loaded.blocks if "ferncliff" in b.text], (name, loaded.blocks[:3])
    assert load_file(Path("deep.html"), nested_html(50_000)).blocks[0].text.startswith(f"The {NESTED_WORD}")


def test_utf16_without_bom_is_text_and_real_binary_is_not():
    from prep_bot.errors import EvidenceFileError
    from prep_bot.evidence.loaders import load_file

    loaded = load_file(Path("notes.txt"), "Notes\n\nThe café – £5 lunch is back.\n".encode("utf-16-le"))
    assert any("café – £5" in b.text for b in loaded.blocks)
    for data in (os.urandom(4000), b"MZ\x90\x00" + bytes(range(256)) * 8):
        with pytest.raises(EvidenceFileError, match=r"^x\.txt: not text \(binary\)"):
            load_file(Path("x.txt"), data)


# -- the command line over the corpus --------------------------------------------------------------
@pytest.fixture(scope="module")
def cli_corpus(tmp_path_factory, invoke):
    """`prep-bot ingest` over the corpus folder (plus the dotted file a folder walk skips), in this
    process with the loaded model (tests/test_ingest.py runs the real process for its exit codes)."""
    root = tmp_path_factory.mktemp("bad-input-cli")
    folder = root / "corpus"
    expected = build_corpus(folder)
    store = root / "store"
    result = invoke("ingest", str(folder), str(folder / ODD_NAME), "--quiet", data_dir=store, env=cli_env(root / "unused-default"))
    return result, expected, store


def test_cli_prints_one_line_per_failure_and_exits_0(cli_corpus):
    result, expected, _ = cli_corpus
    assert result.returncode == 0, result.stderr
    failed = {n: e for n, e in expected.items() if e.status == "failed"}
    lines = result.stderr.splitlines()
    assert len(lines) == len(failed), result.stderr  # nothing else: no warnings, no traceback
    by_name = {}
    for line in lines:
        assert line.startswith("skipped: "), line
        name = next(n for n in failed if line.startswith(f"skipped: {n}: "))
        by_name[name] = line
    assert set(by_name) == set(failed)
    for name, line in by_name.items():
        for words in failed[name].words:
            assert words in line, line
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("6 added, 0 replaced, 1 unchanged, 8 failed;"), result.stdout


def test_cli_store_holds_only_the_good_files(cli_corpus, make_services):
    _, expected, store = cli_corpus
    services = make_services(data_dir=store)
    assert {d.source for d in services.store.documents()} == {n for n, e in expected.items() if e.status == "added"}
    assert services.store.search("tansybrook", mode="bm25")[0].passage.source == CP1252


def test_cli_with_only_bad_files_exits_non_zero(tmp_path, invoke):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / EMPTY).write_bytes(b"")
    (folder / SCANNED_PDF).write_bytes(pdf_without_text())
    (folder / BINARY).write_bytes(b"\x00\xff" * 100)
    result = invoke("ingest", str(folder), "--quiet", data_dir=tmp_path / "store", env=cli_env(tmp_path / "unused"))
    assert result.returncode == 1
    assert sorted(result.stderr.splitlines()) == sorted([
        f"skipped: {EMPTY}: file is empty",
        f"skipped: {BINARY}: not text (binary): is it an image, archive or program renamed .txt?",
        f"skipped: {SCANNED_PDF}: PDF has no text layer (scanned?); OCR it first",
    ])
    assert result.stdout.strip().startswith("0 added, 0 replaced, 0 unchanged, 3 failed")
