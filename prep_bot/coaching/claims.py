"""Claim check by measure: every figure an answer states is compared only with evidence figures
of the same measure and the same subject.

For each stated figure the evidence is searched with its sentence; the figures in the passages
found are read with their learned labels (``figure_model``). A candidate counts only when the
same-measure model says it measures what the stated figure measures (meaning, not unit: the
embeddings of the two measure phrases and contexts, their words, unit and numbers) and it is the
same subject: the council's figure against the council's, "an England average of 82.4%" against
the evidence's England figure for that measure. Then:
- ``supported``: a same-measure figure states the same value (the one nearest in period);
- ``contradicted``: same-measure figures exist and none states that value (the evidence shown
  is of the measure that matches best, and of its figures the one nearest in period to the
  answer's, or the newest);
- ``unverified`` ("not in the evidence"): no figure of that measure and subject was found.
When the same measure has a newer figure than the one matched, the claim says so
(``newest``: "the newest evidence says 87% (March 2026)").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from prep_bot.coaching.stated_values import (  # noqa: F401  (same_value: read by the story and the guardrails too)
    approximate, exactly, not_in_its_unit, own_period, said_as_comparison, said_of_before, same_value, unit_unknown,
)
from prep_bot.evidence.figure_model import (
    _SERVICE_RE, SAME_MEASURE, FigureModel, FigureReader, _groups, names_other_things, window_text,
)
from prep_bot.evidence.figure_units import bare
from prep_bot.evidence.figures import DataPoint, extract_figures
from prep_bot.evidence.measure_parts import parts_of, shares_a_part
from prep_bot.evidence.measures import is_threshold, spell_out
from prep_bot.evidence.passage import Passage
from prep_bot.evidence.provenance import display_date

SUPPORT_MIN = 0.3  # same-measure probability at which an equal figure supports the claim
CONTRADICT_MIN = SAME_MEASURE  # same-measure probability at which a different figure contradicts it
SEARCH_DEPTH = 6
MEASURE_DEPTH = 3  # passages found by the stated figure's measure phrase, beside those found by its sentence
MATCH_MARGIN = 0.25  # a figure matched this much less well than the best match is of another measure
# The same measure in another period or document: the pair model must be all but sure. Below this,
# two figures the stated words both come near ("carers satisfied with support" and "carers
# receiving a direct payment") are different measures, and the period never chooses between them.
ALIKE_MIN = 0.9
SHARED_COMPARATOR = 0.8  # same-measure probability when both figures are compared with one value
PERIOD_MARGIN = 0.1  # a figure of the period said matching this much less well than an equal one of another is another measure
NOT_IN_EVIDENCE = "not in the evidence"  # how "unverified" reads to users


@dataclass
class EvidenceFigure:
    point: DataPoint
    passage: Passage

    @property
    def date(self) -> str:
        """When the figure is from: its own period, else its document's date."""
        return self.point.date or (self.passage.date or "")

    def to_dict(self) -> dict:
        p = self.passage
        return {
            "figure": self.point.raw, "text": self.point.sentence, "measure": self.point.measure,
            "subject": self.point.subject, "period": self.point.period, "date": self.date or None,
            "doc_id": p.doc_id, "title": p.title, "page": p.page, "section": p.section,
        }


@dataclass
class Claim:
    text: str  # the figure as the answer states it
    sentence: str
    status: str  # supported | contradicted | unverified ("not in the evidence")
    evidence: EvidenceFigure | None
    similarity: float = 0.0  # same-measure probability of the evidence figure shown
    measure: str = ""  # what the stated figure measures (a short phrase)
    subject: str = "ours"  # ours | england | region | comparator | target
    newest: dict | None = None  # {value, date, doc_id} when the same measure has a newer figure
    comparator_checked: str | None = None  # status of the comparison stated with this figure, if any
    point: DataPoint | None = field(default=None, repr=False)  # the stated figure (offsets, sentence)

    @property
    def note(self) -> str:
        """What the check says in words ("the newest evidence says 87% (March 2026)")."""
        if self.newest:
            when = display_date(self.newest.get("date")) or "undated"
            return f"the newest evidence says {self.newest['value']} ({when})"
        return ""

    def to_dict(self) -> dict:
        out = {
            "text": self.text, "sentence": self.sentence, "status": self.status,
            "evidence": self.evidence.to_dict() if self.evidence else None,
            "measure": self.measure, "subject": self.subject, "comparator_checked": self.comparator_checked,
        }
        if self.newest:
            out["newest"] = dict(self.newest)
            out["note"] = self.note
        return out


def _stated_in_evidence(point: DataPoint, candidates: list[EvidenceFigure]) -> bool:
    """Whether a figure of the evidence found for ``point`` has its value exactly, in its unit, for
    the same service or people (no other service), and as ours when said as ours: a value that
    precise (two figures at least) is no slip, though the measure model reads the two measures'
    words as different."""
    if point.kind != "%" and point.value < 10 or bare(point) and point.value < 100:
        return False  # a bare number of three figures or more is as precise
    mine = parts_of(point)

    def of_its_subject(theirs) -> bool:  # the same service or people (or thing counted), and no other service
        clash = mine.service and theirs.service and not mine.service & theirs.service
        silent = not (theirs.service or theirs.population)  # "318 hours a week were unsourced": whose is said before
        return (shares_a_part(mine, theirs) or silent) and not clash

    # A bare number is in the unit of the evidence's equal value ("unsourced hours fell from 1,240
    # to 318 a week": the evidence's 318 hours a week).
    return any((c.point.kind == point.kind or unit_unknown(point, c.point)) and exactly(point, c.point) and not approximate(point)
               and not _of_another_time(point, c.point)
               and not (point.subject == "ours" and c.point.subject != "ours")  # England's value said as ours is not ours
               and of_its_subject(parts_of(c.point)) for c in candidates)


def _of_another_time(stated: DataPoint, evidence: DataPoint) -> bool:
    """Whether an evidence figure is of another time than the figure said: another period, or the
    earlier value of a change ("fell from 22.6% to 18.3%") where the figure is said as now."""
    if stated.date and evidence.date:
        return evidence.date != stated.date
    return bool(evidence.earlier and not stated.earlier and not said_of_before(stated))


def contradicted_figures(claims: list[Claim]) -> set[tuple[str, str]]:
    """(sentence, figure) of every contradicted claim: a sentence holding one must never be
    quoted back as a strength."""
    return {(c.sentence, c.text) for c in claims if c.status == "contradicted"}


def holds_wrong_figure(sentence: str, claims: list[Claim]) -> bool:
    """Whether ``sentence`` (of the answer) states a contradicted figure."""
    return any(c.status == "contradicted" and c.text in sentence and (c.sentence in sentence or sentence in c.sentence)
               for c in claims)


class ClaimChecker:
    def __init__(self, store, embedder, reader: FigureReader | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.reader = reader or FigureReader(embedder)
        self.model: FigureModel = self.reader.model

    def check(self, answer: str, limit: int = 8) -> list[Claim]:
        stated = extract_figures(answer)[:limit]
        if not stated:
            return []
        silent = [_names_nothing(p) for p in stated]  # by their own words, before the answer's service is lent
        _name_the_service(stated, answer)
        stated_vectors = self.model.vectors_for(stated)
        self.model.annotate(stated, stated_vectors)
        sentence_vectors = self.embedder.encode_cached([p.sentence for p in stated])
        candidates = [self._candidates(p, v, stated_vectors.get(p.measure)) for p, v in zip(stated, sentence_vectors)]
        evidence_points = [c.point for group in candidates for c in group]
        vectors = {**stated_vectors, **self.model.vectors_for(evidence_points, persist=True)}
        claims = [self._judge(p, group, vectors, stated) for p, group in zip(stated, candidates)]
        self._echoed(stated, candidates, claims, vectors)
        for n, (point, claim) in enumerate(zip(stated, claims)):
            if silent[n] and point.subject == "target" and claim.status == "contradicted":
                # "... and we're aiming for 7% by March 2027": a target whose words say nothing of
                # what it is for; another target of the evidence cannot call it wrong.
                claims[n] = Claim(point.raw, point.sentence, "unverified", None, measure=point.measure, subject=point.subject, point=point)
        _said_again(stated, claims, silent)
        _link_comparisons(claims)
        return claims

    def _echoed(self, stated: list[DataPoint], candidates: list[list[EvidenceFigure]], claims: list[Claim], vectors: dict) -> None:
        """"There were 2,140 applications waiting and the median wait was about 98 days": when a
        figure of a sentence is the evidence's own, the evidence sentence it echoes is checked first
        for the sentence's other figures that found nothing or only a value near another measure's
        (14 weeks of another wait) (in place)."""
        echoed: dict[str, set[str]] = {}
        for claim in claims:
            if claim.status == "supported" and claim.evidence is not None and not approximate(claim.point):
                echoed.setdefault(claim.sentence, set()).add(claim.evidence.point.sentence)
        for n, (point, group, claim) in enumerate(zip(stated, candidates, claims)):
            seen = echoed.get(point.sentence, set())
            loose = claim.status == "unverified" or claim.status == "supported" and approximate(point)
            if not seen or not loose or (claim.evidence is not None and claim.evidence.point.sentence in seen):
                continue
            used = {(c.evidence.point.sentence, c.evidence.point.start) for c in claims if c.evidence is not None and c.sentence == point.sentence}
            local = [e for e in group if e.point.sentence in seen and e.point.kind == point.kind and (e.point.sentence, e.point.start) not in used]
            again = self._judge(point, local, vectors, stated) if local else None
            if again is not None and again.status != "unverified":
                claims[n] = again

    def _candidates(self, point: DataPoint, vector: np.ndarray, measure_vector: np.ndarray | None = None) -> list[EvidenceFigure]:
        hits = self.store.search(point.sentence, k=SEARCH_DEPTH, vector=vector)
        if measure_vector is not None and point.measure:
            # The sentence's framing ("what still needs to improve is ...") can pull the search away
            # from the passages about the measure itself: look for the measure too.
            hits = [*hits, *self.store.search(point.measure, k=MEASURE_DEPTH, vector=measure_vector)]
        found, seen = [], set()
        for hit in hits:
            for figure in self.reader.figures(hit.passage.text):
                key = (figure.sentence, figure.start, hit.passage.doc_id)
                if (figure.kind == point.kind or unit_unknown(point, figure)) and key not in seen:
                    seen.add(key)
                    found.append(EvidenceFigure(figure, hit.passage))
        return found

    def figures_of_measure(self, point: DataPoint, candidates: list[EvidenceFigure], vectors: dict,
                           siblings: list[DataPoint] = (), by_value: bool = False) -> list[tuple[float, EvidenceFigure]]:
        """The candidates that measure what ``point`` measures, for the same subject, with the
        same-measure probability, most likely first. ``siblings``: the figures stated with
        ``point`` (a comparator's figure is among them). ``by_value``: ``point`` is a figure of
        the evidence too, so how far apart the values are tells measures apart."""
        # A performance figure is compared with performance figures only: never with a number
        # that defines a measure ("after six weeks") or with the report's own metadata.
        mine = _comparator_value(point)
        shared = {id(c) for c in candidates if mine is not None and _comparator_value(c.point) == mine}
        # Two comparisons of the same figure ("25.19%, below England's 32.98%"): one measure too,
        # whatever words each sentence uses for it; the comparison is then checked as such.
        compared = _compared_value(point, siblings)
        if compared is not None:
            shared |= {id(c) for c in candidates if c.point.is_comparator and _compared_value(
                c.point, [o.point for o in candidates if o.point.sentence == c.point.sentence]) == compared}
        pool = [c for c in candidates
                if comparable(point, c.point) and (id(c) in shared or not names_other_things(point, c.point))]
        if not pool:
            return []
        equal = tuple(i for i, c in enumerate(pool) if same_value(point, c.point))
        probs = self.model.same_measure(point, [c.point for c in pool], vectors, always=equal, by_value=by_value)
        # Both compared with the same figure ("against 156 days across the country"): strong
        # evidence of one measure, whatever words each uses for it.
        probs = [max(float(p), SHARED_COMPARATOR) if id(c) in shared else float(p) for p, c in zip(probs, pool)]
        return sorted(zip(probs, pool), key=lambda pc: -pc[0])

    def _judge(self, point: DataPoint, candidates: list[EvidenceFigure], vectors: dict,
               stated: list[DataPoint] = ()) -> Claim:
        base = {"measure": point.measure, "subject": point.subject, "point": point}
        siblings = [p for p in stated if p.sentence == point.sentence]
        matches = self.figures_of_measure(point, candidates, vectors, siblings)
        if not matches:
            return Claim(point.raw, point.sentence, "unverified", None, **base)
        # The same value for the same measure supports it whoever's the evidence calls it; only a
        # figure of the same measure and the same subject can contradict it.
        equal = [(p, c) for p, c in matches if p >= SUPPORT_MIN and same_value(point, c.point)]
        matches = [(p, c) for p, c in matches if _same_subject(point, c.point)]
        # To call a figure wrong, the evidence figure must name something of its measure too (what
        # is counted, the service or the people): one whose words say nothing of it cannot.
        mine = parts_of(point)
        # A stated figure whose own words name nothing of a measure ("that's down from 801.3 the
        # year before", "it was 47 days") is called wrong only by a figure it shares a part or a
        # comparator with: however alike the pair model finds two such phrases, nothing anchors them.
        silent = _names_nothing(point) and not mine.topic  # "the median was 7 weeks" says which figure
        compared = _comparator_value(point)

        def anchored(p: float, c: EvidenceFigure) -> bool:
            if shares_a_part(mine, parts_of(c.point)):
                return True
            if silent:
                return compared is not None and _comparator_value(c.point) == compared
            return p >= SHARED_COMPARATOR

        # Nor can a bare number of the evidence ("73") call a figure with a unit wrong: its own unit is unknown.
        # Nor can a bare number of the evidence ("73") call a figure with a unit wrong: its own unit
        # is unknown; nor a figure with a unit a bare number said that is not in it ("of those 57").
        same = [(p, c) for p, c in matches if p >= CONTRADICT_MIN and anchored(p, c)
            and not (bare(c.point) and c.point.kind != point.kind) and not not_in_its_unit(point, c.point)
            and not (said_of_before(point) and not c.point.earlier) and not _incidental(point)]
        # "Our vacancy rate was 19.6% as at March 2024": 19.6% was March 2023's; the evidence's
        # figure of the period said (14.8%) decides, when it matches the measure as well as the
        # equal one of another period does.
        # (A period after "up from 68.3% in 2021/22" is the earlier figure's, not this one's.)
        # Nor is a comparison's ("against 1,902 a year earlier"): it is of another time.
        dated = own_period(point)
        of_its_time = [(p, c) for p, c in same if dated and c.point.date == point.date and _same_subject(point, c.point)]
        # (The earlier value of a change, "fell from 15.9% to 10.8%", is of another time than now.)
        if (equal and of_its_time and all(_of_another_time(point, c.point) for _, c in equal)
                and max(p for p, _ in of_its_time) >= max(p for p, _ in equal) - PERIOD_MARGIN
                and self._one_measure_apart_in_time(equal, of_its_time, vectors)):
            equal, same = [], of_its_time
        if (equal and same and not any(_same_subject(point, c.point) for _, c in equal)
                and max(p for p, _ in same) >= max(p for p, _ in equal) - (0 if said_as_comparison(point) else PERIOD_MARGIN)):
            # "About 12% of adults ... are placed out of area; the regional average is 11%": the
            # council's own figure of the measure (19%) decides, not another's that is near the value
            # ("71.1% of people feel safe, in line with England": 71.1% is England's, ours is 66.8%;
            # a comparison's own value, "against 36.3%", keeps the closer match).
            equal = []
        if equal:
            # The council's own figure of that value before England's that happens to be close, and
            # the figure said before one it is only near ("about 36.1%": 36.1%, not 36.3%).
            equal = [pc for pc in equal if _same_subject(point, pc[1].point)] or equal
            equal = [pc for pc in equal if exactly(point, pc[1].point)] or equal
            prob, chosen = _nearest(point, self.one_measure(equal, vectors))
            status = "supported"
        elif same and _stated_in_evidence(point, candidates):
            # "The drop-in led to 47 carers' assessments": the evidence says 47 carers were assessed
            # through it, in words the measure model reads as another measure; nothing is wrong.
            return Claim(point.raw, point.sentence, "unverified", None, similarity=matches[0][0], **base)
        elif same:
            prob, chosen = _nearest(point, self.one_measure(same, vectors))
            status = "contradicted"
        else:
            return Claim(point.raw, point.sentence, "unverified", None, similarity=matches[0][0] if matches else 0.0, **base)
        claim = Claim(point.raw, point.sentence, status, chosen, similarity=prob, **base)
        # "Newer" only among figures of the measure shown: never a newer figure of another one.
        group = self.one_measure([(prob, chosen), *((p, c) for p, c in same if c is not chosen)], vectors)
        newest = max((c for _, c in group), key=lambda c: c.date)
        if newest.date > chosen.date and not same_value(point, newest.point):
            claim.newest = {"value": newest.point.raw, "date": newest.date, "doc_id": newest.passage.doc_id}
        return claim

    def _one_measure_apart_in_time(self, equal: list, of_its_time: list, vectors: dict) -> bool:
        """Whether the best equal figure and a figure of the period said measure one thing (the
        vacancy rate of March 2023 and of March 2024), not two (a budget and a saving)."""
        best = max(equal, key=lambda pc: pc[0])[1]
        return any(id(c) in {id(o) for _, o in self.one_measure([(1.0, best), (1.0, c)], vectors)} for _, c in of_its_time)

    def one_measure(self, options: list[tuple[float, EvidenceFigure]], vectors: dict) -> list[tuple[float, EvidenceFigure]]:
        """The options that measure one thing: the one whose measure matches the stated figure's
        best, and those that match the stated figure nearly as well and that the same-measure
        model finds measure what the best one measures (the same measure in other periods or
        documents). A figure of another measure that the stated figure's words merely come near
        ("carers receiving a direct payment" beside "carers accessing a support group") is left
        out, however recent: the period chooses among figures of one measure, never between."""
        if len(options) < 2:
            return options
        first = max(options, key=lambda pc: pc[0])
        anchor = first[1]
        # Of that measure: matched nearly as well as the best, and the same measure as it.
        rest = [c for p, c in options if c is not anchor and p >= first[0] - MATCH_MARGIN]
        alike = {id(c) for p, c in self.figures_of_measure(anchor.point, rest, vectors, by_value=True) if p >= ALIKE_MIN}
        return [first, *((p, c) for p, c in options if id(c) in alike)]

    def given_in(self, point: DataPoint, passages: list[Passage]) -> bool:
        """Whether one of ``passages`` states ``point``'s value for the same measure and subject
        (the language model's guardrail for a figure from the passages it was given)."""
        pool = [EvidenceFigure(f, p) for p in passages for f in self.reader.figures(p.text) if same_value(point, f)]
        if not pool:
            return False
        vectors = {**self.model.vectors_for([point]), **self.model.vectors_for([c.point for c in pool], persist=True)}
        if point.subject == "ours" and not point.performance:
            self.model.annotate([point], vectors)
        return any(p >= SUPPORT_MIN for p, _ in self.figures_of_measure(point, pool, vectors))


def _comparator_value(point: DataPoint) -> float | None:
    m = re.search(r"\d[\d,]*(?:\.\d+)?", point.comparator or "")
    return float(m.group(0).replace(",", "")) if m else None


def _compared_value(point: DataPoint, siblings: list[DataPoint]) -> float | None:
    """For a comparison ("England's 32.98%"), the value of the figure it is compared with in the
    same sentence (the one whose comparator names it); None for anything else."""
    if not point.is_comparator:
        return None
    number = re.search(r"\d[\d,]*(?:\.\d+)?", point.raw)
    if not number:
        return None
    for other in siblings:
        if other is not point and not other.is_comparator and _comparator_value(other) == float(number.group(0).replace(",", "")):
            return other.value
    return None


def _name_the_service(stated: list[DataPoint], answer: str) -> None:
    """"DoLS is a strength. Applications are completed in 21 days": a figure whose measure names
    no service takes the one the answer named last before it, unless that was named beside figures
    of its own and this figure's words say what it counts ("Home care ... 143 people waiting.
    Permanent admissions of people aged 65 ... 612.4 per 100,000" are not home care's)."""
    figured = {p.sentence for p in stated}
    for point in stated:
        if _groups(point.measure, "service"):
            continue
        before = answer[: max(0, answer.find(point.sentence))]
        if parts_of(point).counted - {"duration"}:
            for other in figured - {point.sentence}:
                at = before.find(other)
                if at >= 0:
                    before = before[:at] + " " * len(other) + before[at + len(other):]
        named = [(m.start(), m.group(0)) for pattern in _SERVICE_RE.values() for m in pattern.finditer(before)]
        if named:
            point.measure = f"{spell_out(max(named)[1].lower())} {point.measure}".strip()


def _incidental(point: DataPoint) -> bool:
    """A small count said in words ("hired two PAs", "three times"): a detail of a story, which the
    evidence may bear out but is never called wrong by another count."""
    return point.unit == "count" and point.value < 10 and not any(ch.isdigit() for ch in point.raw)


def _names_nothing(point: DataPoint) -> bool:
    """Whether a figure's own words name nothing of a measure ("but 58% is nowhere near")."""
    mine = parts_of(point)  # (its sentence's topic is not its own words)
    return not (mine.counted or mine.service or mine.population or any(mine.others)
                or mine.summary or mine.longest or mine.window)


def _said_again(stated: list[DataPoint], claims: list[Claim], silent: list[bool]) -> None:
    """"58% of young people had their assessment before eighteen ... But 58% is nowhere near our
    target": a value said again with no words of its own (``silent``) is the figure said before,
    checked as it was (in place)."""
    for i, point in enumerate(stated):
        if not silent[i]:
            continue
        first = next((j for j in range(i) if stated[j].kind == point.kind and stated[j].value == point.value
                      and stated[j].subject == point.subject and not silent[j]), None)
        if first is not None:
            was = claims[first]
            claims[i] = Claim(point.raw, point.sentence, was.status, was.evidence, was.similarity, was.measure,
                              was.subject, was.newest, point=point)


def comparable(a: DataPoint, b: DataPoint) -> bool:
    """Whether two figures can be compared at all: the same kind of unit (and the same whole
    for "23 of the 47"), or one a bare number that names none; and both measured values or both
    numbers that define a measure."""
    return (
        (a.kind == b.kind and (not a.unit.startswith("of ") or a.unit == b.unit) or unit_unknown(a, b))
        and is_threshold(a.sentence, a.start, a.unit) == is_threshold(b.sentence, b.start, b.unit)
        and not _other_scale(a, b)
    )


SCALE_APART = 50  # one count or sum this many times another of the same subject measures something else


def _other_scale(a: DataPoint, b: DataPoint) -> bool:
    """Two counts or sums of one subject fifty times apart are two measures: a year's spend on
    care homes is not the weekly fee of one place, a year's assessments are not one team's."""
    if a.kind not in ("£", "count") or a.subject != b.subject:
        return False
    x, y = abs(a.comparable_value()), abs(b.comparable_value())
    return min(x, y) > 0 and max(x, y) >= SCALE_APART * min(x, y)


def _same_subject(stated: DataPoint, evidence: DataPoint) -> bool:
    return stated.subject == evidence.subject


def _nearest(point: DataPoint, options: list[tuple[float, EvidenceFigure]]) -> tuple[float, EvidenceFigure]:
    """The option nearest in period to the stated figure (the newest when it names none),
    the most likely same measure first among equals. ``options`` are figures of one measure
    (``ClaimChecker.one_measure``): the period picks among them, never between measures."""
    if point.date:
        return min(options, key=lambda pc: (_distance(point.date, pc[1].date), -pc[0]))
    return max(options, key=lambda pc: (pc[1].date, pc[0]))


def _distance(a: str, b: str) -> float:
    def months(d: str) -> float:
        parts = d.split("-")
        return int(parts[0]) * 12 + (int(parts[1]) if len(parts) > 1 else 6)

    if not a or not b:
        return 1e6
    return abs(months(a) - months(b))


def _link_comparisons(claims: list[Claim]) -> None:
    """Each of the council's figures learns how the comparison stated with it was checked."""
    for i, claim in enumerate(claims):
        p = claim.point
        if p is None or p.subject != "ours" or not p.comparator:
            continue
        for other in claims[i + 1 :]:
            if other.point is not None and other.point.sentence == p.sentence and other.point.subject != "ours":
                claim.comparator_checked = other.status
                break


__all__ = ["Claim", "ClaimChecker", "EvidenceFigure", "NOT_IN_EVIDENCE", "comparable", "contradicted_figures",
           "holds_wrong_figure", "same_value", "window_text"]
