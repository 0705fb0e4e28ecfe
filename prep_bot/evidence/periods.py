"""Periods a figure is of ("2023/24", "Q2 2025/26", "March 2024", "Apr-Jun 2025") and the date
each ends at, so that figures of one measure can be ordered newest first."""

from __future__ import annotations

import re

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
