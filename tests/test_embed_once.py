"""Ingest embeds every stored text once: the passages it stores, each embedded exactly once,
are all that the full-precision engine sees (besides the figures' short measure phrases); units whose statement is judged by content and
that may be joined with their neighbours go through the int8 copy only. Judging only the units
``Tagger.plan`` names gives the passages and tags that judging every unit gives. A new store
embeds none of the tagger's shipped training texts."""

from __future__ import annotations

from collections import Counter

import numpy as np

from conftest import SAMPLE_LIBRARY, services_with
from prep_bot.evidence.chunking import chunk_blocks
from prep_bot.evidence.classifier import StatementClassifier
from prep_bot.evidence.ingest import find_files
from prep_bot.evidence.loaders import load_file
from prep_bot.framework.statements import load_framework
from prep_bot.infra.config import REPO_ROOT
from prep_bot.infra.embeddings import Embedder


class CountingEmbedder(Embedder):
    """The real engine, noting every text each kind of encode is given."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.exact: list[str] = []  # passages and units, through encode
        self.fast: list[str] = []
        self.short: list[str] = []  # query-time texts through encode_cached (figures' measure phrases)
        self._in_cached = False

    def encode(self, texts):
        (self.short if self._in_cached else self.exact).extend(texts)
        return super().encode(texts)

    def encode_cached(self, texts, persist=False):
        self._in_cached = True
        try:
            return super().encode_cached(texts, persist)
        finally:
            self._in_cached = False

    def encode_fast(self, texts):
        self.fast.extend(texts)
        return super().encode_fast(texts)


def test_ingest_embeds_each_stored_text_once(embedder, tmp_path):
    counting = CountingEmbedder(batch_size=embedder.batch_size)
    assert counting.backend == "onnx"  # the int8 copy is there too (made with the session's)
    services = services_with(counting, data_dir=tmp_path / "data")
    try:
        services.ingestor.refit()
        assert counting.exact == []  # the shipped training vectors serve a new store
        report = services.ingestor.ingest([SAMPLE_LIBRARY])
        assert not report.failed and report.chunks > 200
        rows = [row[:2] for row in services.store.catalog.iter_index_rows()]
        stored = Counter(text for _, text in rows)
        assert Counter(counting.exact) == stored  # each stored text once, and nothing else
        # Besides them, the figure reader embeds the figures' measure phrases, each once.
        assert not set(counting.short) & set(stored) and len(counting.short) == len(set(counting.short))
        # Units judged by content went through the int8 copy; any that ended up a passage on
        # its own was embedded again at full precision (it is among ``exact`` above).
        assert len(counting.fast) > 100
        # The stored vectors are the full-precision ones.
        vectors = services.store.embeddings([pid for pid, _ in rows])
        again = embedder.encode([text for _, text in rows])
        kept = np.stack([vectors[pid] for pid, _ in rows])
        assert (kept * again).sum(axis=1).min() >= 0.99999
    finally:
        services.close()


def test_planned_vectors_tag_as_every_unit_would(sample_services):
    """Tagging with vectors for the planned units only gives exactly the passages and tags of
    tagging with a vector for every unit (the same vectors): the units left out are decided by
    their headings."""
    ingestor, embedder = sample_services.ingestor, sample_services.embedder
    tagger, count, target = ingestor.tagger, embedder.count_tokens, ingestor.chunk_tokens
    files, _ = find_files([SAMPLE_LIBRARY])
    skipped = 0
    for path, _ in files:
        units = chunk_blocks(load_file(path, path.read_bytes()).blocks, ingestor.framework, count, target)
        every = embedder.encode([u.embed_text for u in units])
        plan = tagger.plan(units, count, target)
        needed = sorted({*plan.alone, *plan.judged})
        assert len(needed) == len(set(plan.alone) | set(plan.judged))  # no unit in both
        skipped += len(units) - len(needed)
        full = tagger.tag(units, every, count, target)
        planned = tagger.tag(units, {i: every[i] for i in needed}, count, target)
        assert [(t.draft.text, t.units, t.tags) for t in planned] == [(t.draft.text, t.units, t.tags) for t in full]
        # A passage of one unit the plan embeds alone keeps that unit's text: its vector is stored.
        for t in full:
            if len(t.units) == 1 and t.units[0] in plan.alone:
                assert t.draft.embed_text == units[t.units[0]].embed_text
    assert skipped > 50  # units under statement headings need no vector to be tagged


def test_a_new_store_embeds_none_of_the_shipped_training_texts(tmp_path, embedder, monkeypatch):
    """The shipped training vectors match the training set and this model wherever it is
    installed (after editing the set: python -m prep_bot.evidence.classifier)."""
    import prep_bot.evidence.classifier as classifier_module

    monkeypatch.setattr(classifier_module, "_VECTORS", {})  # nothing from earlier tests
    counting = CountingEmbedder(batch_size=embedder.batch_size)
    classifier = StatementClassifier(
        load_framework(REPO_ROOT / "knowledge" / "framework.yaml"), counting,
        REPO_ROOT / "knowledge" / "tagging" / "training.yaml", cache_dir=tmp_path / "tagger",
    )
    vectors, labels = classifier.base_data()
    assert counting.exact == [] and len(vectors) == len(labels) > 400


def test_an_unchanged_reingest_embeds_and_fits_nothing(sample_store, embedder, tmp_path):
    """Ingesting the library again into a store that holds it reads each file's fingerprint and
    stops there: no text is embedded and the tagger is not fitted (a fit only comes before a
    document is stored; it took most of an unchanged re-ingest's time when it came first)."""
    counting = CountingEmbedder(batch_size=embedder.batch_size)
    services = sample_store.services(tmp_path / "data", counting)
    try:
        report = services.ingestor.ingest([SAMPLE_LIBRARY])
        assert report.count("unchanged") == len(report.results) > 0
        assert counting.exact == counting.fast == []
        assert not services.ingestor.classifier.fitted
        # A new file has the tagger fitted first, and its passages stored.
        folder = tmp_path / "more"
        folder.mkdir()
        (folder / "note.txt").write_text("Carers told us their assessments now happen within four weeks.\n")
        added = services.ingestor.ingest([folder])
        assert added.count("added") == 1 and services.ingestor.classifier.fitted
    finally:
        services.close()
