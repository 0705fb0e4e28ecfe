"""How well the coach's sentence judgement reads labelled sentences it was not trained on:
precision and recall per label on a held-out fifth, and how often it names the right kind of
pair beside an evidence sentence (`prep-bot eval judgement`)."""

from __future__ import annotations

import numpy as np

from prep_bot.coaching.judgement import (
    LABELS, PAIR_KINDS, Neighbours, SentenceJudge, _sigmoid, blend, falls_short, fit_labels, pair_features, read_pairs,
    read_evidence, read_sentences,
)


def evaluate_judgement(judge: SentenceJudge, threshold: float = 0.5) -> dict:
    """Train on four fifths of the labelled sentences, report precision and recall per label on
    the held-out fifth (and the pair model's accuracy by leaving one evidence sentence out)."""
    sentences = read_sentences(judge.folder)
    train = [s for s in sentences if not s.held_out]
    test = [s for s in sentences if s.held_out]
    texts = [s.text for s in train]
    train_x = judge.features(texts, judge.vectors(texts))
    model = fit_labels(train_x, [s.labels for s in train])
    test_texts = [s.text for s in test]
    test_x = judge.features(test_texts, judge.vectors(test_texts))
    neighbours = Neighbours(judge.vectors(texts), [s.labels for s in train])
    probs = blend(_sigmoid(model.logits(test_x)), neighbours.vote(test_x[:, :384]))
    per_label = {}
    for j, label in enumerate(LABELS):
        truth = np.array([label in s.labels for s in test])
        said = probs[:, j] >= threshold
        tp = int((truth & said).sum())
        per_label[label] = {
            "support": int(truth.sum()), "predicted": int(said.sum()),
            "precision": tp / max(1, int(said.sum())), "recall": tp / max(1, int(truth.sum())),
        }
    pairs = read_pairs(judge.folder)
    groups = sorted({p.evidence for p in pairs})
    right = 0
    voice = read_evidence(judge.folder)
    readers = judge._fold_readers(train, train_x)  # the same for every evidence sentence left out
    for held in groups:  # leave one evidence sentence (all its pairs) out
        voice_kept = [(t, weak) for t, weak in voice if t != held]
        fitted = judge._train_pairs(train, train_x, [p for p in pairs if p.evidence != held], voice_kept, readers)
        voice_model = judge._train_evidence(voice_kept)
        for p in (p for p in pairs if p.evidence == held):
            a_vec, e_vec = judge.vectors([p.answer, p.evidence])
            a_x = judge.features([p.answer], a_vec[None, :])
            a_probs = dict(zip(LABELS, blend(_sigmoid(model.logits(a_x)), neighbours.vote(a_vec[None, :]))[0]))
            e_x = judge.features([p.evidence], e_vec[None, :])
            e_gap = max(float(blend(_sigmoid(model.logits(e_x)), neighbours.vote(e_vec[None, :]))[0, LABELS.index("gap")]),
                        float(_sigmoid(voice_model.logits(e_x))[0, 0]))
            z = fitted.logits(np.array([pair_features(float(a_vec @ e_vec), a_probs, judge.signs(p.answer), e_gap,
                                                     falls_short(p.evidence))],
                                       dtype=np.float32))[0]
            right += PAIR_KINDS[int(np.argmax(z))] == p.kind
    return {
        "sentences": len(sentences), "train": len(train), "held_out": len(test), "threshold": threshold,
        "labels": per_label,
        "macro_precision": sum(v["precision"] for v in per_label.values()) / len(per_label),
        "macro_recall": sum(v["recall"] for v in per_label.values()) / len(per_label),
        "pairs": len(pairs), "pairs_accuracy_leave_one_evidence_out": right / max(1, len(pairs)),
    }


def format_judgement_table(r: dict) -> str:
    lines = [
        f"Sentence judgement: trained on {r['train']} labelled sentences, tested on {r['held_out']} held out "
        f"(threshold {r['threshold']})",
        f"{'label':<10} {'support':>7} {'precision':>9} {'recall':>7}",
    ]
    for label, v in r["labels"].items():
        lines.append(f"{label:<10} {v['support']:>7} {v['precision']:>9.2f} {v['recall']:>7.2f}")
    lines.append(f"{'macro':<10} {'':>7} {r['macro_precision']:>9.2f} {r['macro_recall']:>7.2f}")
    lines.append(f"Answer/evidence pairs: {r['pairs_accuracy_leave_one_evidence_out']:.0%} of {r['pairs']} right "
                 "(claims the opposite / owns the gap / other), each evidence sentence left out in turn")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m prep_bot.evals.judgement: rewrite the shipped vectors and models
    from prep_bot.coaching.rubric import shipped_rubric
    from prep_bot.infra.config import REPO_ROOT, Settings
    from prep_bot.infra.embeddings import Embedder

    settings = Settings()
    rubric = shipped_rubric()
    embedder = Embedder(settings.model_path, batch_size=settings.embed_batch_size, threads=settings.torch_threads)
    judge = SentenceJudge(embedder, rubric.cues, rubric.activity_nouns, REPO_ROOT / "knowledge" / "sentences")
    print(f"wrote {judge.save_shipped()}")
