"""`prep-bot eval figures`: how well the figure models generalise, measured on held-out folds of
the labelled set (eval/figures.yaml), never on what they were fitted to.

The models are fitted on the training folds of the labelled set and on the further sets of
``eval/figures_more/`` (each written by another session in its own words; pairs are only made
within one set).

- Performance figures: 5 folds by sentence; precision and recall of "a performance figure" over
  every labelled figure (one the extractor misses counts as predicted "not performance").
- Subject: accuracy over the performance figures of the held-out sentences.
- Planted: each held-out figure stated with a wrong value against its labelled partners of the
  same subject: contradicted by its own measure, or (with none) left "not in the evidence"?
- Same measure: 5 folds by topic (the part of a measure key before the dot), so every measure
  in a test fold is one the labelled set's training folds never had; precision and recall of
  "same measure" on the labelled pairs of the held-out topics (all same-key pairs, the same-unit
  different-key pairs of one topic: the hard negatives, and a few same-unit pairs across
  topics). Each pair is judged as the claim check judges it: figures it cannot compare (another
  unit, a threshold against a measured value) or whose measures differ in a part
  (``measure_parts``: what is counted, the service, the people, the window...) are never the
  same measure, and the rest are the same measure at the claim check's probability
  (``SAME_MEASURE``).
- Held out (``--holdout FILE``): the same-measure pairs of a set judged by the models fitted on
  the whole labelled set and the further sets but that one (so a further set can be judged
  left out too). ``eval/figures_holdout.yaml`` is kept untouched: never fitted to, its
  sentences and errors never read while writing rules.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from prep_bot.evidence.figure_model import (
    FIGURES_FILE, PERFORMANCE, SAME_MEASURE, SHORTLIST, FigureModel, LabelledFigure, labelled_pairs, load_figure_set,
    more_sets, names_other_things,
)
from prep_bot.evidence.figures import SUBJECTS, DataPoint, content_words

FOLDS = 5


def _fold(name: str) -> int:
    return int(hashlib.sha1(name.encode()).hexdigest(), 16) % FOLDS


def _topic(f: LabelledFigure) -> str:
    return f.key.split(".")[0] if f.key else f"-{f.sentence_id}"


def _pr(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "tp": tp, "fp": fp, "fn": fn}


def _word_f1(a: str, b: str) -> float:
    x, y = content_words(a), content_words(b)
    if not x or not y:
        return 0.0
    common = len(x & y)
    return 2 * common / (len(x) + len(y))


def evaluate_figures(embedder, path: Path | None = None, alone: bool = False) -> dict:
    """The labelled set's held-out folds; ``alone``: fitted on the labelled set alone, without
    the further sets."""
    labelled = load_figure_set(path or FIGURES_FILE)
    figures = labelled.figures
    model = FigureModel(embedder, path or FIGURES_FILE, more=[] if alone else None)
    # -- performance and subject: folds by sentence --------------------------------------------
    predicted_perf: dict[int, bool] = {}
    predicted_lexical: dict[int, bool] = {}
    predicted_subject: dict[int, str] = {}
    for fold in range(FOLDS):
        train = [f for f in figures if _fold(f.sentence_id) != fold]
        test = [(i, f) for i, f in enumerate(figures) if _fold(f.sentence_id) == fold and f.point is not None]
        fitted = model.fit(train, parts=("figure", "lexical"))
        points = [_copy(f) for _, f in test]
        vectors = model.vectors_for(points, persist=True)
        X = model._figure_matrix(points, vectors)
        perf = fitted.performance.predict_proba(model._performance_matrix(points, X))[:, 1] >= PERFORMANCE
        subject = fitted.subject.predict(X)
        lexical = fitted.performance_lexical.predict_proba(model._lexical_matrix(points))[:, 1] >= PERFORMANCE
        for (i, _), p, s, lx in zip(test, perf, subject, lexical):
            predicted_perf[i], predicted_subject[i], predicted_lexical[i] = bool(p), str(s), bool(lx)

    def perf_scores(predicted: dict[int, bool]) -> dict:
        tp = sum(1 for i, f in enumerate(figures) if f.performance and predicted.get(i, False))
        fp = sum(1 for i, f in enumerate(figures) if not f.performance and predicted.get(i, False))
        fn = sum(1 for i, f in enumerate(figures) if f.performance and not predicted.get(i, False))
        return _pr(tp, fp, fn)

    by_register = {}
    for register in labelled.registers:
        idx = [i for i, f in enumerate(figures) if f.register == register]
        tp = sum(1 for i in idx if figures[i].performance and predicted_perf.get(i, False))
        fp = sum(1 for i in idx if not figures[i].performance and predicted_perf.get(i, False))
        fn = sum(1 for i in idx if figures[i].performance and not predicted_perf.get(i, False))
        by_register[register] = _pr(tp, fp, fn)
    perf_idx = [i for i, f in enumerate(figures) if f.performance and i in predicted_subject]
    subject_right = sum(1 for i in perf_idx if predicted_subject[i] == figures[i].subject)
    confusion = {s: {t: 0 for t in SUBJECTS} for s in SUBJECTS}
    for i in perf_idx:
        confusion[figures[i].subject][predicted_subject[i]] += 1
    rule_right = sum(1 for i in perf_idx if figures[i].point.subject == figures[i].subject)
    wrong_perf = [
        {"sentence": figures[i].sentence_id, "figure": figures[i].raw, "kind": figures[i].kind}
        for i in range(len(figures)) if figures[i].performance != predicted_perf.get(i, False)
    ]
    # -- same measure: folds by topic -----------------------------------------------------------
    usable = [f for f in figures if f.point is not None]
    all_pairs = labelled_pairs(usable)
    scores: dict[tuple[int, int], float] = {}
    said: dict[tuple[int, int], float] = {}  # as a figure someone said is judged: its value left out
    for fold in range(FOLDS):
        train = [f for f in usable if _fold(_topic(f)) != fold]
        fitted = model.fit(train, parts=("pair",))
        test_pairs = [(i, j, same) for i, j, same in all_pairs if _fold(_topic(usable[i])) == fold and _fold(_topic(usable[j])) == fold]
        if not test_pairs:
            continue
        evidence, stated = _pair_scores(model, fitted, [u.point for u in usable], test_pairs)
        scores |= evidence
        said |= stated
    judged = [(i, j, same) for i, j, same in all_pairs if (i, j) in scores]
    tp = sum(1 for i, j, s in judged if s and scores[(i, j)] >= SAME_MEASURE)
    fp = sum(1 for i, j, s in judged if not s and scores[(i, j)] >= SAME_MEASURE)
    fn = sum(1 for i, j, s in judged if s and scores[(i, j)] < SAME_MEASURE)
    hard = [(i, j) for i, j, s in judged if not s and usable[i].key.split(".")[0] == usable[j].key.split(".")[0]]
    false_same = sorted(
        ({"a": usable[i].point.measure, "b": usable[j].point.measure, "p": round(scores[(i, j)], 2)}
         for i, j, s in judged if not s and scores[(i, j)] >= SAME_MEASURE), key=lambda d: -d["p"])
    missed_same = sorted(
        ({"a": usable[i].point.measure, "b": usable[j].point.measure, "p": round(scores[(i, j)], 2)}
         for i, j, s in judged if s and scores[(i, j)] < SAME_MEASURE), key=lambda d: d["p"])
    planted = _planted(usable, judged, said)
    phrase = [_word_f1(f.point.measure, f.measure) for f in figures if f.point is not None and f.measure and f.performance]
    return {
        "sentences": labelled.sentences,
        "figures": len(figures),
        "registers": labelled.registers,
        "extracted": sum(f.point is not None for f in figures),
        "performance": perf_scores(predicted_perf),
        "performance_lexical": perf_scores(predicted_lexical),
        "performance_by_register": by_register,
        "subject_accuracy": round(subject_right / max(1, len(perf_idx)), 3),
        "subject_rules_accuracy": round(rule_right / max(1, len(perf_idx)), 3),
        "subject_confusion": confusion,
        "same_measure": _pr(tp, fp, fn) | {"pairs": len(judged), "same": sum(s for _, _, s in judged),
                                           "hard_negatives": len(hard),
                                           "hard_negatives_right": sum(scores[p] < SAME_MEASURE for p in hard)},
        "measure_phrase_word_f1": round(float(np.mean(phrase)), 3) if phrase else 0.0,
        "planted": planted,
        "errors": {"performance": wrong_perf, "false_same": false_same[:15], "missed_same": missed_same[:15]},
        "folds": FOLDS,
        "fitted_on": [Path(p).name for p in [model.path, *model.more]],
    }


def _pair_scores(model: FigureModel, fitted, points: list[DataPoint], pairs: list[tuple[int, int, bool]]) -> tuple[dict, dict]:
    """Each pair's same-measure probability as the claim check judges two figures of the evidence,
    and as it judges a figure someone said (how far apart the values are left out); 0 when it
    would not compare the two figures at all."""
    from prep_bot.evidence.figure_features import without_values
    from prep_bot.evidence.figure_model import pair_features

    vectors = model.vectors_for(points, persist=True)
    P = np.stack([pair_features(points[i], points[j], model._vec(points[i], vectors), model._vec(points[j], vectors))
                  for i, j, _ in pairs])
    R = model._remainder_matrix([(points[i], points[j]) for i, j, _ in pairs])
    compared = [may_compare(points[i], points[j]) for i, j, _ in pairs]

    def judged(F: np.ndarray, pair, pair_detail) -> dict:
        first = pair.predict_proba(F)[:, 1]
        detail = pair_detail.predict_proba(np.hstack([F, R]))[:, 1]
        return {(i, j): float(b) if a >= SHORTLIST and c else 0.0 for (i, j, _), a, b, c in zip(pairs, first, detail, compared)}

    return (judged(P, fitted.pair, fitted.pair_detail),
            judged(without_values(P), fitted.pair_said, fitted.pair_detail_said))


def evaluate_same_measure_holdout(embedder, holdout: Path, path: Path | None = None, alone: bool = False) -> dict:
    """Same measure on a set not fitted to (``holdout``): the pair model is fitted on the whole
    labelled set (``path``) and the further sets but ``holdout`` itself, and judges every
    labelled pair of ``holdout``."""
    path = path or FIGURES_FILE
    more = [] if alone else [p for p in more_sets(path) if p.resolve() != Path(holdout).resolve()]
    model = FigureModel(embedder, path, more=more)
    fitted = model.fit(model.labelled.figures, parts=("pair",))
    usable = [f for f in load_figure_set(holdout).figures if f.point is not None]
    fitted_on = Path(holdout).resolve() == Path(path).resolve()
    pairs = labelled_pairs(usable)
    if not pairs:
        return {"pairs": 0}
    scores, said = _pair_scores(model, fitted, [u.point for u in usable], pairs)
    tp = sum(1 for i, j, s in pairs if s and scores[(i, j)] >= SAME_MEASURE)
    fp = sum(1 for i, j, s in pairs if not s and scores[(i, j)] >= SAME_MEASURE)
    fn = sum(1 for i, j, s in pairs if s and scores[(i, j)] < SAME_MEASURE)
    wrong = [{"a": usable[i].point.measure, "b": usable[j].point.measure, "same": s, "p": round(scores[(i, j)], 2)}
             for i, j, s in pairs if s != (scores[(i, j)] >= SAME_MEASURE)]
    return _pr(tp, fp, fn) | {"set": Path(holdout).name, "fitted": fitted_on, "pairs": len(pairs), "same": sum(s for _, _, s in pairs),
                              "figures": len(usable), "planted": _planted(usable, pairs, said), "errors": wrong}


def _planted(usable: list[LabelledFigure], judged: list[tuple[int, int, bool]], scores: dict) -> dict:
    """Each held-out figure stated with a wrong value, against the labelled figures it is paired
    with of the same subject (its own measure's and the same unit's of its topic): is it
    contradicted, and by a figure of its own measure (the best match)? A figure with no
    same-measure partner should stay "not in the evidence"."""
    partners: dict[int, list[tuple[float, bool]]] = {}
    for i, j, same in judged:
        if usable[i].subject == usable[j].subject:
            partners.setdefault(i, []).append((scores[(i, j)], same))
            partners.setdefault(j, []).append((scores[(i, j)], same))
    caught = wrong_measure = missed = kept_out = false_alarm = 0
    for options in partners.values():
        best = max(options)
        flagged = best[0] >= SAME_MEASURE
        if any(same for _, same in options):
            if flagged and best[1]:
                caught += 1
            elif flagged:
                wrong_measure += 1
            else:
                missed += 1
        elif flagged:
            false_alarm += 1
        else:
            kept_out += 1
    with_measure = caught + wrong_measure + missed
    return {"caught": caught, "by_another_measure": wrong_measure, "missed": missed, "with_measure": with_measure,
            "false_alarms": false_alarm, "kept_out": kept_out, "without_measure": false_alarm + kept_out,
            "recall": round(caught / max(1, with_measure), 3),
            "false_alarm_rate": round(false_alarm / max(1, false_alarm + kept_out), 3)}


def may_compare(a: DataPoint, b: DataPoint) -> bool:
    """Whether the claim check would ask the same-measure model about these two figures at all
    (``ClaimChecker.figures_of_measure``: comparable units, measures not naming other things
    unless both are compared with one value)."""
    from prep_bot.coaching.claims import _comparator_value, comparable

    if not comparable(a, b):
        return False
    shared = _comparator_value(a) is not None and _comparator_value(a) == _comparator_value(b)
    return shared or not names_other_things(a, b)


def _copy(f: LabelledFigure):
    """The extracted figure without the labels the rules gave it (the model decides)."""
    from dataclasses import replace

    return replace(f.point)


def format_figures_table(r: dict) -> str:
    p, s, lx = r["performance"], r["same_measure"], r["performance_lexical"]
    lines = [
        f"Figures: {r['figures']} labelled figures in {r['sentences']} sentences ({r['extracted']} found by the "
        f"extractor); {r['folds']}-fold held-out results",
        f"{'':34}{'precision':>10}{'recall':>8}",
        f"{'performance figure':34}{p['precision']:>10.3f}{p['recall']:>8.3f}",
        f"{'  (lexical model, no embeddings)':34}{lx['precision']:>10.3f}{lx['recall']:>8.3f}",
        f"{'same measure (held-out topics)':34}{s['precision']:>10.3f}{s['recall']:>8.3f}"
        f"   {s['pairs']} pairs, {s['same']} same",
        f"hard negatives (same unit and topic, other measure) kept apart: {s['hard_negatives_right']}/{s['hard_negatives']}",
        f"planted wrong figures: contradicted by their own measure {r['planted']['caught']}/{r['planted']['with_measure']}"
        f" (by another {r['planted']['by_another_measure']}); with no figure of their measure, contradicted anyway "
        f"{r['planted']['false_alarms']}/{r['planted']['without_measure']}",
        f"subject accuracy {r['subject_accuracy']:.3f} (rules alone {r['subject_rules_accuracy']:.3f}); "
        f"measure phrase word F1 {r['measure_phrase_word_f1']:.3f}",
        "by register (performance figure precision / recall):",
    ]
    for name, v in r["performance_by_register"].items():
        lines.append(f"  {name:<18}{v['precision']:.3f} / {v['recall']:.3f}")
    h = r.get("holdout")
    if h and h.get("pairs"):
        lines.append(f"same measure on {h['set']} (never fitted to; pair model fitted on the whole set): precision "
                     f"{h['precision']:.3f}, recall {h['recall']:.3f}, {h['pairs']} pairs, {h['same']} same")
        c = h["planted"]
        lines.append(f"  its figures stated with a wrong value: contradicted by their own measure {c['caught']}/{c['with_measure']} "
                     f"({c['by_another_measure']} by another, {c['missed']} missed); of {c['without_measure']} with no figure of "
                     f"their measure, {c['false_alarms']} contradicted anyway")
    return "\n".join(lines)


