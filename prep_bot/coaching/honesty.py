"""Honest beats hiding: where the home council's evidence names an area to improve for the
statement, an answer that says the opposite is told so, with the evidence sentence and its
date, and an answer that owns the same gap is credited.

The areas to improve are the sentences of the statement's passages tagged "improvement" that a
learned reading of the evidence's own voice takes to name a weakness or a recommendation
(meaning, not words: "There are no delays for section 42 enquiries" is not one). An answer sentence is set beside the
closest of them; a small learned model (trained on labelled answer/evidence pairs,
knowledge/sentences/contradictions.txt) decides from how close they are in meaning and from what
the answer sentence shows whether it claims the opposite, owns the gap, or is about something
else, so an answer that talks about another subject raises no alarm."""

from __future__ import annotations

import hashlib
import re
import threading

import numpy as np

from prep_bot.coaching.judgement import LABELS, SentenceJudge, split_answer
from prep_bot.coaching.reading import AnswerReading, Finding
from prep_bot.coaching.stated_values import same_value
from prep_bot.evidence.figure_model import VERSION as FIGURES_VERSION
from prep_bot.evidence.figures import extract_figures
from prep_bot.evidence.provenance import display_date
from prep_bot.evidence.tagging import names_a_shortfall
from prep_bot.evidence.text_blocks import blocks

_CHUNK = 2048  # evidence sentences judged at once
GAPS_VERSION = 3  # bump when how the evidence is cut into sentences changes: gaps kept on disk are then found again
GAP_MIN = 0.6  # an evidence sentence read as naming an area to improve at least this surely
NEAR_MIN = 0.4  # an answer sentence this close in meaning to a gap of its statement is compared with it
NEAR_OTHER = 0.5  # ... and this close to one tagged with another statement (tags are not perfect)
CLAIMS_MIN = 0.7  # the pair model's probability that decides "claims the opposite"
CLOSE = 0.7  # an answer sentence this close in meaning to a gap says the same thing of it, one way or the other
CLOSE_CLAIMS_MIN = 0.5  # ... so "claims the opposite" needs less of the pair model
SURE_GAP = 0.8  # ... when the evidence sentence reads this surely as a gap
OWNS_MIN = 0.5  # the pair model's probability that decides "owns the gap"
SAME_GAP = 0.6  # two evidence sentences this close name the same gap
CANDIDATES = 3  # evidence sentences compared with each answer sentence


_SHORTFALL = re.compile(r"\b(?:rarely|seldom|hardly|few|fewer|little|limited|lack\w*|too|poor\w*|low\w*|weak\w*|risks?|"
                        r"concerns?|concerned|worr\w*|difficult\w*|hard|struggl\w*|variable|patchy|unclear|only|"
                        # A shortfall said as a plain fact: what people had to do, who it leaves out,
                        # how long, how far from a standard ("had to chase", "in English alone").
                        r"sometimes|often|ha(?:d|ve|s) to|rel(?:y|ies|ied|ying) on|depend\w*|chas\w+|alone|nowhere|english|"
                        r"wait\w*|longer|outside|against|compared|below|behind|half|third|in ten|out of|still|yet|last (?:refreshed|updated|reviewed))\b", re.I)


def _may_name_a_weakness(sentence: str) -> bool:
    """A sentence of a passage not tagged as an area to improve is read only if its words could
    name one (a shortfall word, a negative, a problem owned): reading every sentence of a large
    library would embed them all (a 100,000-passage library, half a million sentences)."""
    negation, _, owned, _ = SentenceJudge.signs(sentence)
    return names_a_shortfall(sentence) or bool(negation or owned or _SHORTFALL.search(sentence))


def _figures(evidence: str) -> list:
    return [p for p in extract_figures(evidence) if p.value >= 2 or p.kind != "count"]


def _quotes_its_figure(figures: list, evidence: str) -> bool:
    """Whether an answer sentence's figures include one the evidence sentence states (the same
    value in the same unit, not a bare small number): quoting a gap's figure is not saying the
    opposite of it."""
    return any(same_value(p, q) for p in figures for q in _figures(evidence))


def _figures_alike(figures: list, evidence: str) -> bool:
    """Whether an answer sentence and an evidence sentence both give figures of one kind (two
    waits in days). Sharing none, the answer's are of another measure ("26 days for a Care Act
    assessment" beside "97 days for an OT assessment"), so it does not restate, or own, that gap."""
    return bool({p.kind for p in figures} & {q.kind for q in _figures(evidence)})


class AreasToImprove:
    """The evidence's areas to improve, and the check of an answer against them."""

    def __init__(self, store, embedder, judge: SentenceJudge) -> None:
        self.store = store
        self.embedder = embedder
        self.judge = judge
        self._cache: dict[tuple, tuple[list, np.ndarray]] = {}
        self._lock = threading.Lock()

    def gaps(self) -> tuple[list[tuple[str, object]], np.ndarray]:
        """(sentence, passage) pairs naming an area to improve in the home council's current
        evidence (passages tagged "improvement", not older than the staleness limit), and their
        vectors."""
        key = (self.store.catalog.generation, self.store.home_council)
        with self._lock:
            found = self._cache.get(key)
        if found is not None:
            return found
        # A finding older than the staleness limit is not held against anyone.
        passages = [p for p in self.store.passages() if not self.store.is_dated(p)]
        # What was found is kept on disk for the library's generation and the passages still
        # current (a finding grows stale with the days): another process, or the next start,
        # need not read again every sentence of a large library (about 30 s at 100,000 passages).
        disk = getattr(self.judge, "cache", None)
        current = hashlib.sha256("\n".join(sorted(p.id for p in passages)).encode()).hexdigest()[:16]
        disk_key = f"gaps:{key[0]}:{key[1]}:{current}:{self.judge.digest()}:{FIGURES_VERSION}:{GAPS_VERSION}"
        stored = disk.result(disk_key) if disk is not None else None
        if stored is not None:
            by_id = {p.id: p for p in passages}
            items = [(sentence, by_id[pid]) for pid, sentence in stored if pid in by_id]
            vectors = self.embedder.encode_cached(self.spelled_out([s for s, _ in items]), persist=True) if items else np.zeros((0, 384))
            found = (items, np.asarray(vectors, dtype=np.float32))
        else:
            found = self._judge(passages)
            if disk is not None:
                disk.put_result(disk_key, [[p.id, sentence] for sentence, p in found[0]], kind="gaps")
        with self._lock:
            if len(self._cache) > 16:
                self._cache.clear()
            self._cache[key] = found
        return found

    def _judge(self, passages: list) -> tuple[list[tuple[str, object]], np.ndarray]:
        """The sentences of ``passages`` read as naming an area to improve, and their vectors:
        a few thousand at a time (a large library's every sentence at once held their vectors and
        features together, 850 MiB more at 100,000 passages)."""
        items = [(sentence, passage) for passage in passages for sentence in
                 (s.lstrip("-•* ").strip() for block in blocks(passage.text) for s in split_answer(block))
                 if 6 <= len(sentence.split()) <= 60
                 and (passage.polarity == "improvement" or _may_name_a_weakness(sentence))]
        kept: list[tuple[str, object]] = []
        parts = [np.zeros((0, 384), dtype=np.float32)]
        for lo in range(0, len(items), _CHUNK):
            chunk = items[lo : lo + _CHUNK]
            texts = [s for s, _ in chunk]
            chunk_vectors = self.embedder.encode_cached(texts, persist=True)
            keep = np.flatnonzero(self.judge.weakness(texts, chunk_vectors) >= GAP_MIN)
            kept += [chunk[i] for i in keep]
            spelled = self.spelled_out([texts[i] for i in keep])
            if spelled != [texts[i] for i in keep]:
                chunk_vectors = np.asarray(chunk_vectors, dtype=np.float32).copy()
                chunk_vectors[keep] = self.embedder.encode_cached(spelled, persist=True)
            parts.append(np.asarray(chunk_vectors, dtype=np.float32)[keep])
        return kept, np.vstack(parts)

    def spelled_out(self, texts: list[str]) -> list[str]:
        """Each text with the full names of the short forms it uses ("OT's fine" is about
        occupational therapy): how close in meaning an answer and a finding are should not turn
        on whether one says "OT" and the other "occupational therapy"."""
        glossary = getattr(self.store, "glossary", None)
        return [glossary.spell_out(t) for t in texts] if glossary is not None else list(texts)

    def check(self, reading: AnswerReading) -> list[Finding]:
        """Answer sentences that claim the opposite of, or own, an area the evidence names. A
        claim is dropped when the answer owns the same gap elsewhere."""
        items, vectors = self.gaps()
        if not items or not len(reading.sentences):
            return []
        own = np.array([reading.qs in p.quality_statements for _, p in items])
        answer_vectors = reading.vectors
        spelled = self.spelled_out(reading.sentences)
        if spelled != reading.sentences:
            answer_vectors = self.embedder.encode_cached(spelled)
        sims = np.einsum("ij,kj->ik", answer_vectors, vectors)  # (answer sentences, evidence sentences)
        findings: dict[tuple[int, int], Finding] = {}
        nearest = {i: [int(j) for j in np.argsort(-sims[i])[:CANDIDATES]] for i in range(len(reading.sentences))}
        compared = sorted({j for js in nearest.values() for j in js})
        read = self.judge.evidence_gap([items[j][0] for j in compared], vectors[compared]) if compared else None
        evidence_gap = {j: float(read[k]) for k, j in enumerate(compared)}
        for i in range(len(reading.sentences)):
            if reading.on_subject[i] < 0.5:
                continue
            probs = dict(zip(LABELS, reading.probs[i].tolist()))
            signs = self.judge.signs(reading.sentences[i])
            owning = self.judge.owns_a_problem(reading.sentences[i])
            for j in nearest[i]:
                similarity = float(sims[i, j])
                if similarity < (NEAR_MIN if own[j] else NEAR_OTHER):
                    continue
                kinds = self.judge.pair_kind(similarity, probs, signs, evidence_gap[j], items[j][0])
                # Close in meaning, saying the opposite needs less of the pair model, unless the
                # evidence sentence is not surely a gap (the answer may restate a strength).
                close = similarity >= CLOSE and evidence_gap[j] >= SURE_GAP
                # A sentence owning a problem in so many words ("we did overspend, by £4.2m") and
                # about the gap owns it, however the model reads its figures; so does one quoting
                # the gap's own figure ("we delivered £5.4m of the £7.2m, so £1.8m has rolled on").
                about = kinds["claims"] + kinds["owns"]
                quotes = _quotes_its_figure(reading.figures[i], items[j][0])
                owning_here = owning or quotes
                if kinds["claims"] >= (CLOSE_CLAIMS_MIN if close else CLAIMS_MIN) and not owning_here:
                    kind, probability = "claims", kinds["claims"]
                elif (kinds["owns"] >= OWNS_MIN or owning_here and about >= OWNS_MIN) and (
                        owning_here or not _figures_alike(reading.figures[i], items[j][0])):
                    kind, probability = "owns", (about if owning_here else kinds["owns"])
                else:
                    continue
                sentence, passage = items[int(j)]
                finding = Finding(kind, i, sentence, display_date(passage.date), passage.title, passage.doc_id, probability)
                previous = findings.get((int(j), i))
                if previous is None or previous.probability < finding.probability:
                    findings[(int(j), i)] = finding
        owned = [j for (j, _), f in findings.items() if f.kind == "owns"]
        out = []
        for (j, _), f in findings.items():
            if f.kind == "claims" and owned and float((vectors[owned] @ vectors[j]).max()) >= SAME_GAP:
                continue  # the answer owns this gap elsewhere: not hiding it
            out.append(f)
        return sorted(out, key=lambda f: (f.kind != "claims", -f.probability))
