"""National indicator codes: a performance table often names its measure only by its ASCOF code
("2B(1) 86.7% (Eng 82.1%)", "1A QoL 19.4"). The code's digits are not figures, and the code says
what the figures after it measure.

The meanings are those of the Adult Social Care Outcomes Framework as councils report it
(NHS England's published indicator definitions). Codes whose meaning changed between editions
of the framework, or that name no single measure (a bare "1C", "2A" or "2C"), name nothing here:
the figure's own words decide."""

from __future__ import annotations

import re
from dataclasses import dataclass

from prep_bot.evidence.measures import specific_words

_LD = "adults with a learning disability"
_MH = "adults in contact with secondary mental health services"
MEANINGS: dict[str, str] = {
    "1A": "social care-related quality of life score",
    "1B": "people who use services who have control over their daily life",
    "1C1A": "people who use services who receive self-directed support",
    "1C1B": "carers who receive self-directed support",
    "1C2A": "people who use services who receive direct payments",
    "1C2B": "carers who receive direct payments",
    "1D": "carer-reported quality of life score",
    "1E": f"{_LD} in paid employment",
    "1F": f"{_MH} in paid employment",
    "1G": f"{_LD} who live in their own home or with their family",
    "1H": f"{_MH} who live independently",
    "1I1": "people who use services who have as much social contact as they would like",
    "1I2": "carers who have as much social contact as they would like",
    "2A1": "younger adults aged 18 to 64 whose long-term support needs are met by admission to residential and nursing care homes",
    "2A2": "older people aged 65 and over whose long-term support needs are met by admission to residential and nursing care homes",
    "2B1": "older people at home 91 days after discharge from hospital into reablement",
    "2B2": "older people offered reablement after discharge from hospital",
    "3A": "people who use services who are satisfied with their care and support",
    "3B": "carers who are satisfied with social services",
    "3C": "carers who were included or consulted in discussions about the person they care for",
    "3D1": "people who use services who find it easy to find information about support",
    "3D2": "carers who find it easy to find information about support",
    "4A": "people who use services who feel safe",
    "4B": "people who use services who say those services have made them feel safe and secure",
}
# The admissions indicators are rates, whether or not a table says "per 100,000".
_RATES = frozenset({"2A1", "2A2"})

# "ASCOF 2B(1)", "2B(2)", "1I1", "1C(2A)", "1C part 2A", "3D": a digit and a capital letter, and
# the part of the indicator.
_CODE = re.compile(
    r"(?<![\w/.£-])(?P<code>[1-4][A-J])(?:\s*\(\s*(?P<part>\d[AB]?)\s*\)|(?P<tail>\d)(?![\d.,%])|\s+part\s+(?P<said>\d[AB]?)\b)?"
    r"(?![\w%]|\.\d)")
# What a code stands after: the start of a cell, a clause or a bracket, or the word ASCOF.
_CODE_LEAD = re.compile(r"(?:^|[|;:,(]|\b(?:ASCOF|indicator|measure))\s*$", re.I)


@dataclass(frozen=True)
class Code:
    start: int
    end: int
    meaning: str | None
    rate: bool = False


def codes_in(sentence: str) -> list[Code]:
    """Where indicator codes stand in ``sentence``, each with the measure it names (if one)."""
    found = []
    for m in _CODE.finditer(sentence):
        if not _CODE_LEAD.search(sentence[: m.start()]):
            continue
        part = m.group("part") or m.group("tail") or m.group("said") or ""
        name = m.group("code") + part
        found.append(Code(m.start(), m.end(), MEANINGS.get(name), name in _RATES))
    return found


def blank_codes(sentence: str, codes: list[Code]) -> str:
    """``sentence`` with its codes (and the word ASCOF before them) blanked, so that nothing
    reads a code as a figure or as measure words; every other character keeps its place."""
    chars = list(sentence)
    for code in codes:
        start = code.start
        lead = re.search(r"\bASCOF\s*$", sentence[:start])
        if lead:
            start = lead.start()
        chars[start : code.end] = " " * (code.end - start)
    return "".join(chars)


def code_before(sentence: str, codes: list[Code], start: int) -> Code | None:
    """The code that heads the cell a figure at ``start`` stands in: the nearest before it, with
    no cell break (``|``, ``;``) between."""
    before = [c for c in codes if c.end <= start]
    if not before or re.search(r"[|;]", sentence[before[-1].end : start]):
        return None
    return before[-1]


def name_by_codes(sentence: str, codes: list[Code], points: list) -> None:
    """A figure whose own words say little ("1B control 79.8%", "(Eng 82.1%, SN avg 83.0%)")
    measures what the code heading its cell names, and a bare number under a rate's code is that
    rate (in place)."""
    for point in points:
        code = code_before(sentence, codes, point.start)
        if code and code.meaning and specific_words(point.measure) < 2:
            point.measure = code.meaning
        if code and code.rate and point.unit == "count":
            point.unit = "per 100,000"


__all__ = ["MEANINGS", "Code", "blank_codes", "code_before", "codes_in", "name_by_codes"]
