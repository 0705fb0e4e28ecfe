"""Periods a figure is of ("2023/24", "Q2 2025/26", "March 2024", "Apr-Jun 2025") and the date
each ends at, so that figures of one measure can be ordered newest first."""

from __future__ import annotations

import re

from prep_bot.evidence.clauses import CLAUSE_BREAK

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_NUM = {m.lower()[:n]: i for i, m in enumerate(_MONTHS.split("|"), 1) for n in (3, None)} | {"sept": 9}
MONTH = rf"{_MONTHS}|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"  # and "Oct 2025", "Sept. 2024"
PERIOD = re.compile(
    rf"\b(?:(?P<fy>20\d\d)\s?(?:/|-|to)\s?(?P<fy2>(?:20)?\d\d)\b|(?:(?:{MONTH})\s?[-–]\s?)?(?P<month>{MONTH})\s(?P<my>20\d\d)\b|"
    # "Mar-24", "Sep 24": a month and its year's last two digits, as a dashboard heads its columns.
    rf"(?P<month2>{MONTH})[-'’](?P<my2>[1-3]\d)\b|"
    rf"(?:Q(?P<q>[1-4])|quarter (?P<q2>[1-4]))\s(?P<qy>20\d\d)(?:/(?P<qy2>\d\d))?\b|(?P<year>20\d\d)\b)"
)


def period_date(period: str | None) -> str:
    """A period as a sortable "YYYY-MM" (or "YYYY"): a financial year "2023/24" ends in March
    2024, a quarter at its last month, "June 2024" is 2024-06; "" when there is none."""
    if not period:
        return ""
    m = PERIOD.search(period)
    if not m:
        return ""
    if m.group("fy"):
        start, end = int(m.group("fy")), m.group("fy2")
        end_year = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
        if end_year < start:
            end_year += 100
        return f"{end_year:04d}-03" if end_year == start + 1 else f"{end_year:04d}"
    if m.group("month"):
        return f"{int(m.group('my')):04d}-{_MONTH_NUM[m.group('month').lower().rstrip('.')]:02d}"
    if m.group("month2"):
        return f"{2000 + int(m.group('my2')):04d}-{_MONTH_NUM[m.group('month2').lower().rstrip('.')]:02d}"
    if m.group("qy"):
        q = int(m.group("q") or m.group("q2"))
        year = int(m.group("qy"))
        if m.group("qy2"):  # a financial-year quarter: Q1 is April to June
            return f"{year + (1 if q == 4 else 0):04d}-{(3 * q + 3) if q < 4 else 3:02d}"
        return f"{year:04d}-{3 * q:02d}"
    return m.group("year") or ""


# "between 2022/23 and 2023/24", "from 2022/23 to 2023/24": the second figure of "from X to Y" is
# of the second period.
_RATE = re.compile(r"\bper\s+(?:100,000|100 000|100k|1,000|1000)\b", re.I)
_DAY = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?$", re.I)  # "at 31 March 2025": the day of the period, no figure
_SPAN = re.compile(r"\s*(?:between|from|in)\s*$", re.I)
_SPAN_JOIN = re.compile(r"^\s*(?:and|to|-|–)\s*$", re.I)
_TO_FIGURE = re.compile(r"\bto\s*(?:around |about |just )?£?$", re.I)
# "to 612 at the end of September": a month without its year, after the figure.
_BARE_MONTH = re.compile(rf"^[^.;]{{0,25}}?\b(?:in|at|by|end of|as at)\s+(?P<month>{_MONTHS})\b(?!\s*\d)", re.I)


def period_near(sentence: str, start: int, end: int) -> str | None:
    """The period written closest to the figure: just after it in its clause first ("68.3% in
    2021/22"), else the nearest one before it, else any in the sentence. In "from 698.5 to 641.2
    between 2022/23 and 2023/24" the figure after "to" is of the second period; "to 612 at the end
    of September" after "January 2025" is of September 2025."""
    found = [(m.start(), m.end(), m.group(0)) for m in PERIOD.finditer(sentence)]
    if not found:
        return None
    # A period after another figure is that figure's ("612 people, down from 905 in January 2025").
    after = [f for f in found if f[0] >= end and f[0] - end <= 40 and not CLAUSE_BREAK.search(sentence[end : f[0]].replace(",", " "))
             and not re.search(r"\d", _RATE.sub(" ", _DAY.sub("", sentence[end : f[0]])))]
    if after:
        first = after[0]
        later = [f for f in found if f[0] > first[1]]
        if (later and _TO_FIGURE.search(sentence[:start]) and _SPAN.search(sentence[end : first[0]])
                and _SPAN_JOIN.match(sentence[first[1] : later[0][0]])):
            return later[0][2]
        return first[2]
    before = [f for f in found if f[1] <= start]
    if before:
        bare = _BARE_MONTH.match(sentence[end:])
        if bare and (year := period_date(before[-1][2])[:4]).isdigit():
            month, known = bare.group("month"), period_date(before[-1][2])
            later_year = len(known) == 7 and _MONTH_NUM[month.lower()] < int(known[5:])
            return f"{month.capitalize()} {int(year) + later_year}"
        return before[-1][2]
    return found[0][2]
