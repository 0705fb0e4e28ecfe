"""What a measure is made of, part by part, so that two figures are taken to be one measure only
when their parts agree.

A measure in adult social care says what is counted (people waiting, admissions, assessments
completed, carers satisfied, a vacancy rate...), of which service (home care, care homes,
occupational therapy...), for which people (carers, people aged 65 and over, people with a
learning disability...), over what window or threshold ("within 28 days", "91 days after
discharge", "longer than 12 months") and in what form (a level, or a change "up 22%"; an
average, or the longest wait). Whose figure it is (the council's, England's, a target) is not a
part of the measure: England's 82.3% is a comparator of the same measure.

``parts_of`` reads these from a figure's measure phrase and its own clause with general care-sector
words (``measure_words``: what things mean, not any one council's wording); ``conflicts`` names the
parts on which two figures plainly differ (both name one and share none, or the windows differ).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from prep_bot.evidence.measure_words import (COUNTED_RE, OTHER_NAMES, OTHER_RE, OUTCOMES, POPULATION_RE, SERVICE_RE, SURVEYED,
                                             TIME_SAME, counted_noun, counts_differ, per_period, price_per, summary_said)
from prep_bot.evidence.measure_windows import STRONG_RE, TARGET_WORDS, WINDOW_RE, age_clause, ages, windows
from prep_bot.evidence.measure_context import figure_spans, own_words, set_against_per, topic_text
from prep_bot.evidence.clauses import clauses as _clauses
from prep_bot.evidence.measures import is_threshold

# The longest wait is not the usual one: "longest", "oldest", "up to", "can stretch to", "in the
# worst cases".
_LONGEST = re.compile(
    r"\b(?:longest|oldest|maximum|max|worst|the most anyone|as long as|stretch(?:es|ed)? to|"
    r"peak(?:ed|s|ing)?(?! (?:time|hours?|season|periods?))|at (?:its|their) highest|"
    r"(?<!went )(?<!gone )(?<!rose )(?<!risen )(?<!moved )(?<!come )(?<!came )(?<!grown )(?<!climbed )(?<!increased )up to(?! date))\b",
    re.I)
_CHANGE_BEFORE = re.compile(
    r"\b(?:(?:an? )?(?:increase|decrease|rise|fall|drop|reduction|improvement|growth|cut|change|uplift)s?(?: of| by)?|"
    r"(?:up|down|fallen|fell|risen|rose|grown|grew|increased|decreased|reduced|dropped|cut|improved|went up|gone up|gone down|went down) by|"
    r"(?<!made )(?<!make )(?<!makes )(?<!set )(?<!take )(?<!taken )(?<!signed )(?:up|down))\s*$",
    re.I,
)
_CHANGE_AFTER = re.compile(
    r"^\s?(?:%|per ?cent)?\s?(?:\w+ )?(?:more|fewer|less|increase|decrease|rise|fall|drop|reduction|improvement|higher|lower|up|down)\b"
    r"(?! than (?:the )?(?:england|national|regional|average|comparators?|target))(?!\s+(?:to|from)\b)"
    # "18% above the quarterly plan": how far from the plan, not a level.
    r"|^\s?(?:%|per ?cent)?\s?(?:above|below|ahead of|behind|over|under) (?:the |our |its )?(?:\w+ )?(?:plan|target|budget|profile|trajectory)\b",
    re.I,
)


_LATER = re.compile(r"\s*(?:later|afterwards|after that|on from (?:that|then))\b", re.I)
_ONE_PERSON = re.compile(
    r"(?:\b(?:one|another|a|an|this|that) (?:(?:older|young|elderly) )?(?:person|woman|man|lady|gentleman|gent|chap|client|resident|tenant|individual|"
    r"gentleman's|woman's|man's|lady's|family|mum|dad|mother|father|husband|wife|son|daughter)|"
    # "the gentleman who waited 47 days": "the" with a word for one person, never "the person" (any person)
    r"\bthe (?:(?:older|young|elderly) )?(?:woman|man|lady|gentleman|gent|chap|mum|dad|mother|father|husband|wife|son|daughter))\b"
    r"(?!\s+(?:in|out of) )[^,;]*$|\b(?:he|she|his|her)\b[^,;]*$", re.I)
# A sentence that opens by saying what it is about: "Within nursing care, ...", "For carers, ...".
_SCOPE = re.compile(r"\s*(?:Within|For|Among|Amongst|Across|In) ((?:the )?[A-Za-z][\w' -]{2,40}?),\s", re.I)
_UNMET = re.compile(r"\bunmet\b|not (?:yet )?(?:picked up|delivered|covered|placed|sourced)|can(?:'t|not) be (?:placed|sourced|covered|picked up|met)|"
                    r"\bun(?:sourced|placed|filled)\b|waiting|awaiting|unallocated", re.I)
_SAR = re.compile(r"safeguarding adults? (?:reviews?|boards?)|\bSARs?\b|(?:board|boards) (?:has |have )?(?:published|commissioned)\b[^.;]*\breviews?", re.I)
_CARE_REVIEW = re.compile(r"\b(?:annual|care|support plan) reviews?\b|\breviewed\b", re.I)
# "longest 12 weeks, average 3 weeks": the words just before a figure say how it summarises.
_SUMMARY = re.compile(r"\b(?:average|mean|median|typical(?:ly)?|usual(?:ly)?|on average)\b(?:\s+\w+){0,3}\s*$", re.I)
_HANDOVER = re.compile(
    r"\b(?:after|following|once|when)\s+(?:a\s+|the\s+|their\s+)?(?:period of\s+)?(?:reablement|re-ablement|intermediate care)\b"
    r"|\b(?:reablement|re-ablement) (?:ends|ended|finishes|finished)\b", re.I)
# What sets a measure apart when only one of two names it: urgent or emergency cases only ("urgent
# adaptations", "a break in an emergency"), and the Ombudsman's decisions (not the council's own).
_APART = {"urgent": re.compile(r"\b(?:urgent|emergenc(?:y|ies)|at short notice)\b", re.I),
          "ombudsman": re.compile(r"\bombudsman\b|\bLGSCO\b", re.I)}
# Which part of the financial year a sum covers: a forecast for the whole year is not the
# overspend so far, nor one month's ("a projected year-end overspend of £5.8m" against "£3.4m
# overspent year to date").
_MONEY_SPANS = {
    "forecast": re.compile(r"\b(?:forecasts?|forecasting|projected|projections?|year[- ]end|(?<!final )(?<!actual )outturn|full[- ]year)\b", re.I),
    # The year's final figure, once it has closed: not a forecast made during it.
    "final": re.compile(r"\b(?:final|actual|closing) (?:outturn|position|overspend|underspend)\b", re.I),
    "to-date": re.compile(r"\b(?:year[- ]to[- ]date|YTD|to date|so far|(?:at|by) (?:the )?(?:half[- ]year|month \d+|mid[- ]year|quarter \d)"
                          r"(?: point)?|at month \d+|at (?:P|period )\d+)\b", re.I),
    "month": re.compile(r"\bin[- ]month\b|\b(?:this|last|that) month\b|\bmonthly\b", re.I),
}
# Savings planned but not expected to land: not the savings target, nor those delivered.
_AT_RISK = re.compile(r"\bat risk\b|\brated red\b|\bun(?:deliverable|achievable)\b|\bslipp(?:ed|ing)\b", re.I)
_AWAITED = re.compile(
    r"\b(?:wait(?:s|ed|ing)?|awaiting)\s+(?:for\s+)?(?:(?:a|an|the|their|his|her)\s+)?(?:[\w'-]+\s+){0,3}?"
    r"(?:placements?|admissions?|assessments?|reviews?|packages?|installations?|authori[sz]ations?|referrals?)\b",
    re.I)


@dataclass(frozen=True)
class MeasureParts:
    counted: frozenset[str]
    service: frozenset[str]
    population: frozenset[str]
    others: tuple[frozenset[str], ...]  # things, rating, sector and money named (each of one kind)
    window: tuple[float, ...]  # the windows named, in days (0 for "the same day")
    longest: bool  # the longest or oldest, not the usual
    change: bool  # a change ("up 22%", "an increase of 240"), not a level
    apart: frozenset[str] = frozenset()  # what sets it apart (``_APART``): "urgent", "ombudsman"
    later: bool = False  # a time in a story ("a sitter was in place two days later"): never a measure
    one: bool = False  # one person's case ("one person waited 76 days"): only ever that case again
    per: str = ""  # a count per period ("88 a month", "21,300 hours a week"): a flow, not how many there are
    counts: str = ""  # what a count counts, when the words right after it say ("2,000 carers' conversations": conversations)
    handover: bool = False  # a wait that starts when another service ends ("home care after reablement")
    topic: frozenset[str] = frozenset()  # the services and people its sentence names (``_topic_text``)
    span: frozenset[str] = frozenset()  # a sum's part of the year (``_MONEY_SPANS``): forecast, to date, one month
    summary: str = ""  # how a measure of many is summarised: "median" or "mean" (a mean is not a median)
    stems: frozenset[str] = frozenset()  # the first letters of its phrase's words, plain words left out


def _named(text: str, table: dict[str, re.Pattern[str]]) -> frozenset[str]:
    return frozenset(k for k, pattern in table.items() if pattern.search(text))


def _own_clause(sentence: str, start: int, end: int) -> str:
    """The clause of the sentence the figure stands in, without the figure itself."""
    heading = ""
    colon = sentence.rfind(":", 0, start)
    if colon >= 0 and not re.search(r"\d", sentence[colon + 1 : start]):
        # "Equipment delivered within 7 working days of request: 93.7%": the heading names it.
        heading = sentence[max(sentence.rfind(";", 0, colon), sentence.rfind("|", 0, colon)) + 1 : colon]
    clauses = _clauses(sentence)
    for n, (a, b) in enumerate(clauses):
        if a <= start < b:
            # "97 of them had waited longer than 12 months": what follows "of them" says which.
            rest = sentence[b : clauses[n + 1][1]] if n + 1 < len(clauses) and re.match(
                r"\s*of (?:them|whom|which|these)\b", sentence[end:]) and not sentence[end:b].strip() else ""
            return f"{heading} {sentence[a:start]} \u2022 {sentence[end:b]}{rest}"
    return heading


@lru_cache(maxsize=20000)
def _parts(measure: str, clause: str, kind: str, before: str, after: str, age_text: str = "",
           own_window: float | None = None, part_of: str | None = None, context: str = "", counts: str = "", per: str = "",
           later: bool = False, one: bool = False, near: str = "", sentence: str = "") -> MeasureParts:
    text = f"{measure} {clause}"
    flows = kind in ("count", "£")  # a count's or a sum's year is when it is counted
    # "30% of them are aged over 55": what is counted of a part is what is said of it, not
    # what was said of the whole ("turnover among care workers was 27%").
    source = text if part_of is None else part_of
    counted = _named(source, COUNTED_RE)
    if "waiting" in counted:
        # "waiting for a residential care placement": what people wait for is not counted too;
        # "640 applications awaiting allocation" are waiting, not applications received.
        counted = _named(_AWAITED.sub(" waiting ", source), COUNTED_RE)
        if not re.search(r"\breceived\b", source, re.I):
            counted = counted - {"incoming"}
        counted = counted - {"discharged"}  # "delayed discharges" are people waiting to leave
    if "incoming" in counted and counted & OUTCOMES and not re.search(r"\breceived\b", source, re.I):
        # "passes 40% of contacts on", "answers 90% of calls": what happened to them is counted,
        # not that they came in.
        counted = counted - {"incoming"}
    if "view" in counted and len(counted) > 1:
        counted = counted - {"view"}  # "carers said they had a break": what they said is counted
    if "made-safe" in counted:
        counted = counted - {"safe"}  # "services helped them feel safe" is not "felt safe"
    if "known" in counted and len(counted) > 1:
        counted = counted - {"known"}  # "adults known to the council in paid work": who is counted, not what
    if "independent" in counted:
        # "with no request for further support", "received short-term services and needed nothing after"
        counted = counted - {"incoming", "receipt"}
    if "reach" in counted:
        # A share of all the area's carers, whatever they get; a count beside it ("2436, which is
        # 12% of the carer population") is how many, not the share.
        counted = frozenset({"reach"}) if kind == "%" else counted - {"reach"}
    if not counted and "dp" in _named(text, SERVICE_RE):
        counted = frozenset({"receipt"})  # "carers on a direct payment": who has one
    if kind == "time":
        counted = frozenset(TIME_SAME.get(c, c) for c in counted)
    if kind == "volume":  # "18,500 hours of care each week": how much care, not how long; unmet hours apart
        counted = frozenset({"unmet-hours" if _UNMET.search(text) else "hours"})
    if kind == "£":
        counted = counted | {"money"}
    service = _named(text, SERVICE_RE)
    population = _named(text, POPULATION_RE)
    if "assess" in service and "carer-assess" not in service and population == {"carers"}:
        service = service - {"assess"} | {"carer-assess"}  # "carers awaiting assessment": a carer's assessment
    if "review" in service and _SAR.search(text) and not _CARE_REVIEW.search(_SAR.sub(" ", text)):
        service = service - {"review"}  # a Safeguarding Adults Review is not a review of someone's care
    return MeasureParts(
        counted=counted,
        service=service,
        population=population | {f"age:{band}" for band in (ages(age_text) or ages(text))},
        # Beside another figure, the words nearest the figure say which sum or thing it is
        # ("an overspend of £7.2m against a net budget of £139m").
        others=tuple((near and _named(near, table)) or _named(text, table) for table in OTHER_RE),
        window=tuple(sorted(set(windows(measure, flows)) | set(windows(clause, flows)) | ({own_window} if own_window is not None else set()))),
        # "delays as high as 6 weeks": for a time, the worst case too.
        longest=bool(_LONGEST.search(text) or kind == "time" and re.search(r"\bas high as\b", text, re.I))
        and not _SUMMARY.search(before),
        change=bool(_CHANGE_BEFORE.search(before) or _CHANGE_AFTER.match(after)),
        apart=frozenset(name for name, pattern in _APART.items() if pattern.search(text))
        | ({"at-risk"} if kind == "£" and _AT_RISK.search(text) else frozenset()),
        handover=bool(counted & {"waiting", "duration"} and _HANDOVER.search(f"{text} {context}")),
        counts=counts,
        per=per,
        later=later,
        one=one,
        topic=_named(sentence, SERVICE_RE) | _named(sentence, POPULATION_RE),
        stems=_stems(measure),
        span=((near and _named(near, _MONEY_SPANS)) or _named(text, _MONEY_SPANS)) if kind == "£" else frozenset(),
        summary=summary_said(f"{measure} {before}"),
    )


_PLAIN = frozenset("people person average wait waited waiting month year week day days weeks months years time number "
                   "share rate total about around some just over under within more than less last this that their those "
                   "said says with from into onto have been were being moment minute list".split())


def _stems(measure: str) -> frozenset[str]:
    return frozenset(w[:5] for w in re.findall(r"[a-z]{3,}", measure.lower()) if w not in _PLAIN)


def parts_of(point) -> MeasureParts:
    """The parts of a figure's measure (``point``: an extracted ``DataPoint``), remembered while its words stay."""
    key = (point.sentence, point.start, point.raw, point.value, point.unit, point.measure, point.subject, point.is_comparator)
    if (found := _PARTS.get(key)) is None:
        if len(_PARTS) > 50_000:
            _PARTS.clear()
        found = _PARTS[key] = _read_parts(point)
    return found


_PARTS: dict[tuple, MeasureParts] = {}


def _read_parts(point) -> MeasureParts:
    end = point.start + len(point.raw)
    # Someone else's figure (England's, a target) takes its measure from the council's figure
    # beside it: its own clause names only whose it is.
    own = point.subject == "ours" and (not point.is_comparator or point.earlier)  # "from 118 to 21": both the council's
    # Its window is the sentence's ("91-day reablement: 84%, against England's 82.3%").
    clause = _own_clause(point.sentence, point.start, end) if own else ""
    if own and not windows(clause):
        # "Ninety one days after they leave hospital, 92% are still at home": a window said in a
        # clause of its own, with no other figure in it, defines the figure's measure.
        for a, b in _clauses(point.sentence):
            text = point.sentence[a:b]
            found = [] if point.kind != "%" and TARGET_WORDS.search(text) else [  # "close to the 28-day target"
                m.group(0) for m in WINDOW_RE.finditer(text) if STRONG_RE.match(m.group(0))]
            # Not the window of a part said after "of them" ("312 waiting, and 97 of them had
            # waited longer than 12 months": the 312 are all who wait).
            part = re.search(r"\bof (?:them|whom|which|these)\s*$", point.sentence[:a], re.I)
            # Nor a heading of another figure ("...; concerns triaged within 2 working days: 91%").
            heading = point.sentence[b:].lstrip().startswith(":")
            # Nor a label of the figure after it ("Complaints | 71 | Responded within 20 working days | 63%").
            heading = heading or bool(re.search(r"\d", point.sentence[b : point.start] if b <= point.start else point.sentence[b:]))
            if found and not (a <= point.start < b) and not part and not heading and not re.search(r"%|\d", WINDOW_RE.sub(" ", text)):
                clause += " " + " ".join(found)
    opened = point.sentence[: point.start].rstrip()
    if own and opened.endswith("("):
        # "than were providers of Residential Care (9.68%)": the words before the bracket are its own.
        clause += " " + " ".join(re.findall(r"[\w'-]+", opened[:-1])[-4:])
    scope = _SCOPE.match(point.sentence)
    if (own and scope and point.start > scope.end() and not re.search(r"\d", scope.group(1))
            and not _named(clause, SERVICE_RE)):
        clause += f" {scope.group(1)}"  # "Within nursing care, a higher proportion ... (23.81%)": of nursing care
    if not own:  # only plain thresholds: "of 38 days" there may be the council's figure
        # Not the window of a part said after "of them" ("up from 860, and 97 of them have
        # waited more than six months": the 860 were all who waited).
        whole = re.split(r"\b(?:of|among) (?:them|whom|which|these)\b", point.sentence, maxsplit=1, flags=re.I)[0]
        clause = " ".join(m.group(0) for m in WINDOW_RE.finditer(whole) if STRONG_RE.match(m.group(0)))
    before = point.sentence[max(0, point.start - 30) : point.start]
    after = point.sentence[end : end + 30]
    # "up from 68.3%", "reduced from 47 to 33 days": the earlier level, not a change.
    if re.search(r"\b(?:from|to)\s*$", before, re.I):
        before = ""
    # "it's gone up about 10%": a hedge between the change and its size.
    before = re.sub(r"\b(?:about|around|roughly|nearly|almost|approximately|some|just)\s*$", "", before, flags=re.I)
    age_text = age_clause(point.sentence, point.start, end) if own else ""
    # A number that only defines a measure ("more than 3 days", "within 28 days") is its window.
    own_window = round(point.comparable_value(), 1) if is_threshold(point.sentence, point.start, point.unit) else None
    part = re.match(r"\s*of (?:them|whom|which|these)\b([^;:.]*)", point.sentence[end:], re.I) if own else None
    kind = point.kind
    if kind == "time" and "hour" in point.raw.lower() and re.match(r"\s?(?:of (?:\w+ )?(?:care|support)|(?:a|per|each) week)\b", after, re.I):
        kind = "volume"
    # "once reablement ends, some people wait 6 weeks": a clause with no figure of its own says
    # when the figure's wait starts.
    context = " ".join(point.sentence[a:b] for a, b in _clauses(point.sentence)
                       if not re.search(r"\d", point.sentence[a:b])) if own else ""
    counts = counted_noun(point.sentence, point.start, point.start + len(point.raw.split()[0])) if point.unit == "count" else ""
    own_start = max((a for a, _ in _clauses(point.sentence) if a <= point.start), default=0)
    flows = point.unit == "count" or point.kind == "£"  # counts and sums can be per a period
    per = per_period(point.sentence, point.start, end) if flows else ""
    if not own and not per and flows:
        # "£24.10 an hour, above the regional average of £23.40", "41 people a day, against a plan
        # of 30": someone else's figure is per what the figure it is set against is per (the
        # nearest before it, else the nearest after).
        spans = sorted((x for x in figure_spans(point.sentence) if x[0] != point.start),
                       key=lambda xy: (xy[0] > point.start, abs(xy[0] - point.start)))
        per = per_period(point.sentence, *spans[0]) if spans else ""
    if point.kind == "£" and not per:
        # "the daily rate's, I think, £82": the price's words say per what.
        per = price_per(point.measure, point.sentence[own_start : point.start])
    if point.kind == "£" and not per and own:
        # "£918 a week, against the £842 we currently pay": a price set against another is per what that one is.
        per = set_against_per(point)
    if per == "year":
        # A sum of money or a count is a year's unless it says otherwise: "£55.9m per annum" is the
        # spend, "205 complaints a year" the year's complaints.
        per = ""
    # A story: "a night sitter was in place two days later"; one person's case: "one person waited 76 days".
    later = bool(point.kind == "time" and _LATER.match(point.sentence[end:]))
    one = bool(_ONE_PERSON.search(point.sentence[own_start : point.start]))
    return _parts(point.measure, clause, kind, before, after, age_text, own_window, part.group(1) if part else None, context,
                  counts, per, later, one, own_words(point.sentence, point.start, end) if own else "", topic_text(point.sentence, point.start))


# Sums of money (not prices): "net spend", "budget", "overspend", "savings".
_SUMS = frozenset({"spend", "budget", "overspend", "savings"})
# Services too general to say what a measure is about ("assessment" is done by every team).
_GENERIC_SERVICES = frozenset({"assess", "conversation"})
# People too general to say which service: "people who use services", homes, a gender, and the
# workforce (care workers work in home care; social workers carry cases in every team).
_STAFF_GROUPS = frozenset({"social-workers", "care-workers", "ot-staff"})
_GENERIC_PEOPLE = frozenset({"users", "homes", "gender"}) | _STAFF_GROUPS


_SERVICE_NAMES = frozenset(SERVICE_RE) - _GENERIC_SERVICES
# Services that assess people in their own way: occupational therapy, Mental Health Act
# assessments, DoLS (best interests) assessments.
_OWN_ASSESSMENTS = frozenset({"ot", "mh", "dols"})


def _services(p: MeasureParts) -> frozenset[str]:
    """The services a measure names, or else those its sentence names."""
    return (p.service - _GENERIC_SERVICES) or (p.topic & _SERVICE_NAMES)


def _tags(p: MeasureParts) -> frozenset[str]:
    """What a measure is about: its services (or, when it names none, its sentence's) and the
    particular people its sentence names (carers, people with a learning disability, young people
    in transition): not words borrowed from the sentence before ("... had carers the next morning")."""
    return _services(p) | frozenset(x for x in p.population & p.topic if x not in _GENERIC_PEOPLE)


def _differ(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a) and bool(b) and not (a & b)


def _window_conflict(a: MeasureParts, b: MeasureParts) -> bool:
    if not a.window and not b.window:
        return False
    if not a.window or not b.window:
        # "open enquiries" is not "enquiries open longer than 90 days"; but a figure whose words
        # name neither what is counted nor a service says too little to tell.
        bare = b if not b.window else a
        return bool(bare.counted or bare.service)
    a, b = a.window, b.window
    return not any(abs(x - y) <= max(1.0, 0.1 * max(x, y)) for x in a for y in b)


_STOCKS = frozenset({"known", "registered", "identified", "receipt", "break"})
_WORK = frozenset({"assess", "carer-assess", "review", "fin-assess"})


def _stock_and_work(a: MeasureParts, b: MeasureParts) -> bool:
    """"3,210 carers known to the council" is not "842 carers' assessments", nor "426 carers
    receiving respite": the people on the books, or what they have, against the work done."""
    return bool(a.counted & _STOCKS) and not (a.service & _WORK) and bool(b.service & _WORK) and not (b.counted & _STOCKS)


_STAFF_STEMS = frozenset({"staff", "post", "posts", "worke", "workf", "emplo"})


def _beds(p: MeasureParts) -> bool:
    return bool(p.stems & {"bed", "beds", "occup"}) or (
        "carehome" in p.service and not p.population & _STAFF_GROUPS and not p.stems & _STAFF_STEMS)


def _beds_and_posts(a: MeasureParts, b: MeasureParts) -> bool:
    """"An average bed vacancy rate of 7.4%" is not "the vacancy rate for social workers": empty
    places in care homes against unfilled posts (a vacancy rate naming neither is of posts)."""
    return "vacancy" in a.counted & b.counted and _beds(a) != _beds(b)


def _ages(p: MeasureParts) -> frozenset[str]:
    return frozenset(x for x in p.population if x.startswith("age:"))


def _one_sided_age(a: MeasureParts, b: MeasureParts, age_a: frozenset[str], age_b: frozenset[str]) -> bool:
    """"30% of the workforce is over 55" is not "the workforce vacancy rate": an age band on one
    side, and on the other a measure that says what it counts and names no age."""
    return bool(age_a) and not age_b and bool(b.counted) and not (a.counted & b.counted)


def _carers_differ(a: MeasureParts, b: MeasureParts, surveyed: frozenset[str]) -> bool:
    """One measure is of carers and the other plainly is not. A measure is of carers when it names
    them, or, for what both surveys ask (``surveyed``), names no other people in a sentence about
    carers ("Only 61% of carers felt involved, and 52% found information easy to find"); one that
    names no people in a sentence about carers ("their grant, we gave out three hundred") may be."""
    of_a, of_b = ("carers" in p.population or bool(surveyed and "carers" in p.topic and not p.population - {"carers"}) for p in (a, b))
    bare = b if of_a else a
    return of_a != of_b and not (not bare.population and "carers" in bare.topic)


def _nothing_in_common(a: MeasureParts, b: MeasureParts) -> bool:
    """"People on the list" and "people with care needs in temporary accommodation at the moment":
    no part, service, people, word or window in common, so nothing says they are one measure."""
    return not (shares_a_part(a, b) or _tags(a) & _tags(b) or a.stems & b.stems or a.window and a.window == b.window
                or a.counts and a.counts == b.counts != "people")


def conflicts(a: MeasureParts, b: MeasureParts) -> list[str]:
    """The parts on which two measures plainly differ (none: they may be one measure)."""
    out = []
    if _differ(a.counted, b.counted) or _stock_and_work(a, b) or _stock_and_work(b, a):
        out.append("counted")
    elif a.counted and b.counted and ("independent" in a.counted) != ("independent" in b.counted):
        # "discharged home with no care package" is a part of "discharged home".
        out.append("independent")
    if _differ(a.service, b.service) or _beds_and_posts(a, b):
        out.append("service")
    age_a, age_b = _ages(a), _ages(b)
    surveyed = a.counted & b.counted & SURVEYED
    if (_differ(a.population, b.population) or _one_sided_age(a, b, age_a, age_b) or _one_sided_age(b, a, age_b, age_a)
            or _carers_differ(a, b, surveyed)):
        out.append("population")
    bare = b if a.counted else a
    if (bool(a.counted) != bool(b.counted) and not (a.service & b.service) and not (a.population & b.population)
            and (bare.service or bare.population)):
        # One says what it counts and the other does not, and no service or people tie them: too little
        # in common to take them for one measure.
        out.append("unanchored")
    if not out and _differ(_tags(a), _tags(b)):
        # "carers awaiting assessment" is not "people waiting for an occupational therapy
        # assessment"; "the longest wait in the month", said of hospital discharges, is not the
        # longest wait for home care.
        out.append("topic")
    if not out and _nothing_in_common(a, b):
        out.append("nothing in common")
    for name, x, y in zip(OTHER_NAMES, a.others, b.others):
        if _differ(x, y):
            out.append(name)
    if _window_conflict(a, b):
        out.append("window")
    if a.handover != b.handover and (b if a.handover else a).service:
        # A wait that names no service ("waits as long as 17 weeks") says too little to tell.
        out.append("handover")
    if ("money" in a.counted & b.counted and bool(a.service) != bool(b.service) and not a.per and not b.per
            and (b if a.service else a).others[3] & _SUMS):
        # "Gross spend on home care" is a part of "forecast net spend": a sum for one service is
        # not the sum for all of them (by its own words only: a sentence about a sum often goes
        # on to name its parts).
        out.append("part")
    out += sorted(a.apart ^ b.apart)
    if _differ(a.span, b.span):
        out.append("span")
    if a.summary and b.summary and a.summary != b.summary:
        out.append("summary")  # the median wait is not the average wait
    if not out and "assess" in a.service & b.service and bool((a.service | a.topic) & _OWN_ASSESSMENTS) != bool((b.service | b.topic) & _OWN_ASSESSMENTS):
        # "Waiting for an occupational therapy assessment" is not "waiting for a Care Act
        # assessment": a service with assessments of its own is not the assessment of needs.
        out.append("service")
    if counts_differ(a.counts, b.counts):
        out.append("counts")
    if a.later or b.later or a.one != b.one:
        # A time in a story is no measure, and one person's case is no measure of many: "one
        # person waited 76 days" is checked only against that case told again.
        out.append("story")
    if a.per != b.per and (a.per and b.per or a.counted & b.counted or a.counts == b.counts != ""):
        # "75 new carers a month" is not "2,400 carers supported"; "41 a day" is not "41 a week".
        out.append("per")
    if a.longest != b.longest:
        out.append("longest")
    if a.change != b.change:
        out.append("change")
    return out


def shares_a_part(a: MeasureParts, b: MeasureParts) -> bool:
    """Whether two measures name at least one part in common (what is counted, the service, the
    people, the thing): the least a figure must share with another to be called wrong by it."""
    return bool(a.counted & b.counted or a.service & b.service or a.population & b.population
                or any(x & y for x, y in zip(a.others, b.others)))


def agreement(a: MeasureParts, b: MeasureParts) -> list[float]:
    """For the pair model: how far the parts agree (1 shared, -1 both named and none shared, 0
    one or both silent), per part, and how many parts conflict."""
    def score(x: frozenset[str], y: frozenset[str]) -> float:
        return 0.0 if not x or not y else (1.0 if x & y else -1.0)

    found = conflicts(a, b)
    return [
        score(a.counted, b.counted), score(a.service, b.service), score(a.population, b.population),
        -1.0 if "window" in found else (1.0 if a.window and b.window else 0.0),
        -1.0 if "longest" in found else 0.0,
        -1.0 if "change" in found else 0.0,
        -1.0 if set(OTHER_NAMES) & set(found) else 0.0,
        float(len(found)),
        # Nothing to anchor them: one says what it counts, the other does not, and they share no
        # service; or both say what they count and of which service, and agree on both.
        1.0 if bool(a.counted) != bool(b.counted) and not (a.service & b.service) else 0.0,
        1.0 if a.counted & b.counted and a.service & b.service else 0.0,
    ]
