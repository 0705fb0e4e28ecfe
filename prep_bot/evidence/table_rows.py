"""A row of a table set out as text: "Measure: People waiting for an assessment; Council: 655;
England: 702" (how the evidence loaders write a table's rows), "Admissions aged 65+ per 100,000 |
Council 588.1 | England 566.0", "Indicator: Carers satisfied; 2023/24: 36.1%; 2024/25: 38.2%".

Each figure in such a row measures what the row's label says, not what its column is called;
the column says whose figure it is (the council's, England's, a region's, a comparator group's,
a target), its period, or how it summarises the measure (the median, the longest). A cell that
names its own measure ("Complaints upheld: 58") keeps it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from prep_bot.evidence.figure_units import label_unit
from prep_bot.evidence.measure_words import OTHER_NAMES, OTHER_RE, POPULATION_RE, SERVICE_RE
from prep_bot.evidence.measures import measure_phrase, spell_out
from prep_bot.evidence.periods import MONTH, PERIOD, period_date

# Columns that name whose figure it is ("England", "Comparator avg", "Council").
_SUBJECT_COLUMNS = {
    "england": r"england|eng|national|all england",
    "region": r"region|regional|north east|north west|south east|south west|east midlands|west midlands|"
              r"yorkshire(?: and the humber)?|london|eastern|the region",
    "comparator": r"comparators?(?: group)?|statistical neighbours?|(?:cipfa )?nearest neighbours?|similar councils|family group|peer group|neighbours",
    "target": r"targets?|plan|planned|trajectory|ambition|goal|standard",
    "ours": r"council|local|locally|ours?|us|we|the council|actual|value|result|figure|latest|current|now|this (?:year|quarter|month)|"
            r"performance|outturn|position|data|count|number|rate|percentage|%|total|baseline",
}
_SUMMARY = r"average|avg|mean|median"
# Columns that say how the row's measure is summarised or changed.
_FORM_COLUMNS = rf"{_SUMMARY}|longest|longest wait|shortest|maximum|max|minimum|min|change|variance|difference|trend"
# Columns that are an earlier period of the council's own figure.
_EARLIER_COLUMNS = r"(?:last|previous|prior|same) (?:quarter|year|month|period|survey)(?: last year)?|year before"
# Columns of an age band ("18-64", "65+", "Aged 65 and over") and of a rate's base ("per 100k").
_AGE_COLUMNS = r"(?:aged\s+)?(?:(?:1[6-9]|[2-9]\d)\s*(?:-|–|to)\s*[2-9]\d|[1-9]\d\s*\+|[1-9]\d\s+and\s+(?:over|older))"
_RATE_COLUMNS = r"(?:rate\s+)?per\s*100(?:,000|k|\s+thousand)(?:\s+(?:population|pop|adults|people))?"
_PERIOD_COLUMNS = (r"(?:Q|quarter\s)[1-4](?:\s20\d\d(?:/\d\d)?)?|20\d\d(?:/\d\d)?(?:\sQ[1-4])?|"
                   rf"(?:{MONTH})(?:\s?[-–]\s?(?:{MONTH}))?(?:\s20\d\d)?|(?:YTD|year to date)(?:\s20\d\d(?:/\d\d)?)?")  # "Apr-Jun 2025", "Aug"
_LABEL_HEADERS = re.compile(r"^\s*(?:(?:measure|indicator|metric|kpi|performance indicator|pi|ascof(?: measure)?)(?: name| description| title)?|"
                            r"description|name|item|area|domain|theme|service|outcome)\s*$", re.I)
_WORD_END = r"(?=[\s,:/–-]|$)"
_COLUMN_WORDS = [
    ("period", re.compile(rf"(?:{PERIOD.pattern}|{_PERIOD_COLUMNS}){_WORD_END}", re.I)),
    ("earlier", re.compile(rf"(?:{_EARLIER_COLUMNS}){_WORD_END}", re.I)),
    ("age", re.compile(rf"(?:{_AGE_COLUMNS}){_WORD_END}", re.I)),
    ("rate", re.compile(rf"(?:{_RATE_COLUMNS}){_WORD_END}", re.I)),
    *((who, re.compile(rf"(?:{v})(?:\s+(?:group\s+)?(?:{_SUMMARY}))?{_WORD_END}", re.I)) for who, v in _SUBJECT_COLUMNS.items()),
    ("form", re.compile(rf"(?:{_FORM_COLUMNS}){_WORD_END}", re.I)),
]
# Words that join a column's parts ("Change on 2023/24", "England avg, 2024/25").
_JOINING = re.compile(r"[\s,/–-]*(?:(?:on|vs\.?|v|versus|for|in|at|as at|from)\s+)?", re.I)
_CELL_BREAK = re.compile(r"\s*[;|]\s*")


@dataclass(frozen=True)
class _Column:
    """What a column header says of its figures: whose they are, when, how the row's measure is
    summarised or changed, the age band or rate base it narrows the measure to."""

    subject: str | None = None
    period: str | None = None
    form: str | None = None
    earlier: bool = False
    age: str | None = None
    rate: bool = False


_OURS = _Column(subject="ours")
_NAMES = {"england": "England", "region": "Region", "comparator": "Comparator group"}  # of a header row's columns


@dataclass
class _Cell:
    start: int
    end: int
    header: str  # the words before its figure ("Council", "England 18-64", "Q1"); "" when none
    text: str


def _breaks(sentence: str, points: list) -> list[tuple[int, int]]:
    """Where a row's cells part: at each "|" or ";", and after a figure that the next row's
    label follows with nothing between ("... | 77.6% Social contact (service users) | 44.6%",
    as a table's rows run on when flattened)."""
    out = [(m.start(), m.end()) for m in _CELL_BREAK.finditer(sentence)]
    for p in points:
        end = p.start + len(p.raw)
        if re.match(r" [A-Z][a-z]+ [a-z]+", sentence[end:]) and re.search(r"(?:^|[|;])\s*$", sentence[: p.start]) and _CELL_BREAK.search(sentence[end:]):
            out.append((end, end + 1))
    return sorted(out)


def _cells(sentence: str, points: list) -> list[_Cell]:
    cells, at = [], 0
    for m in [*_breaks(sentence, points), None]:
        end = m[0] if m else len(sentence)
        text = sentence[at:end]
        colon = text.find(":")
        first = min((p.start for p in points if at <= p.start < end), default=end)
        header = text[:colon] if colon >= 0 else sentence[at:first]
        cells.append(_Cell(at, end, header.strip(" •-*\t").lstrip("+−± "), text.strip()))
        at = m[1] if m else len(sentence)
    return cells


def _column(header: str) -> _Column | None:
    """What a column header says of its figures; None when it names a measure of its own."""
    rest = re.sub(r"\([^)]*\)", " ", header).strip()
    if not rest:
        return _OURS
    found: dict = {}
    while rest:
        kind, m = next(((kind, m) for kind, pattern in _COLUMN_WORDS if kind not in found and (m := pattern.match(rest))), (None, None))
        if m is None or not m.group(0):
            return None
        found[kind] = m.group(0)
        rest = rest[_JOINING.match(rest, m.end()).end():]
    subject = next((who for who in _SUBJECT_COLUMNS if who in found), None)
    return _Column(subject=subject, period=found.get("period"), form=found["form"].lower() if "form" in found else None,
                   earlier="earlier" in found, age=found.get("age"), rate="rate" in found)


def _only_a_value(cell: _Cell, points: list) -> bool:
    """Whether a cell holds only its header and its figures ("England: 83.8%", "Council 588.1",
    "Change: down 7%", "£4.2m (62%)"), not words of a measure of its own ("38% satisfied")."""
    rest = cell.text[len(cell.header):] if cell.text.startswith(cell.header) else cell.text
    for p in points:
        rest = rest.replace(p.raw, " ")
    rest = re.sub(r"\([^)]*\)", " ", rest)
    return all(w.lower() in _VALUE_WORDS for w in re.findall(r"[A-Za-z]{3,}", rest))


# Words a value cell may hold beside its figure: units, and which way a change went.
_VALUE_WORDS = frozenset("days weeks months hours people per cent percent adults carers down from adverse favourable".split())


def _label_phrase(label: str) -> str:
    """The measure a row's label names, its commas read as part of it ("Permanent admissions to
    residential and nursing care, aged 65+, per 100,000 population")."""
    text = spell_out(re.sub(r",\s", " ", label))
    text = re.sub(rf"\s+(?:{MONTH}|Q[1-4])$", "", text)  # "... (days) Jul | Aug | Sep": the first column's name
    text = re.sub(r"\(((?:aged\s+)?\d\d\s*(?:\+|[-–]\s*\d\d|and over))\)", r" \1 ", text)  # "Older people (65+)"
    # "(Skills for Care)", "(rolling 12 months)", "(YTD)": a source or a note, not the measure.
    text = re.sub(r"\([^()]*\)", " ", text) if re.search(r"[A-Za-z]{3}", re.sub(r"\([^()]*\)", " ", text)) else text
    # "Admissions 65+", "adults 18-64": the age band a label names is part of its measure.
    text = re.sub(r"(?<!aged )\b([1-9]\d)\s*\+", r"aged \1+", text)
    text = re.sub(r"(?<!aged )\b(1[6-9]|[2-9]\d)\s*[-–]\s*([2-9]\d)\b(?!\s*(?:%|days|weeks))", r"aged \1 to \2", text)
    return measure_phrase(text, len(text), len(text))


def _a_threshold(cell: _Cell, points: list) -> bool:
    """"People waiting > 90 days", "Over 6 weeks", "At home 91 days after discharge": a label whose
    time only defines the measure of the cells after it."""
    return all(p.unit in ("days", "weeks", "months", "hours") and (
        re.search(r"(?:[<>≥≤]|\b(?:over|more than|longer than|under|less than|within))\s*$", p.sentence[cell.start:p.start], re.I)
        or re.search(r"[A-Za-z]{3}.*\s$", p.sentence[cell.start:p.start]) and re.search(r"[A-Za-z]{3}", p.sentence[p.start + len(p.raw):cell.end]))
        for p in points)


def _age_band(age: str) -> str:
    """"18-64" as "aged 18 to 64", "65+" as "aged 65+"."""
    age = re.sub(r"^aged\s+", "", age.strip(), flags=re.I)
    return "aged " + re.sub(r"\s*(?:-|–|to)\s*", " to ", re.sub(r"\s*\+", "+", age))


def _place(point, cell: _Cell, column: _Column, label: str, label_text: str, now) -> None:
    """Give a value cell's figure the row's measure and what its column says of it."""
    measure = label
    if column.age and not re.search(r"\baged\b|\d\s*\+|\b\d\d\s*[-–]\s*\d\d\b", label_text):
        measure = _label_phrase(f"{label_text} {_age_band(column.age)}")
    point.measure = f"{column.form} {measure}" if column.form else measure
    if column.subject:
        point.subject = column.subject
        if column.subject in ("england", "region", "comparator") and now is not None and now is not point and now.comparator is None:
            now.comparator = f"{cell.header or _NAMES[column.subject]} {point.raw}"  # "England 92.9%"
    if column.period:
        point.period, point.date = column.period, period_date(column.period)
    if column.earlier:  # "Last quarter: 702": the comparison of the council's figure now
        point.subject, point.is_comparator, point.earlier = "ours", True, True
        if now is not None and now.comparator is None:
            now.comparator = f"{cell.header.lower()} {point.raw}"
    if column.rate and point.unit == "count":
        point.unit = "per 100,000"


def _header_row(cells: list[_Cell], holding: dict) -> tuple[list[_Column], dict[int, str]]:
    """A header row flattened before its rows ("ASCOF measure | 2023/24 | 2024/25 | England
    2024/25 Control over daily life | 75.2% | ..."): the columns it names after its first cell,
    and the label of the first row where it runs on into the last header ({cell id: label})."""
    heads: list[_Column] = []
    for cell in cells[1:]:
        if holding[id(cell)]:
            break
        if cell.text and (column := _column(cell.text)) is not None:
            heads.append(column)
            continue
        words = cell.text.split()
        for k in range(len(words) - 1, 0, -1):
            if words[k][:1].isupper() and (column := _column(" ".join(words[:k]))) is not None:
                return [*heads, column], {id(cell): " ".join(words[k:])}
        break
    return (heads, {}) if len(heads) >= 2 else ([], {})


def read_table_row(sentence: str, points: list) -> None:
    """Give each figure of a table row the measure of the row's label, and the subject or period
    its column names (in place). A sentence that is not such a row is left as it is."""
    if not points or not _CELL_BREAK.search(sentence):
        return
    cells = _cells(sentence, points)
    if len(cells) < 2:
        return
    holding = {id(c): [p for p in points if c.start <= p.start < c.end] for c in cells}
    # The cells that hold only a figure under a column that says whose, when or how: {id: column}.
    values = {id(c): column for c in cells if holding[id(c)] and _only_a_value(c, holding[id(c)])
              and (column := _column(c.header)) is not None}
    labelled = any(":" in c.text and _LABEL_HEADERS.match(c.text.split(":", 1)[0]) for c in cells)
    # "Discharged to usual place of residence: 88.3% | England 92.9%", "Care Act assessments
    # completed: 2024/25 2,880 | 2023/24 2,610": a first cell whose heading names the measure, and
    # cells after it that only say whose figure or when.
    first = cells[0]
    # "Carer satisfaction (SACE, %): Council 38.9; England 36.3": the first cell's figure has a column of its own.
    colon = first.text.find(":")
    inner = sentence[first.start + colon + 1 : holding[id(first)][0].start].strip() if colon >= 0 and holding[id(first)] else ""
    inner_column = _column(inner) if inner else None
    opens = (colon >= 0 and holding[id(first)] and id(first) not in values
             and (_only_a_value(first, holding[id(first)]) or inner_column is not None and inner_column.subject is not None)
             and all(id(c) in values for c in cells[1:] if holding[id(c)]))
    if not values or len(values) < 2 and not labelled and not opens:
        return  # prose with a semicolon, not a row
    now = next((p for c in cells if (v := values.get(id(c))) and v.subject == "ours" and not v.earlier for p in holding[id(c)]), None)
    # "2023/24: 81.2% | 2024/25: 84.0% | Region: 82.5%": else the council's latest period.
    now = now or next((p for c in reversed(cells) if (v := values.get(id(c))) and v.period and not v.subject for p in holding[id(c)]), None)
    label = label_text = unit = None
    if opens:
        label_text = first.text.split(":", 1)[0].strip()
        label, unit = _label_phrase(label_text), label_unit(label_text)
        now = now or holding[id(first)][0]
        for point in holding[id(first)]:
            point.measure = label
            if inner_column is not None and inner_column.subject:
                point.subject = inner_column.subject
            if unit and point.unit == "count" and " " not in point.raw:
                point.unit = unit
            if when := PERIOD.search(first.text.split(":", 1)[1][: point.start - first.start]):
                point.period, point.date = when.group(0), period_date(when.group(0))
            elif point.period and point.period not in first.text:
                point.period, point.date = None, ""  # "...: 631.8; target 600.0; 2023/24 688.4": not the other cell's year
    heads, tails = _header_row(cells, holding)
    pending = None  # "... | Change on 2023/24 | +18%": a cell that only names the column of the next
    nth, latest = 0, None  # the value cells since the last label (to take the header row's columns in turn); the last the council's
    for cell in cells[1 + len(heads) - len(tails) if heads else 0 :]:
        named = ":" in cell.text and _LABEL_HEADERS.match(cell.text.split(":", 1)[0])
        if not holding[id(cell)] and label is not None and id(cell) not in tails and (column := _column(cell.text)) not in (None, _OURS):
            pending = column
            continue
        if named or (not holding[id(cell)] or _a_threshold(cell, holding[id(cell)])) and re.search(r"[A-Za-z]{3}", cell.text):
            # "Measure: People waiting ...": the words after a label header; a cell with no figure
            # of its own is the label of the cells after it.
            label_text = tails.get(id(cell)) or (cell.text.split(":", 1)[1] if named else cell.text).strip()
            label, unit = (_label_phrase(label_text), label_unit(label_text)) if label_text else (None, None)
            nth, latest = 0, None
            continue
        if label is None or id(cell) not in values:
            continue  # before any label, or "Complaints upheld: 58", "38% satisfied": a measure of its own
        column = pending if pending is not None and values[id(cell)] == _OURS else values[id(cell)]
        if column == _OURS and nth < len(heads):
            column = heads[nth]
        pending, nth = None, nth + 1
        for point in holding[id(cell)]:
            # Compared with the council's figure just before it in the row, else the row's.
            _place(point, cell, column, label, label_text, latest or now)
            if column.subject in (None, "ours") and not column.earlier and not column.form:
                latest = point
            if unit and point.unit == "count" and " " not in point.raw:
                point.unit = unit


# "Home care – people awaiting a package: 87; average wait (days): 16.2", "DoLS: received 2,874 |
# completed 2,315": the topic a row of several cells opens with.
_ROW_TOPIC = re.compile(r"^\s*[•*-]?\s*([A-Za-z][\w' /&()+-]{1,40}?)\s*(?:[–—:|]|\s-\s)\s*")
_AGE_BAND = re.compile(r"\(?\b\d\d\s*(?:\+|-\s*\d\d\b)\)?")  # "LD cohort (18+)": whose ages, not a figure


_STEPS = frozenset({"assess", "review"})


def carry_row_topic(sentence: str, points: list) -> None:
    """In a row of several cells that opens with a service ("Home care – ...", "DoLS: ..."), a
    cell that names no service ("average wait (days): 16.2", "completed 2,315") is of that service
    (in place)."""
    if len(points) < 2 or not _CELL_BREAK.search(sentence):
        return
    topic = _ROW_TOPIC.match(sentence)
    if not topic or re.search(r"\d", _AGE_BAND.sub(" ", PERIOD.sub(" ", topic.group(1)))) or len(topic.group(1).split()) > 6:
        return
    cells = _cells(sentence, points)
    if sum(1 for c in cells if any(c.start <= p.start < c.end for p in points)) < 2:
        return
    # Only the service or people it names are carried ("Home care hours delivered per week: ..."
    # carries "home care", "Carers | Known: 4,100 | ..." carers), and to a sum what the sum is
    # ("Savings 2024/25: target £14.5m; delivered £11.2m").
    for table, only_money in ((SERVICE_RE, False), (POPULATION_RE, False), (OTHER_RE[OTHER_NAMES.index("money")], True)):
        found = [m.group(0) for pattern in table.values() if (m := pattern.search(spell_out(topic.group(1))))]
        if not found:
            continue
        for point in points:
            cell = next((c for c in cells if c.start <= point.start < c.end), cells[-1])
            named = {name for name, pattern in table.items() if pattern.search(point.measure) or pattern.search(cell.text)}
            # "DoLS | ... | Awaiting assessment 640": an assessment or review is a step of the row's service.
            if (not only_money or point.kind == "£") and not named - _STEPS and found[0].lower() not in point.measure:
                point.measure = " ".join(f"{found[0].lower()} {point.measure}".split()[:16])


__all__ = ["carry_row_topic", "read_table_row"]
