"""Figures in evidence and answers: each number becomes a data point with its unit, what it
measures, its comparator (e.g. the England average) and its period, so that staff can quote
it and the coach can check figures that staff state."""

from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, replace

from prep_bot.evidence.figure_links import HEDGE, link_changes, link_changes_after, link_comparators, link_respectively, part_of_whole, share_measures
from prep_bot.evidence.text_blocks import BULLET, blocks
from prep_bot.evidence.indicator_codes import blank_codes, codes_in, name_by_codes
from prep_bot.evidence.measures import measure_phrase, specific_words
from prep_bot.evidence.periods import _MONTHS, MONTH, period_date, period_near
from prep_bot.evidence.number_words import spoken_numbers, spoken_shares
from prep_bot.evidence.figure_units import carry_units, money_from_heading, money_in_words, restated, units_from_measures
from prep_bot.evidence.subject_cues import DATA_SOURCE, subject_cue
from prep_bot.evidence.table_rows import carry_row_topic, read_table_row

_NUMBER = re.compile(
    r"(?<![\w.£/])(?<![\w)]-)(?P<money>£\s?)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:-?(?:odd|ish)\b)?"  # "60-odd"
    r"(?P<scale>\s?(?:m|bn|k|million|billion)\b)?"
    r"(?P<pct>\s?(?:%|per\s?cent\b|percent\b))?"
    # A sum takes no unit word after it: "£2.6m year to date" is money, not years.
    r"(?:(?(money)(?!)|)\s?(?:(?:working|calendar|clear)\s(?=days?\b|weeks?\b))?(?P<unit>days?|weeks?|months?|years?|hours?|minutes?|mins?|wks?|hrs?|mths?|people|persons?|carers?|residents|adults|staff|posts|"
    r"placements?|providers?|homes?|beds?|concerns?|enquiries|referrals?|assessments?|reviews?|cases?|"
    r"packages?|per\s100,?000(?:\s(?:population|people|adults))?|per\s100k)\b)?",
    re.I,
)
_PERIOD = re.compile(
    rf"\b(?:20\d\d\s?/\s?\d\d|20\d\d\s?-\s?20?\d\d|(?:{MONTH})\s20\d\d|(?:Q[1-4]|quarter [1-4])\s20\d\d(?:/\d\d)?|20\d\d)\b"
)
_COMPARATOR = re.compile(
    r"\b(England|national(?:ly)?|regional(?:ly)?|North East|comparator|statistical neighbours?|"
    r"the country|across the country|average|compared (?:to|with)|up from|down from|increase from|"
    r"from|than|against)\W+(?:\w+\W+){0,5}$",
    re.I,
)
_YOUNG = re.compile(r"\b(?:young (?:people|person|man|woman|adults?)|children|child's|transitions?|adulthood|birthday|"
                    r"teenagers?|school|college|sixth form|eighteen|18th)\b", re.I)
_SLASHED = re.compile(r"(?<![\w/.£])\d{1,3}(?:,\d{3})*(?:\.\d+)?(?:/\d{1,3}(?:,\d{3})*(?:\.\d+)?){2,}(?![\w/%])")
_CLAUSE_TURN = re.compile(r",\s(?:but|while|whilst|whereas|although|though|however|yet)\s|;\s|\|", re.I)
_SKIP_BEFORE = re.compile(
    r"(?:\b(?:theme|quality statement|statement|section|s\.|page|pages|appendix|care act|aged|age|ages|ascof|version|"
    r"phase|tier|level|grade|score|step|no\.|(?<!now )(?<!which )(?<!they )(?<!we )number|chapter|paragraph|priority|item|point|note|table|figure|"
    r"recommendation|question|band|part|pathway|(?:people|adults|those|residents|anyone) (?:over|under)|over-|under-|age of|aged \d+ (?:to|and)|(?:from|between) \d+ (?:to|and)(?= \d+ year))|(?-i:\bYear))\s*$",
    re.I,
)
# A bare number (no unit) is a figure when what follows or precedes it says so: "97 of them",
# "fell to 380", "Reviews overdue: 208", "41 (February)", "14.6".
_BARE_AFTER = re.compile(
    r"(?:of (?:them|which|whom|those|these)\b|in (?:20\d\d|Q[1-4]|the (?:year|quarter|month))\b|a (?:day|week|month|year)\b|"
    r"per\b|to (?:\d|(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|a hundred)\b)|\((?:[A-Z][a-z]+|20\d\d|Q[1-4])|(?:from|since|compared|against|by)\b|[;.,)]?$|[;.]\s|\||"
    # "(455, down from 512)", "(4,530 the previous year)": a figure and its comparison.
    r",?\s*(?:down|up) from\b|(?:in )?(?:the )?(?:previous|last|prior) (?:year|quarter|month|survey)\b|"
    # "Calls offered 6,840 — Contacts 6,910 — ...": a cell of a row set out with dashes; "41 FTE".
    r"[—–]\s|(?-i:FTE|WTE)\b)",
)
_BARE_BEFORE = re.compile(
    r"(?::|\b(?:from|to|at|was|were|is|are|averaged|average|totall?ed|reached|stood at|of|plan|target|ambition|"
    r"up from|down from|compared with|compared to|against|England|nationally|region|average|"
    r"(?:previous|last|prior) (?:year|quarter|month)|completed|received|did|done|delivered|made|had|got|further|another|"
    r"nearly|almost|about|around|roughly|approximately|some|over|under|more like|maybe|only))\s*"
    rf"{HEDGE}[<>≤≥]?$",
    re.I,
)
# A heading that gives the unit of the bare number after its colon: "Median days to authorisation:
# 97", "Time to assessment (weeks): 6".
_TIME_HEADING = re.compile(
    r"(?:^|[;.|]\s*|\b(?:average|avg|mean|median|typical|number of)\s+)(?:\w+\s+){0,1}?(days|weeks|months|wks|mths)\b[^:;.|\d]{0,60}:\s*$|"
    r"\((days|weeks|months|wks|mths)\)[^:;.|\d]{0,40}:\s*$|"
    # "... | avg days to completion 143": a cell of a row on one line, its label naming the unit.
    r"\|\s*(?:\w+\s+){0,2}?(?:average|avg|mean|median)\s+(days|weeks|months|wks)\b[^:;.|\d]{0,40}$", re.I)
_SHORT_UNITS = {"wk": "weeks", "hr": "hours", "mth": "months", "yr": "years", "min": "minutes"}
_RATE = re.compile(r"\bper\s+(?:100,000|100 000|100k|hundred thousand)\b", re.I)


_RATE_AFTER = re.compile(r"\s*(?:[A-Za-z'-]+\s+){1,3}per\s+(?:100,000|100 000|100k|hundred thousand)\b", re.I)


def _rate_before(before: str) -> bool:
    """"Safeguarding concerns per 100,000 adults rose to 1,605", "Admissions per 100k (65+): 512":
    the rate named just before the figure, in its clause, is its unit."""
    found = list(_RATE.finditer(before[-90:]))
    if not found:
        return False
    between = before[-90:][found[-1].end() :]
    if between.lstrip().startswith(")"):
        return False  # "41 (a rate of 19.6 per 100,000), and of older adults 512": another figure's rate, closed
    # "(65+)", "aged 18-64", "65 and over": the people the rate is of.
    between = re.sub(r"\(?\b(?:aged\s+)?\d+\s*(?:\+|-\s*\d+|and over|or over|and older)\s*\)?|\(\s*\d+\s*\)", " ", between)
    # "per 100,000 population: 2023/24 598.2": a period between the label and its figure.
    between = re.sub(r"\b20\d\d(?:\s?[/-]\s?\d\d)?\b", " ", between)
    return not re.search(r"[\d;|.]", between) and len(between.split()) <= 6


_FRACTION = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})*|\d+) (?:out )?of (?:the |our |these |those )?(\d{1,3}(?:,\d{3})*|\d+)\b(?![/-]\d)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
# "(47.83% compared to 36.83%, ...)": the first figure is the council's, whatever came before.
_FOLLOWED_BY_COMPARISON = re.compile(r"\s*,?\s*(?:compared (?:to|with)|vs\.?|versus|against)\s+(?:the\s+)?(?:[a-z]+\s+){0,3}?£?\d", re.I)
# A sentence that names its measure only in the sentence before: "This is 94% and ..."
_REFERS_BACK = re.compile(r"(?:(?:In|By|At) [\w ]{1,20}, )?(?:(?:some|many|most|all|none|each|one) of )?(?:this|it|that|these|those|which|they|them)\b|\(", re.I)
# Words around a figure that mark the report's own metadata (its visit, its method, its pages).
REPORT_METADATA = re.compile(
    r"\b(?:on[- ]site|site visits?|interview(?:s|ed)?|focus groups?|peer (?:team|challenge|review)|the team (?:spent|met|held|read)|"
    r"(?:spent|held|read|reviewed|met|visited|attended|conducted|carried out)\b[^.]{0,30}\b(?:documents?|interviews?|meetings?|"
    r"sessions?|conversations?|case files?|files)|experience (?:between|of)|combined|documents?|pages?|appendix|contents|chapter|"
    r"tel(?:ephone)?|e-?mail|working days|the equivalent of|paragraph|footnote|version)\b",
    re.I,
)
_STOP = frozenset(
    "the a an of to in on for and or with at by from was were is are be been this that these those "
    "which who as it its their our we they there than compared average england national".split()
)
TIME_UNITS = {"day": 1.0, "week": 7.0, "month": 30.4, "year": 365.0, "hour": 1 / 24, "minute": 1 / 1440}


SUBJECTS = ("ours", "england", "region", "comparator", "target")


FIGURES_MEMO = 8192  # texts whose figures are remembered (a passage or a sentence each)
MEMO_TEXT_CHARS = 4000  # ... when no longer than this


@dataclass
class DataPoint:
    """One figure stated in a text."""

    raw: str  # as written, e.g. "47.83%"
    value: float
    unit: str  # "%", "£", "days", "per 100,000", "count", ...
    measure: str  # what it measures: a short normalised phrase ("people waiting for home care")
    comparator: str | None  # e.g. "England average 36.83%"
    period: str | None  # e.g. "2023/24", "June 2024"
    sentence: str  # the sentence it was found in
    context: str = ""  # the sentence, with the one before when it starts "This is 94%..."
    is_comparator: bool = False  # this figure is itself the comparison (e.g. the England average)
    start: int = 0  # offset of the figure in the sentence
    window: str = ""  # the words around the figure, as written (what the classifiers read)
    subject: str = "ours"  # whose figure: ours | england | region | comparator | target
    performance: bool = True  # a figure about people or services, not the report's own metadata
    date: str = ""  # the period as "YYYY-MM" or "YYYY" ("2023/24" ends in March 2024)
    earlier: bool = False  # the first figure of a change ("from 38 days to 19 days"): the comparison of the next

    def to_dict(self) -> dict:
        d = asdict(self)
        for internal in ("start", "context", "window", "earlier"):
            d.pop(internal)
        return d

    @property
    def noun(self) -> str:
        """The word after a count ("165 carers" -> "carer"), if the figure names one."""
        parts = self.raw.split()
        if self.unit != "count" or len(parts) < 2 or spoken_numbers(self.raw) == [(0, len(self.raw), self.value)]:
            return ""  # "eighteen point nine", "two hundred and thirty": all of it the number
        return parts[-1].lower().rstrip("s")

    @property
    def kind(self) -> str:
        """Unit family used to decide whether two figures can be the same measure."""
        if self.unit in ("days", "weeks", "months", "years", "hours", "minutes"):
            return "time"
        return self.unit

    def comparable_value(self) -> float:
        """Value in a common scale for its kind (time in days)."""
        if self.kind == "time":
            return self.value * TIME_UNITS[self.unit.rstrip("s")]
        return self.value


def sentences(text: str) -> list[str]:
    if "\n" in text and len(parts := blocks(text)) > 1:  # a sentence never runs from one bullet or heading into the next
        return [p for part in parts for p in sentences(part)]
    text = BULLET.sub("", text)
    if "\n" in text and ";" in text:
        return [p for line in _row_lines(text) for p in sentences(line)]
    text = re.sub(r"\s+", " ", text.replace("*", "")).strip()
    # Not after a short form that ends in a full stop ("e.g. Care Act reviews", "Dr. Smith").
    # Nor between the cells of a table row ("Measure: ...; Council: 655; England: 702").
    parts = re.split(r"(?<=[.!?])(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bNo\.)(?<!\bvs\.)(?<!\bDr\.)\s+(?=[A-Z(\"'‘“£0-9])"
                     r"|(?<=;)\s+(?=[A-Z(\"'‘“£0-9])(?![^;:.]{1,30}:\s*(?:[a-z]+\s){0,2}[£\d(+-])"
                     # "...: Council 38.9; England 36.3; Comparator avg 35.1": a cell of whose figure it is.
                     r"(?!(?:[A-Za-z][\w'-]*\s){1,3}£?\d[\d.,]*%?\s*(?:;|$))"
                     # "...: 631.8; target 600.0; 2023/24 688.4; England 566.0": a cell of when.
                     r"(?!(?:(?:20\d\d(?:/\d\d)?|Q[1-4]|(?:\d{1,2}\s)?[A-Z][a-z]+\s20\d\d)\s+){1,2}£?\d[\d.,]*%?\s*(?:;|$))", text)
    return [p for p in parts if p]


def _row_lines(text: str) -> list[str]:
    """The text cut after each line that sets out a row with semicolons and ends with no full
    stop ("...: 631.8; target 600.0; RAG: Red"); the cut parts have no line break left to cut
    again. (A table whose cells are split by "|" is read with its header row, as one.)"""
    out, current = [], []
    for line in text.split("\n"):
        current.append(line)
        if ";" in line and "|" not in line and not re.search(r"[.!?]\s*$", line):
            out.append(" ".join(current))
            current = []
    out.append(" ".join(current))
    return [part for part in out if part.strip()]


def extract_figures(text: str) -> list[DataPoint]:
    """Every meaningful figure in ``text`` (years, headings numbers and list markers are not).

    Read once per text and remembered (a coaching turn reads the same passages and sentences
    about 30 times over); each call gets its own copies, which callers may change. A long text
    (a whole document) is read each time rather than kept."""
    if len(text) > MEMO_TEXT_CHARS:
        return _read_figures(text)
    return [replace(p) for p in _figures_of(text)]


@functools.lru_cache(maxsize=FIGURES_MEMO)
def _figures_of(text: str) -> tuple[DataPoint, ...]:
    return tuple(_read_figures(text))


def _read_figures(text: str) -> list[DataPoint]:
    points: list[DataPoint] = []
    previous = ""
    earlier: list[DataPoint] = []
    for sentence in sentences(text):
        context = f"{previous} {sentence}" if _REFERS_BACK.match(sentence) else sentence
        last, previous = previous, sentence
        found = [_fraction(sentence, m) for m in _FRACTION.finditer(sentence)]
        codes = codes_in(sentence)  # "2B(1)", "1I1": an indicator's code, not figures
        taken = [(m.start(), m.end()) for m in _FRACTION.finditer(sentence)] + [(c.start, c.end) for c in codes]
        for m in _SLASHED.finditer(sentence):  # "Complaints Q1/Q2/Q3/Q4: 41/52/44/50": one value a column
            items = [(m.start() + i.start(), m.start() + i.end()) for i in re.finditer(r"[\d,.]+", m.group(0))]
            values = [float(sentence[a:b].replace(",", "")) for a, b in items]
            if len(items) == 3 and values[0] <= 31 and values[1] <= 12:
                continue  # a date: 30/11/24
            found += [_point(sentence, a, b, value, "count") for (a, b), value in zip(items, values)]
            taken.append((m.start(), m.end()))
        for m in _NUMBER.finditer(sentence):
            if not any(a <= m.start() < b for a, b in taken):
                point = _figure(sentence, m)
                if point:
                    found.append(point)
        for start, end, value in _ranges(sentence, spoken_numbers(sentence)):
            said = _Said(sentence, start, end, value)
            # "two teams", "five of us": a small number in words with nothing after it that it counts is no figure.
            of_a_share = re.search(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine)\s+(?:in|out of)\s+$", sentence[:start], re.I)  # "seven in ten people"
            # "eighteen point nine", "five, five point three": a decimal, or a figure said twice, is a figure.
            decimal_or_twice = " point " in f" {sentence[start:end].lower()} " or restated(sentence, start, end)
            things = _COUNTED_AFTER.match(sentence[end:])  # "four BIAs", "three or four Mental Health Act assessments"
            one_percent = value == 1 and said.group("pct") is not None  # "under one percent": a share, unlike "one day"
            if (value >= 2 or one_percent) and (value >= 20 or said.end() > end or decimal_or_twice or things) and not of_a_share and not any(
                    a <= start < b for a, b in taken) and (point := _figure(sentence, said)):
                found.append(point)
        for start, end, value in spoken_shares(sentence):
            # "seven in ten calls", "a third were upheld": a share, unless it restates one said in figures ("71%, seven in ten").
            others = [p for p in found if not start <= p.start < end]  # "3 in 10 people": not a 3, nor a count of 10 people
            if not any(a <= start < b for a, b in taken) and not any(
                    p.start <= start < p.start + len(p.raw) or p.unit == "%" and abs(p.value - value) <= 5 for p in others):
                found = [*others, _point(sentence, start, end, value, "%")]
        found.sort(key=lambda p: p.start)
        before = context[: len(context) - len(sentence)].strip()
        for point in found:
            point.context = context
            if before:  # "This is 94%": the measure is named in the sentence before
                point.window = " ".join(_WORD.findall(before)[-10:] + [point.window])
            end = point.start + len(point.raw)
            # "30 people waiting": the noun a count names is part of what it measures.
            number_end = point.start + len(point.raw.rsplit(None, 1)[0]) if point.noun else end
            point.measure = measure_phrase(blank_codes(sentence, codes), point.start, number_end, before)
            if last and not before and not specific_words(point.measure) and content_words(point.measure) & content_words(last):
                # "612 people were waiting": a measure of generic words only takes what it is
                # about from the sentence before, when that goes on about the same thing ("...
                # people waiting for a Care Act assessment").
                point.measure = measure_phrase(blank_codes(sentence, codes), point.start, number_end, last)
            point.subject = subject_cue(sentence, point.start, end)
            point.period = period_near(sentence, point.start, end)
            point.date = period_date(point.period)
            point.performance = not REPORT_METADATA.search(point.window)
        name_by_codes(sentence, codes, found)
        row = bool(re.search(r"[|;]", sentence))
        if not row:  # a row's labels give its units first (read_table_row), its cells' own words after
            units_from_measures(found)
        link_changes(found)
        link_changes_after(found)
        link_comparators(found)
        link_respectively(found)
        carry_units(found, earlier)
        read_table_row(sentence, found)
        money_from_heading(sentence, found)
        carry_row_topic(sentence, found)
        if row:
            units_from_measures(found)
        part_of_whole(found, earlier)
        share_measures(found, earlier if len(sentence.split()) <= 8 else [])
        # "Seventy-one. And we want that up at eighty.": a sentence of a word or two goes on from the one before.
        earlier = found if found or len(sentence.split()) > 4 else earlier
        points.extend(found)
    return points


# What a small count said in words counts: people and staff, and the work they do.
_COUNTED_AFTER = re.compile(
    r"\s+(?:(?:more|extra|new|full-time|part-time)\s+)?(?:(?-i:[A-Z]{2,5}s)\b|(?:mental health act |care act |carers' )?(?:people|staff|workers|"
    r"social workers|carers|residents|assessments|reviews|complaints|applications|referrals|enquiries|concerns|beds|homes|providers|"
    r"posts|vacancies|placements|cases|packages|visits|calls|deaths|admissions)\b)", re.I)
_RANGE_GAP = re.compile(r"\s*(?:or|to|-|–)\s*(?:maybe\s+)?", re.I)


def _ranges(sentence: str, said: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """Numbers said in words, a range said as one ("eight or nine days", "sixty or seventy"), its
    value the middle of the two."""
    out: list[tuple[int, int, float]] = []
    for start, end, value in said:
        if out and _RANGE_GAP.fullmatch(sentence[out[-1][1] : start]) and out[-1][2] < value:
            out[-1] = (out[-1][0], end, (out[-1][2] + value) / 2)
        else:
            out.append((start, end, value))
    return out


def _figure(sentence: str, m: re.Match[str]) -> DataPoint | None:
    raw_num = m.group("num")
    value = float(raw_num.replace(",", ""))
    before = sentence[: m.start()]
    after = sentence[m.end() : m.end() + 3]
    pct, money, scale = m.group("pct"), m.group("money"), (m.group("scale") or "").strip().lower()
    unit_word = (m.group("unit") or "").lower()
    if _is_year(value, raw_num) and not (pct or money or unit_word.startswith(("day", "week", "month", "year", "hour", "minute"))):
        return None  # "the 2024 carers survey"
    if _SKIP_BEFORE.search(before[-25:]) or re.match(r"\s?(?:years? old|old\b|-year-old|\+|s\b|and (?:over|older)\b)", sentence[m.end() :]):
        return None  # "section 42", "Theme 2", "aged 65", "over 55 years old"
    if unit_word.startswith(("day", "week", "month", "year")) and re.match(r"\s+ago\b", sentence[m.end() :], re.I):
        return None  # "two years ago": when, not a figure
    if re.search(r"\b(?:turn(?:ed|ing|s)?|reach(?:ed|ing|es)?)\s*$", before, re.I) and 16 <= value <= 25 and not (pct or money or unit_word):
        return None  # "those who turned 18": an age
    if unit_word.startswith(("day", "week", "month", "year", "hour")) and re.search(r"\b(?:every|each)\s*$", before, re.I):
        return None  # "a call every two weeks", "reviewed every 12 months": how often, not a figure
    if (re.search(r"\b(?:at|by|before|after|until|from|from 1\d to)\s*$", before, re.I) and 13 <= value <= 25 and raw_num.isdigit()
            and not (pct or money or unit_word) and _YOUNG.search(sentence)):
        return None  # "referrals now come at 14", "young people from 14 to 25": an age of a young person
    if re.search(r"\bper\s*$", before, re.I) and value * (1000 if scale == "k" else 1) in (1000, 10000, 100000) and not (pct or money):
        return None  # "per 100,000 adults": what a rate is per, not a figure
    if (not (pct or money or unit_word) and re.search(r"\b(?:over|under)\s*$", before, re.I) and raw_num.isdigit()
            and 16 <= value <= 99 and re.search(r"\b(?:aged|years? old|(?<!of )over \d\d\b(?!\s*(?:days|weeks|%))|\d\d\s*(?:\+|and over))", sentence, re.I)):
        return None  # "30% of the workforce is over 55 and only 8% is under 25": an age band
    if not (pct or money or unit_word) and raw_num.isdigit() and (raw_num in ("1", "2", "3", "4") and re.search(
            r"\bquarter\s*$", before, re.I) or value <= 53 and re.search(r"\b(?:(?i:month|period|week)|P)\s*$", before)):
        return None  # "in quarter 2", "at month 6", "Period 7": a period, not a figure
    if not (pct or money or unit_word):
        if _is_year(value, raw_num) or re.match(r"\s?(?:/\d\d|-\d\d\b)", after):
            return None
        if re.search(rf"\b(?:{_MONTHS})\s*$", before, re.I):
            return None
        if re.match(r"\s?(?:st|nd|rd|th)\b", sentence[m.end() :]) or re.match(rf"\s(?:{_MONTHS})", sentence[m.end():], re.I):
            return None  # a date: "9th July", "1 April"
        if before.endswith(("(", "- ")) and m.start() < 3:
            return None
        if value < 2 and "." not in raw_num:
            return None  # "1" and "0" are rarely figures worth quoting
        following = sentence[m.end() :].lstrip()
        said = (
            "." in raw_num
            or restated(sentence, m.start(), m.end())
            or _BARE_AFTER.match(following)
            or (_BARE_BEFORE.search(before) and not re.match(r"[-–/]\d", following))
        )
        # A number said in words is never a list marker or a page: "the backlog's about twelve hundred, it's ...".
        if not said and not isinstance(m, _Said) and (not re.match(r"[A-Za-z(]", following) or re.match(r"(?:and|or|to|of|in|the|a)\b", following)):
            return None  # a bare number not followed by what it counts: a list marker, a page
    if re.match(r"\.\d", sentence[m.end() :]) or re.search(r"\d\.$", before):
        return None  # a paragraph's number: "6.1.4 Reviews remain ...", "see 3.2.1"
    if m.start() == 0 and re.match(r"\.(?:\s|$)|\)\s", sentence[m.end():]):
        return None  # a list marker or paragraph number: "1. ", "34." standing alone, "2) "
    unit_word = _SHORT_UNITS.get(unit_word.rstrip("s"), unit_word)  # "31.5 wks": weeks
    if unit_word.startswith(("day", "week", "month", "year", "hour", "minute")):
        unit = unit_word if unit_word.endswith("s") else unit_word + "s"
    elif pct:
        unit = "%"
    elif money or money_in_words(sentence, sentence[m.start() : m.end()], sentence[m.end() :]):
        unit = "£"
        value *= {"m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9, "k": 1e3}.get(scale, 1)
    elif unit_word.startswith("per") or not unit_word and (_rate_before(before) or _RATE_AFTER.match(sentence[m.end() :])):
        unit = "per 100,000"
    elif heading := _TIME_HEADING.search(before):
        found = next(g for g in heading.groups() if g).lower()  # "median days to authorisation: 97" is 97 days
        unit = _SHORT_UNITS.get(found.rstrip("s"), found)
    else:
        unit = "count"
    raw = sentence[m.start() : m.end()].strip()
    period = _PERIOD.search(sentence)
    # "..., compared with 82.1% in England, although only 1.9% ...": a new clause is no comparison.
    before = DATA_SOURCE.sub(" ", _CLAUSE_TURN.split(before[-60:])[-1])
    return DataPoint(
        raw=raw,
        value=value,
        unit=unit,
        measure="",
        window=_measure(sentence, m.start(), m.end()),
        comparator=None,
        period=period.group(0) if period else None,
        sentence=sentence,
        is_comparator=bool(_COMPARATOR.search(before)) and (_mentions_comparison(before) or _AGAINST_A_FIGURE.search(
            _CLAUSE_TURN.split(sentence[max(0, m.start() - 160) : m.start()])[-1]) is not None)
        and not _FOLLOWED_BY_COMPARISON.match(sentence[m.end() :]),
        start=m.start(),
    )


def _fraction(sentence: str, m: re.Match[str]) -> DataPoint:
    """"23 of the 47 residents": a part of a whole, comparable only with the same whole."""
    return _point(sentence, m.start(), m.end(), float(m.group(1).replace(",", "")), f"of {m.group(2).replace(',', '')}")


def _point(sentence: str, start: int, end: int, value: float, unit: str) -> DataPoint:
    period = _PERIOD.search(sentence)
    return DataPoint(raw=sentence[start:end], value=value, unit=unit, measure="", window=_measure(sentence, start, end),
                     comparator=None, period=period.group(0) if period else None, sentence=sentence, start=start)


_RATE_WORDS = re.compile(rf"\s?{_RATE.pattern}(?:\s(?:population|people|adults))?\b", re.I)  # "... per hundred thousand"


class _Said:
    """A number said in words, read as ``_NUMBER`` reads digits: "seventy-one per cent" is 71%,
    "twenty-six days" 26 days, "six hundred and something per hundred thousand" a rate."""

    def __init__(self, sentence: str, start: int, end: int, value: float) -> None:
        rest = sentence[end:]
        self._start = start
        self._num = f"{value:.10g}"
        if rate := _RATE_WORDS.match(rest):
            self._groups, self._end = {"unit": rate.group(0).strip()}, end + rate.end()
        else:
            tail = _NUMBER.match("1" + rest)  # the words after it, read as after a digit
            self._groups = {k: tail.group(k) for k in ("pct", "unit")} if tail else {}
            self._end = end + (tail.end() - 1 if tail else 0)

    def group(self, name: str | int = 0) -> str | None:
        return self._num if name == "num" else self._groups.get(name) if isinstance(name, str) else None

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end


# "the median wait was 31 days, against 47 the year before", "82% of care homes were rated good,
# against 85% and 78% for England": "against" after a figure of the same clause sets it beside that
# one (not "against a net budget of £121m", which names a measure of its own).
_AGAINST_A_FIGURE = re.compile(r"\d[^;|]*\bagainst\W+(?:(?:a|an|the|just|only|about|around|nearly|almost|some)\W+){0,2}$", re.I)


def _mentions_comparison(text: str) -> bool:
    return bool(
        re.search(r"england|national|region|compared|comparator|neighbour|country|up from|down from|increase from|"
                  # "12.8%, lower than the 24.1% in the independent sector": a comparison, where
                  # "more than 3 days" is a threshold.
                  r"\b(?:higher|lower|better|worse|greater|above|below|similar to|in line with)(?: than)? the\s*$|"
                  r"\d%?\s*,?\s*against\s*$", text, re.I)
    )


def _is_year(value: float, raw: str) -> bool:
    return raw.isdigit() and len(raw) == 4 and 1980 <= value <= 2040


def _measure(sentence: str, start: int, end: int) -> str:
    """The words around a figure that say what it measures (up to ~14 words)."""
    # A table row set out on one line ("Awaiting assessment: 397 | Avg days: 41"): its cell only.
    left_end, right_end = sentence.rfind("|", 0, start) + 1, sentence.find("|", end)
    left = _WORD.findall(sentence[max(left_end, start - 90) : start])[-7:]
    right = _WORD.findall(sentence[end : min(end + 90, right_end if right_end >= 0 else len(sentence))])[:9]
    words = left + ["_"] + right
    text = " ".join(words).replace(" _ ", " … ").replace("_", "…").strip()
    return text


@functools.lru_cache(maxsize=65536)
def content_words(text: str) -> frozenset[str]:
    """The words of ``text`` that carry meaning, lower case and singular (remembered: measure
    phrases are compared pair by pair)."""
    return frozenset(w.lower().rstrip("s") for w in _WORD.findall(text) if w.lower() not in _STOP and len(w) > 2)
