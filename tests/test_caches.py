"""What is kept between queries (the BM25 index in memory and on disk, the readiness facts, the
challenge questions) follows every ingest and removal, also in a second process's services
opened on the same data dir (the app while the CLI ingests)."""

from __future__ import annotations

import pytest

from prep_bot.evidence.lexical import LexicalIndex

FIRST = """# Carers

Unpaid carers in the Wexcombe locality told us the quokkafest respite evenings gave them a
regular break. 212 carers took part in the year and carers' assessments rose to 640.
"""
SECOND = """# Safeguarding

Safeguarding concerns are screened within one working day. The marmalisk audit of 40
safeguarding enquiries found that making safeguarding personal was recorded in 31 of them.
"""
THIRD = """# Areas for improvement

Waiting times for a Care Act assessment are too long and need to improve. The zephyrine waiting
list held 530 people in March, the longest wait was 41 weeks, and there is a risk that people's
needs are not met while they wait.
"""


def _ids(hits) -> set[str]:
    return {h.passage.doc_id for h in hits}


@pytest.fixture
def pair(make_services, evidence_dir, tmp_path):
    """Two services on one data dir, both warmed with a search: a writer and a reader."""
    (evidence_dir / "first.md").write_text(FIRST, encoding="utf-8")
    (evidence_dir / "second.md").write_text(SECOND, encoding="utf-8")
    data = tmp_path / "shared"
    writer = make_services(data)
    assert not writer.ingestor.ingest([evidence_dir]).failed
    reader = make_services(data)
    for services in (writer, reader):
        assert _ids(services.store.search("quokkafest respite", k=3, mode="bm25")) == {"first"}
    return writer, reader, evidence_dir


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_search_follows_ingest_replacement_and_removal(pair, mode):
    writer, reader, folder = pair
    third = folder / "third.md"
    third.write_text(THIRD, encoding="utf-8")
    assert writer.ingestor.ingest([third]).count("added") == 1
    for services in (writer, reader):
        assert "third" in _ids(services.store.search("zephyrine waiting list", k=3, mode=mode))

    # Replaced: the old words are gone, the new ones are found, in both.
    (folder / "first.md").write_text(FIRST.replace("quokkafest", "bramblewick"), encoding="utf-8")
    assert writer.ingestor.ingest([folder / "first.md"]).count("replaced") == 1
    for services in (writer, reader):
        assert "first" in _ids(services.store.search("bramblewick respite evenings", k=3, mode=mode))
        if mode == "bm25":
            assert services.store.search("quokkafest", k=3, mode="bm25") == []
        stored = services.store.passages("first")
        assert all("quokkafest" not in p.text for p in stored)

    # Removed: never returned again, by either.
    writer.store.remove_document("third")
    for services in (writer, reader):
        hits = services.store.search("zephyrine waiting list", k=5, mode=mode)
        assert "third" not in _ids(hits)
        assert services.store.lexical.generation == services.store.catalog.generation


def test_bm25_is_loaded_from_disk_not_rebuilt(pair, make_services, monkeypatch):
    writer, _, folder = pair
    built: list[int] = []
    real_build = LexicalIndex._build

    def counting_build(self, catalog, generation):
        built.append(generation)
        return real_build(self, catalog, generation)

    monkeypatch.setattr(LexicalIndex, "_build", counting_build)
    fresh = make_services(writer.settings.data_dir)
    assert _ids(fresh.store.search("marmalisk audit", k=3, mode="bm25")) == {"second"}
    assert built == []  # the index the writer saved was reused

    (folder / "third.md").write_text(THIRD, encoding="utf-8")
    writer.ingestor.ingest([folder / "third.md"])  # the writer rebuilds and saves once
    assert len(built) == 1
    assert "third" in _ids(fresh.store.search("zephyrine", k=3, mode="bm25"))
    assert len(built) == 1  # the reader picked up the saved index for the new generation

    writer.store.remove_document("second")
    assert fresh.store.search("marmalisk", k=3, mode="bm25") == []
    assert len(built) == 2  # removal: rebuilt once, by whichever process asked first


def test_readiness_and_challenge_questions_follow_the_store(pair):
    writer, reader, folder = pair
    before = {r.qs: r for r in reader.insights.readiness()}
    (folder / "third.md").write_text(THIRD, encoding="utf-8")
    writer.ingestor.ingest([folder / "third.md"])
    after = {r.qs: r for r in reader.insights.readiness()}
    assert after["assessing-needs"].evidence_passages > before["assessing-needs"].evidence_passages
    from prep_bot.practice.questions import challenge_questions

    assert any(q.passage_id.startswith("third:") for q in challenge_questions(reader.store.passages()))
    writer.store.remove_document("third")
    again = {r.qs: r for r in reader.insights.readiness()}
    assert again["assessing-needs"].evidence_passages == before["assessing-needs"].evidence_passages
    assert not any(q.passage_id.startswith("third:") for q in challenge_questions(reader.store.passages()))
