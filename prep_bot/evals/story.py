"""How well rehearsing against the story reads answers (``prep-bot eval story``), on the labelled
examples in ``eval/story.yaml``:

- on message: each labelled sentence against its message, and every other message's carrying
  sentences against it as further negatives: precision and recall of "carried";
- hiding: sentences that hide an agreed area to improve against those that own it or talk of
  something else on the topic: precision and recall of "hides";
- figures: answer figures of the same measure as an agreed figure against figures of other
  measures (same unit, close topic): precision and recall of "same measure" at the likeness
  where an equal figure agrees, and at the stricter one where a different figure is flagged.

Each is also swept over thresholds, to show where the shipped threshold sits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from prep_bot.errors import ConfigError
from prep_bot.infra.config import REPO_ROOT
from prep_bot.story import rehearsal
from prep_bot.story.figures import Measures
from prep_bot.story.model import AgreedFigure

SWEEP = [round(x, 2) for x in np.arange(0.3, 0.71, 0.05)]


def default_story_set() -> Path:
    return REPO_ROOT / "eval" / "story.yaml"


def load_story_set(path: Path) -> dict:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        assert isinstance(data, dict) and data.get("messages")
        for m in data["messages"]:
            assert m["message"] and m["carried"] and m["not_carried"] and m.get("kind", "strength") in ("strength", "improvement")
        for h in data.get("hiding", []):
            assert h["improvement"] and h["hides"]
        for f in data.get("figures", []):
            assert f["agreed"]["measure"] and f["agreed"]["value"] and f["same"]
    except (OSError, yaml.YAMLError, KeyError, TypeError, AssertionError) as e:
        raise ConfigError(f"story evaluation set {path} is unreadable or incomplete: {e}") from e
    return data


def _rates(decisions: list[tuple[bool, bool]]) -> dict:
    """Precision and recall of (said yes, truly yes) decisions."""
    tp = sum(d and t for d, t in decisions)
    fp = sum(d and not t for d, t in decisions)
    fn = sum(t and not d for d, t in decisions)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "positives": tp + fn, "cases": len(decisions)}


def _messages(data: dict, embedder, threshold: float) -> dict:
    messages = data["messages"]
    decisions = []
    vectors = embedder.encode_cached([m["message"] for m in messages])
    for i, m in enumerate(messages):
        kind = m.get("kind", "strength")
        others = [s for j, o in enumerate(messages) if j != i for s in o["carried"]]
        cases = [(s, True) for s in m["carried"]] + [(s, False) for s in m["not_carried"] + others]
        sims = embedder.encode_cached([s for s, _ in cases]) @ vectors[i]
        for (sentence, truth), sim in zip(cases, sims):
            said = rehearsal.carried_by(m["message"], kind, [sentence], np.array([sim]), threshold) is not None
            decisions.append((said, truth))
    return _rates(decisions)


def _hiding(data: dict, embedder, threshold: float) -> dict:
    decisions = []
    for h in data.get("hiding", []):
        vector = embedder.encode_cached([h["improvement"]])[0]
        cases = [(s, True) for s in h["hides"]] + [(s, False) for s in h.get("owns", []) + h.get("elsewhere", [])]
        sims = embedder.encode_cached([s for s, _ in cases]) @ vector
        for (sentence, truth), sim in zip(cases, sims):
            decisions.append((rehearsal.hidden_by([sentence], np.array([sim]), threshold) is not None, truth))
    return _rates(decisions)


def _figures(data: dict, embedder, threshold: float) -> dict:
    from prep_bot.evidence.figures import extract_figures

    check = rehearsal.StoryCheck(None, embedder, Measures(embedder))
    decisions = []
    for f in data.get("figures", []):
        a = f["agreed"]
        agreed = AgreedFigure(a["measure"], str(a["value"]), a.get("comparator", ""), a.get("period", ""))
        pairs = [(agreed, agreed.point)]
        for sentence, truth in [(s, True) for s in f["same"]] + [(s, False) for s in f.get("different", [])]:
            points = [p for p in extract_figures(sentence) if not p.is_comparator]
            said = any(check.same_measure(point, pairs, threshold) is not None
                       for point in check.measures.annotate(points) if point.subject == "ours")
            decisions.append((said, truth))
    return _rates(decisions)


def evaluate_story(embedder, data: dict) -> dict:
    """Each judgement at its shipped threshold, and swept."""
    parts = (("on_message", _messages, rehearsal.CARRIED), ("hiding", _hiding, rehearsal.HIDES),
             ("same_measure", _figures, rehearsal.FIGURE_SAME), ("figure_conflict", _figures, rehearsal.FIGURE_CONFLICT))
    out = {}
    for name, judge, shipped in parts:
        out[name] = {"threshold": shipped, **judge(data, embedder, shipped),
                     "sweep": {str(t): judge(data, embedder, t) for t in SWEEP}}
    return out


def format_story_table(results: dict) -> str:
    lines = [f"{'judgement':<14} {'threshold':>9} {'precision':>9} {'recall':>7} {'positives':>9} {'cases':>6}"]
    for name, r in results.items():
        lines.append(f"{name:<14} {r['threshold']:>9} {r['precision']:>9.3f} {r['recall']:>7.3f} {r['positives']:>9} {r['cases']:>6}")
    lines.append("")
    lines.append("swept (precision / recall):")
    lines.append(f"{'threshold':<10}" + "".join(f"{name:>20}" for name in results))
    for t in SWEEP:
        row = [results[name]["sweep"][str(t)] for name in results]
        lines.append(f"{t:<10}" + "".join(f"{r['precision']:>12.3f} / {r['recall']:.3f}" for r in row))
    return "\n".join(lines)
