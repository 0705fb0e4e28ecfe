"""The unit of a figure written without one, from the words around it.

A table's label names the unit of every bare number in its row ("Mean days to assessment | 37",
"LD adults in paid employment (%) | Council 6.2"); a speaker names it once and then drops it
("the median's come down to twenty-six days, but the average is still around forty"); a sum said
in words is money when the sentence is about money ("agency's costing us about three million a
year"). Without the unit such a figure could only ever be compared with other bare counts.
"""

from __future__ import annotations

import re

# A label or measure phrase that says what its figures are counted in: "average days from
# contact to assessment", "equipment avg delivery days", "assessment mean wait (days)",
# "days to first review", "unmet hours", "home care hours delivered".
_TIME_MEASURE = re.compile(
    r"\b(?:average|avg|mean|median|typical)\b(?:\s+[a-z'-]+){0,3}?\s+\(?(days|weeks|months|wks|hours)\b"
    r"|\b(days|weeks|months|wks)\s+(?:to|from|between|until|waiting|waited|wait|delay|taken)\b"
    r"|\bwait(?:ing)?(?: time)?\s+\(?(days|weeks|months|wks)\b"
    r"|\b(?:unmet|delivered|commissioned|homecare|home care|care)\s+(hours)\b"
    r"|\b(hours)\s+(?:of|delivered|commissioned|provided|unmet|not delivered|lost|sourced)\b",
    re.I,
)
# A number (in digits or words) just before a unit names a threshold, not the unit of the
# figure: "people waiting over 90 days", "more than six weeks".
_NUMBER_BEFORE = re.compile(
    r"(?:\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[a-z]+teen|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred)|[<>≥≤+])\s*(?:[a-z]+\s+)?$",
    re.I,
)
_SHORT = {"wks": "weeks"}
_PERCENT_LABEL = re.compile(r"\((?:[^)]*,\s*)?%\)|\(per ?cent\)|%\s*$|\bpercentage\b|\bproportion\b|\(\s*%\s*[^)]*\)", re.I)
_RATE_LABEL = re.compile(r"\bper 100,?000\b|\bper 100k\b|\bper hundred thousand\b", re.I)


def time_unit_named(words: str) -> str | None:
    """The time unit a measure phrase or label counts in ("days" for "mean days to
    assessment"), or None (also when a number stands before it: "waiting over 90 days")."""
    for m in _TIME_MEASURE.finditer(words or ""):
        group = next(g for g in m.groups() if g)
        at = m.start(m.lastindex or 0)
        if _NUMBER_BEFORE.search(words[:at]):
            continue
        return _SHORT.get(group.lower(), group.lower())
    return None


def label_unit(label: str) -> str | None:
    """The unit a table row's label gives its bare numbers: "%", "per 100,000", a time unit, or
    None."""
    if _RATE_LABEL.search(label):
        return "per 100,000"
    if named := re.search(r"\((days|weeks|months|hours)\)", label, re.I):
        return named.group(1).lower()
    if _PERCENT_LABEL.search(label):
        return "%"
    return time_unit_named(label)


# Words of money in a sentence: a sum said without "£" is money when the talk is of these.
_MONEY_TALK = re.compile(
    r"\b(?:budget|over ?spen[dt]|under ?spen[dt]|overspending|spen[dt]|spending|costs?|costing|saving|savings|funding|"
    r"funded|outturn|deficit|pounds|quid|grant|precept|income|fees?|variance|forecasting|forecast|pressure|"
    r"investment|invested|allocation|reserves)\b",
    re.I,
)
_SCALE_WORD = re.compile(r"\b(?:million|billion|m|bn|k|grand)\b", re.I)


def money_in_words(sentence: str, raw: str, after: str) -> bool:
    """Whether a sum written without "£" is money: it is scaled ("three million", "7 million",
    "two-forty-odd million" with "million" just after) in a sentence about money."""
    scaled = _SCALE_WORD.search(raw) or re.match(r"\s*(?:million|billion|pounds|quid|grand)\b", after, re.I)
    if scaled and re.match(r"\s*(?:million\s+|billion\s+)?(?:over|under)\b(?!\s+(?:the|a|\d))", after, re.I):
        return not _COUNTED.search(raw)  # "seven million over this year": over budget
    counted = re.match(r"\s*(?:of\s+)?(?:people|adults|hours|visits|contacts|residents|carers|calls)\b", after, re.I)
    return bool(scaled) and not counted and not _COUNTED.search(raw) and bool(_MONEY_TALK.search(sentence))


# After a bare figure: nothing it counts ("forty because of", "(14.6) averages", "eighty.").
_NOTHING_COUNTED = re.compile(
    r"\s*(?:$|[.,;:?!)\]|—–-]|(?:because|and|but|or|so|now|then|this|last|at|in|by|for|which|though|although|"
    r"against|compared|versus|vs|on|across|overall|too|again|instead|averages?|nationally|locally|"
    r"regionally|percent)\b)",
    re.I,
)
# What a count counts, as the last word of its figure ("612 people").
_COUNTED = re.compile(r"\b(?:people|persons?|carers?|residents|adults|staff|workers|posts|placements?|providers?|homes?|beds?|"
                      r"concerns?|enquiries|referrals?|assessments?|reviews?|cases?|packages?)$", re.I)
# Words that may stand between a figure and a bare one in its unit: how the two compare, whose
# the second is, when, and how a speaker hedges ("..., but the average is still sitting around
# forty", "(18.3 per 100,000) is above both the regional (14.1)").
_SAME_TALK = frozenset(
    "a an the and but or so is was were are be been it it's its that's this that which to at in of on for from by "
    "average averages median mean regional region england national nationally locally target aim aiming aimed want "
    "wanted pushing push up down above below both either still around about roughly nearly almost approximately "
    "sitting sits stood stands now currently used previous previously last year quarter month same compared against "
    "than versus vs more less like er erm um uh just higher lower better worse well only with our their "
    "ambition trajectory plan planned we we're they they're us i i'd think say sorry no mean maybe actually honestly "
    "you know not where it under over get got keep would we'd before".split())
_CARRIED = ("%", "days", "weeks", "months", "hours", "per 100,000")


# Who a count counts, said just after it: "14 social workers", "41 agency staff".
_COUNTED_NEXT = re.compile(r"\s+(?:[\w-]+\s+){0,2}?(?:workers|staff|practitioners|nurses|therapists|people|adults|carers|posts)\b", re.I)


def bare(point) -> bool:
    """A count that names nothing it counts: "37", "forty", not "612 people" nor "14 social workers"."""
    return (point.unit == "count" and not _COUNTED.search(point.raw)
            and not _COUNTED_NEXT.match(point.sentence[point.start + len(point.raw) :]))


def units_from_measures(points: list) -> None:
    """A bare count whose own clause, before it, names the time it is counted in is in that unit
    ("the mean days to assessment stood at 37": 37 days; "DoLS: average days to complete 118")
    (in place). Read from the words as written, so that a time with its number ("waiting
    twenty-six days") is a threshold or a figure of its own, not the unit of another."""
    for point in points:
        clause = re.split(r"[|;.!?]|,\s", point.sentence[: point.start])[-1]
        if bare(point) and (unit := time_unit_named(clause)):
            point.unit = unit


# "(£m)", "(£000s)", "£k:": a table's heading that says its bare numbers are sums, and their scale.
_MONEY_HEADING = re.compile(r"\(\s*£\s?(m|bn|k|000'?s?)\s*\)|\b£\s?(m|bn|k|000'?s?)\s*:", re.I)
_SCALES = {"m": 1e6, "bn": 1e9, "k": 1e3}
_HEADCOUNT = re.compile(r"\b(?:people|persons|staff|fte|posts|hours|beds|clients|carers|residents|adults|"
                        r"referrals|assessments|reviews|cases|weeks|days|months)\b", re.I)


def money_from_heading(sentence: str, points: list) -> None:
    """A bare number in a table whose heading gives sums in £m or £000s is that sum ("Forecast
    variance (£m): ... Total +9.4": £9.4m) (in place), unless its cell names what it counts."""
    for point in points:
        headings = list(_MONEY_HEADING.finditer(sentence[: point.start]))
        heading = headings[-1] if headings else None
        if heading and bare(point) and not _HEADCOUNT.search(point.measure):
            scale = (heading.group(1) or heading.group(2)).lower().rstrip("s'")
            point.unit = "£"
            point.value = point.value * _SCALES.get(scale, 1e3)


def carry_units(points: list, earlier: list = ()) -> None:
    """A bare count in a sentence whose figure before it has a unit, and that counts nothing
    itself, is in that unit ("twenty-six days, but the average is ... around forty": 40 days;
    "seventy-one percent ... we want that up at eighty": 80%; "(14.1) and England (14.6)") (in
    place); so is the first of a sentence that goes on from the one before with nothing but such
    words ("It was seventy-one percent. And we want that up at eighty."). A figure that starts
    its sentence, or follows only counts, keeps its unit."""
    pairs = list(zip(points, points[1:]))
    if points and earlier:
        pairs.insert(0, (earlier[-1], points[0]))
    for before, point in pairs:
        if not bare(point) or before.unit not in _CARRIED:
            continue
        after = point.sentence[point.start + len(point.raw):]
        between = (point.sentence[before.start + len(before.raw) : point.start] if point.sentence is before.sentence else
                   f"{before.sentence[before.start + len(before.raw):]} {point.sentence[: point.start]}")
        if not _NOTHING_COUNTED.match(after) or re.search(r"[|;]", between):
            continue
        if any(w.lower().removesuffix("'s") not in _SAME_TALK for w in re.findall(r"[A-Za-z][A-Za-z']+", between)):
            continue  # "58.7%, and the quality of life score was 18.4": words of another measure between
        if before.unit == "%" and point.value > 100:
            continue
        point.unit = before.unit
    for point, after in zip(points, points[1:]):
        # "eighty-three, eighty-four percent": narrowed by the figure after it, in its unit.
        gap = point.sentence[point.start + len(point.raw) : after.start]
        if bare(point) and after.unit in _CARRIED and point.sentence is after.sentence and _GAP.fullmatch(gap) and not (
                after.unit == "%" and point.value > 100):
            point.unit = after.unit


# A speaker correcting or narrowing a figure: "twenty percent, twenty-one", "about five, five
# point three", "eighty-three, eighty-four percent", "two-thirty — two hundred and thirty".
_NUMBERISH = (r"(?:\d|%|per ?cent|percent|days|weeks|hundred|thousand|\b(?:two|three|four|five|six|seven|eight|nine|ten|"
              r"eleven|twelve|[a-z]+teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|odd|ish)\b)")
_FILLERS = r"(?:(?:er|erm|um|uh|sorry|no|I think|I'd say|I mean|like|maybe|about|around|it's|more like|or|actually)\b[,?]?\s*){0,3}"
_RESTATES_BEFORE = re.compile(rf"{_NUMBERISH}\s*[?,—–-]+\s*{_FILLERS}$", re.I)
_RESTATED_AFTER = re.compile(rf"^\s*[?,—–-]+\s*{_FILLERS}(?:\d|(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                             r"[a-z]+teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|a hundred|one hundred)\b)", re.I)


_GAP = re.compile(rf"\s*[?,—–-]+\s*{_FILLERS}", re.I)


def restated(sentence: str, start: int, end: int) -> bool:
    """Whether a bare number is one of a speaker's figure said twice, corrected or narrowed
    (the other beside it, with nothing but a comma, a dash or a filler between)."""
    return bool(_RESTATES_BEFORE.search(sentence[:start]) or _RESTATED_AFTER.match(sentence[end:]))

