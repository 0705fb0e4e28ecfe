"""The sentence judgement's trained models, shipped beside the labelled set they were trained on.

Training takes about 13 seconds on a 2-core machine, and every new data dir or process without
the trained models in its cache would pay it at its first coaching turn. The file holds the
three linear models (labels, answer/evidence pairs, the evidence's own voice) and the digest of
what they were trained from (the judgement's version, the embedding model, every labelled file,
the rubric's cues): a judge uses them only when its own digest is the same, and trains otherwise.
`python -m prep_bot.evals.judgement` writes the file with the shipped vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np

FILE_NAME = "models.npz"
MODELS = ("labels", "pairs", "evidence")
FIELDS = ("mean", "scale", "coef", "intercept")


def read_models(path: Path, digest: str, make) -> tuple | None:
    """The models in ``path`` as ``make(mean, scale, coef, intercept)`` each, when they were
    trained from ``digest``; None when the file is missing, unreadable or from other inputs."""
    try:
        with np.load(path) as data:
            if str(data["digest"]) != digest:
                return None
            return tuple(make(*(np.asarray(data[f"{m}_{f}"], dtype=np.float32) for f in FIELDS)) for m in MODELS)
    except (OSError, ValueError, KeyError):
        return None


def write_models(path: Path, digest: str, models: tuple) -> Path:
    """Write ``models`` (labels, pairs, evidence; each with FIELDS) trained from ``digest``."""
    arrays = {f"{m}_{f}": np.asarray(getattr(model, f), dtype=np.float32) for m, model in zip(MODELS, models) for f in FIELDS}
    np.savez_compressed(path, digest=np.array(digest), **arrays)
    return path
