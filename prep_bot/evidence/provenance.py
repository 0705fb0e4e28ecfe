"""Where a document comes from and how old it is: the council it is about, what kind of
document it is, its date, and whether that date is too old to quote as current.

Council names are compared by a key that ignores case, hyphens and the kind of council
("Stockton on Tees" and "Stockton-on-Tees Borough Council" are one council). Dates are read
from the title lines of a document ("Final report: February 2024", "Published: 9 May 2025",
"December 2015") and kept as "YYYY-MM-DD" or "YYYY-MM".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)
_MONTH_ALT = "|".join(m.capitalize() + ("" if len(m) <= 4 else f"|{m[:3].capitalize()}") for m in MONTHS) + "|Sept"
_MONTH_NUM = {m: i for i, m in enumerate(MONTHS, 1)} | {m[:3]: i for i, m in enumerate(MONTHS, 1)} | {"sept": 9}

# Kinds of council, longest first, stripped from the end (or the start) of a name for its key.
_KINDS_AFTER = (
    "metropolitan borough council", "metropolitan district council", "royal borough council",
    "borough council", "county borough council", "county council", "city council", "district council",
    "city and county council", "council",
)
_KINDS_BEFORE = ("london borough of", "royal borough of", "city of", "borough of", "county of", "the")

# "<Name> [City|Borough|County|...] Council" as it stands in a title line.
_NAME_WORD = r"[A-Z][\w'’.]*"
_JOINER = r"(?:on|upon|in|and|le|under|with|next|the|of|&)"
_COUNCIL = re.compile(
    rf"\b((?:(?:London|Royal) Borough of |City of )?{_NAME_WORD}(?:[ -](?:{_NAME_WORD}|{_JOINER}))*?"
    rf"(?: (?:Metropolitan Borough|Metropolitan District|County Borough|Royal Borough|City and County|Borough|County|City|District))?"
    rf" Council)\b"
)
_COUNCIL_PREFIXED = re.compile(rf"\b((?:London|Royal) Borough of {_NAME_WORD}(?:[ -](?:{_NAME_WORD}|{_JOINER}))*)")
# Words that may begin a matched name but are not part of it ("Report to Harnby Council").
_LEADING_NOISE = re.compile(
    r"^(?:(?:The|A|An|Report|Final|Draft|Adult|Social|Care|Peer|Challenge|Feedback|Preparation|For|Assurance|To|Of|"
    r"Local|Authority|Assessment|Self|Annual|Cabinet|Scrutiny|Committee|Our|This|By|At|In|How|Why|What|Where|When|"
    r"Which|Who)[ -])+"
)
# "the Leader of the Council", "Chair of the Council": a role, not a council's name.
_A_ROLE = re.compile(r"\b(?:of|the) Council$")
_NOT_A_COUNCIL = {"", "the", "county", "borough", "city", "district", "local", "parish", "town"}

_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_ALT})\.?,?\s+((?:19|20)\d\d)\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,\s+((?:19|20)\d\d)\b", re.I)
_MONTH_YEAR = re.compile(rf"\b({_MONTH_ALT})\.?,?\s+((?:19|20)\d\d)\b", re.I)
_ISO = re.compile(r"\b((?:19|20)\d\d)-(\d\d)(?:-(\d\d))?\b")
_LABELLED = re.compile(
    r"\b(published|publication date|date published|final report|report date|date of report|date|updated|"
    r"last updated|issued|assessment date|dated)\b\s*(?:on)?\s*[:\-–]?\s*",
    re.I,
)
# A line saying when the document was published: the strongest date a page has (CQC pages say
# "Published 12 March 2025" or "Report published: ...", often in a footer).
_PUBLISHED = re.compile(
    r"\b(?:(?:report|assessment|page|first|date)\s+)?(?:published|publication date|date of publication|last updated|updated|issued)"
    r"\b\s*(?:on)?\s*[:\-–]?\s*",
    re.I,
)
# When the assessment or visit took place: a date range whose end is the date.
_ASSESSED = re.compile(r"\b(?:date of (?:assessment|visit|inspection)|assessment (?:date|period)|on-site visit|site visit)s?\b\s*[:\-–]?\s*", re.I)
_FINANCIAL_YEAR = re.compile(r"\b(20\d\d)\s?/\s?(\d\d)\b")
TAIL_LINES = 25  # a page's footer: where "Page last updated" and the like stand
SHORT_LINE = 14  # words: a title line, not a sentence of prose that happens to end with a date
TITLE_LINES = 25  # how far into a document its title lines may run
_MANIFEST_DATE = re.compile(r"^((?:19|20)\d\d)(?:-(\d\d)(?:-(\d\d))?)?$")


# -- councils --------------------------------------------------------------------------------
def council_key(name: str | None) -> str:
    """A council's name reduced for comparison: lower case, hyphens as spaces, without the
    kind of council. ``""`` for no council; ``"all"`` stays ``"all"``."""
    text = re.sub(r"[\s\-–_]+", " ", (name or "").lower().replace("’", "'")).strip(" .,:;")
    text = text.replace("&", "and")
    for kind in _KINDS_BEFORE:
        if text.startswith(kind + " "):
            text = text[len(kind) + 1 :]
    for kind in _KINDS_AFTER:
        if text.endswith(" " + kind) or text == kind:
            text = text[: -len(kind)].strip()
            break
    return text if text not in _NOT_A_COUNCIL else ""


def same_council(a: str | None, b: str | None) -> bool:
    return bool(council_key(a)) and council_key(a) == council_key(b)


def detect_council(lines: Iterable[str]) -> str:
    """The council a document is about, from its title lines ("Sunderland City Council: local
    authority assessment", "Harnby Metropolitan Borough Council"); ``""`` when none names one."""
    for line in _title_lines(lines):
        # A title set in capitals ("HALLOWMERE COUNTY COUNCIL") is read as its words.
        letters = [c for c in line if c.isalpha()]
        if letters and sum(c.isupper() for c in letters) > 0.8 * len(letters):
            line = line.title()
        for pattern in (_COUNCIL_PREFIXED, _COUNCIL):
            for match in pattern.finditer(line):
                name = _LEADING_NOISE.sub("", match.group(1)).strip()
                if council_key(name) and not _A_ROLE.search(name):
                    return name
    return ""


# -- kind ------------------------------------------------------------------------------------
# What a report says it is, in its file name and title, else in its opening lines. A peer
# challenge report mentions the council's self-assessment and CQC, and a self-assessment
# mentions CQC, so the most specific kind is asked first; in the opening lines a self-assessment
# has to call itself one ("our self-assessment"), as a CQC report cites the council's.
_NAMED = (
    ("peer-challenge", re.compile(r"\bpeer (?:challenge|review)\b")),
    ("self-assessment", re.compile(r"\bself assessment\b")),
    ("cqc-assessment", re.compile(r"\bcqc\b|\blocal authority assessment\b")),
)
_OPENING = (
    _NAMED[0],
    ("self-assessment", re.compile(r"\b(?:our|this) (?:(?!assessment|authority)[a-z']+ ){0,6}self assessment\b")),
    ("cqc-assessment", re.compile(r"\blocal authority assessment\b|\bcare quality commission\b|\bcqc\b")),
)


def detect_doc_type(name: str, title: str, lines: Iterable[str] = (), tabular: bool = False) -> str:
    """The kind of a report: "data" for a spreadsheet; else the first kind its file name and
    title name, then its headings among the opening lines ("OUR ADULT SOCIAL CARE
    SELF-ASSESSMENT"), then its opening prose ("Colbourne County Council asked the LGA to carry
    out a peer challenge ..."); "other" when none does."""
    if tabular:
        return "data"
    opening = _title_lines(lines)
    headings = " | ".join(line for line in opening if len(line.split()) <= SHORT_LINE and not line.endswith("."))
    for text, kinds in ((f"{name} {title}", _NAMED), (headings, _NAMED), (" ".join(opening), _OPENING)):
        text = re.sub(r"[-_]", " ", text.lower())
        for kind, pattern in kinds:
            if pattern.search(text):
                return kind
    return "other"


# -- dates -----------------------------------------------------------------------------------
def normalise_date(value: object) -> str:
    """A manifest or flag date as "YYYY-MM-DD", "YYYY-MM" or "YYYY"; ``""`` when it is none."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    m = _MANIFEST_DATE.match(text)
    if m:
        return "-".join(part for part in m.groups() if part)
    return _find_date(text) or ""


def detect_date(lines: Iterable[str]) -> str:
    """The document's date from its title lines: a labelled date ("Published: 9 May 2025",
    "Final report: February 2024") first, else the first line that is a date on its own or ends
    with one ("December 2015", "..., March 2025"). ``""`` when there is none."""
    head = _title_lines(lines)
    for line in head:
        label = _LABELLED.search(line)
        if label and label.start() <= 30:  # "Published: ...", not "out of date, as it covered ... March 2024"
            found = _find_date(line[label.end() :])
            if found:
                return found
    for line in head:
        stripped = line.strip(" .,:;()[]")
        found = _find_date(stripped)
        if not found:
            continue
        rest = _strip_dates(stripped)
        # The date is the line, or closes a short title line ("Peer challenge report, March
        # 2025"); a sentence of prose ending "... up to March 2024" is no date of the document.
        if len(rest.split()) <= 2 or (
            len(stripped.split()) <= SHORT_LINE and re.search(rf"(?:{_MONTH_ALT})\.?,?\s+(?:19|20)\d\d\s*$", stripped)
        ):
            return found
    return ""


def document_date(lines: Iterable[str], today: date | None = None) -> str:
    """The date of a document with no manifest entry, from all its lines: its publication line
    ("Published 12 March 2025", "Report published", "Page last updated", in its title lines or
    its footer) first; then when it was assessed (the end of "Date of assessment: ... to ...");
    then its title lines (``detect_date``); else the latest period it reports ("June 2024",
    "2023/24" ends in March 2024), never the first month it happens to mention."""
    every = [" ".join(str(line).split()) for line in lines]
    every = [line for line in every if line]
    ends = every[:TITLE_LINES] + every[-TAIL_LINES:] if len(every) > TITLE_LINES else every
    for pattern in (_PUBLISHED, _ASSESSED):
        for line in ends:
            label = pattern.search(line)
            if label and label.start() <= 30:  # a label that opens its line, not a word in prose
                found = _last_date(line[label.end() :]) if pattern is _ASSESSED else _find_date(line[label.end() :])
                if found:
                    return found
    found = detect_date(every)
    if found:
        return found
    return latest_period(every, today)


def latest_period(lines: Iterable[str], today: date | None = None) -> str:
    """The latest month or financial year a text reports, not later than ``today``."""
    limit = (today or date.today()).strftime("%Y-%m")
    best = ""
    for line in lines:
        for m in _MONTH_YEAR.finditer(line):
            when = f"{int(m.group(2)):04d}-{_MONTH_NUM[m.group(1).lower().rstrip('.')]:02d}"
            if best < when <= limit:
                best = when
        for m in _FINANCIAL_YEAR.finditer(line):
            start, end = int(m.group(1)), int(m.group(2))
            if end == (start + 1) % 100:
                when = f"{start + 1:04d}-03"
                if best < when <= limit:
                    best = when
    return best


def _last_date(text: str) -> str | None:
    """The last date in ``text`` ("10 March 2025 to 14 March 2025" -> 2025-03-14)."""
    found = [(m.end(), -m.start()) for p in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _MONTH_YEAR, _ISO) for m in p.finditer(text)]
    return _find_date(text[-max(found)[1] :]) if found else None


def _find_date(text: str) -> str | None:
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy")):
        m = pattern.search(text)
        if m:
            parts = dict(zip(order, m.groups()))
            day, month, year = int(parts["d"]), _MONTH_NUM[parts["m"].lower().rstrip(".")], int(parts["y"])
            if 1 <= day <= 31:
                return f"{year:04d}-{month:02d}-{day:02d}"
    m = _MONTH_YEAR.search(text)
    if m:
        return f"{int(m.group(2)):04d}-{_MONTH_NUM[m.group(1).lower().rstrip('.')]:02d}"
    m = _ISO.search(text)
    if m and 1 <= int(m.group(2)) <= 12:
        return "-".join(part for part in m.groups() if part)
    return None


def _strip_dates(text: str) -> str:
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _MONTH_YEAR, _ISO):
        text = pattern.sub(" ", text)
    return text.strip(" .,:;-–")


def _title_lines(lines: Iterable[str]) -> list[str]:
    out = []
    for line in lines:
        line = " ".join(str(line).split())
        if line:
            out.append(line)
        if len(out) >= TITLE_LINES:
            break
    return out


def parse(value: str | None) -> date | None:
    """A stored date as a ``date`` (the first of the month or year when only those are known)."""
    m = _MANIFEST_DATE.match((value or "").strip())
    if not m:
        return None
    year, month, day = m.groups()
    try:
        return date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None


def age_years(value: str | None, today: date | None = None) -> float | None:
    when = parse(value)
    if when is None:
        return None
    return max(0.0, ((today or date.today()) - when).days / 365.25)


def is_dated(value: str | None, stale_years: float, today: date | None = None) -> bool:
    """True when the evidence is older than ``stale_years`` (unknown dates are not called old)."""
    age = age_years(value, today)
    return age is not None and age > stale_years


def display_date(value: str | None) -> str:
    """ "May 2025", "9 May 2025" or "2025" for a stored date; "" when unknown."""
    m = _MANIFEST_DATE.match((value or "").strip())
    if not m:
        return ""
    year, month, day = m.groups()
    if not month:
        return year
    name = MONTHS[int(month) - 1].capitalize() if 1 <= int(month) <= 12 else ""
    return " ".join(part for part in (str(int(day)) if day else "", name, year) if part)
