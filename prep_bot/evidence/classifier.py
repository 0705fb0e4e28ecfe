"""Which quality statement a piece of text is about, learnt from labelled text.

A multinomial logistic regression over sentence embeddings, trained on:
- the passages shipped in ``knowledge/tagging/training.yaml`` (short texts in many registers);
- the framework's own descriptions of each statement (title, commitment, expectations, topics);
- passages already in the store whose heading names their statement, or that a lead corrected
  (the council's own wording, which refits the model when it changes).

Its probabilities are blended with the framework-description similarity the tagger has always
used, so a statement whose training text is thin still has its description to go on.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import yaml

from prep_bot.infra.embeddings import Embedder
from prep_bot.errors import ConfigError
from prep_bot.framework.statements import QS_SLUGS, Framework

log = logging.getLogger(__name__)
REGULARISATION = 4.0  # scikit-learn's C: higher trusts the training text more
STORE_CAP = 150  # headed passages per statement taken from the store (a fair sample, not all)
# Shared by every classifier in the process (several stores, or a test suite's many): the
# training vectors by digest of texts and model, and fitted models by that digest and the extras.
_VECTORS: dict[str, np.ndarray] = {}
_MODELS: dict[tuple[str, str], object] = {}


def load_training(path: Path) -> list[tuple[str, str]]:
    """(statement, text) pairs from the shipped training file, validated."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        items = [(str(p["qs"]), " ".join(str(p["text"]).split())) for p in data["passages"]]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as e:
        raise ConfigError(f"tagging training set {path} is unreadable: {e}") from e
    unknown = sorted({qs for qs, _ in items if qs not in QS_SLUGS})
    if unknown:
        raise ConfigError(f"tagging training set {path}: unknown quality statements {', '.join(unknown)}")
    return items


class StatementClassifier:
    """Probabilities over the 9 quality statements for embedded texts."""

    def __init__(self, framework: Framework, embedder: Embedder, training_file: Path, cache_dir: Path | None = None) -> None:
        self.framework = framework
        self.embedder = embedder
        self.training_file = Path(training_file)
        self.cache_dir = cache_dir
        self._base: tuple[np.ndarray, np.ndarray] | None = None
        self._digest = ""
        self._model = None
        self._extra_key: str | None = None

    # -- training data ------------------------------------------------------------------------
    def _framework_texts(self) -> list[tuple[str, str]]:
        out = []
        for q in self.framework.quality_statements:
            out += [(q.slug, q.description), (q.slug, f"{q.title}. {q.commitment}")]
            out += [(q.slug, e) for e in q.expectations]
            out += [(q.slug, f"{q.title}: {topic}") for topic in q.topics]
        return out

    def base_data(self) -> tuple[np.ndarray, np.ndarray]:
        """Embeddings and labels of the shipped set and the framework texts (embedded once,
        then read from the cache in the data dir while the texts and the model are the same)."""
        if self._base is None:
            items = load_training(self.training_file) + self._framework_texts()
            labels = np.array([QS_SLUGS.index(qs) for qs, _ in items])
            texts = [t for _, t in items]
            # The model's key (its files' names, sizes and configuration), not its path: the
            # shipped vectors serve every checkout and install of the same model.
            digest = hashlib.sha256(("\n".join(texts) + f"|{self.embedder.model_key}").encode()).hexdigest()[:16]
            cached = self.cache_dir / f"training-{digest}.npy" if self.cache_dir else None
            vectors = _VECTORS.get(digest)
            if vectors is None:
                vectors = self._shipped(digest)
            if vectors is None and cached is not None and cached.is_file():
                try:
                    vectors = np.load(cached)
                    if vectors.shape[0] != len(texts):
                        vectors = None
                except (OSError, ValueError):
                    vectors = None
            if vectors is None:
                vectors = self.embedder.encode(texts)
                if cached is not None:
                    try:
                        cached.parent.mkdir(parents=True, exist_ok=True)
                        for old in cached.parent.glob("training-*.npy"):
                            old.unlink(missing_ok=True)
                        tmp = cached.with_suffix(".tmp.npy")
                        np.save(tmp, vectors)
                        tmp.replace(cached)
                    except OSError as e:  # the model still works; the next process embeds again
                        log.warning("could not cache the tagger's training vectors (%s)", type(e).__name__)
            _VECTORS[digest] = vectors = np.asarray(vectors, dtype=np.float32)
            self._base, self._digest = (vectors, labels), digest
        return self._base

    @property
    def shipped_file(self) -> Path:
        """Embeddings of the shipped set, made with the bundled model and kept beside it, so a
        fresh store need not embed 500 texts before its first ingest."""
        return self.training_file.with_name("training-vectors.npz")

    def _shipped(self, digest: str) -> np.ndarray | None:
        try:
            with np.load(self.shipped_file) as data:
                if str(data["digest"]) == digest:
                    return np.asarray(data["vectors"], dtype=np.float32)
        except (OSError, ValueError, KeyError):
            pass
        return None

    def save_shipped(self) -> Path:
        """Write the shipped vectors (after editing the training set: `python -m
        prep_bot.evidence.classifier`)."""
        vectors, _ = self.base_data()
        np.savez_compressed(self.shipped_file, digest=np.array(self._digest), vectors=vectors)
        return self.shipped_file

    # -- fitting ------------------------------------------------------------------------------
    def fit(self, extra: Sequence[tuple[str, str, np.ndarray]] = ()) -> bool:
        """Fit on the base data plus ``extra`` (id, statement, vector) from the store. Refits only
        when ``extra`` differs from the last fit; returns True when it refitted."""
        key = hashlib.sha256("|".join(sorted(f"{pid}:{qs}" for pid, qs, _ in extra)).encode()).hexdigest()
        if self._model is not None and key == self._extra_key:
            return False
        from sklearn.linear_model import LogisticRegression

        vectors, labels = self.base_data()
        model = _MODELS.get((self._digest, key))
        if model is not None:
            self._model, self._extra_key = model, key
            return True
        if extra:
            vectors = np.vstack([vectors, np.stack([v for _, _, v in extra]).astype(np.float32)])
            labels = np.concatenate([labels, np.array([QS_SLUGS.index(qs) for _, qs, _ in extra])])
        model = LogisticRegression(C=REGULARISATION, max_iter=2000, class_weight="balanced")
        model.fit(vectors, labels)
        if len(_MODELS) > 32:
            _MODELS.clear()
        _MODELS[(self._digest, key)] = model  # never changed once fitted: safe to share
        self._model, self._extra_key = model, key
        log.info("tagger fitted on %d texts (%d from the store)", len(labels), len(extra))
        return True

    @property
    def fitted(self) -> bool:
        """Whether this classifier has been fitted (or given a model fitted before on the same data)."""
        return self._model is not None

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        """Passages x 9 probabilities, columns in QS_SLUGS order."""
        if self._model is None:
            self.fit()
        out = np.zeros((len(vectors), len(QS_SLUGS)), dtype=np.float32)
        if len(vectors):
            out[:, self._model.classes_] = self._model.predict_proba(np.asarray(vectors, dtype=np.float32))
        return out


def store_examples(store, cap: int = STORE_CAP) -> list[tuple[str, str, np.ndarray]]:
    """Passages of the store whose statement a heading named or a lead set: (id, statement,
    vector), at most ``cap`` per statement, chosen by a stable hash of their ids."""
    chosen: dict[str, list[str]] = {}
    for pid, qs in store.catalog.labelled_passages():
        chosen.setdefault(qs, []).append(pid)
    ids: list[tuple[str, str]] = []
    for qs, pids in chosen.items():
        pids.sort(key=lambda p: hashlib.sha1(p.encode()).hexdigest())
        ids += [(pid, qs) for pid in pids[:cap]]
    if not ids:
        return []
    vectors = store.embeddings([pid for pid, _ in ids])
    return [(pid, qs, vectors[pid]) for pid, qs in ids if pid in vectors]


def training_file(knowledge_dir: Path) -> Path:
    """The shipped training set in a knowledge folder."""
    return Path(knowledge_dir) / "tagging" / "training.yaml"


if __name__ == "__main__":  # pragma: no cover - a maintainer's step after editing the training set
    from prep_bot.framework.statements import load_framework
    from prep_bot.infra.config import Settings

    settings = Settings()
    embedder = Embedder(settings.model_path, batch_size=settings.embed_batch_size, threads=settings.torch_threads)
    classifier = StatementClassifier(load_framework(settings.framework_file), embedder, training_file(settings.knowledge_dir))
    print(classifier.save_shipped())
