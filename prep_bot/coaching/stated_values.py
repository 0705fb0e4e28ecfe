"""What a figure someone said holds: its value to the precision said, an approximation ("about
400") or a range ("eight or nine days"), a bare number's unit, and whether it is said of an
earlier time ("down from 648.9", "last year"). The claim check (coaching/claims.py) compares by
these; they know nothing of the evidence store."""

from __future__ import annotations

import re

from prep_bot.evidence.figure_units import bare
from prep_bot.evidence.figures import TIME_UNITS, DataPoint
from prep_bot.evidence.number_words import spoken_numbers
from prep_bot.evidence.periods import PERIOD


# A figure said as an approximation ("about 400 people", "nearly 90%"): a speaker rounds.
_APPROXIMATELY = re.compile(
    r"(?:\b(?:about|around|roughly|approximately|nearly|almost|close to|just (?:over|under)|some|circa|c\.)|~)\s*$", re.I
)
APPROXIMATE_SHARE = 0.05  # "about 400" holds for 380-420
APPROXIMATE_POINTS = 2.0  # "about 90%" holds for 88-92%
SHARE_POINTS = 5.0  # "seven in ten" holds for 65-75%: a share in words is as rough as its steps


# "just over three million", "a bit under 40%": the figure is past the one said, one way, by a little.
_JUST_PAST = re.compile(r"\b(?:just|a (?:bit|little|touch)|slightly|fractionally)\s+(over|above|more than|under|below|less than)\s*$", re.I)
JUST_PAST_SHARE = 0.15  # "just over 3 million" holds for 3.0-3.45 million
JUST_PAST_POINTS = 3.0  # "just under 40%" holds for 37-40%


def _just_past(point: DataPoint) -> int:
    """1 for a figure said as "just over" one, -1 for "just under", 0 otherwise."""
    m = _JUST_PAST.search(point.sentence[: point.start][-30:])
    return 0 if m is None else (1 if m.group(1).lower() in ("over", "above", "more than") else -1)


def approximate(point: DataPoint) -> bool:
    """Whether the figure is said as an approximation (the words just before it)."""
    return bool(_APPROXIMATELY.search(point.sentence[: point.start][-20:]))


def share_in_words(point: DataPoint) -> bool:
    """"seven in ten", "a third": a share said in words, as rough as its steps."""
    return point.unit == "%" and not re.search(r"\d", point.raw) and bool(
        re.search(r"\b(?:in|out of)\b|half|thirds?|quarters?|fifths?|tenths?", point.raw, re.I))


def unit_unknown(a: DataPoint, b: DataPoint) -> bool:
    """One of two figures is a bare number ("eighty", "16.8"), the other has a unit: the bare
    one says none, so it may be in the other's."""
    return a.kind != b.kind and bare(a) != bare(b)


# The words that say a bare number is in a unit: a share, a time, a sum, a rate.
_UNIT_WORDS = {
    "%": re.compile(r"\b(?:share|proportion|percentage|per ?cent|rate|out of (?:every|each))\b", re.I),
    "time": re.compile(r"\b(?:wait\w*|days?|weeks?|months?|hours?|years?|long|longest|time|took|takes?|within|"
                       r"turn(?:ed)? round|duration|quick\w*|average|median|mean)\b", re.I),
    "£": re.compile(r"£|\b(?:pounds?|million|cost\w*|spen[dt]\w*|budget|overspen\w*|savings?|fees?|price|paid|pay)\b", re.I),
    "per 100,000": re.compile(r"\b(?:per|rate|admissions?|admitted)\b", re.I),
}
_OF_A_WHOLE = re.compile(r"\bof (?:those|these|the|them|all)\s*$", re.I)


def not_in_its_unit(stated: DataPoint, evidence: DataPoint) -> bool:
    """A bare number said that cannot be a figure in the evidence figure's unit: the whole a share
    is of ("only 41% of those 57"), or a number whose words name nothing of that unit (the share
    of carers "is at forty" is a share, "the median was forty" a time; "38 leaflets" is neither)."""
    if not unit_unknown(stated, evidence) or not bare(stated):
        return False
    if _OF_A_WHOLE.search(stated.sentence[: stated.start]):
        return True
    words = _UNIT_WORDS.get(evidence.kind)
    before = re.split(r"[,;:]|\band\b", stated.sentence[: stated.start])[-1]
    after = re.split(r"[,;:.]|\band\b", stated.sentence[stated.start + len(stated.raw) :])[0]
    return words is not None and not words.search(f"{stated.measure} {before} {after}")


def _values(stated: DataPoint, evidence: DataPoint) -> tuple[float, float]:
    """The two values to compare: a bare number is read in the other figure's unit."""
    if unit_unknown(stated, evidence):
        return stated.value, evidence.value
    return stated.comparable_value(), evidence.comparable_value()


# "the year before it was thirty", "it used to be 40%": a figure said of an earlier time.
_SAID_OF_BEFORE = re.compile(r"\b(?:last year|the year before|the previous year|a year (?:ago|earlier)|previously|used to be|before that)\b", re.I)


def said_of_before(point: DataPoint) -> bool:
    """Whether a stated figure is said of an earlier time than now, with no period named: the
    evidence of today cannot call it wrong (only a figure of that time could)."""
    clause = re.split(r"[.;!?]|,\s(?:and|but)\b", point.sentence[: point.start])[-1] + point.sentence[point.start : point.start + len(point.raw) + 25]
    # "..., down from 648.9" is of an earlier time whatever period the sentence names for the figure before it.
    return bool(_CHANGED_FROM.search(point.sentence[: point.start])) or not point.period and bool(_SAID_OF_BEFORE.search(clause))


# "612.4 per 100,000 in 2023/24, down from 648.9": the figure after "down from" is an earlier one.
_CHANGED = r"\b(?:down|up|fallen|risen|fell|rose|falling|rising|dropped|increased|decreased|improved|reduced) from"
CHANGE_AFTER = re.compile(rf"{_CHANGED}\b|\bcompared (?:with|to)\b|\bagainst\b", re.I)
_CHANGED_FROM = re.compile(rf"{_CHANGED}\s*(?:about|around|nearly|almost|over|just over|just under|roughly)?\s*$", re.I)


def said_range(point: DataPoint) -> tuple[float, float] | None:
    """The two ends of a figure said as a range ("eight or nine days", "5 to 6 weeks"), in the
    unit its value is compared in; None for one figure."""
    ends = [v for _, _, v in spoken_numbers(point.raw)] or [float(x.replace(",", "")) for x in re.findall(r"\d[\d,]*(?:\.\d+)?", point.raw)]
    if len(ends) != 2 or not re.search(r"\b(?:or|to)\b|[-–]", point.raw) or not point.value:
        return None
    scale = point.comparable_value() / point.value
    return ends[0] * scale, ends[1] * scale


def same_value(stated: DataPoint, evidence: DataPoint) -> bool:
    """Equal once the evidence is rounded to the precision the answer used; a figure said as an
    approximation ("about 400") holds within 5% (2 points for a percentage), a range ("eight or
    nine days") from one end to the other."""
    if stated.kind != evidence.kind and not unit_unknown(stated, evidence):
        return False
    a, b = _values(stated, evidence)
    if (ends := said_range(stated)) and not unit_unknown(stated, evidence):
        return ends[0] - 0.5 <= b <= ends[1] + 0.5
    if share_in_words(stated):
        return abs(a - b) <= SHARE_POINTS
    if (side := _just_past(stated)) and not (stated.kind == "time" and stated.unit != evidence.unit):
        # "just over three million" for £3.3m: above the figure said, by less than a step of it.
        step = JUST_PAST_POINTS if stated.unit == "%" else JUST_PAST_SHARE * abs(a)
        return 0 <= (b - a) * side <= step
    if approximate(stated):
        return abs(a - b) <= (APPROXIMATE_POINTS if stated.unit == "%" else APPROXIMATE_SHARE * abs(b))
    decimals = _decimals(stated)
    if stated.kind == "time" == evidence.kind and stated.unit != evidence.unit:
        if stated.unit == "months" and evidence.unit in ("days", "weeks") and not _decimals(stated):
            # "three months" for 12 weeks: a month is no fixed number of weeks, and whole months
            # are said to the nearest one (within half a month, either way).
            return abs(a - b) <= TIME_UNITS["month"] / 2
        return abs(a - b) < 0.5  # "2 weeks" is "14 days"; "11 weeks" is not "76 days"
    return round(b, decimals) == round(a, decimals) or abs(a - b) < 1e-9


def _decimals(stated: DataPoint) -> int:
    """How many decimal places the answer said the figure to ("47.8%": 1)."""
    return len(stated.raw.split(".")[1].rstrip("%m ").split()[0]) if "." in stated.raw.split()[0] else 0


def exactly(stated: DataPoint, evidence: DataPoint) -> bool:
    """Equal to the precision the answer used, whether or not it was said as an approximation."""
    decimals = _decimals(stated)
    a, b = _values(stated, evidence)
    return (stated.kind == evidence.kind or unit_unknown(stated, evidence)) and round(b, decimals) == round(a, decimals)


# "against 1,902 a year earlier", "compared with 61%": a figure said as a comparison, of another time or place.
COMPARED_BEFORE = re.compile(r"\b(?:against|compared (?:with|to)|from|than|versus|vs\.?)\s*"
                             r"(?:about|around|nearly|almost|just over|just under|roughly)?\s*$", re.I)
EARLIER_AFTER = re.compile(r"^\W{0,3}(?:\w+\W+){0,2}?(?:a year (?:earlier|before|ago)|the year before|last year|the previous year)\b", re.I)


def said_as_comparison(point: DataPoint) -> bool:
    """Whether the figure is the other side of a comparison ("against 36.3%"), as read or as written."""
    return point.is_comparator or bool(COMPARED_BEFORE.search(point.sentence[: point.start]))


def own_period(point: DataPoint) -> bool:
    """Whether the period read for a stated figure is its own: not one borrowed by a comparison
    ("against 1,902 a year earlier") or by the figure before an earlier one ("74.1%, up from
    68.3% in 2021/22")."""
    before, after = point.sentence[: point.start], point.sentence[point.start + len(point.raw) :]
    # A comparison after the figure lends it a period only when one is written after it: in
    # "in 2023/24, 81.9% were at home, against 83.8% for England" the year is the figure's own.
    lent = CHANGE_AFTER.search(after) and not (PERIOD.search(before) and not PERIOD.search(after))
    return bool(point.date) and not said_as_comparison(point) and not lent and not EARLIER_AFTER.search(after)

