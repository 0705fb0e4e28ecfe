"""What the figure models read of a figure and of a pair of figures (evidence/figure_model.py):
its unit, size, cue words and the words around it; for a pair, how alike their measures and
contexts are and whether they plainly name different events or services."""

from __future__ import annotations

import functools
import math
import re

import numpy as np

from prep_bot.evidence.figure_units import bare
from prep_bot.evidence.figures import SUBJECTS, DataPoint, content_words
from prep_bot.evidence.measure_parts import agreement, conflicts, parts_of
from prep_bot.evidence.measures import is_threshold
from prep_bot.evidence.subject_cues import subject_cue

KINDS = ("%", "£", "time", "count", "per 100,000", "fraction")
_META_WORDS = re.compile(
    r"\b(?:on[- ]site|visit(?:ed|s)?|interview(?:s|ed)?|focus groups?|peer (?:team|challenge|review|reviewers?)|inspectors?|"
    r"documents?|pages?|appendix|contents|chapter|report|experience|combined|hours|spent|met|spoke|conversations?|"
    r"audited|case files?|tel(?:ephone)?|e-?mail|contact|members|act|survey responses|respondents|sessions|attended)\b",
    re.I,
)
_PERF_WORDS = re.compile(
    r"\b(?:wait(?:s|ed|ing)?|completed|within|rate|average|people|carers?|residents|admi(?:tted|ssions)|reviews?|"
    r"assessments?|satisf(?:ied|action)|safe|home|discharge|reablement|vacanc(?:y|ies)|turnover|spend|budget|"
    r"placements?|enquir(?:y|ies)|concerns?|referrals?|direct payments?|rated|good|outstanding|per 100,000|increase|"
    r"decrease|fell|rose|improved)\b",
    re.I,
)
_THRESHOLD_BEFORE = re.compile(r"\b(?:within|after|longer than|more than|over|under|beyond|at least|for more than|following)\s*$", re.I)


# -- features ---------------------------------------------------------------------------------
def window_text(point: DataPoint) -> str:
    """The words around the figure with the figure in place (what the embedding reads)."""
    return point.window.replace("…", point.raw, 1) if "…" in point.window else f"{point.raw} {point.window}"


def _kind(point: DataPoint) -> str:
    return "fraction" if point.unit.startswith("of ") else point.kind


def simple_features(point: DataPoint) -> np.ndarray:
    """Unit, size, cue words and the rule-based subject, as numbers."""
    sentence, start = point.sentence, point.start
    before, after = sentence[max(0, start - 60) : start], sentence[start + len(point.raw) : start + len(point.raw) + 60]
    window = window_text(point)
    value = point.value
    feats = [1.0 if _kind(point) == k else 0.0 for k in KINDS]
    feats += [
        math.log10(abs(value) + 1) / 4,
        1.0 if float(value).is_integer() else 0.0,
        1.0 if value and value % 5 == 0 else 0.0,
        1.0 if point.period else 0.0,
        1.0 if point.comparator else 0.0,
        1.0 if point.is_comparator else 0.0,
        min(len(_META_WORDS.findall(window)), 3) / 3,
        min(len(_PERF_WORDS.findall(window)), 3) / 3,
        min(len(_META_WORDS.findall(before)), 2) / 2,
        min(len(_PERF_WORDS.findall(after)), 2) / 2,
        0.0,  # (was "within|after" before it: is_threshold below reads that better)
        3.0 if is_threshold(sentence, start, point.unit) else 0.0,  # weighed up: the clearest cue there is
        1.0 if re.search(r"\d\s?(?:%|per ?cent)", sentence[: start]) else 0.0,  # a rate before it in the sentence
        1.0 if point.noun in ("people", "person", "carer", "resident", "adult", "") else 0.0,
        1.0 if point.start < 3 else 0.0,
        min(len(sentence.split()), 60) / 60,
    ]
    cue = subject_cue(sentence, start, start + len(point.raw))
    feats += [1.0 if cue == s else 0.0 for s in SUBJECTS]
    feats += [1.0 if point.subject == s else 0.0 for s in SUBJECTS]
    return np.array(feats, dtype=np.float32)


_TIMED = re.compile(
    r"\b(?:wait\w*|delay\w*|took|takes?|taking|timescales?|installed|fitted|completed|delivered|answered|responded|"
    r"start(?:ed|s)?|goes in|go in|put in)\b[^.;:]{0,40}$",
    re.I,
)


def _measured_time(point: DataPoint) -> bool:
    """A time that people wait or a service takes ("installed within ten weeks", "waited 76
    days"), not a threshold and not the report's own (days on site, hours spent)."""
    if point.kind != "time" or is_threshold(point.sentence, point.start, point.unit):
        return False
    before = point.sentence[max(0, point.start - 60) : point.start]
    if point.unit == "hours" and _care_hours(point):
        return True
    return bool(_TIMED.search(before)) and not _META_WORDS.search(before)


# Hours of care, delivered or not: "1,850 hours a week could not be sourced", "Home care hours
# delivered (weekly avg) | 19,870" (the peer team's hours on site are the report's own).
_CARE_HOURS = re.compile(r"\b(?:home ?care|domiciliary|care hours|hours of (?:home |domiciliary )?care|unmet|unsourced|"
                         r"commissioned|sourced|packages?|brokerage|care (?:delivered|provided))\b", re.I)
_VISIT_WORDS = re.compile(r"\b(?:on[- ]site|interview\w*|peer (?:team|challenge|review\w*)|inspectors?|spent|visit\w*|"
                          r"reading|documents?|meetings?|sessions?|training|volunteer\w*)\b", re.I)


def _care_hours(point: DataPoint) -> bool:
    end = point.start + len(point.raw)
    around = point.sentence[max(0, point.start - 80) : point.start] + " " + point.sentence[end : end + 60]
    return bool(_CARE_HOURS.search(around)) and not _VISIT_WORDS.search(around)


# The size of the area, not how its services do: "a county of 245,000 people", "a population of
# 318,000", "17% of the local population" (a share of all residents, not of a service's people).
_AREA_BEFORE = re.compile(r"\b(?:county|borough|city|district|area|(?<!carer )population|census)(?: population)? of (?:about |around |some |roughly |over |nearly )?$", re.I)
_AREA_AFTER = re.compile(r"^\s?(?:%\s)?(?:of (?:the |our |its |their )?(?:local |area's |county's |borough's |city's |whole |total |adult )?population\b|"
                         r"(?:people |adults )?(?:residents|live in (?:the|our) (?:county|borough|city|district|area))\b)", re.I)


def area_size(point: DataPoint) -> bool:
    """Whether a figure is the size of the area's population (context, never a performance figure)."""
    before = point.sentence[max(0, point.start - 40) : point.start]
    after = point.sentence[point.start + len(point.raw) : point.start + len(point.raw) + 40]
    raw_rest = point.raw[len(point.raw.split()[0]):]  # "245,000 people": the word after the number
    return bool(_AREA_BEFORE.search(before) or _AREA_AFTER.match(raw_rest + after))


# "Overall score: 22 out of 36 (61%)", "Assessing needs - Score: 2": the assessment's own scores.
_ASSESSMENT_SCORE = re.compile(r"\b(?:overall|total) score\b[^.;|]{0,30}$|\bout of 36\b[^.;|]{0,6}$", re.I)
_STATEMENT_SCORE = re.compile(r"\bscore\s*:\s*$", re.I)


def assessment_score(point: DataPoint) -> bool:
    """Whether a figure is a score the assessment gave (report metadata, never performance)."""
    before = point.sentence[max(0, point.start - 50) : point.start]
    after = point.sentence[point.start + len(point.raw) : point.start + len(point.raw) + 12]
    return bool(_ASSESSMENT_SCORE.search(before) or re.match(r"\s*out of 36\b", after)
                or _STATEMENT_SCORE.search(before) and point.value <= 4 and point.unit == "count")


def _left_text(point: DataPoint) -> str:
    return " ".join(point.sentence[max(0, point.start - 80) : point.start].split()[-8:]) + f" {point.raw}"


HASHED_FEATURES = 2**11
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def _murmur3_32(data: bytes) -> int:
    """MurmurHash3 (x86, 32 bits, seed 0) as a signed integer: the hash scikit-learn's
    HashingVectorizer puts words in buckets with."""
    c1, c2, mask = 0xCC9E2D51, 0x1B873593, 0xFFFFFFFF
    h, n = 0, len(data)
    for i in range(0, n - n % 4, 4):
        k = (int.from_bytes(data[i:i + 4], "little") * c1) & mask
        k = (((k << 15) | (k >> 17)) & mask) * c2 & mask
        h ^= k
        h = ((((h << 13) | (h >> 19)) & mask) * 5 + 0xE6546B64) & mask
    tail = data[n - n % 4:]
    if tail:
        k = 0
        for j, byte in enumerate(tail):
            k ^= byte << (8 * j)
        k = (k * c1) & mask
        h ^= (((k << 15) | (k >> 17)) & mask) * c2 & mask
    h ^= n
    h = ((h ^ (h >> 16)) * 0x85EBCA6B) & mask
    h = ((h ^ (h >> 13)) * 0xC2B2AE35) & mask
    h ^= h >> 16
    return h - (1 << 32) if h >= 1 << 31 else h


def _hashed(texts: list[str]) -> np.ndarray:
    """Each text's words and word pairs hashed into 2,048 buckets, counted and scaled to unit
    length: what scikit-learn's HashingVectorizer(n_features=2**11, ngram_range=(1, 2),
    alternate_sign=False, norm="l2") gives, without importing scikit-learn (a command that reads
    the shipped models starts faster; a test checks the two agree)."""
    out = np.zeros((len(texts), HASHED_FEATURES), dtype=np.float64)
    for row, text in enumerate(texts):
        words = _TOKEN.findall(text.lower())
        for term in [*words, *(f"{a} {b}" for a, b in zip(words, words[1:]))]:
            h = _murmur3_32(term.encode("utf-8"))
            index = (2147483647 - (HASHED_FEATURES - 1)) % HASHED_FEATURES if h == -(1 << 31) else abs(h) % HASHED_FEATURES
            out[row, index] += 1.0
        norm = np.sqrt((out[row] ** 2).sum())
        if norm:
            out[row] /= norm
    return out


# What happens to people in a measure, and which service it is about: two measures naming
# different ones ("waiting" against "admitted"; "home care" against "nursing care") differ.
_STATES = {
    "wait": r"wait|waits|waited|waiting|awaiting|delay|delays|delayed|backlog|queue|list",
    "admit": r"admitted|admission|admissions|placed|placement|placements|moved into",
    "complete": r"completed|complete|done|finished|concluded|closed|authorisations?|authorised|installed|fitted|installation|delivered",
    "receive": r"received|receiving|contacts?|referrals?|referred|requests?|concerns|calls",
    "start": r"commenc\w*|started|starting|began|new (?:home ?care )?packages?",
    "satisfied": r"satisfied|satisfaction|happy",
    "safe": r"feel safe|felt safe|feeling safe",
    "staff": r"vacancy|vacancies|vacant|turnover|sickness|caseloads?|agency|posts",
    "money": r"spend|spent|spends|cost|costs|budget|overspend|savings|saving|rate an hour|fee",
    "rated": r"rated|ratings?",
    "home": r"still at home|at home 91|remain(?:ing)? at home|stay(?:ed)? at home",
    "age": r"(?:over|under) \d\d|years old|aged \d\d",
}
_SERVICES = {
    "homecare": r"home care|homecare|care at home|domiciliary|home-care",
    "carehome": r"residential|nursing|care homes?",
    "mh": r"mental health",
    "reablement": r"reablement|intermediate care",
    "carers": r"carers?'?",
    "adapt": r"adaptations?|equipment|occupational therap|stair ?lifts?|ramps?|grab rails?|disabled facilities",
    "dols": r"deprivation of liberty|liberty safeguards|\bDoLS\b",
    "safeguarding": r"safeguarding|section 42",
    "assess": r"care act assessments?|assessments? of need|\bassessments?\b",
    "review": r"\breviews?\b|reviewed",
    "dp": r"direct payments?",
    "hospital": r"hospital|discharges?",
    "frontdoor": r"front door|transfer to other teams|first point of contact",
}
_STATE_RE = {k: re.compile(rf"\b(?:{v})\b", re.I) for k, v in _STATES.items()}
_SERVICE_RE = {k: re.compile(rf"(?:{v})", re.I) for k, v in _SERVICES.items()}


_GROUP_TABLES = {"state": _STATE_RE, "service": _SERVICE_RE}


@functools.lru_cache(maxsize=32768)
def _groups(text: str, table: str) -> frozenset[str]:
    """The states ("state") or services ("service") a measure phrase names (remembered)."""
    return frozenset(k for k, pattern in _GROUP_TABLES[table].items() if pattern.search(text))


def names_other_things(a: DataPoint, b: DataPoint) -> bool:
    """Whether two measures plainly differ in a part (``measure_parts``): what is counted
    ("waiting" against "admitted"), the service ("home care" against "mental health
    services"), the people (carers against people who use services), the window ("within 21
    days" against "within 28 days") or the form (the longest wait against the usual one, a
    change against a level): never the same measure."""
    return bool(conflicts(parts_of(a), parts_of(b)))


def _conflict(a: set[str], b: set[str]) -> float:
    """1 when both name some and share none; -1 when they share one; 0 when either names none."""
    if not a or not b:
        return 0.0
    return -1.0 if a & b else 1.0


def pair_features(a: DataPoint, b: DataPoint, va: dict, vb: dict, by_value: bool = True) -> np.ndarray:
    """Features of a pair of figures for the same-measure model. ``va``/``vb`` hold the vectors
    of each figure's measure phrase (``"measure"``) and context (``"window"``). ``by_value``
    False: how far apart the values are is left out (read as alike), for a figure someone said,
    whose value is the very thing being checked."""
    wa, wb = content_words(a.measure), content_words(b.measure)
    ca, cb = content_words(a.window), content_words(b.window)
    na, nb = re.findall(r"\d+", a.measure), re.findall(r"\d+", b.measure)
    noun = 0.0 if not (a.noun and b.noun) else (1.0 if a.noun == b.noun else -1.0)
    cm, cw = float(va["measure"] @ vb["measure"]), float(va["window"] @ vb["window"])
    return np.array([
        cm,
        cw,
        cm * cw,
        max(cm, cw),
        len(wa & wb) / max(1, len(wa | wb)),
        len(ca & cb) / max(1, len(ca | cb)),
        1.0 if a.unit == b.unit else 0.0,
        1.0 if _kind(a) == _kind(b) else 0.5 if bare(a) != bare(b) else 0.0,  # a bare number names no unit
        noun,
        1.0 if na and nb and set(na) != set(nb) else 0.0,
        1.0 if a.unit.startswith("of ") and b.unit.startswith("of ") and a.unit != b.unit else 0.0,
        1.0 if a.subject == b.subject else 0.0,
        _conflict(_groups(a.measure, "state"), _groups(b.measure, "state")),
        _conflict(_groups(a.measure, "service"), _groups(b.measure, "service")),
        *agreement(parts_of(a), parts_of(b)),
        *(_apart(a, b) if by_value else (0.0, 0.0)),
    ], dtype=np.float32)


_FAR = np.log(50.0)


def without_values(P: np.ndarray) -> np.ndarray:
    """Pair features as ``pair_features(..., by_value=False)`` gives them: the last two, how far
    apart the values are, read as alike."""
    out = P.copy()
    out[..., -2:] = 0.0
    return out


def _apart(a: DataPoint, b: DataPoint) -> tuple[float, float]:
    """How many times apart two values of one kind are, on a log scale (0 alike, 1 fifty times or
    more), for one subject and for two: 80% living in their own home and 5% in paid work, 588 and
    15 admissions per 100,000 (older and younger adults) are seldom one measure; England's count
    is another scale from a council's anyway."""
    if _kind(a) != _kind(b) or _kind(a) == "fraction":
        return 0.0, 0.0
    x, y = abs(a.comparable_value()), abs(b.comparable_value())
    far = min(1.0, abs(float(np.log(max(x, 1e-3) / max(y, 1e-3)))) / _FAR) if x and y else 0.0
    return (far, 0.0) if a.subject == b.subject else (0.0, far)
