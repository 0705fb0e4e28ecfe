"""Retrieval evaluation: labelled questions -> a phrase that must appear in a top-k passage."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from prep_bot.infra.config import REPO_ROOT
from prep_bot.errors import ConfigError
from prep_bot.evidence.number_words import spoken_numbers

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


def evaluate_retrieval(store, questions: list[LabelledQuestion], k: int = 5, modes=MODES, council: str | None = None) -> dict:
    """Recall@1, recall@k and MRR@k per search mode, plus the questions each mode missed."""
    results: dict[str, dict] = {}
    for mode in modes:
        ranks: list[int | None] = []
        for q in questions:
            hits = store.search(q.question, k=k, mode=mode, council=council)
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


# -- coach -------------------------------------------------------------------------------------
def default_answer_set() -> Path:
    return REPO_ROOT / "eval" / "answers.yaml"


def load_answer_set(path: Path) -> dict:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        assert isinstance(data["pairs"], list) and isinstance(data["planted"], list)
        return data
    except (OSError, yaml.YAMLError, KeyError, TypeError, AssertionError) as e:
        raise ConfigError(f"answer set {path} is unreadable: {e}") from e


def _figure_number(text: str) -> str:
    """A figure's number as digits: "1,140" is 1140, "about five months" 5."""
    m = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    if m:
        return m.group(0).replace(",", "")
    said = spoken_numbers(text)
    return f"{said[0][2]:g}" if said else text


def evaluate_coach(coach, data: dict) -> dict:
    """How often the strong answer outscores the weak one, by how much, and whether every
    planted false figure is flagged ``contradicted``."""
    pairs = []
    for pair in data["pairs"]:
        strong = coach.coach(pair["qs"], pair["question"], pair["strong"])
        weak = coach.coach(pair["qs"], pair["question"], pair["weak"])
        pairs.append({
            "id": pair["id"], "kind": pair.get("weak_kind", ""), "strong": strong.score, "weak": weak.score,
            "margin": strong.score - weak.score,
            "strong_contradicted": [c.text for c in strong.claims if c.status == "contradicted"],
        })
    planted = []
    for item in data["planted"]:
        feedback = coach.coach(item["qs"], item["question"], item["answer"])
        wanted = _figure_number(item["false_figure"])
        claim = next((c for c in feedback.claims if _figure_number(c.text) == wanted), None)
        planted.append({"id": item["id"], "figure": item["false_figure"], "status": claim.status if claim else "not found",
                        "evidence": claim.evidence.point.raw if claim and claim.evidence else None})
    correct = []
    for item in data.get("correct", []):
        feedback = coach.coach(item["qs"], item["question"], item["answer"])
        correct.append({"id": item["id"], "called_wrong": [
            {"figure": c.text, "evidence": c.evidence.point.raw if c.evidence else None}
            for c in feedback.claims if c.status == "contradicted"]})
    n = max(1, len(pairs))
    kinds = sorted({p["kind"] for p in pairs})
    return {
        "pairs": len(pairs),
        "strong_wins": sum(p["margin"] > 0 for p in pairs) / n,
        "mean_margin": sum(p["margin"] for p in pairs) / n,
        "min_margin": min((p["margin"] for p in pairs), default=0),
        "by_kind": {k: sum(p["margin"] for p in pairs if p["kind"] == k) / max(1, sum(p["kind"] == k for p in pairs)) for k in kinds},
        "planted": len(planted),
        "planted_flagged": sum(p["status"] == "contradicted" for p in planted) / max(1, len(planted)),
        "strong_false_alarms": sum(len(p["strong_contradicted"]) for p in pairs),
        "correct": len(correct),
        "correct_called_wrong": sum(bool(c["called_wrong"]) for c in correct),
        "details": {"pairs": pairs, "planted": planted, "correct": correct},
    }


def format_coach_table(r: dict) -> str:
    lines = [
        f"Coach on {r['pairs']} labelled answer pairs and {r['planted']} planted false figures",
        f"strong answer scores higher   {r['strong_wins']:.0%}",
        f"mean margin (points)          {r['mean_margin']:.1f}   (smallest {r['min_margin']})",
    ]
    for kind, margin in r["by_kind"].items():
        lines.append(f"  margin vs {kind:<10}        {margin:.1f}")
    lines.append(f"planted figures contradicted  {r['planted_flagged']:.0%}")
    lines.append(f"correct figures in strong answers flagged contradicted: {r['strong_false_alarms']}")
    if r["correct"]:
        lines.append(f"answers with correct figures, one called wrong: {r['correct_called_wrong']} of {r['correct']}")
    return "\n".join(lines)
