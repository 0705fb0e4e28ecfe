"""The windows and age bands a measure names: "within 28 days" is a 28-day window, "twelve months"
365 days, "aged 18 to 64" the band 18-64 (``measure_parts`` reads a measure's parts with them)."""

from __future__ import annotations

import re

_NUM_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty".split())} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30.44, "year": 365.25}
_N = rf"(\d+(?:\.\d+)?|(?:{_TENS})[\s-](?:one|two|three|four|five|six|seven|eight|nine)\b|" + "|".join(sorted((w for w in _NUM_WORDS if len(w) > 2), key=len, reverse=True)) + r")"
# A window that defines the measure: "within 28 days", "91 days after discharge", "longer than
# 12 months", "overdue by more than a year", "for 24 hours", "on the same day".
WINDOW_RE = re.compile(
    rf"\b(?:within|inside|in under|in(?=\s+the\s+[\w-]+\s+(?:working\s+)?(?:hours?|days?|weeks?|months?)\b)|under|after|longer than|more than|over|beyond|at least|less than|fewer than|"
    rf"following|for more than|for over|for|of|overdue by(?: more than| over)?|in excess of|exceeding|(?<=home )at)\s+(?:the\s+)?(?:first\s+|statutory\s+|agreed\s+|target\s+)?"
    rf"{_N}[\s-]?(?:working\s+|calendar\s+|clear\s+)?(hours?|days?|weeks?|months?|years?)\b(?!\s+(?:old|of age))"
    rf"|\b{_N}[\s-]?(?:working\s+)?(hours?|days?|weeks?|months?)\s+(?:(?:after|following|later|from|of (?:discharge|leaving|referral|contact|request))\b|post(?=[- ]?\w))"
    rf"|\b{_N}-(?:working-)?(hour|day|week|month|year)\b"
    rf"|\b(?:within|in|over|during) (?:the )?(?:last|past|previous|first)\s+{_N}\s+(hours?|days?|weeks?|months?|years?)\b"
    rf"|\b(?:within|after|for more than|for over|longer than|more than|over|inside) (?:a|an|one)\s+(hour|day|week|month|year)\b"
    rf"|\b(?:the\s+)?same[\s-]day\b|\b(?:the\s+)?next[\s-]day\b|\b(?:the\s+)?(?:20|twenty)[\s-]day standard\b",
    re.I,
)
# Age bands: "aged 18 to 64", "over 55", "under 25", "65 and over" (older people: 65 and over).
_AGE_RANGE = re.compile(r"\b(?:aged|age|ages|people|adults)\s+(\d\d)\s*(?:to|-|–|and)\s*(\d\d)\b", re.I)
_AGE_OVER = re.compile(
    r"\b(?:(?:over|above|(?<!under )(?<!below )aged|older than)\s+(\d\d)(?!\s*(?:%|per|days?|weeks?|months?|hours?|years?\b(?! old)|to \d))|"
    r"(\d\d)\s*(?:\+|plus\b|and over|or over|and older|or older|and above))", re.I)
_AGE_UNDER = re.compile(r"\b(?:under|below|younger than)\s+(\d\d)(?!\s*(?:%|per|days?|weeks?|months?|hours?|years?\b(?! old)))", re.I)
# A window that plainly defines the measure, said apart from its figure.
# "31 days, close to the 28-day target", "against its target of completing assessments within 28 days":
# a clause of a target gives the target's value, no window of a wait or a count beside it.
TARGET_WORDS = re.compile(r"\b(?:targets?|standards?|goals?|ambitions?|aims?|timescales?)\b", re.I)
STRONG_RE = re.compile(r"(?:(?:in|within|over|during) (?:the )?(?:last|past|previous)\b|within|after|longer than|more than|beyond|at least|overdue|for more than|\S+-(?:working-)?(?:hour|day|week|month|year)\b|(?:\S+ ){1,2}\S+ (?:after|following|later))", re.I)


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


def age_clause(sentence: str, start: int, end: int) -> str:
    """The words about the figure's own people: "over 55 years old is 30% and under 25 years
    old is just 8%" gives 30% the first half and 8% the second."""
    a = max((m.end() for m in re.finditer(r"[;:,]|\band\b(?=\s+(?:only |just |about |around )?(?:(?:under|over|aged|below|above)\s+)?\d)", sentence) if m.end() <= start), default=0)
    b = min((m.start() + end for m in re.finditer(r"[;:,]|\band\b", sentence[end:])), default=len(sentence))
    text = sentence[a:start] + " " + sentence[end:b]
    colon = sentence.rfind(":", 0, start)
    if not ages(text) and colon > 0 and not re.search(r"[;|]", sentence[colon:start]):
        # "Admissions, aged 65+, per 100,000: 2023/24 598.2": the people its heading names.
        text += " " + sentence[max(sentence.rfind(";", 0, colon), sentence.rfind("|", 0, colon), 0) : colon]
    if not ages(text):
        # "Admissions 65+ per 100,000 | Council 588.1", "Measure: Permanent admissions, adults
        # 18-64, per 100,000; Council: 17.9": the people the row's label names, up to a label of
        # another measure.
        for cell in reversed(re.split(r"[|;]", sentence[:start])[:-1]):
            if ages(cell):
                return text + " " + cell
            if len(re.findall(r"[A-Za-z]{3,}", cell)) >= 2 and not re.search(r"\d", cell):
                break
    return text


def _number(word: str) -> float:
    word = word.lower()
    if re.match(rf"(?:{_TENS})[\s-]\w+$", word):  # "ninety one"
        tens, unit = re.split(r"[\s-]", word)
        return float(_NUM_WORDS[tens] + _NUM_WORDS[unit])
    return float(_NUM_WORDS[word]) if word in _NUM_WORDS else float(word)


# "in the last 12 months", "over the past year": for a count or a sum, the year it is counted
# in, not a window that defines it ("1,020 carers assessed in the last 12 months" is the year's).
_LOOK_BACK_YEAR = re.compile(r"^(?:in|over|during|within) (?:the )?(?:last|past|previous) (?:12 months|twelve months|year|52 weeks)$", re.I)
# "reduced from 22% to 11% over two years", "has risen over the past year": how long a change
# took, not a window ("people waiting over six months" is one).
_CHANGED = re.compile(r"(?:\bto\s+(?:\u2022|£?[\d.,]+\s*(?:%|per ?cent|k|m)?)|\b(?:reduced|increased|fell|rose|risen|fallen|grown|grew|"
                      r"dropped|improved|halved|doubled|(?:gone|went|come|came) (?:up|down))(?:\s+\w+)?)\s*$", re.I)


def windows(text: str, flows: bool = False) -> tuple[float, ...]:
    """The windows a text names, in days ("within 28 days" 28, "12 months" 365, "the same day" 0).
    ``flows``: the text is about a count or a sum, whose year is no window."""
    out = []
    for m in WINDOW_RE.finditer(text):
        said = m.group(0)
        if flows and _LOOK_BACK_YEAR.match(said) or said.lower().startswith("over ") and _CHANGED.search(text[: m.start()]):
            continue
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
