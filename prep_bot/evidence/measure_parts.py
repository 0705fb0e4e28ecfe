"""What a measure is made of, part by part, so that two figures are taken to be one measure only
when their parts agree.

A measure in adult social care says what is counted (people waiting, admissions, assessments
completed, carers satisfied, a vacancy rate...), of which service (home care, care homes,
occupational therapy...), for which people (carers, people aged 65 and over, people with a
learning disability...), over what window or threshold ("within 28 days", "91 days after
discharge", "longer than 12 months") and in what form (a level, or a change "up 22%"; an
average, or the longest wait). Whose figure it is (the council's, England's, a target) is not a
part of the measure: England's 82.3% is a comparator of the same measure.

``parts_of`` reads these from a figure's measure phrase and its own clause of the sentence with
general care-sector words; ``conflicts`` names the parts on which two figures plainly differ
(both name one and they share none, or the windows differ). The lexicons describe what things
mean, not any one council's wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from prep_bot.evidence.measures import _clauses, is_threshold

_NUM_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty".split())} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30.44, "year": 365.25}
_N = rf"(\d+(?:\.\d+)?|(?:{_TENS})[\s-](?:one|two|three|four|five|six|seven|eight|nine)\b|" + "|".join(sorted((w for w in _NUM_WORDS if len(w) > 2), key=len, reverse=True)) + r")"
# A window that defines the measure: "within 28 days", "91 days after discharge", "longer than
# 12 months", "overdue by more than a year", "for 24 hours", "on the same day".
_WINDOW = re.compile(
    rf"\b(?:within|inside|in under|under|after|longer than|more than|over|beyond|at least|less than|fewer than|"
    rf"following|for more than|for over|for|of|overdue by(?: more than| over)?|in excess of|exceeding)\s+(?:the\s+)?(?:first\s+)?"
    rf"{_N}[\s-]?(?:working\s+|calendar\s+|clear\s+)?(hours?|days?|weeks?|months?|years?)\b(?!\s+(?:old|of age))"
    rf"|\b{_N}[\s-]?(?:working\s+)?(hours?|days?|weeks?|months?)\s+(?:after|following|from|of (?:discharge|leaving|referral|contact|request))\b"
    rf"|\b{_N}-(?:working-)?(hour|day|week|month|year)\b"
    rf"|\b(?:within|in|over|during) (?:the )?(?:last|past|previous|first)\s+{_N}\s+(hours?|days?|weeks?|months?|years?)\b"
    rf"|\b(?:within|after|for more than|for over|longer than|more than|over|inside) (?:a|an|one)\s+(hour|day|week|month|year)\b"
    rf"|\b(?:the\s+)?same[\s-]day\b|\b(?:the\s+)?next[\s-]day\b|\b(?:the\s+)?(?:20|twenty)[\s-]day standard\b",
    re.I,
)

# What is counted or happens to people: a measure naming one of these is not a measure naming
# another (a wait is not an admission; satisfied is not feeling safe).
_COUNTED = {
    "waiting": r"wait(?:s|ed|ing)?|awaiting|waiting lists?|backlogs?|queues?|unallocated|awaiting allocation|"
               r"delay(?:s|ed)?|delayed|overdue|outstanding|not (?:yet )?(?:allocated|reviewed|assessed)|"
               r"(?:have|has|had)(?:n't| not) (?:yet )?(?:had|received|got)|not had",
    "admitted": r"admitted|admissions?|placed|place (?:\w+ )?people|placements?|moved into|go(?:ing)? into|went into|put (?:\w+ )?into",
    "done": r"(?:received|had|got) (?:a |an |their )?(?:carer'?s'? |care act |social care )?assessments?|completed|complete|completion|done|finished|concluded|closed|carried out|undertaken|"
            r"(?:did|do|does) (?:\w+ )?(?:reviews?|assessments?)|"
            r"installed|installation|fitted|delivered|deliveries|authori[sz]ed|authori[sz]ations?|answered|responded",
    "incoming": r"(?:concerns?|referrals?|requests?|applications?|contacts?|calls|complaints?) (?:were |was )?received|"
                r"received (?:\d[\d,]* )?(?:concerns?|referrals?|requests?|applications?|contacts?|calls|complaints?)|"
                r"(?<!social )contacts?|referrals?|referred|requests?|calls|applications?|new cases",
    "started": r"commenc\w*|started|starting|began|new packages?|packages? started|led to",
    "satisfied": r"satisf(?:ied|action)|happy with|pleased with",
    "safe": r"feel(?:s|ing)? safe|felt safe|safe and secure|made them feel safe|services have made",
    "contact": r"social contact|lonel\w*|isolat\w*",
    "talk": r"someone to talk(?: to)?|talk to in confidence|support groups?",
    "break": r"(?:a |short )?breaks?|respite",
    "information": r"information|advice|find (?:it )?easy|easy to find",
    "involved": r"involved|involvement|say in|choice and control|control over|control (?:\w+ )?daily life",
    "qol": r"quality of life",
    "receipt": r"in receipt of|receiv(?:e|es|ing) (?:a |an )?(?:direct payments?|personal budgets?|services?|support|long-term)|"
               r"(?:have|has|had|get|gets|with|on) (?:a |an )?(?:direct payments?|personal budgets?)|take[- ]?up|uptake|using|"
               r"supported by (?:the )?(?:council|local authority|service)|(?:gets?|getting|receiv\w+) support (?:from|through)",
    # The share of all carers (or people) in an area that the council reaches.
    "reach": r"(?:unpaid )?carer population|population of (?:unpaid )?carers|counted in the census|in the census|"
             r"of (?:the |all )?(?:unpaid )?(?:carers|people|adults|residents) (?:in|across|living in) the (?:borough|county|city|district|area)",
    "length": r"lasted|lasts|length of (?:an? |the )?(?:\w+ )?(?:episodes?|stay|support|package)|episodes? (?:of \w+ )?last\w*",
    "vacancy": r"vacanc(?:y|ies)|vacant|unfilled",
    "turnover": r"turnover|leavers?|left (?:the|their) (?:post|job|role)s?|leaving rate",
    "discharged": r"discharged|discharges?",
    "retirement": r"retir(?:e|es|ed|ing|ement)(?: age)?",
    "sickness": r"sickness|absence|days lost",
    "agency": r"agency|locums?|interim",
    "caseload": r"caseloads?|cases per|carry (?:\w+ )?cases|cases each",
    "money": r"spend|spent|spends|costs?|budgets?|overspend|underspend|savings?|saved|fees?|rates? an hour|hourly rate|"
             r"funding|grant of|income|£",
    "rated": r"rated|ratings?|requir(?:es|ing) improvement",
    "hours": r"hours of (?:home )?care|care hours|hours (?:a|per|each) week|unmet hours|hours (?:commissioned|delivered|of requested)",
    "reduced": r"reduced (?:support|package|care)|less support|smaller package",
    "risk-reduced": r"risks? (?:was |were |is |gets? |got )?(?:either )?(?:reduced|removed|mitigated|taken away)|mitigate (?:the )?risks?",
    "outcome-met": r"outcomes? (?:were |was )?(?:(?:fully|partly|partially|fully or partly|fully or partially) )?(?:met|achieved)",
    "outcome-asked": r"ask(?:ed|ing)? (?:people |the person |them )?(?:about|what)|asked (?:\w+ )?(?:their )?(?:desired )?outcomes?",
    "open": r"open(?! (?:to|for) (?:new|referrals))|still open|in progress",
    "resolved": r"resolved|signpost\w*|dealt with at",
    "passed": r"pass(?:es|ed)? (?:\w+ )?on|progress(?:es|ed)? to|referred on",
    "advocacy": r"advocat\w*",
    "plan": r"(?:transition |support |care )?plans? (?:in place|by)|had a (?:\w+ )?plan",
    "home": r"still at home|at home \w+ days|remain(?:ed|ing)? at home|stay(?:ed|ing)? at home|living at home",
    "readmitted": r"readmi\w*|re-admi\w*",
    "usual": r"usual (?:place of )?residence|went home|returned home|discharged home|back home",
    "upheld": r"upheld",
    # Known to the council, newly identified, registered with a service: three counts.
    "known": r"known to",
    "identified": r"identified|identifying|newly found",
    "registered": r"registered|on (?:our|the) register",
    # What people said in a survey ("81% of social workers said the framework is clear").
    "view": r"said|say|says|agreed?|agrees|felt(?! safe)|would recommend",
    "independent": r"no (?:further|ongoing|long-term) (?:services?|support|package)|without (?:needing |a |any )?(?:long-term |ongoing |further )?"
                   r"(?:package|support|services?)|not (?:needing|requiring|need) (?:a |any )?(?:long-term |ongoing |further )?"
                   r"(?:package|support|services?)|needed no|needing no|reduced or no",
    "need": r"(?<!not )(?<!no )(?:requir(?:ed|ing)|needed|had (?:increased |more |complex )?needs)(?! no\b)(?! any\b)",
    "employment": r"paid employment|in work|employed|employment",
    "accommodation": r"settled accommodation|own home or with (?:their )?family|living independently",
}
# For a time, waiting for a thing and the time it takes to be done are one measure ("average
# wait for an assessment", "days from contact to completion of an assessment").
_TIME_SAME = {"waiting": "duration", "done": "duration", "started": "duration", "incoming": "duration", "admitted": "duration"}
_SERVICE = {
    "homecare": r"home ?care|care at home|domiciliary|home-care|care packages? at home",
    "carehome": r"residential|nursing|care homes?|care home beds?|nursing beds?|nursing homes?",
    "mh": r"mental health|\bAMHPs?\b|approved mental health",
    "reablement": r"reablement|re-ablement|intermediate care|short-term support|short term support|rehabilitation",
    "adapt": r"adaptations?|grab rails?|stair ?lifts?|ramps?|key safes?|disabled facilities|\bDFGs?\b|small aids",
    "equipment": r"equipment|community equipment|items?",
    "ot": r"occupational therap\w*|\bOTs?\b",
    "dols": r"deprivation of liberty|liberty safeguards|\bDoLS\b|liberty protection|(?:standard|urgent) authori[sz]ations?",
    "safeguarding": r"safeguarding|section 42|\bs42\b",
    "assess": r"(?<!carers' )(?<!carer's )(?<!carers )(?<!carer )(?:care act )?assessments?(?! of need for carers)|assessed",
    "carer-assess": r"carers?'? assessments?|carer's assessments?",
    "review": r"\breviews?\b|reviewed",
    "conversation": r"conversations?",
    "dp": r"direct payments?|personal budgets?",
    "discharge": r"hospital|discharges?|discharged|medically (?:fit|optimised)|\bpathway [0-3]\b|\bP[0-3]\b",
    "frontdoor": r"front door|first (?:point of )?contact|contact centre|advice and information",
    "out-of-area": r"out[- ]of[- ](?:area|county|borough)|outside (?:the |our )?(?:county|borough|area|region)",
    "supported-living": r"supported living|extra care|shared lives",
    "day": r"day (?:services?|opportunities|centres?)",
    "complaints": r"complaints?",
    "tec": r"technology|telecare|lifeline|alarms?|sensors?",
    "crisis": r"crisis|rapid response|urgent community response",
}
# Which things, where the service names several: a safeguarding concern is not an enquiry.
_OBJECT = {
    "concern": r"safeguarding concerns?|concerns?|alerts?",
    "enquiry": r"enquir(?:y|ies)|section 42|\bs42\b",
    "dols-application": r"(?:deprivation of liberty safeguards |DoLS )?applications",
    "assessment": r"assessments?",
    "review": r"reviews?",
    "complaint": r"complaints?",
}
# How good, where a measure is about ratings: "good or outstanding" is not "outstanding" alone.
_RATING = {
    "good-or-better": r"good or outstanding|good and outstanding|good or better|good/outstanding",
    "good-only": r"rated good(?! or| and)|good stand at",
    "outstanding": r"(?<!good or )(?<!good and )outstanding",
    "requires-improvement": r"requir(?:es|ing) improvement",
    "inadequate": r"inadequate",
}
# Which adaptations: minor ones fitted quickly are not the major works a Disabled Facilities
# Grant pays for.
_SIZE = {
    "minor": r"minor (?:adaptations?|aids|works)|small (?:aids|adaptations?)|grab rails?|key safes?|handrails?",
    "major": r"major (?:adaptations?|works)|larger adaptations?|disabled facilities grants?|\bDFGs?\b|extensions?|level[- ]access showers?",
}
# Who provides it: the council's own services or the independent sector.
_SECTOR = {
    "in-house": r"in-house|in house|our own (?:services|teams?)|council-run|directly provided",
    "independent": r"independent sector|external providers?|commissioned (?:home care )?providers?|private providers?",
}
# Money: what the sum is.
_MONEY = {
    "budget": r"budgets?|net spend|gross spend|spend(?:ing)? on|spent on|spends?|goes on|go on|is spent|was spent",
    "overspend": r"overspend|over budget|overspent|underspend|deficit|pressures?",
    "savings": r"savings?|saved|efficienc\w*",
    "unit-cost": r"cost (?:of care|per)|weekly cost|an hour|per hour|hourly|per week|a week per|fee rates?|fee levels?|"
                 r"(?:average|typical|mean) (?:weekly |hourly )?cost|costs? of an? (?:[\w-]+ ){0,3}(?:placement|package)|a week|per person",
    "grant": r"better care fund|\bBCF\b|grant|funding|contributions?",
}
_POPULATION = {
    "carers": r"carers?'?|unpaid carers?|carer's|young carers?|caring (?:role|responsibilit)",
    "ld": r"learning disabilit\w*|autis\w*|\bLD\b",
    "mh": r"mental health|secondary mental|\bAMHPs?\b",
    "dementia": r"dementia|memory",
    "transition": r"young people|transition|preparing for adulthood|children's services|turning 18",
    "users": r"people (?:who|that) (?:use|used|are using|receive|received|draw on) (?:services|care|support)|service users|"
             r"people using (?:services|care)|people receiving (?:services|care|support|community-based services|long-term support)|"
             r"people (?:we|the council) support",
    "households": r"households?",
    "homes": r"(?:care )?homes? (?:rated|in the area)|providers?|locations?|beds? rated",
    "social-workers": r"social work(?:ers?)?(?! and)|registered social workers?|qualified social workers?",
    "care-workers": r"care workers?|care workforce|care staff|care jobs?|social care (?:jobs?|workforce|sector|posts?)|"
                    r"independent (?:care )?sector|(?:wider |adult social |social )?care sector|care providers'? staff|direct care",
    "ot-staff": r"occupational therapists",
    "gender": r"women|men|female|male",
}
# The longest wait is not the usual one: "longest", "oldest", "up to", "can stretch to", "in the
# worst cases".
_LONGEST = re.compile(
    r"\b(?:longest|oldest|maximum|max|worst|the most anyone|as long as|stretch(?:es|ed)? to|"
    r"(?<!went )(?<!gone )(?<!rose )(?<!risen )(?<!moved )(?<!come )(?<!came )(?<!grown )(?<!climbed )(?<!increased )up to(?! date))\b",
    re.I)
# Age bands: "aged 18 to 64", "over 55", "under 25", "65 and over" (older people: 65 and over).
_AGE_RANGE = re.compile(r"\b(?:aged|age|ages|people|adults)\s+(\d\d)\s*(?:to|-|–|and)\s*(\d\d)\b", re.I)
_AGE_OVER = re.compile(
    r"\b(?:(?:over|above|(?<!under )(?<!below )aged|older than)\s+(\d\d)(?!\s*(?:%|per|days?|weeks?|months?|hours?|years?\b(?! old)|to \d))|"
    r"(\d\d)\s*(?:\+|and over|or over|and older|or older|and above))", re.I)
_AGE_UNDER = re.compile(r"\b(?:under|below|younger than)\s+(\d\d)(?!\s*(?:%|per|days?|weeks?|months?|hours?|years?\b(?! old)))", re.I)
_CHANGE_BEFORE = re.compile(
    r"\b(?:(?:an? )?(?:increase|decrease|rise|fall|drop|reduction|improvement|growth|cut|change)s?(?: of| by)?|"
    r"(?:up|down|fallen|fell|risen|rose|grown|grew|increased|decreased|reduced|dropped|cut|improved|went up|gone up|gone down|went down) by|"
    r"(?<!made )(?<!make )(?<!makes )(?<!set )(?<!take )(?<!taken )(?<!signed )(?:up|down))\s*$",
    re.I,
)
_CHANGE_AFTER = re.compile(
    r"^\s?(?:%|per ?cent)?\s?(?:\w+ )?(?:more|fewer|less|increase|decrease|rise|fall|drop|reduction|improvement|higher|lower|up|down)\b"
    r"(?! than (?:the )?(?:england|national|regional|average|comparators?|target))(?!\s+(?:to|from)\b)",
    re.I,
)


_HANDOVER = re.compile(
    r"\b(?:after|following|once|when)\s+(?:a\s+|the\s+|their\s+)?(?:period of\s+)?(?:reablement|re-ablement|intermediate care)\b"
    r"|\b(?:reablement|re-ablement) (?:ends|ended|finishes|finished)\b", re.I)
_URGENT = re.compile(r"\b(?:urgent|emergenc(?:y|ies)|at short notice)\b", re.I)
_AWAITED = re.compile(
    r"\b(?:wait(?:s|ed|ing)?|awaiting)\s+(?:for\s+)?(?:(?:a|an|the|their|his|her)\s+)?(?:[\w'-]+\s+){0,3}?"
    r"(?:placements?|admissions?|assessments?|reviews?|packages?|installations?|authori[sz]ations?|referrals?)\b",
    re.I)
_STRONG = re.compile(r"(?:within|after|longer than|more than|beyond|at least|overdue|for more than|\S+-(?:working-)?(?:hour|day|week|month|year)\b|(?:\S+ ){1,2}\S+ (?:after|following))", re.I)


@dataclass(frozen=True)
class MeasureParts:
    counted: frozenset[str]
    service: frozenset[str]
    population: frozenset[str]
    others: tuple[frozenset[str], ...]  # things, rating, sector and money named (each of one kind)
    window: tuple[float, ...]  # the windows named, in days (0 for "the same day")
    longest: bool  # the longest or oldest, not the usual
    change: bool  # a change ("up 22%", "an increase of 240"), not a level
    urgent: bool = False  # urgent or emergency cases only ("urgent adaptations", "a break in an emergency")
    handover: bool = False  # a wait that starts when another service ends ("home care after reablement")


def _table(table: dict[str, str]) -> dict[str, re.Pattern[str]]:
    return {k: re.compile(rf"(?<![\w'-])(?:{v})(?![\w-])", re.I) for k, v in table.items()}


_COUNTED_RE, _SERVICE_RE, _POPULATION_RE = _table(_COUNTED), _table(_SERVICE), _table(_POPULATION)
_OTHER_RE = tuple(_table(t) for t in (_OBJECT, _RATING, _SECTOR, _MONEY, _SIZE))
OTHER_NAMES = ("thing", "rating", "sector", "money", "size")


def _named(text: str, table: dict[str, re.Pattern[str]]) -> frozenset[str]:
    return frozenset(k for k, pattern in table.items() if pattern.search(text))


def ages(text: str) -> frozenset[str]:
    """The age bands a text names ("18-64", "65+", "<25")."""
    out = {f"{a}-{b}" for a, b in _AGE_RANGE.findall(text)}
    out |= {f"{a or b}+" for a, b in _AGE_OVER.findall(text)}
    out |= {f"<{a}" for a in _AGE_UNDER.findall(text)}
    if re.search(r"older (?:people|adults|person)|over[- ]65s", text, re.I):
        out.add("65+")
    if re.search(r"working[- ]age|younger adults", text, re.I):
        out.add("18-64")
    # "aged 18 to 64" is not also "over 18".
    ranges = {band.split("-")[0] for band in out if "-" in band}
    return frozenset(band for band in out if not (band.endswith("+") and band[:-1] in ranges))


def _number(word: str) -> float:
    word = word.lower()
    if re.match(rf"(?:{_TENS})[\s-]\w+$", word):  # "ninety one"
        tens, unit = re.split(r"[\s-]", word)
        return float(_NUM_WORDS[tens] + _NUM_WORDS[unit])
    return float(_NUM_WORDS[word]) if word in _NUM_WORDS else float(word)


def windows(text: str) -> tuple[float, ...]:
    """The windows a text names, in days ("within 28 days" 28, "12 months" 365, "the same day" 0)."""
    out = []
    for m in _WINDOW.finditer(text):
        groups = [g for g in m.groups()]
        number = next((g for g in groups[0::2][:4] if g), None)
        unit = next((g for g in groups if g and g.lower().rstrip("s") in _DAYS), None)
        if number is None and unit:  # "within a month"
            number = "1"
        if number is None:
            out.append(0.0 if "same" in m.group(0).lower() else 1.0 if "next" in m.group(0).lower() else 28.0)
            continue
        out.append(round(_number(number) * _DAYS[unit.lower().rstrip("s")], 1))
    return tuple(sorted(set(out)))


def _own_clause(sentence: str, start: int, end: int) -> str:
    """The clause of the sentence the figure stands in, without the figure itself."""
    heading = ""
    colon = sentence.rfind(":", 0, start)
    if colon >= 0 and not re.search(r"\d", sentence[colon + 1 : start]):
        # "Equipment delivered within 7 working days of request: 93.7%": the heading names it.
        heading = sentence[sentence.rfind(";", 0, colon) + 1 : colon]
    clauses = _clauses(sentence)
    for n, (a, b) in enumerate(clauses):
        if a <= start < b:
            # "97 of them had waited longer than 12 months": what follows "of them" says which.
            rest = sentence[b : clauses[n + 1][1]] if n + 1 < len(clauses) and re.match(
                r"\s*of (?:them|whom|which|these)\b", sentence[end:]) and not sentence[end:b].strip() else ""
            return f"{heading} {sentence[a:start]} \u2022 {sentence[end:b]}{rest}"
    return heading


def _age_clause(sentence: str, start: int, end: int) -> str:
    """The words about the figure's own people: "over 55 years old is 30% and under 25 years
    old is just 8%" gives 30% the first half and 8% the second."""
    a = max((m.end() for m in re.finditer(r"[;:,]|\band\b(?=\s+(?:only |just |about |around )?(?:(?:under|over|aged|below|above)\s+)?\d)", sentence) if m.end() <= start), default=0)
    b = min((m.start() + end for m in re.finditer(r"[;:,]|\band\b", sentence[end:])), default=len(sentence))
    return sentence[a:start] + " " + sentence[end:b]


@lru_cache(maxsize=20000)
def _parts(measure: str, clause: str, kind: str, before: str, after: str, age_text: str = "",
           own_window: float | None = None, part_of: str | None = None, context: str = "") -> MeasureParts:
    text = f"{measure} {clause}"
    # "30% of them are aged over 55": what is counted of a part is what is said of it, not
    # what was said of the whole ("turnover among care workers was 27%").
    source = text if part_of is None else part_of
    counted = _named(source, _COUNTED_RE)
    if "waiting" in counted:
        # "waiting for a residential care placement": what people wait for is not counted too;
        # "640 applications awaiting allocation" are waiting, not applications received.
        counted = _named(_AWAITED.sub(" waiting ", source), _COUNTED_RE)
        if not re.search(r"\breceived\b", source, re.I):
            counted = counted - {"incoming"}
        counted = counted - {"discharged"}  # "delayed discharges" are people waiting to leave
    if "view" in counted and len(counted) > 1:
        counted = counted - {"view"}  # "carers said they had a break": what they said is counted
    if "reach" in counted:
        counted = frozenset({"reach"})  # a share of all the area's carers, whatever they get
    if not counted and "dp" in _named(text, _SERVICE_RE):
        counted = frozenset({"receipt"})  # "carers on a direct payment": who has one
    if kind == "time":
        counted = frozenset(_TIME_SAME.get(c, c) for c in counted)
    if kind == "volume":  # "18,500 hours of care each week": how much care, not how long
        counted = counted | {"hours"}
    if kind == "£":
        counted = counted | {"money"}
    return MeasureParts(
        counted=counted,
        service=_named(text, _SERVICE_RE),
        population=_named(text, _POPULATION_RE) | {f"age:{band}" for band in (ages(age_text) or ages(text))},
        others=tuple(_named(text, table) for table in _OTHER_RE),
        window=tuple(sorted(set(windows(measure)) | set(windows(clause)) | ({own_window} if own_window is not None else set()))),
        # "delays as high as 6 weeks": for a time, the worst case too.
        longest=bool(_LONGEST.search(text) or kind == "time" and re.search(r"\bas high as\b", text, re.I)),
        change=bool(_CHANGE_BEFORE.search(before) or _CHANGE_AFTER.match(after)),
        urgent=bool(_URGENT.search(text)),
        handover=bool(counted & {"waiting", "duration"} and _HANDOVER.search(f"{text} {context}")),
    )


def parts_of(point) -> MeasureParts:
    """The parts of a figure's measure (``point``: an extracted ``DataPoint``)."""
    end = point.start + len(point.raw)
    # Someone else's figure (England's, a target) takes its measure from the council's figure
    # beside it: its own clause names only whose it is.
    own = point.subject == "ours" and not point.is_comparator
    # Its window is the sentence's ("91-day reablement: 84%, against England's 82.3%").
    clause = _own_clause(point.sentence, point.start, end) if own else ""
    if own and not windows(clause):
        # "Ninety one days after they leave hospital, 92% are still at home": a window said in a
        # clause of its own, with no other figure in it, defines the figure's measure.
        for a, b in _clauses(point.sentence):
            text = point.sentence[a:b]
            found = [m.group(0) for m in _WINDOW.finditer(text) if _STRONG.match(m.group(0))]
            # Not the window of a part said after "of them" ("312 waiting, and 97 of them had
            # waited longer than 12 months": the 312 are all who wait).
            part = re.search(r"\bof (?:them|whom|which|these)\s*$", point.sentence[:a], re.I)
            if found and not (a <= point.start < b) and not part and not re.search(r"%|\d", _WINDOW.sub(" ", text)):
                clause += " " + " ".join(found)
    if not own:  # only plain thresholds: "of 38 days" there may be the council's figure
        clause = " ".join(m.group(0) for m in _WINDOW.finditer(point.sentence) if _STRONG.match(m.group(0)))
    before = point.sentence[max(0, point.start - 30) : point.start]
    after = point.sentence[end : end + 30]
    # "up from 68.3%", "reduced from 47 to 33 days": the earlier level, not a change.
    if re.search(r"\b(?:from|to)\s*$", before, re.I):
        before = ""
    # "it's gone up about 10%": a hedge between the change and its size.
    before = re.sub(r"\b(?:about|around|roughly|nearly|almost|approximately|some|just)\s*$", "", before, flags=re.I)
    age_text = _age_clause(point.sentence, point.start, end) if own else ""
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
    return _parts(point.measure, clause, kind, before, after, age_text, own_window, part.group(1) if part else None, context)


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


def _ages(p: MeasureParts) -> frozenset[str]:
    return frozenset(x for x in p.population if x.startswith("age:"))


def _one_sided_age(a: MeasureParts, b: MeasureParts, age_a: frozenset[str], age_b: frozenset[str]) -> bool:
    """"30% of the workforce is over 55" is not "the workforce vacancy rate": an age band on one
    side, and on the other a measure that says what it counts and names no age."""
    return bool(age_a) and not age_b and bool(b.counted) and not (a.counted & b.counted)


def conflicts(a: MeasureParts, b: MeasureParts) -> list[str]:
    """The parts on which two measures plainly differ (none: they may be one measure)."""
    out = []
    if _differ(a.counted, b.counted):
        out.append("counted")
    if _differ(a.service, b.service):
        out.append("service")
    age_a, age_b = _ages(a), _ages(b)
    if _differ(a.population, b.population) or _one_sided_age(a, b, age_a, age_b) or _one_sided_age(b, a, age_b, age_a):
        out.append("population")
    bare = b if a.counted else a
    if (bool(a.counted) != bool(b.counted) and not (a.service & b.service) and not (a.population & b.population)
            and (bare.service or bare.population)):
        # One says what it counts and the other does not, and no service or people tie them: too little
        # in common to take them for one measure.
        out.append("unanchored")
    for name, x, y in zip(OTHER_NAMES, a.others, b.others):
        if _differ(x, y):
            out.append(name)
    if _window_conflict(a, b):
        out.append("window")
    if a.handover != b.handover and (b if a.handover else a).service:
        # A wait that names no service ("waits as long as 17 weeks") says too little to tell.
        out.append("handover")
    if a.urgent != b.urgent:
        out.append("urgent")
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
