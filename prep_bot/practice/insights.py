"""What managers and leads need: readiness and gaps across the 9 quality statements, and the
story a team tells (what it uses, what it misses, where its members disagree)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from prep_bot.coaching.delivery import Delivery
from prep_bot.evidence.figures import DataPoint, extract_figures, sentences
from prep_bot.evidence.passage import Passage
from prep_bot.evidence.provenance import display_date
from prep_bot.evidence.tagging import polarity_lean

# Below this cosine similarity the best passage for a question is about a neighbouring topic,
# not an answer: with the full sample library 30 of 109 bank questions fall below it (most on
# transitions and equity, where the reports are thin); with one CQC page ingested, every
# question outside that page's statement does.
WEAK_EVIDENCE = 0.45
ADDRESSED = 0.5  # an answer this close to an improvement passage has addressed it
READINESS_FORMULA = (
    "readiness = 40 × evidence coverage (share of the statement's likely questions whose best passage "
    f"reaches {WEAK_EVIDENCE} similarity) + 15 × balance (1 with both strengths and areas to improve, 0.5 with "
    "one) + 15 × evidence categories present / 5 + 10 × min(data points / 10, 1) + 20 × practice "
    "(mean practice score / 100 × min(attempts / 10, 1))"
)
CATEGORIES = {
    "people's experience": r"people (?:told|said|described|felt|reported)|lived experience|carers? (?:told|said|felt|reported)|"
    r"feedback from people|experts? by experience|survey|people we (?:met|spoke)|residents (?:told|said)|\bI statements?\b|voice of",
    "staff and leaders": r"staff (?:told|said|described|felt|reported)|leaders (?:told|said)|managers? (?:told|said)|"
    r"social workers? (?:told|said)|workforce|leadership|practitioners",
    "partners": r"partners?\b|\bNHS\b|\bICB\b|providers? (?:told|said)|voluntary|community sector|health colleagues|"
    r"safeguarding adults board|housing",
    "processes": r"process|pathway|policy|procedure|framework|protocol|audit|panel|triage|governance|strategy",
}
EVIDENCE_VERSION = 1  # bump when the evidence checks change, to drop cached results
OUTCOME_DATA = "outcomes data"
CATEGORY_NAMES = (*CATEGORIES, OUTCOME_DATA)


@dataclass
class Unanswered:
    question_id: str
    text: str
    best_score: float
    best_passage: str = ""
    citation: str = ""

    def to_dict(self) -> dict:
        return {"question_id": self.question_id, "text": self.text, "best_score": round(self.best_score, 3),
                "best_passage": self.best_passage, "citation": self.citation}


@dataclass
class StatementReadiness:
    qs: str
    title: str
    readiness: int
    evidence_passages: int
    strengths: int
    improvements: int
    data_points: int
    evidence_categories: dict[str, int]
    unanswered: list[Unanswered]
    practice: dict
    questions: int
    components: dict[str, float] = field(default_factory=dict)
    unaddressed: list[dict] = field(default_factory=list)
    agreed_story: dict | None = None  # the approved story's {"version", "by", "at"}; None: none approved

    def to_dict(self) -> dict:
        return {
            "qs": self.qs, "title": self.title, "readiness": self.readiness,
            "evidence_passages": self.evidence_passages, "strengths": self.strengths,
            "improvements": self.improvements, "data_points": self.data_points,
            "evidence_categories": dict(self.evidence_categories),
            "unanswered": [u.to_dict() for u in self.unanswered], "practice": dict(self.practice),
            "questions": self.questions, "components": {k: round(v, 3) for k, v in self.components.items()},
            "unaddressed_improvements": list(self.unaddressed), "agreed_story": self.agreed_story,
        }


def categories_of(passage: Passage) -> set[str]:
    """Which kinds of evidence a passage is (a passage can be several)."""
    found = {name for name, pattern in CATEGORIES.items() if re.search(pattern, passage.text, re.I)}
    if passage.doc_type == "data" or any(f.unit != "count" for f in extract_figures(passage.text)):
        found.add(OUTCOME_DATA)
    return found


def meaningful_figures(text: str) -> list[DataPoint]:
    return [f for f in extract_figures(text) if not f.is_comparator and not (f.unit == "count" and f.value < 10)]


class Insights:
    """Readiness per statement, unanswered questions, and team stories."""

    def __init__(self, store, framework, bank, attempts, embedder, cache=None, stories=None) -> None:
        """``stories``: the agreed story's views (prep_bot.story.team.StoryViews); without it the
        key messages are the evidence's own."""
        self.store = store
        self.framework = framework
        self.bank = bank
        self.attempts = attempts
        self.embedder = embedder
        self.cache = cache  # a VectorCache in the data dir: the question checks outlive the process
        self.stories = stories
        self._evidence_cache: tuple[int, dict] | None = None

    # -- readiness --------------------------------------------------------------------------
    def _evidence(self, progress=None) -> dict:
        """Per-statement evidence facts; recomputed only when the store changes. ``progress``
        is called with (done, total, what) while the questions are checked."""
        generation = self.store.catalog.generation
        if self._evidence_cache and self._evidence_cache[0] == generation:
            return self._evidence_cache[1]
        passages = self.store.passages()
        checks = self._checks(passages, progress)
        facts: dict[str, dict] = {}
        for q in self.framework.quality_statements:
            mine = [p for p in passages if q.slug in p.quality_statements]
            facts[q.slug] = {
                "passages": mine,
                "strengths": sum(p.polarity == "strength" for p in mine),
                "improvements": sum(p.polarity == "improvement" for p in mine),
                "data_points": checks[q.slug]["data_points"],
                "categories": checks[q.slug]["categories"],
                "unanswered": checks[q.slug]["unanswered"],
                "questions": len(self.bank.select(qs=q.slug)),
            }
        self._evidence_cache = (generation, facts)
        return facts

    def _checks(self, passages: list[Passage], progress=None) -> dict[str, dict]:
        """Per statement: the bank questions whose best passage is weak evidence, the data
        points and the kinds of evidence. Kept in the disk cache under a digest of all they
        depend on (the catalog's generation and passage ids, the home council, the question
        bank, the glossary, the model, today's date for the recency weighting), so that `gaps`
        and `report` need neither the model nor the vector store until the evidence changes."""
        key = self._checks_key() if self.cache is not None else None
        if key is not None:
            cached = self.cache.result(key)
            if isinstance(cached, dict) and set(cached) == {q.slug for q in self.framework.quality_statements}:
                return {slug: {**c, "unanswered": [Unanswered(*row) for row in c["unanswered"]]} for slug, c in cached.items()}
        checks = {}
        kinds = {p.id: categories_of(p) for p in passages}
        figures = {p.id: len(meaningful_figures(p.text)) for p in passages}
        unanswered = self._unanswered(progress)
        for q in self.framework.quality_statements:
            mine = [p for p in passages if q.slug in p.quality_statements]
            checks[q.slug] = {
                "data_points": sum(figures[p.id] for p in mine),
                "categories": {name: sum(name in kinds[p.id] for p in mine) for name in CATEGORY_NAMES},
                "unanswered": unanswered.get(q.slug, []),
            }
        if key is not None:
            self.cache.put_result(key, {
                slug: {**c, "unanswered": [[u.question_id, u.text, u.best_score, u.best_passage, u.citation] for u in c["unanswered"]]}
                for slug, c in checks.items()
            }, kind="evidence")
        return checks

    def _unanswered(self, progress=None) -> dict[str, list[Unanswered]]:
        """Per statement, the bank questions whose best passage is below WEAK_EVIDENCE."""
        questions = [q for s in self.framework.quality_statements for q in self.bank.select(qs=s.slug)]
        # One batch, kept on disk: the bank's questions never need the model again.
        vectors = self.embedder.encode_cached([q.text for q in questions], persist=True) if questions else []
        found: dict[str, list[Unanswered]] = {}
        titles = {s.slug: s.title for s in self.framework.quality_statements}
        for done, (question, vector) in enumerate(zip(questions, vectors)):
            if progress:
                progress(done, len(questions), f"Checking the evidence for {titles[question.qs]}")
            hits = self.store.search(question.text, k=1, qs=question.qs, vector=vector)
            best = hits[0] if hits else None
            if best is None or best.similarity < WEAK_EVIDENCE:
                found.setdefault(question.qs, []).append(Unanswered(
                    question.id, question.text, best.similarity if best else 0.0,
                    best.passage.text[:300] if best else "", best.passage.citation if best else "",
                ))
        return found

    def _checks_key(self) -> str:
        settings = self.store.settings
        h = hashlib.sha256(json.dumps([
            EVIDENCE_VERSION, self.store.catalog.generation, self.store.home_council.casefold(),
            settings.collection, settings.chroma_url or "", WEAK_EVIDENCE, self.embedder.model_key,
            date.today().isoformat(),
        ]).encode())
        glossary = settings.knowledge_dir / "glossary.yaml"  # its names widen the keyword ranking
        h.update(hashlib.sha256(glossary.read_bytes()).digest() if glossary.is_file() else b"-")
        for question in self.bank.questions:
            h.update(f"{question.id}|{question.qs}|{question.text}\n".encode())
        for pid in sorted(self.store.catalog.passage_ids()):
            h.update(pid.encode() + b"\n")
        for slug in self.framework.quality_statements:
            h.update(f"{slug.slug}\n".encode())
        return f"evidence:{h.hexdigest()}"

    def _stored_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Passages' stored vectors, from the disk cache when there (a passage id names its
        content, so its vector never changes), else from the vector store."""
        found = self.cache.vectors("stored-passage", ids) if self.cache is not None else {}
        missing = [pid for pid in ids if pid not in found]
        if missing:
            fresh = self.store.embeddings(missing)
            if self.cache is not None:
                self.cache.put_vectors("stored-passage", fresh)
            found.update(fresh)
        return found

    def _answer_vectors(self, tried) -> np.ndarray:
        if not tried:
            return np.zeros((0, 384), dtype=np.float32)
        return self.embedder.encode_cached([a.answer for a in tried], persist=True)

    def readiness(self, attempts=None, progress=None) -> list[StatementReadiness]:
        """One row per quality statement. ``attempts`` limits practice to what the viewer may
        see (default: everyone's)."""
        facts = self._evidence(progress)
        attempts = self.attempts.list() if attempts is None else attempts
        approved = self.stories.approved() if self.stories is not None else {}
        rows = []
        for q in self.framework.quality_statements:
            f = facts[q.slug]
            story = approved.get(q.slug)
            tried = [a for a in attempts if a.qs == q.slug]
            mean = sum(a.score for a in tried) / len(tried) if tried else 0.0
            coverage = 1 - len(f["unanswered"]) / f["questions"] if f["questions"] else 0.0
            balance = 1.0 if f["strengths"] and f["improvements"] else 0.5 if (f["strengths"] or f["improvements"]) else 0.0
            present = sum(1 for n in f["categories"].values() if n) / len(CATEGORY_NAMES)
            data = min(f["data_points"] / 10, 1.0)
            practice = mean / 100 * min(len(tried) / 10, 1.0)
            score = 40 * coverage + 15 * balance + 15 * present + 10 * data + 20 * practice
            rows.append(StatementReadiness(
                qs=q.slug, title=q.title, readiness=int(round(score)), evidence_passages=len(f["passages"]),
                strengths=f["strengths"], improvements=f["improvements"], data_points=f["data_points"],
                evidence_categories=dict(f["categories"]), unanswered=list(f["unanswered"]),
                practice={"attempts": len(tried), "mean_score": round(mean, 1)}, questions=f["questions"],
                components={"coverage": coverage, "balance": balance, "categories": present, "data": data, "practice": practice},
                unaddressed=self._unaddressed(f["passages"], tried),
                agreed_story={"version": story.version, "by": story.by, "at": story.at.isoformat(timespec="minutes")}
                if story else None,
            ))
        return rows

    def _unaddressed(self, passages: list[Passage], tried) -> list[dict]:
        """Areas for improvement in the evidence that no practice answer has come close to."""
        improvements = [p for p in passages if p.polarity == "improvement"]
        if not improvements:
            return []
        if not tried:  # nothing can have addressed them
            return [{"text": _lead(p.text), "citation": p.citation, "passage_id": p.id} for p in improvements]
        vectors = self._stored_vectors([p.id for p in improvements])
        answers = self._answer_vectors(tried)
        out = []
        for p in improvements:
            vector = vectors.get(p.id)
            if vector is None:
                continue
            if len(answers) and float((answers @ vector).max()) >= ADDRESSED:
                continue
            out.append({"text": _lead(p.text), "citation": p.citation, "passage_id": p.id})
        return out

    # -- team story -------------------------------------------------------------------------
    def teams(self, users=None) -> list[str]:
        """Teams known from accounts and from practice."""
        names = {a.team for a in self.attempts.list() if a.team}
        if users is not None:
            names |= {u.team for u in users.list() if u.team}
        return sorted(names)

    def team_story(self, team: str, attempts, advisor=None) -> dict:
        """Per statement for one team: practice, what the team used, the key messages of the
        evidence and which members said each, and where its story is not consistent.
        ``members`` are the people with practice answers among ``attempts``; a member "said"
        a key message when one of their answers on that statement reaches ADDRESSED cosine
        similarity with the message's passage (the rule behind ``mentioned``). With a
        configured ``advisor``, ``said_differently`` holds the statements that contradict each
        other in words (see disagreements.py); None without one."""
        from prep_bot.llm.disagreements import said_differently

        facts = self._evidence()
        titles = {q.slug: q.title for q in self.framework.quality_statements}
        story = {
            "team": team, "members": sorted({a.user for a in attempts}), "attempts": len(attempts),
            "statements": [], "conflicts": self.conflicts(attempts, titles),
            "said_differently": said_differently(advisor, attempts, titles, self.cache, team),
        }
        for q in self.framework.quality_statements:
            tried = [a for a in attempts if a.qs == q.slug]
            f = facts[q.slug]
            agreed = self.stories.grid_rows(q.slug, tried) if self.stories is not None else None
            messages = agreed if agreed is not None else self._key_messages(f["passages"], tried, q.slug)
            dims: dict[str, float] = {}
            for a in tried:
                for name, value in a.dimensions.items():
                    dims[name] = dims.get(name, 0) + value / len(tried)
            story["statements"].append({
                "qs": q.slug, "title": q.title, "attempts": len(tried),
                "practised_by": sorted({a.user for a in tried}),
                "mean_score": round(sum(a.score for a in tried) / len(tried), 1) if tried else None,
                "dimensions": {k: round(v, 1) for k, v in dims.items()},
                "figures_used": sorted({c["text"] for a in tried for c in a.claims}),
                "examples_used": [e for a in tried for e in _examples(a.answer)][:4],
                "key_messages": messages, "agreed": agreed is not None,
            })
        return story

    def _key_messages(self, passages: list[Passage], tried, qs: str) -> list[dict]:
        """The statement's key messages (see ``key_passages``), each with the members whose
        answers on the statement mention it."""
        chosen = key_passages(self.store, passages, qs)
        if not chosen:
            return []
        vectors = self._stored_vectors([p.id for _, p in chosen]) if tried else {}
        answers = self._answer_vectors(tried)
        out = []
        for polarity, p in chosen:
            vector = vectors.get(p.id)
            near = answers @ vector if len(answers) and vector is not None else np.zeros(0)
            said_by = sorted({a.user for a, similarity in zip(tried, near) if float(similarity) >= ADDRESSED})
            out.append({
                "polarity": polarity, "message": _lead(p.text, polarity=polarity), "citation": p.citation, "mentioned": bool(said_by),
                "said_by": said_by, "title": p.title, "date": p.date or None, "dated": self.store.is_dated(p),
                "passage_id": p.id, "agreed": False,
            })
        return out

    def conflicts(self, attempts, titles: dict[str, str] | None = None) -> list[dict]:
        """Two team members stating different figures for the same measure, and figures that
        the evidence contradicts; each with both statements and where they come from (who,
        when, the statement answered; for the evidence its citation and date)."""
        titles = titles or {}

        def side(a, said: str, figure: str) -> dict:
            return {"who": a.user, "said": said, "figure": figure, "when": a.created_at.isoformat(timespec="minutes"),
                    "question": a.question, "statement": titles.get(a.qs, a.qs)}

        stated = [(a, f) for a in attempts for f in extract_figures(a.answer)]
        found: list[dict] = []
        if stated:
            # The claim check's own test of "the same measure": what the figures measure and
            # whose they are, never their unit alone.
            from prep_bot.coaching.claims import CONTRADICT_MIN, comparable
            from prep_bot.evidence.figure_model import FigureModel

            model = FigureModel(self.embedder)
            vectors = model.vectors_for([f for _, f in stated])
            model.annotate([f for _, f in stated], vectors)
            for i, (a, f) in enumerate(stated):
                for b, g in stated[i + 1 :]:
                    if a.user == b.user or f.unit != g.unit or f.subject != g.subject or abs(f.value - g.value) < 1e-9:
                        continue
                    if not comparable(f, g):
                        continue
                    if float(model.same_measure(f, [g], vectors)[0]) >= CONTRADICT_MIN:
                        found.append({
                            "kind": "team members disagree",
                            "first": side(a, f.sentence, f.raw),
                            "second": side(b, g.sentence, g.raw),
                        })
        checker = None
        for a in attempts:
            if not any(c.get("status") == "contradicted" for c in a.claims):
                continue
            if checker is None:
                from prep_bot.coaching.claims import ClaimChecker

                checker = ClaimChecker(self.store, self.embedder)
            for claim in checker.check(a.answer):
                if claim.status == "contradicted" and claim.evidence:
                    e = claim.evidence
                    found.append({
                        "kind": "contradicts the evidence",
                        "first": side(a, claim.sentence, claim.text),
                        "second": {
                            "who": e.passage.title, "said": e.point.sentence, "figure": e.point.raw,
                            "when": display_date(e.passage.date), "question": e.passage.citation,
                            "citation": e.passage.citation, "statement": "",
                        },
                    })
        return found


def key_passages(store, passages: list[Passage], qs: str, per_polarity: int = 4) -> list[tuple[str, Passage]]:
    """The main strengths and areas to improve for a statement, as (polarity, passage): passages
    it is the first tag of, newest documents first, leaving out evidence older than the stale
    threshold unless nothing newer exists. Reads stored tags and dates only (no model)."""
    dates = {d.doc_id: d.date for d in store.documents()}
    chosen = []
    for polarity in ("strength", "improvement"):
        pool = [p for p in passages if p.polarity == polarity]
        pool = [p for p in pool if not store.is_dated(p)] or pool
        ranked = sorted(
            pool,
            key=lambda p: (p.quality_statements[:1] != [qs], "" if not dates.get(p.doc_id) else _negate(dates[p.doc_id]), p.position),
        )[:per_polarity]
        chosen += [(polarity, p) for p in ranked]
    return chosen


def warm_question_vectors(embedder, bank) -> None:
    """Embed the question bank into the disk cache now (when the model is loaded anyway, as at
    ingest), so that the readiness checks after it do not load the model."""
    embedder.encode_cached([q.text for q in bank.questions], persist=True)


def personal_progress(attempts, bank, framework, rubric) -> dict:
    """One person's practice: scores over time per statement, their weakest dimensions, and
    the bank questions they have not tried yet (the pool "drill my weakest" draws from)."""
    titles = {q.slug: q.title for q in framework.quality_statements}
    series = [{"time": a.created_at, "statement": titles.get(a.qs, a.qs), "score": a.score} for a in attempts]
    totals: dict[str, list[int]] = {}
    for a in attempts:
        for name, value in a.dimensions.items():
            totals.setdefault(name, []).append(value)
    labels = {d.name: d.label for d in rubric.dimensions}
    weakest = sorted(
        ({"dimension": labels.get(k, k), "mean": round(sum(v) / len(v), 1)} for k, v in totals.items()),
        key=lambda d: d["mean"],
    )[:3]
    tried = {a.question_id for a in attempts}  # a follow-up keeps the id of the question it follows
    untried = {q.slug: [x for x in bank.select(qs=q.slug) if x.id not in tried] for q in framework.quality_statements}
    return {"series": series, "weakest_dimensions": weakest, "untried": untried, "tried": tried}


def spoken_series(attempts) -> list[dict]:
    """Pace and fillers of each spoken answer, in the attempts' order: {"time", "words_per_minute",
    "fillers_per_minute"} (typed answers have no delivery and are left out)."""
    out = []
    for a in attempts:
        said = Delivery.from_dict(a.delivery)
        if said is None or said.duration_s <= 0:
            continue
        per_minute = said.filler_total / (said.duration_s / 60)
        out.append({"time": a.created_at, "words_per_minute": said.words_per_minute, "fillers_per_minute": round(per_minute, 1)})
    return out


def _negate(date: str) -> str:
    """Sort key putting later dates ("2025-10") before earlier ones."""
    return "".join(chr(255 - ord(ch)) for ch in date)


_TURN = re.compile(r"(?:however|but|yet|although|despite|that said|at the same time)\b", re.I)
# Words of a shortfall the tagger's polarity words leave out ("still wait too long", "only 38%").
_SHORT = re.compile(r"\b(?:too (?:long|slow|late|many|few|high|low)|not enough|worse than|below the|only (?:about |around )?\d)", re.I)


def _lead(text: str, limit: int = 240, polarity: str = "") -> str:
    """The sentence a passage is summed up by: its first of six words or more; for a strength or
    an area to improve whose first sentence does not lean that way, the one that leans that way
    most (a finding that opens "Risks were well managed" and goes on "however, waits were too
    long" is shown by its second sentence under "To improve")."""
    parts = [s.lstrip("-• ") for line in text.splitlines() for s in sentences(line)]  # bullets are lines
    full = [s for s in parts if len(s.split()) >= 6]
    first = full[0] if full else text.strip()
    sign = {"strength": 1, "improvement": -1}.get(polarity, 0)

    def lean(s: str) -> int:  # a sentence that turns ("However, ...") turns to what is to improve
        return sign * (polarity_lean(s) - len(_SHORT.findall(s)) - (1 if _TURN.match(s) else 0))

    if sign and full:
        best = max(full, key=lean)  # max keeps the first of equals
        # The first sentence stays when it says it too, unless a later one turns to say it more
        # plainly ("..., however, waits were too long").
        if lean(best) > max(0, lean(first)) and lean(first) <= (1 if _TURN.match(best) else 0):
            first = best
    return first if len(first) <= limit else first[: limit - 1] + "…"


_EXAMPLE = re.compile(r"\b(?:one|a|an|his|her)\s+(?:[a-z-]+\s+){0,2}?(?:man|woman|person|carer|family|resident|daughter|son|mother|father|widow|widower|couple)\b", re.I)


def _examples(answer: str) -> list[str]:
    return [s for s in sentences(answer) if _EXAMPLE.search(s) or re.search(r"[“\"'][^”\"']{12,}[”\"']", s)][:2]
