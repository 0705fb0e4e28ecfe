"""Feedback on a practice answer: rubric scores, evidence and figures to cite, a check of the
figures the answer states, the points it missed, and a follow-up probe. No LLM: every part is
deterministic and says why."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from prep_bot.coaching.claims import CONTRADICT_MIN as SAME_MEASURE_SHOWN
from prep_bot.coaching.claims import Claim, ClaimChecker
from prep_bot.evidence.figure_model import FigureReader, window_text
from prep_bot.evidence.figures import DataPoint, extract_figures, sentences
from prep_bot.evidence.passage import Passage, SearchHit
from prep_bot.coaching.feedback import Reply, covered, reply_for, weakest, wrong_figures
from prep_bot.framework.statements import Framework
from prep_bot.inputs import clean_text, has_words, looks_like_english
from prep_bot.practice.questions import Question, QuestionBank
from prep_bot.coaching.rubric import DimensionScore, Rubric, Scorer, answer_features, best_match

MAX_ANSWER_CHARS = 6000
MAX_CLAIMS = 8
MISSED_SIMILARITY = 0.42  # an evidence passage or a point this close to the answer counts as used


@dataclass
class DataCard:
    point: DataPoint
    passage: Passage

    def to_dict(self) -> dict:
        p = self.point
        return {
            "text": p.sentence, "value": p.value, "unit": p.unit, "raw": p.raw, "measure": p.measure,
            "comparator": p.comparator, "period": p.period, "doc_id": self.passage.doc_id,
            "title": self.passage.title, "page": self.passage.page, "date": p.date or self.passage.date or None,
        }


@dataclass
class Feedback:
    question: str
    qs: str
    score: int
    dimensions: list[DimensionScore]
    evidence: list[SearchHit]
    data: list[DataCard]
    claims: list[Claim]
    missed: list[str]
    follow_up: str
    weakest: str = ""  # the dimension to change (and the follow-up's target)
    extra: dict = field(default_factory=dict)
    missed_about: dict[str, list[list[str]]] = field(default_factory=dict)  # each missed point's dimensions
    reply: Reply | None = None  # what the coach says, decided once (see feedback.py)

    def to_dict(self) -> dict:
        return {
            "score": self.score,
            "dimensions": {d.name: {"score": d.score, "reason": d.reason} for d in self.dimensions},
            "evidence": [h.to_dict() for h in self.evidence],
            "data": [c.to_dict() for c in self.data],
            "claims": [c.to_dict() for c in self.claims],
            "missed": list(self.missed),
            "follow_up": self.follow_up,
            "reply": self.reply.to_dict() if self.reply else None,
        }


class Coach:
    """Coaches answers against the evidence store, the rubric and the question bank."""

    def __init__(self, store, framework: Framework, rubric: Rubric, bank: QuestionBank | None = None) -> None:
        self.store = store
        self.embedder = store.embedder
        self.framework = framework
        self.rubric = rubric
        self.bank = bank
        self.scorer = Scorer(rubric)
        self.claims = ClaimChecker(store, store.embedder)
        self._exemplars: tuple[np.ndarray, np.ndarray] | None = None

    def _exemplar_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        if self._exemplars is None:
            outcome = self.rubric.dimension("outcome")
            self._exemplars = (
                self.embedder.encode_cached(outcome.exemplars),
                self.embedder.encode_cached(outcome.activity_exemplars),
            )
        return self._exemplars

    def find_question(self, text: str, qs: str) -> Question:
        """The bank's question with this text, or an ad-hoc question for it."""
        if self.bank:
            for q in self.bank.select(qs=qs):
                if q.text.strip().lower() == text.strip().lower():
                    return q
        return Question(id="custom", qs=qs, audience="any", text=text.strip())

    def coach(self, qs: str, question: Question | str, answer: str) -> Feedback:
        self.framework.qs(qs)  # raises KeyError for an unknown slug
        if isinstance(question, str):
            if not clean_text(question).strip():
                raise ValueError("Give the question you are answering.")
            question = self.find_question(clean_text(question), qs)
        answer = clean_text(answer).strip()  # no lone surrogates or control characters: the model refuses them
        if not answer:
            raise ValueError("Write an answer first: what would you say to the inspector?")
        if len(answer) > MAX_ANSWER_CHARS:
            raise ValueError(
                f"That answer is {len(answer):,} characters; keep it under {MAX_ANSWER_CHARS:,} "
                "(about two minutes of speaking)."
            )
        if not has_words(answer):
            raise ValueError("That answer has no words in it, only symbols or emoji: say what you would tell the inspector.")
        statement = self.framework.qs(qs)
        figures = extract_figures(answer)
        claims = self.claims.check(answer, limit=MAX_CLAIMS)
        features = answer_features(answer, self.rubric, figures)
        features.supported = sum(c.status == "supported" for c in claims)
        features.contradicted = sum(c.status == "contradicted" for c in claims)
        features.checked = len(claims)
        features.wrong = wrong_figures(claims)

        # One encode of the answer's sentences per turn; everything else is cached or stored.
        points = question.looks_for or []
        answer_sentences = features.sentences
        sentence_vecs = self.embedder.encode_cached(answer_sentences)
        q_vec, topic_vec = self.embedder.encode_cached([question.text, f"{statement.description} {' '.join(points)}"])
        point_vecs = self.embedder.encode_cached(points)
        answer_vec = _unit(sentence_vecs.mean(axis=0))

        about_question = self.store.search(question.text, k=4, qs=qs, vector=q_vec)
        evidence = self.store.search(f"{question.text} {answer}", k=5, qs=qs, vector=_unit(q_vec + answer_vec))
        stored = self.store.embeddings([h.passage.id for h in about_question])
        passage_vecs = [stored.get(h.passage.id, np.zeros_like(q_vec)) for h in about_question]

        features.relevance = float(answer_vec @ q_vec)
        features.topic_fit = float(answer_vec @ topic_vec)
        outcome_vecs, activity_vecs = self._exemplar_vectors()
        features.outcome_sim, row = best_match(sentence_vecs, outcome_vecs)
        features.activity_sim, _ = best_match(sentence_vecs, activity_vecs)
        features.outcome_sentence = answer_sentences[row] if answer_sentences else answer

        dimensions = self.scorer.score(features)
        if not looks_like_english(answer):  # say so, rather than let the scores look like a verdict
            dimensions = [
                replace(d, reason="Not in English: the coach reads English answers, so these scores say little.")
                if d.name == "focus" else d
                for d in dimensions
            ]
        score = self.scorer.overall(dimensions)
        change = weakest(dimensions, self.rubric)
        data = self.data_cards([*evidence, *about_question], reader=self.claims.reader, about=q_vec)
        candidates = self._missed(answer, sentence_vecs, answer_vec, points, point_vecs, about_question, passage_vecs, data)
        # What the answer's own scores show it covered is not "missed".
        missed = [(text, about) for text, about in candidates if not covered(about, dimensions)][:5]
        shown_by_scores = [text for text, about in candidates if covered(about, dimensions)]
        follow_up = self._probe(change.name, question)
        feedback = Feedback(
            question=question.text, qs=qs, score=score, dimensions=dimensions, evidence=evidence, data=data,
            claims=claims, missed=[text for text, _ in missed], follow_up=follow_up, weakest=change.name,
            missed_about={text: about for text, about in missed}, extra={"covered_by_scores": shown_by_scores},
        )
        feedback.reply = reply_for(feedback, self.rubric)
        return feedback

    @staticmethod
    def data_cards(hits: list[SearchHit], limit: int = 6, reader: FigureReader | None = None,
                   about: np.ndarray | None = None) -> list[DataCard]:
        """Figures to use: the council's own performance figures in the passages (not the report's
        metadata, not a comparator on its own), one per measure and the newest of it, those
        closest to ``about`` (the question's vector) first."""
        reader = reader or FigureReader(None)
        cards: list[DataCard] = []
        seen: set[tuple[str, str]] = set()
        for hit in hits:
            for point in reader.figures(hit.passage.text, allow_model=reader.embedder is not None):
                key = (point.raw, point.sentence)
                if not point.performance or point.subject != "ours" or point.is_comparator or key in seen:
                    continue  # comparators travel with their figure; "3 days" on site is not data
                if point.unit == "count" and point.value < 10 and not point.comparator:
                    continue  # "4 key priorities" is not data
                seen.add(key)
                cards.append(DataCard(point, hit.passage))
        if not cards:
            return []
        model = reader.model if reader.embedder is not None else None
        vectors = model.vectors_for([c.point for c in cards], persist=True) if model else {}
        relevance = {id(c): float(vectors[window_text(c.point)] @ about) if model is not None and about is not None else 0.0
                     for c in cards}
        # Newest first within a measure; figures with a comparator or a period tell the most.
        cards.sort(key=lambda c: (-(relevance[id(c)] // 0.05), c.point.comparator is None, c.point.unit == "count",
                                  c.point.period is None, _negated(c.point.date or c.passage.date or "")))
        chosen: list[DataCard] = []
        for card in cards:
            if model is not None and chosen:
                same = model.same_measure(card.point, [c.point for c in chosen], vectors)
                older = [c for c, p in zip(chosen, same) if p >= SAME_MEASURE_SHOWN]
                if older:
                    kept = older[0]
                    if (card.point.date or card.passage.date or "") > (kept.point.date or kept.passage.date or ""):
                        chosen[chosen.index(kept)] = card  # the newest figure of the measure
                    continue
            elif any(c.point.measure == card.point.measure and c.point.measure for c in chosen):
                continue
            chosen.append(card)
            if len(chosen) == limit:
                break
        return chosen

    def _missed(self, answer, sentence_vecs, answer_vec, points, point_vecs, passages, passage_vecs, data):
        """What the answer could have used, each with the dimensions it is about."""
        missed: list[tuple[str, list[list[str]]]] = []
        for point, vec in zip(points, point_vecs):
            if len(sentence_vecs) and float((sentence_vecs @ vec).max()) < MISSED_SIMILARITY:
                missed.append((f"Not covered: {point}", self.rubric.point_about(point)))
        used = {p.raw.split()[0] for p in extract_figures(answer)}
        for hit, vec in zip(passages[:3], passage_vecs[:3]):
            if float(answer_vec @ vec) >= MISSED_SIMILARITY + 0.1:
                continue
            if any(f.raw.split()[0] in used for f in extract_figures(hit.passage.text)):
                continue
            key = _key_sentence(hit.passage.text)
            if key:
                missed.append((f"The evidence says: “{key}” ({hit.passage.citation})", []))
        for card in data[:2]:
            if card.point.raw.split()[0] not in used and card.point.comparator:
                missed.append((f"A figure you could use: {card.point.raw} ({card.point.comparator}) — {card.passage.title}", [["data"]]))
                break
        return missed

    def _probe(self, dimension: str, question: Question) -> str:
        probe = self.rubric.dimension(dimension).probe
        if question.probes:
            vectors = self.embedder.encode_cached([probe, *question.probes])
            sims = vectors[1:] @ vectors[0]
            best = int(np.argmax(sims))
            if sims[best] >= 0.45:
                return question.probes[best]
        return probe


def _negated(date: str) -> str:
    """Sort key putting later dates first."""
    return "".join(chr(255 - ord(ch)) for ch in date)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def _key_sentence(text: str) -> str | None:
    for sentence in sentences(text):
        if 8 <= len(sentence.split()) <= 40:
            return sentence
    return None
