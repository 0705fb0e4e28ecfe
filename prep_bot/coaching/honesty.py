"""Honest beats hiding: where the home council's evidence names an area to improve for the
statement, an answer that says the opposite is told so, with the evidence sentence and its
date, and an answer that owns the same gap is credited.

The areas to improve are the sentences of the statement's passages tagged "improvement" that
the sentence judgement reads as a gap (meaning, not words). An answer sentence is set beside the
closest of them; a small learned model (trained on labelled answer/evidence pairs,
knowledge/sentences/contradictions.txt) decides from how close they are in meaning and from what
the answer sentence shows whether it claims the opposite, owns the gap, or is about something
else, so an answer that talks about another subject raises no alarm."""

from __future__ import annotations

import threading

import numpy as np

from prep_bot.coaching.judgement import LABELS, SentenceJudge, split_answer
from prep_bot.coaching.reading import AnswerReading, Finding
from prep_bot.evidence.provenance import display_date

GAP_MIN = 0.6  # an evidence sentence the judgement reads as a gap at least this surely
NEAR_MIN = 0.4  # an answer sentence this close in meaning is compared with it
DECIDE_MIN = 0.5  # the pair model's probability that decides "claims" or "owns"
CANDIDATES = 3  # evidence sentences compared with each answer sentence


class AreasToImprove:
    """The evidence's areas to improve per quality statement, and the check of an answer."""

    def __init__(self, store, embedder, judge: SentenceJudge) -> None:
        self.store = store
        self.embedder = embedder
        self.judge = judge
        self._cache: dict[tuple, tuple[list, np.ndarray]] = {}
        self._lock = threading.Lock()

    def for_statement(self, qs: str) -> tuple[list[tuple[str, object]], np.ndarray]:
        """(sentence, passage) pairs naming an area to improve, and their vectors."""
        key = (self.store.catalog.generation, self.store.home_council, qs)
        with self._lock:
            found = self._cache.get(key)
        if found is not None:
            return found
        items: list[tuple[str, object]] = []
        for passage in self.store.passages(polarity="improvement"):
            if qs not in passage.quality_statements or self.store.is_dated(passage):
                continue  # a finding older than the store's staleness limit is not held against anyone
            for sentence in split_answer(passage.text):
                sentence = sentence.lstrip("-•* ").strip()
                if 6 <= len(sentence.split()) <= 60:
                    items.append((sentence, passage))
        if items:
            texts = [s for s, _ in items]
            vectors = self.embedder.encode_cached(texts, persist=True)
            probs = self.judge.read(texts, vectors)
            keep = [i for i in range(len(items))
                    if probs[i, LABELS.index("gap")] >= GAP_MIN and probs[i, LABELS.index("buzz")] < 0.6]
            items = [items[i] for i in keep]
            vectors = vectors[keep] if keep else np.zeros((0, vectors.shape[1]), dtype=np.float32)
        else:
            vectors = np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[key] = (items, vectors)
        return items, vectors

    def check(self, reading: AnswerReading) -> list[Finding]:
        """Answer sentences that claim the opposite of, or own, an area the evidence names."""
        items, vectors = self.for_statement(reading.qs)
        if not items or not len(reading.sentences):
            return []
        sims = reading.vectors @ vectors.T  # (answer sentences, evidence sentences)
        findings: dict[tuple[str, int], Finding] = {}
        for i in range(len(reading.sentences)):
            if reading.on_subject[i] < 0.5:
                continue
            probs = dict(zip(LABELS, reading.probs[i].tolist()))
            negation = self.judge.negation(reading.sentences[i])
            for j in np.argsort(-sims[i])[:CANDIDATES]:
                similarity = float(sims[i, j])
                if similarity < NEAR_MIN:
                    break
                kinds = self.judge.pair_kind(similarity, probs, negation)
                kind = max(("claims", "owns"), key=lambda k: kinds[k])
                if kinds[kind] < DECIDE_MIN:
                    continue
                sentence, passage = items[int(j)]
                finding = Finding(kind, i, sentence, display_date(passage.date), passage.title, passage.doc_id, kinds[kind])
                previous = findings.get((sentence, i))
                if previous is None or previous.probability < finding.probability:
                    findings[(sentence, i)] = finding
        return sorted(findings.values(), key=lambda f: -f.probability)
