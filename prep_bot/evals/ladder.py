"""The graded ladder: per question, four answers of rising quality (1 venting or off the
question, 2 activity only, 3 outcomes without evidence, 4 outcomes with evidence and an honest
gap), a buzzword-stuffed answer and a pair that hides or owns a known weakness. Measures whether
the coach's scores put them in order: Kendall's tau per question, adjacent levels in order,
stuffed below level 3, honest above hiding, and the median score per level."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

import yaml
from scipy.stats import kendalltau

from prep_bot.errors import ConfigError
from prep_bot.infra.config import REPO_ROOT

LEVELS = (1, 2, 3, 4)


@dataclass
class LadderQuestion:
    id: str
    qs: str
    audience: str
    question: str
    levels: dict[int, str]
    stuffed: str
    hiding: str
    honest: str


def default_ladder_set() -> Path:
    return REPO_ROOT / "eval" / "ladder.yaml"


def is_ladder(data: dict) -> bool:
    return isinstance(data, dict) and isinstance(data.get("questions"), list) and all(
        isinstance(q, dict) and "levels" in q for q in data["questions"]
    )


def parse_ladder(data: dict, source: str = "ladder") -> list[LadderQuestion]:
    try:
        out = []
        for q in data["questions"]:
            levels = {int(k): str(v) for k, v in q["levels"].items()}
            if set(levels) != set(LEVELS):
                raise ValueError(f"question {q['id']} needs levels 1, 2, 3 and 4")
            out.append(LadderQuestion(
                str(q["id"]), q["qs"], q.get("audience", "any"), q["question"], levels,
                q["stuffed"], q["hiding"], q["honest"],
            ))
        return out
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise ConfigError(f"ladder set {source} is unreadable: {e}") from e


def load_ladder(path: Path) -> list[LadderQuestion]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"ladder set {path} is unreadable: {e}") from e
    return parse_ladder(data, str(path))


def evaluate_ladder(coach, questions: list[LadderQuestion]) -> dict:
    """Coach every answer once and measure the order of the scores."""
    rows = []
    for q in questions:
        score = {}
        for level in LEVELS:
            score[level] = coach.coach(q.qs, q.question, q.levels[level]).score
        for kind in ("stuffed", "hiding", "honest"):
            score[kind] = coach.coach(q.qs, q.question, getattr(q, kind)).score
        tau = kendalltau(list(LEVELS), [score[level] for level in LEVELS]).statistic
        rows.append({
            "id": q.id, "qs": q.qs, "audience": q.audience, "scores": {str(k): v for k, v in score.items()},
            "tau": 0.0 if tau != tau else float(tau),  # NaN when every score ties: no order at all
            "adjacent": sum(score[a + 1] > score[a] for a in LEVELS[:-1]),
            "stuffed_below_3": score["stuffed"] < score[3],
            "honest_above_hiding": score["honest"] > score["hiding"],
        })
    n = len(rows)
    medians = {
        str(level): statistics.median(r["scores"][str(level)] for r in rows) if rows else 0 for level in LEVELS
    }
    for kind in ("stuffed", "hiding", "honest"):
        medians[kind] = statistics.median(r["scores"][kind] for r in rows) if rows else 0
    return {
        "questions": n,
        "mean_tau": sum(r["tau"] for r in rows) / max(1, n),
        "adjacent_in_order": sum(r["adjacent"] for r in rows),
        "adjacent_pairs": 3 * n,
        "stuffed_below_3": sum(r["stuffed_below_3"] for r in rows),
        "honest_above_hiding": sum(r["honest_above_hiding"] for r in rows),
        "median": medians,
        "details": rows,
    }


def format_ladder_table(r: dict, name: str = "") -> str:
    n = r["questions"]
    lines = [
        f"Coach on {n} graded questions{f' ({name})' if name else ''}",
        f"{'question':<8} {'qs':<27} {'1':>4} {'2':>4} {'3':>4} {'4':>4} {'stuff':>6} {'hide':>5} {'honest':>6} {'tau':>6}",
    ]
    for row in r["details"]:
        s = row["scores"]
        lines.append(
            f"{row['id']:<8} {row['qs']:<27} {s['1']:>4} {s['2']:>4} {s['3']:>4} {s['4']:>4} "
            f"{s['stuffed']:>6} {s['hiding']:>5} {s['honest']:>6} {row['tau']:>6.2f}"
        )
    m = r["median"]
    lines += [
        f"mean Kendall's tau            {r['mean_tau']:.3f}",
        f"adjacent levels in order      {r['adjacent_in_order']}/{r['adjacent_pairs']}",
        f"stuffed below level 3         {r['stuffed_below_3']}/{n}",
        f"honest above hiding           {r['honest_above_hiding']}/{n}",
        "median score by level         " + ", ".join(f"{k}: {m[k]:g}" for k in ("1", "2", "3", "4")),
        f"median stuffed / hiding / honest  {m['stuffed']:g} / {m['hiding']:g} / {m['honest']:g}",
    ]
    return "\n".join(lines)
