"""The bundled sentence-transformers model run by onnxruntime instead of torch.

Importing onnxruntime and the ``tokenizers`` package takes a fraction of a second where torch
and sentence-transformers take several, so a command that embeds one question starts at once.
The ONNX copy is made here from the bundled model, on this machine, by a step that has torch
loaded anyway (`make install`, ``prep-bot onnx``, ingest or serve); it is never downloaded.
Before it is put in place its vectors are compared with the torch model's.

Beside it, an int8 copy (weights quantised per channel, about twice as fast, within about
0.99 cosine): for decisions that tolerate that (which quality statement a paragraph is about),
never for a vector that is stored or searched.

Tokenisation, truncation, mean pooling and normalisation follow what sentence-transformers
does for this model: the model's own ``tokenizer.json``, its ``max_seq_length``, the mean of
the token vectors under the attention mask, then L2 normalisation.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
EXPORT_VERSION = 1  # bump when the export below changes what the files hold
OPSET = 17
MIN_COSINE = 0.99999  # an export whose vectors stray further from torch's is refused
MIN_COSINE_INT8 = 0.95
# Tokens a batch holds with its padding. On one CPU thread a batch gains little beyond a few
# hundred tokens while padding costs in full: at most 256 (about two passages or five units a
# batch) ran the sample library's passages 10-15% faster than 8 texts a batch, and splitting an
# encode into several calls (as ingest does) no longer costs extra padding.
BATCH_TOKENS = 256
# Texts an export is checked on: short and long, numbers, punctuation, non-ASCII, over the window.
PROBES = [
    "",
    "Carers",
    "How do you know that people's needs are assessed in a timely way?",
    "97% of safeguarding enquiries said action was taken and the risk was reduced or removed (2024/25).",
    "Theme 2: Providing support > Areas for consideration\nWaiting lists for occupational therapy "
    "assessments grew to 412 people; the council's target is 28 days from referral.",
    "Café, naïve, résumé: co-production with people who draw on care — “what matters to me”.",
    " ".join(["Reablement helped people regain independence after a stay in hospital."] * 40),
]


def default_onnx_dir() -> Path:
    """Where the ONNX copies live unless PREP_BOT_ONNX_DIR says: in the Python environment
    prep-bot is installed in, like the model they are made from (not the home folder)."""
    return Path(sys.prefix) / "share" / "prep-bot" / "onnx"


def onnx_paths(folder: Path, model_key: str) -> tuple[Path, Path]:
    """The full-precision and int8 files for the model named by ``model_key``."""
    name = model_key.replace(":", "-").replace("/", "-")
    stem = f"{name}-v{EXPORT_VERSION}"
    return Path(folder) / f"{stem}.onnx", Path(folder) / f"{stem}-int8.onnx"


def max_seq_length(model_path: Path) -> int:
    """The model's window in tokens, as sentence-transformers reads it."""
    try:
        config = json.loads((Path(model_path) / "sentence_bert_config.json").read_text(encoding="utf-8"))
        return int(config.get("max_seq_length") or 256)
    except (OSError, ValueError, TypeError):
        return 256


def mean_pooled(model_path: Path) -> bool:
    """Whether the model pools by the mean of its token vectors (what OnnxEncoder does)."""
    try:
        config = json.loads((Path(model_path) / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    others = ("pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens")
    return bool(config.get("pooling_mode_mean_tokens")) and not any(config.get(k) for k in others)


def load_tokenizer(model_path: Path, truncate_at: int | None = None):
    """The model's own fast tokenizer (``tokenizers``, no torch), without padding; truncated to
    ``truncate_at`` tokens, special tokens included, when given."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(model_path) / "tokenizer.json"))
    tokenizer.no_padding()
    if truncate_at:
        tokenizer.enable_truncation(max_length=truncate_at)
    else:
        tokenizer.no_truncation()
    return tokenizer


class OnnxEncoder:
    """Embeds texts with an ONNX copy of the model: normalised float32 rows."""

    def __init__(self, model_path: Path, onnx_file: Path, threads: int = 1) -> None:
        import onnxruntime as ort

        self.model_path = Path(model_path)
        self.onnx_file = Path(onnx_file)
        self.tokenizer = load_tokenizer(self.model_path, max_seq_length(self.model_path))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only
        # Threads that wait instead of spinning: the cores are shared (see torch_threads).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(self.onnx_file), options, providers=["CPUExecutionProvider"])
        self.dimension = int(self.session.get_outputs()[0].shape[-1])
        self._names = {i.name for i in self.session.get_inputs()}

    def encode(self, texts: Sequence[str], batch_size: int = 64, batch_tokens: int = BATCH_TOKENS) -> np.ndarray:
        """Normalised mean-pooled vectors, in the order given. Texts are batched longest first,
        so that a batch pads little (unsorted, padding doubles the work), at most ``batch_size``
        texts and ``batch_tokens`` tokens with padding (one long text goes alone)."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch([str(t).strip() for t in texts])
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")
        for rows in _batches([len(encodings[i].ids) for i in order], order, batch_size, batch_tokens):
            width = len(encodings[rows[0]].ids)  # the longest: sorted longest first
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n] = encodings[i].ids
                mask[r, :n] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            tokens = self.session.run(None, {k: v for k, v in feed.items() if k in self._names})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (tokens * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            out[rows] = pooled / norms
        return out


def _batches(lengths: Sequence[int], order: np.ndarray, batch_size: int, batch_tokens: int) -> list[np.ndarray]:
    """``order`` (sorted longest first, ``lengths`` in the same order) cut into batches."""
    batches, start = [], 0
    while start < len(order):
        per_row = max(1, lengths[start])  # every row is padded to the first's length
        size = max(1, min(batch_size, batch_tokens // per_row))
        batches.append(order[start : start + size])
        start += size
    return batches


_EXPORT_LOCK = threading.Lock()


def export(model_path: Path, folder: Path, model_key: str, reference) -> tuple[Path, Path]:
    """Write the ONNX copies of the model at ``model_path`` into ``folder`` (when missing) and
    return their paths. ``reference(texts)`` is the torch model's encode: an export whose
    vectors differ from it is refused (ValueError). Needs torch, transformers and onnx."""
    full, int8 = onnx_paths(folder, model_key)
    with _EXPORT_LOCK:
        if full.is_file() and int8.is_file():
            return full, int8
        if not mean_pooled(model_path):
            raise ValueError(f"{model_path} does not pool by the mean of its tokens; use the torch model")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        tmp_full = full.with_name(f".{full.name}.{os.getpid()}.tmp")
        tmp_int8 = int8.with_name(f".{int8.name}.{os.getpid()}.tmp")
        try:
            _export_graph(model_path, tmp_full)
            _quantise(tmp_full, tmp_int8)
            expected = np.asarray(reference(PROBES), dtype=np.float32)
            for path, floor in ((tmp_full, MIN_COSINE), (tmp_int8, MIN_COSINE_INT8)):
                got = OnnxEncoder(model_path, path).encode(PROBES)
                worst = float((got * expected).sum(axis=1).min())
                if worst < floor:
                    raise ValueError(f"the ONNX copy's vectors differ from torch's (cosine {worst:.6f} < {floor})")
            # The int8 file first: the full one's presence says both are ready.
            os.replace(tmp_int8, int8)
            os.replace(tmp_full, full)
        finally:
            tmp_full.unlink(missing_ok=True)
            tmp_int8.unlink(missing_ok=True)
        log.info("wrote the embedding model as ONNX: %s", full)
        return full, int8


def _export_graph(model_path: Path, target: Path) -> None:
    """The transformer (token vectors out; pooling is done by OnnxEncoder) as an ONNX graph with
    dynamic batch and sequence axes, through torch's TorchScript-based exporter (needs the
    ``onnx`` package and nothing more)."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # no weight-loading bar in `make install`'s output
    hf_logging.disable_progress_bar()

    class TokenVectors(torch.nn.Module):
        def __init__(self, model) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    model = AutoModel.from_pretrained(str(model_path), local_files_only=True).eval()
    example = torch.ones((2, 8), dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            TokenVectors(model), (example, example, torch.zeros_like(example)), str(target),
            input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["token_embeddings"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "token_embeddings": axes},
            opset_version=OPSET, dynamo=False,
        )


def _quantise(source: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quiet = logging.getLogger().level
    logging.getLogger().setLevel(logging.ERROR)  # its advice to pre-process goes to the root logger
    try:
        quantize_dynamic(str(source), str(target), per_channel=True, weight_type=QuantType.QInt8)
    finally:
        logging.getLogger().setLevel(quiet)
