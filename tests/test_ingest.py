"""Ingest behaviour a user relies on: re-ingest is idempotent, edits replace, duplicates are
spotted, removal is complete, one broken file never spoils a batch, the CLI reports honestly,
and an interrupted ingest never shows through search. Real store, real model, no mocks."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from prep_bot.errors import UnknownDocumentError

PREP_BOT = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "prep-bot"


SAFEGUARDING_REPORT = """Safeguarding Peer Challenge Feedback

Quality Statement Seven: Safeguarding

Strengths

The multi-agency safeguarding hub triages every concern within twenty-four hours and partners praised its leadership.

Areas for consideration

Section 42 enquiries are not always closed within expected timescales and the backlog of enquiries awaiting allocation needs to be reduced.

The kestrelwood escalation protocol is out of date and staff were unclear which version applies to self-neglect cases.
"""

GOVERNANCE_REPORT = """Governance Self-Assessment

Quality Statement Eight: Governance, Management, and Sustainability

The Lead Member chairs a monthly performance board that scrutinises the marigoldshire budget dashboard and workforce data.

Areas for development

The medium term financial plan does not yet show how the care market will be sustained beyond next year.
"""


@pytest.fixture
def library(evidence_dir) -> Path:
    """A small folder of two reports."""
    (evidence_dir / "safeguarding-peer-challenge.txt").write_text(SAFEGUARDING_REPORT, encoding="utf-8")
    (evidence_dir / "governance-self-assessment.txt").write_text(GOVERNANCE_REPORT, encoding="utf-8")
    return evidence_dir


def ingest_ok(services, *paths: Path):
    report = services.ingestor.ingest(list(paths))
    assert not report.failed, [r.reason for r in report.failed]
    return report


def ids_of(services, doc_id: str | None = None) -> list[str]:
    return [p.id for p in services.store.passages(doc_id)]


def chroma_ids(services, doc_id: str) -> set[str]:
    return set(services.store.collection.get(where={"doc_id": doc_id}, include=[])["ids"])


def all_chroma_ids(services) -> set[str]:
    return set(services.store.collection.get(include=[])["ids"])


def statuses(report) -> dict[str, str]:
    return {r.path.name: r.status for r in report.results}


# -- idempotence ---------------------------------------------------------------------------
def test_reingest_of_same_folder_is_unchanged(make_services, library, tmp_path):
    data_dir = tmp_path / "store"
    first = make_services(data_dir=data_dir)
    report = ingest_ok(first, library)
    assert statuses(report) == {"safeguarding-peer-challenge.txt": "added", "governance-self-assessment.txt": "added"}
    ids_before = ids_of(first)
    docs_before = [d.to_dict() for d in first.store.documents()]
    generation = first.store.catalog.generation
    vectors_before = all_chroma_ids(first)
    assert vectors_before == set(ids_before)

    # Again, from a fresh set of services on the same data dir (as a second CLI run would).
    second = make_services(data_dir=data_dir)
    again = ingest_ok(second, library)
    assert [r.status for r in again.results] == ["unchanged", "unchanged"]
    assert again.chunks == 0
    assert again.summary().startswith("0 added, 0 replaced, 2 unchanged, 0 failed")
    assert ids_of(second) == ids_before
    assert [d.to_dict() for d in second.store.documents()] == docs_before  # ingested_at not bumped
    assert second.store.catalog.generation == generation
    assert all_chroma_ids(second) == vectors_before
    hit = second.store.search("safeguarding hub triage", k=1)[0]
    assert hit.passage.doc_id == "safeguarding-peer-challenge"


# -- a changed file ------------------------------------------------------------------------
def test_changed_file_replaces_its_old_version(make_services, library):
    services = make_services()
    ingest_ok(services, library)
    doc_id = "safeguarding-peer-challenge"
    old_ids = set(ids_of(services, doc_id))
    other_ids = ids_of(services, "governance-self-assessment")
    generation = services.store.catalog.generation
    assert services.store.search("kestrelwood", mode="bm25")  # the old paragraph is findable

    path = library / "safeguarding-peer-challenge.txt"
    edited = SAFEGUARDING_REPORT.replace(
        "The kestrelwood escalation protocol is out of date and staff were unclear which version applies to self-neglect cases.\n",
        "Transitions from the learning disability team to the pelicanford hoarding panel were delayed for several people.\n",
    )
    assert edited != SAFEGUARDING_REPORT
    path.write_text(edited, encoding="utf-8")

    report = ingest_ok(services, library)
    assert statuses(report) == {"safeguarding-peer-challenge.txt": "replaced", "governance-self-assessment.txt": "unchanged"}
    assert services.store.catalog.generation > generation

    passages = services.store.passages(doc_id)
    new_ids = {p.id for p in passages}
    assert new_ids.isdisjoint(old_ids)  # a new version, not a patch of the old
    texts = " ".join(p.text for p in passages)
    assert "pelicanford hoarding panel" in texts
    assert "kestrelwood" not in texts
    assert "multi-agency safeguarding hub" in texts  # unchanged paragraphs are still there

    # Chroma holds exactly the live version: as many vectors as the catalog says, none old.
    info = services.store.catalog.document(doc_id)
    vectors = chroma_ids(services, doc_id)
    assert len(vectors) == info.chunks == len(passages)
    assert vectors == new_ids
    stored_texts = services.store.collection.get(where={"doc_id": doc_id}, include=["documents"])["documents"]
    assert not any("kestrelwood" in t for t in stored_texts)
    assert ids_of(services, "governance-self-assessment") == other_ids

    # Search: the new text is found, the removed text is not, in every mode.
    hit = services.store.search("pelicanford hoarding panel transitions", k=1)[0]
    assert "pelicanford" in hit.passage.text and hit.passage.id in new_ids
    assert services.store.search("kestrelwood", mode="bm25") == []
    for mode in ("hybrid", "dense"):
        assert not any("kestrelwood" in h.passage.text for h in services.store.search("kestrelwood escalation protocol", k=10, mode=mode))


# -- duplicates ----------------------------------------------------------------------------
def test_same_content_under_another_name_is_a_duplicate(make_services, library):
    services = make_services()
    ingest_ok(services, library)
    passages_before = ids_of(services)
    vectors_before = all_chroma_ids(services)

    copy = library / "copy-of-safeguarding-feedback.txt"
    shutil.copy(library / "safeguarding-peer-challenge.txt", copy)
    report = ingest_ok(services, copy)
    [result] = report.results
    assert result.status == "duplicate"
    assert result.doc_id == "safeguarding-peer-challenge"
    assert "safeguarding-peer-challenge" in result.reason
    assert [d.doc_id for d in services.store.documents()] == ["governance-self-assessment", "safeguarding-peer-challenge"]
    assert ids_of(services) == passages_before
    assert all_chroma_ids(services) == vectors_before
    hits = services.store.search("multi-agency safeguarding hub triages", k=5)
    assert sum("multi-agency safeguarding hub" in h.passage.text for h in hits) == 1
    assert all(h.passage.source != copy.name for h in hits)


# -- removal -------------------------------------------------------------------------------
def test_remove_document_everywhere(make_services, library):
    services = make_services()
    ingest_ok(services, library)
    doc_id = "safeguarding-peer-challenge"
    chunks = services.store.catalog.document(doc_id).chunks
    assert services.store.search("kestrelwood", mode="bm25")

    info = services.store.remove_document(doc_id)
    assert info.doc_id == doc_id and info.chunks == chunks
    assert [d.doc_id for d in services.store.documents()] == ["governance-self-assessment"]
    assert all(p.doc_id != doc_id for p in services.store.passages())
    with pytest.raises(UnknownDocumentError):
        services.store.passages(doc_id)
    assert chroma_ids(services, doc_id) == set()
    # BM25 too: its distinctive word finds nothing now.
    assert services.store.search("kestrelwood", mode="bm25") == []
    for mode in ("hybrid", "dense"):
        hits = services.store.search("safeguarding hub section 42 enquiries backlog", k=10, mode=mode)
        assert hits and all(h.passage.doc_id != doc_id for h in hits)
    # The other document is untouched and still found.
    assert services.store.search("marigoldshire", mode="bm25")[0].passage.doc_id == "governance-self-assessment"

    with pytest.raises(UnknownDocumentError, match="no-such-report"):
        services.store.remove_document("no-such-report")
    with pytest.raises(UnknownDocumentError):
        services.store.remove_document(doc_id)  # already gone


# -- broken files in a batch ---------------------------------------------------------------
def test_broken_files_are_skipped_with_a_reason(make_services, library, tmp_path):
    services = make_services()
    ingest_ok(services, library / "safeguarding-peer-challenge.txt")
    kept_ids = ids_of(services, "safeguarding-peer-challenge")
    kept_vectors = chroma_ids(services, "safeguarding-peer-challenge")

    batch = tmp_path / "batch"
    batch.mkdir()
    rng = np.random.default_rng(7)
    (batch / "corrupt-minutes.pdf").write_bytes(rng.bytes(4096))
    # Same document id as the stored report: a broken new version must not replace the old one.
    (batch / "safeguarding-peer-challenge.pdf").write_bytes(b"%PDF-1.7\n" + rng.bytes(2048))
    (batch / "letter.docx").write_text("This is really a plain text file with the wrong extension.\n")
    (batch / "empty-notes.txt").write_bytes(b"")
    (batch / "installer.exe").write_bytes(b"MZ\x90\x00" + rng.bytes(512))
    shutil.copy(library / "governance-self-assessment.txt", batch / "governance-self-assessment.txt")
    (batch / "carers.md").write_text("# Carers\n\nThe carers hub offers a heronsgate breaks service in every locality.\n")

    report = services.ingestor.ingest([batch])
    assert statuses(report) == {
        "carers.md": "added",
        "corrupt-minutes.pdf": "failed",
        "empty-notes.txt": "failed",
        "governance-self-assessment.txt": "added",
        "installer.exe": "failed",
        "letter.docx": "failed",
        "safeguarding-peer-challenge.pdf": "failed",
    }
    reasons = {}
    for r in report.failed:
        # One line, naming the file first; the words checked below are in the reason itself.
        assert "\n" not in r.reason and r.reason.startswith(f"{r.path.name}: "), r.reason
        reasons[r.path.name] = r.reason[len(r.path.name) + 2 :]
    assert "PDF" in reasons["corrupt-minutes.pdf"]
    assert "PDF" in reasons["safeguarding-peer-challenge.pdf"]
    assert "Word" in reasons["letter.docx"]
    assert "empty" in reasons["empty-notes.txt"]
    assert "unsupported" in reasons["installer.exe"] and ".exe" in reasons["installer.exe"]
    assert "unexpected" not in " ".join(reasons.values())

    # The good files are in and searchable.
    assert services.store.search("heronsgate", mode="bm25")[0].passage.source == "carers.md"
    assert services.store.search("marigoldshire", mode="bm25")[0].passage.source == "governance-self-assessment.txt"
    # What was stored before is exactly as it was.
    assert ids_of(services, "safeguarding-peer-challenge") == kept_ids
    assert chroma_ids(services, "safeguarding-peer-challenge") == kept_vectors
    assert services.store.catalog.document("safeguarding-peer-challenge").source == "safeguarding-peer-challenge.txt"
    assert {d.doc_id for d in services.store.documents()} == {"safeguarding-peer-challenge", "governance-self-assessment", "carers"}
    assert report.summary().startswith("2 added, 0 replaced, 0 unchanged, 5 failed")


def test_edited_file_that_became_empty_keeps_the_stored_version(make_services, library):
    services = make_services()
    ingest_ok(services, library)
    kept = ids_of(services, "safeguarding-peer-challenge")
    (library / "safeguarding-peer-challenge.txt").write_text("   \n\n", encoding="utf-8")
    report = services.ingestor.ingest([library])
    assert statuses(report)["safeguarding-peer-challenge.txt"] == "failed"
    assert report.failed[0].reason == "safeguarding-peer-challenge.txt: file is empty"
    assert ids_of(services, "safeguarding-peer-challenge") == kept
    assert services.store.search("kestrelwood", mode="bm25")


# -- size limit ----------------------------------------------------------------------------
def _big_and_small(folder: Path) -> tuple[Path, Path]:
    big = folder / "annual-report.txt"
    big.write_text("Annual report\n\n" + "The council reviewed its carers strategy with partners. " * 60, encoding="utf-8")
    small = folder / "short-note.txt"
    small.write_text("Short note\n\nThe wrenfield day centre reopened in March.\n", encoding="utf-8")
    assert big.stat().st_size > 1100 and small.stat().st_size < 1000
    return big, small


def test_file_over_the_size_limit_is_refused(make_services, evidence_dir):
    big, small = _big_and_small(evidence_dir)
    services = make_services(max_file_mb=0.001)  # about 1 KB
    report = services.ingestor.ingest([evidence_dir])
    assert statuses(report) == {"annual-report.txt": "failed", "short-note.txt": "added"}
    reason = report.failed[0].reason
    assert reason.startswith("annual-report.txt")
    assert "limit" in reason and "MB" in reason
    assert "PREP_BOT_MAX_FILE_MB" in reason
    assert [d.doc_id for d in services.store.documents()] == ["short-note"]
    assert services.store.search("carers strategy", mode="bm25") == []


def test_size_limit_message_names_the_actual_limit(make_services, evidence_dir):
    _big_and_small(evidence_dir)
    services = make_services(max_file_mb=0.001)
    report = services.ingestor.ingest([evidence_dir])
    reason = report.failed[0].reason
    assert "0.001 MB" in reason
    assert "0 MB limit" not in reason


# -- the command line ----------------------------------------------------------------------
def _cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PREP_BOT_DATA_DIR"] = str(data_dir / "unused-default")
    return subprocess.run(
        [str(PREP_BOT), "ingest", *args, "--data-dir", str(data_dir), "--quiet"],
        capture_output=True, text=True, env=env, timeout=180,
    )


def test_cli_exit_codes(make_services, library, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "scan.pdf").write_bytes(b"not a pdf at all, just some bytes")

    # Nothing ingestable: non-zero exit, the reason on stderr, nothing stored.
    empty_store = tmp_path / "store-empty"
    failed = _cli(str(broken / "scan.pdf"), data_dir=empty_store)
    assert failed.returncode != 0
    assert "skipped: scan.pdf: not a readable PDF" in failed.stderr
    assert "0 added, 0 replaced, 0 unchanged, 1 failed" in failed.stdout

    # Good files plus the broken one: exit 0, a summary line, the skip on stderr.
    store = tmp_path / "store"
    ok = _cli(str(library), str(broken / "scan.pdf"), data_dir=store)
    assert ok.returncode == 0, ok.stderr
    lines = [line for line in ok.stdout.splitlines() if line.strip()]
    assert lines[-1].startswith("2 added, 0 replaced, 0 unchanged, 1 failed;")
    assert "passages stored" in lines[-1]
    assert "skipped: scan.pdf: not a readable PDF" in ok.stderr
    assert "Traceback" not in ok.stderr

    # The store the CLI wrote is usable in-process.
    services = make_services(data_dir=store)
    assert {d.doc_id for d in services.store.documents()} == {"safeguarding-peer-challenge", "governance-self-assessment"}
    assert services.store.search("kestrelwood", mode="bm25")[0].passage.doc_id == "safeguarding-peer-challenge"

    # A missing path is a failure too.
    missing = _cli(str(tmp_path / "no-such-folder"), data_dir=empty_store)
    assert missing.returncode != 0
    assert "skipped:" in missing.stderr and "no such file or folder" in missing.stderr


# -- interrupted ingest --------------------------------------------------------------------
def _crash_mid_ingest(services, doc_id: str, query: str, n: int = 3) -> list[str]:
    """What a crash between writing vectors and committing the catalog leaves: vectors of a new
    version of ``doc_id`` in Chroma that no catalog entry owns. They are made to match ``query``
    as closely as possible, so they would top any search that let them through."""
    version = "f" * 12
    ids = [f"{doc_id}:{version}:{i:05d}" for i in range(n)]
    vector = services.embedder.encode([query])[0]
    services.store.collection.upsert(
        ids=ids,
        embeddings=np.stack([vector] * n),
        documents=[f"half-written new version passage {i}: {query}" for i in range(n)],
        metadatas=[
            {"doc_id": doc_id, "sha256": version * 5, "position": i, "title": "new version", "source": "x.txt",
             "section": "", "theme": "ensuring-safety", "polarity": "improvement", "doc_type": "peer-challenge",
             "quality_statements": ["safeguarding"], "qs_primary": "safeguarding"}
            for i in range(n)
        ],
    )
    return ids


def test_interrupted_ingest_never_shows_and_is_reconciled(make_services, library):
    services = make_services()
    ingest_ok(services, library)
    doc_id = "safeguarding-peer-challenge"
    live = ids_of(services)
    query = "safeguarding enquiries backlog awaiting allocation"
    orphans = _crash_mid_ingest(services, doc_id, query)
    assert set(orphans) <= chroma_ids(services, doc_id)  # the crash really left them there

    for mode in ("hybrid", "dense", "bm25"):
        for kwargs in ({}, {"qs": "safeguarding"}, {"polarity": "improvement"}):
            hits = services.store.search(query, k=5, mode=mode, **kwargs)
            assert not {h.passage.id for h in hits} & set(orphans), (mode, kwargs)
            assert all(h.passage.id in live for h in hits)
            assert not any("half-written" in h.passage.text for h in hits)
    assert ids_of(services) == live
    assert services.store.catalog.document(doc_id).chunks == len(ids_of(services, doc_id))

    assert services.store.reconcile() == len(orphans)
    assert chroma_ids(services, doc_id) == set(ids_of(services, doc_id))
    assert services.store.reconcile() == 0  # nothing left to clean

    # A re-ingest after the crash works normally (and itself reconciles first).
    _crash_mid_ingest(services, doc_id, query)
    path = library / "safeguarding-peer-challenge.txt"
    path.write_text(SAFEGUARDING_REPORT + "\nA new owlbridge practice forum meets monthly to share learning.\n", encoding="utf-8")
    report = ingest_ok(services, library)
    assert statuses(report)["safeguarding-peer-challenge.txt"] == "replaced"
    assert chroma_ids(services, doc_id) == set(ids_of(services, doc_id))
    assert len(chroma_ids(services, doc_id)) == services.store.catalog.document(doc_id).chunks
    assert services.store.search("owlbridge practice forum", k=1)[0].passage.doc_id == doc_id


def test_orphans_of_an_interrupted_ingest_do_not_hide_real_results(make_services, library):
    services = make_services()
    ingest_ok(services, library)
    query = "safeguarding enquiries backlog awaiting allocation"
    before = [h.passage.id for h in services.store.search(query, k=2, mode="dense")]
    assert len(before) == 2
    _crash_mid_ingest(services, "safeguarding-peer-challenge", query, n=4)
    after = [h.passage.id for h in services.store.search(query, k=2, mode="dense")]
    assert after == before
