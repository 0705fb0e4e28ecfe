"""Feedback on a practice answer: rubric scores with reasons, evidence and figures to cite, a
check of the figures the answer states and of what it says against the evidence's areas to
improve, the points it missed, and a follow-up probe. A reply to the follow-up is coached with
the answer it follows: one score for the whole answer, and what the follow-up added. No LLM:
every part is decided by the learned sentence judgement and says why."""

from __future__ import annotations

from prep_bot.errors import InputError
from dataclasses import dataclass, field
import re

import numpy as np

from prep_bot.coaching.claims import ALIKE_MIN as SAME_MEASURE_SHOWN  # one figure per measure: the pair model all but sure
from prep_bot.coaching.claims import Claim, ClaimChecker
from prep_bot.coaching.conversation import Added, what_was_added
from prep_bot.coaching.feedback import Reply, covered, reply_for, weakest, wrong_figures
from prep_bot.coaching.honesty import AreasToImprove
from prep_bot.coaching.judgement import LABELS, SentenceJudge, _activity_counts, split_answer
from prep_bot.coaching.reading import VENTING_SHARE, AnswerReading
from prep_bot.coaching.relevance import Relevance
from prep_bot.coaching.rubric import DimensionScore, Rubric, registered
from prep_bot.evidence.figure_model import FigureReader, window_text
from prep_bot.evidence.figures import DataPoint, extract_figures, sentences
from prep_bot.evidence.passage import Passage, SearchHit
from prep_bot.framework.statements import Framework
from prep_bot.inputs import clean_text, has_words, looks_like_english
from prep_bot.infra.config import REPO_ROOT
from prep_bot.framework.questions import Question, QuestionBank

MAX_ANSWER_CHARS = 6000
MAX_TURNS = 6  # an answer and up to five replies to follow-ups, coached together
MAX_CLAIMS = 8
MISSED_SIMILARITY = 0.42  # an evidence passage or a point this close to the answer counts as used
OFF_QUESTION = 0.12  # an answer this far in meaning from the question and the statement is off it
# ... unless most of it is read as outcomes, examples, practice, figures, gaps or plans: answers
# about people's care rarely share the question's words ("when reviews slipped I moved a worker
# onto them", "the median wait came down to 27 days" to a question about using performance
# information), so only one this far is off it whatever it says.
OFF_QUESTION_SUBSTANTIVE = 0.06
SUBSTANCE = ("outcome", "example", "practice", "data", "gap", "plan")
SENTENCES = REPO_ROOT / "knowledge" / "sentences"
# A sentence that opens with what the team started doing and goes on to what it did for people.
_PRACTICE_OPENING = re.compile(
    r"\s*(?:ever )?(?:since|after|once|now that)\s+((?:we|I|the team|our team|my team)\s+(?:have\s+|had\s+)?"
    r"(?:brought in|introduced|started|set up|began|moved to|changed|put in|launched|created|rolled out|switched to)\b[^,;:]{3,120})[,;:]",
    re.I)


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
    turns: int = 1  # the answer and the replies to follow-ups it was coached with
    added: list[Added] = field(default_factory=list)  # what the latest reply added (turns > 1)
    findings: list = field(default_factory=list)  # answer sentences beside the evidence's areas to improve
    wrong_sentences: list[str] = field(default_factory=list)  # the answer's sentences with a contradicted figure
    reviews: dict = field(default_factory=dict)  # what reviewers added (name -> an object with to_dict)
    off_question: bool = False  # the answer speaks to something other than the question

    def to_dict(self) -> dict:
        return {
            "score": self.score,
            "turns": self.turns,
            "dimensions": {d.name: {"score": d.score, "reason": d.reason} for d in self.dimensions},
            "evidence": [h.to_dict() for h in self.evidence],
            "data": [c.to_dict() for c in self.data],
            "claims": [c.to_dict() for c in self.claims],
            "honesty": [f.to_dict() for f in self.findings],
            "missed": list(self.missed),
            "follow_up": self.follow_up,
            "added": [a.to_dict() for a in self.added],
            "reply": self.reply.to_dict() if self.reply else None,
            **{name: review.to_dict() for name, review in self.reviews.items()},
        }


class Coach:
    """Coaches answers against the evidence store, the rubric and the question bank."""

    def __init__(self, store, framework: Framework, rubric: Rubric, bank: QuestionBank | None = None,
                 sentences_dir=SENTENCES, cache=None, reviewers=()) -> None:
        """``reviewers``: each has ``review(feedback, answer)`` and may add to ``feedback.reviews``
        (e.g. how the answer measures up to the council's agreed story); they never touch the score."""
        self.store = store
        self.reviewers = tuple(reviewers)
        self.embedder = store.embedder
        self.framework = framework
        self.rubric = rubric
        self.bank = bank
        self.claims = ClaimChecker(store, store.embedder)
        judges = registered()
        self.judges = {d.name: judges[d.name](d, rubric) for d in rubric.dimensions}
        self.judgement = SentenceJudge(self.embedder, rubric.cues, rubric.activity_nouns, sentences_dir, cache)
        self.areas = AreasToImprove(store, self.embedder, self.judgement)
        self.relevance = Relevance(self.embedder, bank)

    def find_question(self, text: str, qs: str) -> Question:
        """The bank's question with this text, or an ad-hoc question for it."""
        if self.bank:
            for q in self.bank.select(qs=qs):
                if q.text.strip().lower() == text.strip().lower():
                    return q
        return Question(id="custom", qs=qs, audience="any", text=text.strip())

    # -- one turn -------------------------------------------------------------------------------
    def coach(self, qs: str, question: Question | str, answer: str, earlier: list[str] | None = None) -> Feedback:
        """Coach ``answer``; with ``earlier`` (the answer and replies it follows, oldest first)
        the whole conversation is coached as one answer, with what this reply added."""
        self.framework.qs(qs)  # raises KeyError for an unknown slug
        if isinstance(question, str):
            if not clean_text(question).strip():
                raise InputError("Give the question you are answering.")
            question = self.find_question(clean_text(question), qs)
        earlier = [self._checked(text, "earlier answer") for text in (earlier or []) if clean_text(text).strip()]
        answer = self._checked(answer, "answer")
        turns = [*earlier, answer][-MAX_TURNS:]
        if len("\n".join(turns)) > MAX_ANSWER_CHARS * 2:
            raise InputError(f"Together these answers are too long to coach as one; keep them under {MAX_ANSWER_CHARS * 2:,} characters.")
        statement = self.framework.qs(qs)
        points = question.looks_for or []
        q_vec, topic_vec = self.embedder.encode_cached([question.text, f"{statement.description} {' '.join(points)}"])

        self._embed_once(turns)
        claims = self.claims.check("\n".join(turns), limit=MAX_CLAIMS)
        reading = self.read(qs, question, turns, q_vec, topic_vec, claims)
        dimensions = self.score_dimensions(reading)
        score = self.overall(dimensions, reading)
        added: list[Added] = []
        asked = ""  # the dimension the follow-up just answered was asked about
        if len(turns) > 1:
            before_claims = self.claims.check("\n".join(turns[:-1]), limit=MAX_CLAIMS)
            before = self.read(qs, question, turns[:-1], q_vec, topic_vec, before_claims)
            before_dims = self.score_dimensions(before)
            before_score = self.overall(before_dims, before)
            added = what_was_added(before_dims, before_score, dimensions, score, reading, len(turns) - 1)
            asked = reply_for(Feedback(
                question=question.text, qs=qs, score=before_score, dimensions=before_dims, evidence=[], data=[],
                claims=before_claims, missed=[], follow_up="", findings=before.findings, off_question=before.off_question,
                wrong_sentences=[before.sentences[i] for i in sorted(before.contradicted)]), self.rubric).change.name

        full = "\n".join(turns)
        answer_vec = _unit(reading.vectors.mean(axis=0)) if len(reading.vectors) else q_vec
        about_question = self.store.search(question.text, k=4, qs=qs, vector=q_vec)
        evidence = self.store.search(f"{question.text} {full}", k=5, qs=qs, vector=_unit(q_vec + answer_vec))
        stored = self.store.embeddings([h.passage.id for h in about_question])
        passage_vecs = [stored.get(h.passage.id, np.zeros_like(q_vec)) for h in about_question]
        point_vecs = self.embedder.encode_cached(points)
        change = weakest(dimensions, self.rubric)
        data = self.data_cards([*evidence, *about_question], reader=self.claims.reader, about=q_vec)
        candidates = self._missed(full, reading.vectors, answer_vec, points, point_vecs, about_question, passage_vecs, data)
        # What the answer's own scores show it covered is not "missed".
        missed = [(text, about) for text, about in candidates if not covered(about, dimensions, self.rubric.good)][:5]
        shown_by_scores = [text for text, about in candidates if covered(about, dimensions, self.rubric.good)]
        feedback = Feedback(
            question=question.text, qs=qs, score=score, dimensions=dimensions, evidence=evidence, data=data,
            claims=claims, missed=[text for text, _ in missed], follow_up="", weakest=change.name,
            missed_about={text: about for text, about in missed}, extra={"covered_by_scores": shown_by_scores},
            turns=len(turns), added=added, findings=reading.findings,
            wrong_sentences=[reading.sentences[i] for i in sorted(reading.contradicted)],
            off_question=reading.off_question,
        )
        feedback.reply = reply_for(feedback, self.rubric)
        feedback.weakest = feedback.reply.change.name
        probed = feedback.weakest
        if probed == asked:
            # The same probe again would leave the person going round in a circle: the one change
            # stands, and the next question moves on to the next weakest part.
            probed = weakest([d for d in dimensions if d.name != asked], self.rubric).name
        # An answer to something else is asked the question again, not probed on its own subject.
        follow_up = question.text if reading.off_question else self._probe(probed, question)
        feedback.follow_up = feedback.reply.follow_up = follow_up
        for reviewer in self.reviewers:
            reviewer.review(feedback, "\n\n".join(turns))
        return feedback

    def _embed_once(self, turns: list[str]) -> None:
        """Embed in one batch what this turn will look up: the answer's sentences, and each
        figure's sentence, measure phrase and words around it for the claim check, and the sentences
        with their short forms spelled out for the honesty check (one model call, not four)."""
        texts = [t for text in turns for t in (split_answer(text) or [text])]
        texts += self.areas.spelled_out(texts)  # the honesty check reads "OT" as occupational therapy
        for point in extract_figures("\n".join(turns))[:MAX_CLAIMS]:
            texts += [point.sentence, point.measure, window_text(point)]
        self.embedder.encode_cached([t for t in dict.fromkeys(texts) if t])

    def _checked(self, text: str, what: str) -> str:
        text = clean_text(text).strip()  # no lone surrogates or control characters: the model refuses them
        if not text:
            raise InputError("Write an answer first: what would you say to the inspector?")
        if len(text) > MAX_ANSWER_CHARS:
            raise InputError(
                f"That {what} is {len(text):,} characters; keep it under {MAX_ANSWER_CHARS:,} "
                "(about two minutes of speaking)."
            )
        if not has_words(text):
            raise InputError("That answer has no words in it, only symbols or emoji: say what you would tell the inspector.")
        return text

    # -- reading and scoring --------------------------------------------------------------------
    def read(self, qs: str, question: Question, turns: list[str], q_vec, topic_vec, claims: list[Claim]) -> AnswerReading:
        """Everything the judges need, read once: sentences over all turns, what each shows,
        figures and the claim check, closeness to the question, and the evidence's gaps."""
        texts, turn_of = [], []
        for n, text in enumerate(turns):
            parts = split_answer(text) or [text]
            texts += parts
            turn_of += [n] * len(parts)
        vectors = self.embedder.encode_cached(texts)
        full = "\n".join(turns)
        reading = AnswerReading(
            question=question.text, qs=qs, text=full, sentences=texts, turn=turn_of, vectors=vectors,
            probs=self.judgement.read(texts, vectors),
            figures=[extract_figures(t) for t in texts],
            activity=[_activity_counts(t, self.rubric.activity_nouns) for t in texts],
            english=looks_like_english(full),
            calibration=(self.rubric.scoring.shown_from, self.rubric.scoring.shown_fully),
        )
        reading.practice_in = self._practice_in(texts)
        mean = _unit(vectors.mean(axis=0))
        reading.relevance = float(mean @ q_vec)
        reading.topic_fit = float(mean @ topic_vec)
        closeness = max(reading.relevance, reading.topic_fit)
        substantive = sum(reading.share(label) for label in SUBSTANCE) >= 0.5
        reading.off_question = closeness < (OFF_QUESTION_SUBSTANTIVE if substantive else OFF_QUESTION)
        # A bank question says what it asks in its probes and points too (``relevance``).
        reading.off_question |= self.relevance.off(question, full, vectors)
        self._place_claims(reading, claims)
        reading.findings = self.areas.check(reading)
        return reading

    def _practice_in(self, texts: list[str]) -> np.ndarray:
        """What each sentence's opening clause of practice shows ("Since we brought in weekly
        checks at the front door, ..."): the practice probability of the clause alone, else 0."""
        out = np.zeros(len(texts))
        # The clause as a sentence of its own: "since" makes it read as a when, not a what.
        clauses = {n: m.group(1)[0].upper() + m.group(1)[1:] + "." for n, t in enumerate(texts) if (m := _PRACTICE_OPENING.match(t))}
        if clauses:
            found = list(clauses.values())
            probs = self.judgement.read(found, self.embedder.encode_cached(found))
            for (n, _), row in zip(clauses.items(), probs):
                out[n] = row[LABELS.index("practice")]
        return out

    @staticmethod
    def _place_claims(reading: AnswerReading, claims: list[Claim]) -> None:
        reading.checked = len(claims)
        reading.supported_count = sum(c.status == "supported" for c in claims)
        wrong = wrong_figures(claims)
        for claim in claims:
            where = next((i for i, s in enumerate(reading.sentences) if claim.text in s and s in claim.sentence), None)
            if where is None:
                where = next((i for i, s in enumerate(reading.sentences) if claim.text in s), None)
            if where is None:
                continue
            if claim.status == "supported":
                reading.supported.add(where)
            elif claim.status == "contradicted":
                reading.contradicted.add(where)
                for w in wrong:
                    if w.said == claim.text and not w.sentence:
                        w.sentence = reading.sentences[where]
        reading.wrong = wrong

    def score_dimensions(self, reading: AnswerReading) -> list[DimensionScore]:
        out = []
        for spec in self.rubric.dimensions:
            verdict = self.judges[spec.name].judge(reading)
            score = _clamp(verdict.score)
            reason = self.rubric.reason(spec.name, score, verdict.variant, **verdict.fields)
            out.append(DimensionScore(spec.name, spec.label, score, reason, list(verdict.quoted)))
        return out

    def overall(self, dimensions: list[DimensionScore], reading: AnswerReading) -> int:
        weights = {d.name: d.weight for d in self.rubric.dimensions}
        scores = {d.name: d.score for d in dimensions}
        total = sum(weights[d.name] for d in dimensions)
        value = sum(weights[d.name] * d.score for d in dimensions) / total
        caps = self.rubric.scoring
        fair = self.rubric.band_min(self.rubric.bands[1].name)
        if reading.off_question or reading.venting_share() + reading.share("off") >= 0.5:
            value = min(value, caps.off_question_cap)
        if reading.venting_share() >= VENTING_SHARE and max(scores.get(n, 100) for n in ("data", "example", "practice")) < fair:
            value = min(value, caps.venting_cap)  # venting, with nothing shown of what is done or how well
        if max(scores.get("outcome", 100), scores.get("data", 100), scores.get("learning", 100)) < fair:
            value = min(value, caps.activity_only_cap)  # no outcome, no figure that shows how well, no gap owned
        if reading.wrong:  # while a wrong figure stands, the answer is not yet good
            value = min(value, self.rubric.good - 1)
        return _clamp(value)

    # -- what to offer ----------------------------------------------------------------------------
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
                same = model.same_measure(card.point, [c.point for c in chosen], vectors, by_value=True)
                older = [c for c, p in zip(chosen, same) if p >= SAME_MEASURE_SHOWN and c.point.unit == card.point.unit]
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


def _clamp(value: float) -> int:
    return int(round(max(0.0, min(100.0, value))))


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
