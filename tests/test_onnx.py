"""The ONNX copy of the bundled model gives torch's vectors: on the sample library's passages,
on the labelled questions and against the vectors stored by ingest; the tokenizer counts what
the model's own does; a missing or damaged copy falls back to torch; an export is checked
against torch before it is put in place."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from prep_bot.evals.evaluation import default_retrieval_set, load_retrieval_set
from prep_bot.evidence.classifier import StatementClassifier, load_training
from prep_bot.evidence.figure_model import FigureModel, training_texts
from prep_bot.evidence.figures import extract_figures
from prep_bot.framework.statements import load_framework
from prep_bot.infra.config import REPO_ROOT
from prep_bot.infra.embeddings import Embedder
from prep_bot.infra.onnx_encoder import PROBES, OnnxEncoder

MIN_COSINE = 0.99999


@pytest.fixture(scope="module")
def torch_embedder(embedder) -> Embedder:
    """The torch engine on its own (never the ONNX copy)."""
    return Embedder(batch_size=embedder.batch_size, backend="torch")


def _top(vectors: np.ndarray, against: np.ndarray, k: int = 5) -> list[list[int]]:
    return np.argsort(-(vectors @ against.T), axis=1, kind="stable")[:, :k].tolist()


def test_onnx_gives_torchs_vectors_on_real_passages(embedder, torch_embedder, sample_services):
    assert embedder.backend == "onnx"  # the session made the copy (conftest) and uses it
    rows = [row[:2] for row in sample_services.store.catalog.iter_index_rows()]
    assert len(rows) > 200
    rows = rows[::3]  # every third passage of the sample library: torch encodes slowly on 2 cores
    ids, texts = [r[0] for r in rows], [r[1] for r in rows]
    onnx, torch_ = embedder.encode(texts), torch_embedder.encode(texts)
    assert torch_embedder.backend == "torch"
    cosine = (onnx * torch_).sum(axis=1)
    assert cosine.min() >= MIN_COSINE, cosine.min()
    np.testing.assert_allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)
    # The same nearest neighbours among the passages, and for every labelled question.
    assert _top(onnx, onnx) == _top(torch_, torch_)
    questions = [q.question for q in load_retrieval_set(default_retrieval_set())]
    q_onnx, q_torch = embedder.encode(questions), torch_embedder.encode(questions)
    assert (q_onnx * q_torch).sum(axis=1).min() >= MIN_COSINE
    assert _top(q_onnx, onnx) == _top(q_torch, torch_)
    # The vectors ingest stored are the ones either engine gives for those texts today.
    stored = sample_services.store.embeddings(ids)
    kept = np.stack([stored[i] for i in ids])
    assert (kept * onnx).sum(axis=1).min() >= MIN_COSINE
    assert (kept * torch_).sum(axis=1).min() >= MIN_COSINE


def test_edge_texts_and_the_int8_copy(embedder, torch_embedder):
    """Empty text, text past the 256-token window (truncated alike), accents and symbols; the
    int8 copy (for decisions only) stays close."""
    onnx, torch_ = embedder.encode(PROBES), torch_embedder.encode(PROBES)
    assert (onnx * torch_).sum(axis=1).min() >= MIN_COSINE
    fast = embedder.encode_fast(PROBES)
    assert 0.95 <= (fast * torch_).sum(axis=1).min() < MIN_COSINE  # close, and really another model
    assert embedder.encode([]).shape == (0, 384) and embedder.encode_fast([]).shape == (0, 384)


def test_token_counts_match_the_models_tokenizer(embedder, torch_embedder, sample_services):
    texts = [p.text for p in sample_services.store.passages()][:80] + PROBES + ["naïve café – “quoted” 12,345.6%"]
    hf = torch_embedder.model.tokenizer
    want = [len(ids) for ids in hf(texts, add_special_tokens=False, truncation=False)["input_ids"]]
    assert embedder.count_tokens(texts) == want
    assert max(want) > 256  # untruncated, as chunking needs


def test_missing_or_damaged_copy_falls_back_to_torch(embedder, tmp_path, caplog):
    missing = Embedder(onnx_dir=tmp_path / "nothing-here")
    texts = ["How are carers supported?", "Waiting times for assessments fell to 21 days."]
    vectors = missing.encode(texts)
    assert missing.backend == "torch"
    assert (vectors * embedder.encode(texts)).sum(axis=1).min() >= MIN_COSINE
    assert np.array_equal(missing.encode_fast(texts), vectors)  # no int8 copy: the exact vectors

    damaged = Embedder(onnx_dir=tmp_path / "damaged")
    full, int8 = damaged.onnx_files
    full.parent.mkdir(parents=True)
    full.write_bytes(b"not a model" * 100)
    int8.write_bytes(b"not a model" * 100)
    with caplog.at_level(logging.WARNING):
        got = damaged.encode(texts)
    assert damaged.backend == "torch" and "cannot be used" in caplog.text
    assert (got * vectors).sum(axis=1).min() >= MIN_COSINE

    off = Embedder(onnx_dir=embedder.onnx_files[0].parent, backend="torch")
    assert off.onnx_files[0].is_file() and off.backend == "torch"  # turned off: torch even with a copy


def test_export_is_checked_and_written_once(tmp_path):
    fresh = Embedder(onnx_dir=tmp_path / "onnx")
    assert fresh.load() == "torch"  # no copy yet
    path = fresh.export_onnx(strict=True)
    full, int8 = fresh.onnx_files
    assert path == full and full.is_file() and int8.is_file()
    assert not list(full.parent.glob(".*.tmp"))  # written under a temporary name, then renamed
    stamp = (full.stat().st_mtime_ns, int8.stat().st_mtime_ns)
    assert fresh.export_onnx() == full and (full.stat().st_mtime_ns, int8.stat().st_mtime_ns) == stamp
    assert Embedder(onnx_dir=tmp_path / "onnx").backend == "onnx"  # the next process uses it
    assert OnnxEncoder(fresh.model_path, full).dimension == 384


def test_export_that_cannot_be_written_is_a_clear_error(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    embedder = Embedder(onnx_dir=blocked / "onnx")
    assert embedder.export_onnx() is None  # logged; torch goes on
    with pytest.raises(Exception, match="could not write the embedding model as ONNX"):
        embedder.export_onnx(strict=True)
    assert embedder.encode(["still works"]).shape == (1, 384)


def test_shipped_training_vectors_serve_the_onnx_engine(embedder, torch_embedder, sample_services, tmp_path):
    """The tagger's and the figure models' training vectors are shipped (made with torch) and
    keyed by the model, not the engine: the ONNX engine reads them as they are, gives the same
    vectors for their texts, and the tags and figure labels come out the same with either engine."""
    # The figure models' set: read from eval/figures-vectors.npz, not embedded again.
    figures = FigureModel(embedder)
    texts = training_texts(figures.labelled)
    with np.load(figures.vectors_file) as data:
        shipped = np.asarray(data["vectors"], dtype=np.float32)
    read = figures.training_vectors(texts)
    np.testing.assert_array_equal(np.stack([read[t] for t in texts]), shipped)
    assert (embedder.encode(texts) * shipped).sum(axis=1).min() >= MIN_COSINE

    # The tagger's set: read from knowledge/tagging/training-vectors.npz, the same statements.
    classifier = StatementClassifier(
        load_framework(REPO_ROOT / "knowledge" / "framework.yaml"), embedder,
        REPO_ROOT / "knowledge" / "tagging" / "training.yaml", cache_dir=tmp_path / "tagger",
    )
    vectors, _ = classifier.base_data()
    with np.load(classifier.shipped_file) as data:
        np.testing.assert_array_equal(vectors, np.asarray(data["vectors"], dtype=np.float32))
    # The set is the labelled texts and the framework's own descriptions, in that order.
    items = load_training(classifier.training_file) + classifier._framework_texts()
    again = embedder.encode([t for _, t in items])
    assert (again * vectors).sum(axis=1).min() >= MIN_COSINE
    shipped_p, onnx_p = classifier.predict_proba(vectors), classifier.predict_proba(again)
    assert (shipped_p.argmax(axis=1) == onnx_p.argmax(axis=1)).all() and np.abs(shipped_p - onnx_p).max() < 1e-3

    # Figure labels on the sample library's passages: the same with ONNX and with torch.
    passages = [row[1] for row in sample_services.store.catalog.iter_index_rows()]
    labelled = {}
    for engine in (embedder, torch_embedder):
        model = FigureModel(engine)
        out = []
        for text in passages:
            points = extract_figures(text)
            if points:
                model.annotate(points, vectors=model.vectors_for(points))
                out += [(p.performance, p.subject) for p in points]
        labelled[engine.backend] = out
    assert len(labelled["onnx"]) > 50 and labelled["onnx"] == labelled["torch"]
