"""prep-bot against a real Chroma server process (PREP_BOT_CHROMA_URL / Settings.chroma_url)."""

from __future__ import annotations

import pytest

from conftest import chroma_server, cli_env, copy_sample, free_port
from prep_bot.errors import StoreError

pytestmark = pytest.mark.server

SAMPLE = "stockton-2025-cqc-assessment-governance-management-sustainability.txt"


@pytest.fixture(name="chroma_server")
def chroma_server_fixture(tmp_path):
    """A real `chroma run` on 127.0.0.1; yields (port, process); always terminated."""
    with chroma_server(tmp_path / "chroma-server") as running:
        yield running


def test_ingest_and_search_through_a_chroma_server(chroma_server, make_services, evidence_dir, tmp_path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    port, _ = chroma_server
    copy_sample(SAMPLE, evidence_dir)
    services = make_services(data_dir=tmp_path / "data", chroma_url=f"http://127.0.0.1:{port}")

    report = services.ingestor.ingest([evidence_dir])
    assert not report.failed, report.failed
    assert report.count("added") == 1
    passages = services.store.catalog.passage_count()
    assert passages > 0 and report.chunks == passages

    hits = services.store.search("leaders understood risks to people across their care journeys", k=3)
    assert hits, "search through the Chroma server found nothing"
    assert hits[0].passage.source == SAMPLE
    assert any("corporate risk register" in h.passage.text for h in hits)
    # dense-only search needs the server's vectors: it cannot be answered by BM25 alone
    dense = services.store.search("corporate risk register", k=3, mode="dense")
    assert dense and all(h.passage.source == SAMPLE for h in dense)
    assert dense[0].similarity > 0.3

    # An independent client sees the vectors in the server itself.
    other = chromadb.HttpClient(host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False))
    names = [c if isinstance(c, str) else c.name for c in other.list_collections()]
    assert "evidence" in names
    collection = other.get_collection("evidence")
    assert collection.count() == passages
    stored = collection.get(include=["metadatas"])
    assert {m["doc_id"] for m in stored["metadatas"]} == {report.results[0].doc_id}

    # ...and nothing was written to an embedded store in the data dir.
    assert not (services.settings.data_dir / "chroma").exists()
    assert (services.settings.data_dir / "catalog.sqlite").exists()

    # Removing the document removes its vectors from the server too.
    services.store.remove_document(report.results[0].doc_id)
    assert collection.count() == 0


def test_closed_port_gives_a_store_error_on_ingest(make_services, evidence_dir, tmp_path, invoke):
    port = free_port()  # nothing listens here
    copy_sample(SAMPLE, evidence_dir)
    services = make_services(data_dir=tmp_path / "data", chroma_url=f"http://127.0.0.1:{port}")
    with pytest.raises(StoreError) as raised:
        services.ingestor.ingest([evidence_dir])
    message = str(raised.value)
    assert f"127.0.0.1:{port}" in message
    assert "cannot open the Chroma store" in message
    assert "\n" not in message and "Traceback" not in message
    assert services.store.is_empty()

    # The command line turns it into one line on stderr, not a traceback.
    env = cli_env(tmp_path / "cli-data")
    env["PREP_BOT_CHROMA_URL"] = f"http://127.0.0.1:{port}"
    result = invoke("ingest", "--quiet", str(evidence_dir), env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Error: cannot open the Chroma store at http://127.0.0.1:{port}")
    assert not (tmp_path / "cli-data" / "chroma").exists()


def test_closed_port_gives_a_store_error_on_search(chroma_server, make_services, evidence_dir, tmp_path):
    """A store whose catalog has passages but whose Chroma server is not there: search says so."""
    port, _ = chroma_server
    copy_sample(SAMPLE, evidence_dir)
    data_dir = tmp_path / "data"
    first = make_services(data_dir=data_dir, chroma_url=f"http://127.0.0.1:{port}")
    assert first.ingestor.ingest([evidence_dir]).count("added") == 1
    first.store.catalog.close()

    closed = free_port()
    services = make_services(data_dir=data_dir, chroma_url=f"http://127.0.0.1:{closed}")
    with pytest.raises(StoreError) as raised:
        services.store.search("corporate risk register", k=3)
    message = str(raised.value)
    assert f"127.0.0.1:{closed}" in message
    assert "\n" not in message and "Traceback" not in message


def test_server_going_away_mid_session_gives_a_store_error(chroma_server, make_services, evidence_dir, tmp_path):
    port, proc = chroma_server
    copy_sample(SAMPLE, evidence_dir)
    services = make_services(data_dir=tmp_path / "data", chroma_url=f"http://127.0.0.1:{port}")
    assert services.ingestor.ingest([evidence_dir]).count("added") == 1
    assert services.store.search("corporate risk register", k=3)

    proc.terminate()  # the server is restarted / crashes while the app keeps running
    proc.wait(timeout=15)
    with pytest.raises(StoreError):
        services.store.search("corporate risk register", k=3, mode="dense")
