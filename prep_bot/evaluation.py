"""Retrieval evaluation: labelled questions -> a phrase that must appear in a top-k passage."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from prep_bot.config import REPO_ROOT
from prep_bot.errors import ConfigError

MODES = ("hybrid", "dense", "bm25")


@dataclass
class LabelledQuestion:
    id: str
    question: str
    must_contain: str
    qs: str | None = None


def default_retrieval_set() -> Path:
    return REPO_ROOT / "eval" / "retrieval.yaml"


def load_retrieval_set(path: Path) -> list[LabelledQuestion]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        return [
            LabelledQuestion(str(q["id"]), q["question"], q["must_contain"], q.get("qs"))
            for q in data["questions"]
        ]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as e:
        raise ConfigError(f"retrieval set {path} is unreadable: {e}") from e


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(re.sub(r"[*_]", "", text).lower().split())


def evaluate_retrieval(store, questions: list[LabelledQuestion], k: int = 5, modes=MODES) -> dict:
    """Recall@1, recall@k and MRR@k per search mode, plus the questions each mode missed."""
    results: dict[str, dict] = {}
    for mode in modes:
        ranks: list[int | None] = []
        for q in questions:
            hits = store.search(q.question, k=k, mode=mode)
            target = _norm(q.must_contain)
            rank = next((i for i, h in enumerate(hits, 1) if target in _norm(h.passage.text)), None)
            ranks.append(rank)
        n = max(1, len(questions))
        results[mode] = {
            "recall@1": sum(1 for r in ranks if r == 1) / n,
            f"recall@{k}": sum(1 for r in ranks if r is not None) / n,
            "mrr": sum(1.0 / r for r in ranks if r) / n,
            "missed": [q.id for q, r in zip(questions, ranks) if r is None],
        }
    return results


def format_table(results: dict, count: int, k: int = 5) -> str:
    lines = [
        f"Retrieval on {count} labelled questions (a hit: the labelled phrase is in a top-{k} passage)",
        f"{'mode':<8} {'recall@1':>9} {f'recall@{k}':>9} {'MRR':>7}",
    ]
    for mode, r in results.items():
        lines.append(f"{mode:<8} {r['recall@1']:>9.3f} {r[f'recall@{k}']:>9.3f} {r['mrr']:>7.3f}")
    return "\n".join(lines)
