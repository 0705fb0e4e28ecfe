"""The briefing pack: one printable page per quality statement with the evidence's key messages,
the figures to quote (with comparator and source), the likely questions for an audience and
what a good answer covers. Built from stored passages, their tags, dates and figures: it never
loads the embedding model. Scoped to the home council's documents (and those naming none)."""

from __future__ import annotations

from prep_bot.errors import InputError
from datetime import datetime, timezone

from prep_bot.evidence.figure_model import FigureReader
from prep_bot.practice.insights import _lead, key_passages
from prep_bot.evidence.provenance import display_date
from prep_bot.infra.templating import render
from prep_bot.framework.vocab import AUDIENCES, QS_SLUGS

AUDIENCE_NAMES = {
    "frontline": "frontline staff", "team-manager": "team managers", "senior-leader": "senior leaders",
    "partner": "partners", "elected-member": "elected members",
}
FIGURES_SHOWN = 8  # per statement: enough to prepare from, short enough for one page
LOOKS_FOR_SHOWN = 5  # points from the likely questions, before the rubric's dimensions
ONE_STORY = "One story: the same figures and messages as colleagues, leaders and the self-assessment"


def briefing(store, framework, rubric, bank, qs: str | None = None, audience: str | None = None, stories=None) -> dict:
    """The briefing pack as data, from the evidence ``store``, the ``framework``, the ``rubric``
    and the question ``bank``: per quality statement (all when ``qs`` is None) the council's
    agreed story when a lead has approved one (from the story book ``stories``), its key
    messages, figures, likely questions (for ``audience``, or every audience) and what a good
    answer covers."""
    if qs is not None and qs not in QS_SLUGS:
        raise InputError(f"unknown quality statement {qs!r}; expected one of {', '.join(QS_SLUGS)}")
    if audience is not None and audience not in AUDIENCES:
        raise InputError(f"unknown audience {audience!r}; expected one of {', '.join(AUDIENCES)}")
    from prep_bot.story.team import briefing_section

    passages = store.passages()  # the home council's and those naming no council
    agreed = stories.approved() if stories is not None else {}  # the council's approved story per statement
    dimensions = [{"label": d.label, "probe": d.probe} for d in rubric.dimensions]
    statements = []
    for q in framework.quality_statements:
        if qs is not None and q.slug != qs:
            continue
        mine = [p for p in passages if q.slug in p.quality_statements]
        questions = bank.select(qs=q.slug, audience=audience)
        statements.append({
            "qs": q.slug, "title": q.title, "commitment": q.commitment, "story": briefing_section(agreed.get(q.slug)),
            "key_messages": [
                {"polarity": polarity, "message": _lead(p.text), "title": p.title, "date": display_date(p.date),
                 "dated": store.is_dated(p), "citation": p.citation}
                for polarity, p in key_passages(store, mine, q.slug)
            ],
            "figures": _figures(store, mine, q.slug),
            "questions": [
                {"text": x.text, "audience": AUDIENCE_NAMES.get(x.audience, x.audience), "probes": list(x.probes[:2])}
                for x in questions
            ],
            "covers": _covers(questions),
        })
    return {
        "council": store.home_council, "audience": audience, "audience_name": AUDIENCE_NAMES.get(audience or "", ""),
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "statements": statements, "dimensions": dimensions, "one_story": ONE_STORY,
    }


def briefing_html(store, framework, rubric, bank, qs: str | None = None, audience: str | None = None, stories=None) -> str:
    """The briefing pack as a printable HTML page (one quality statement per printed page)."""
    return render("briefing.html.j2", pack=briefing(store, framework, rubric, bank, qs, audience, stories))


def _figures(store, passages, qs: str) -> list[dict]:
    """Figures worth quoting for a statement: the council's performance figures only, one per
    sentence and per measure (the newest); those with a comparator first, then from passages
    the statement is the first tag of, newest first; evidence older than the stale threshold
    only when nothing newer has figures."""
    reader = FigureReader(getattr(store, "embedder", None))
    found = []
    for p in passages:
        # Performance figures only (not days on site or interviews held), the council's own.
        for f in reader.figures(p.text, allow_model=False):
            if f.performance and f.subject == "ours" and not f.is_comparator and not (f.unit == "count" and f.value < 10):
                found.append((p, f))
    fresh = [(p, f) for p, f in found if not store.is_dated(p)]
    found = fresh or found
    found.sort(key=lambda pf: (
        pf[1].comparator is None, pf[0].quality_statements[:1] != [qs], _newest_first(pf[1].date or pf[0].date),
        pf[0].position, pf[1].start,
    ))
    out, seen, measures = [], set(), set()
    for p, f in found:
        if f.sentence in seen or (f.measure and f.measure in measures):  # one figure per measure, the newest
            continue
        seen.add(f.sentence)
        measures.add(f.measure)
        out.append({
            "figure": f.raw, "sentence": f.sentence, "comparator": f.comparator, "period": f.period,
            "title": p.title, "date": display_date(p.date), "dated": store.is_dated(p), "citation": p.citation,
        })
        if len(out) == FIGURES_SHOWN:
            break
    return out


def _covers(questions) -> list[str]:
    """What the likely questions look for, without repeats (the rubric's dimensions follow in
    the page)."""
    points, seen = [], set()
    for q in questions:
        for point in q.looks_for:
            key = point.strip().lower()
            if key and key not in seen:
                seen.add(key)
                points.append(point.strip())
    return points[:LOOKS_FOR_SHOWN]


def _newest_first(date: str) -> tuple[int, str]:
    """Sort key: dated documents newest first, undated ones last."""
    return (0, "".join(chr(255 - ord(ch)) for ch in date)) if date else (1, "")
