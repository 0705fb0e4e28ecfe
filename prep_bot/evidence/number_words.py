"""Numbers said in words, as people say them in an interview or type them in an answer:
"seventy-one per cent", "eleven hundred", "two thousand three hundred and forty", "thirty-four
point two", "a hundred and sixty-odd days", "two-eighty" (280). ``spoken_numbers`` finds them in a
sentence with their values; ``word_value`` reads one."""

from __future__ import annotations

import re

UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_TYPOS = {"fourty": "forty"}
_NUMBER_WORDS = UNITS.keys() | TENS.keys() | SCALES.keys() | _TYPOS.keys() | {"hundred"}
# Words a speaker puts in a number without changing it much: "sixty-odd", "nine hundred-ish",
# "a hundred-and-something", "thirty-four point something".
_ROUGH = frozenset({"odd", "ish", "something"})
_TOKEN = re.compile(r"[A-Za-z]+")
_ANY = re.compile(rf"\b(?:{'|'.join(sorted(_NUMBER_WORDS, key=len, reverse=True))})\b", re.I)


def read_cardinal(words: list[str], start: int, article: bool = False) -> tuple[int, int]:
    """(index after the number, its value) for the cardinal number words in ``words`` (lower
    case, one word each) from ``start``; (start, 0) when there is none. "and" inside a number is
    part of it ("one hundred and three"); two numbers in a row are two ("twenty twenty four" reads
    20, then 24). With ``article``, "a" before hundred, thousand, million or billion is one ("a
    hundred and twelve")."""
    total = group = 0
    last = ""  # what the last word taken was: unit, teen, tens, hundred, scale, and
    scale_cap = float("inf")
    i = start
    if article and i + 1 < len(words) and words[i] == "a" and (words[i + 1] == "hundred" or words[i + 1] in SCALES):
        group, last, i = 1, "unit", i + 1
    while i < len(words):
        word = words[i]
        if word in UNITS:
            n = UNITS[word]
            if last in ("unit", "teen") or (last == "tens" and n >= 10) or (last == "tens" and n == 0):
                break
            group += n
            last = "teen" if n >= 10 else "unit"
        elif word in TENS:
            if last in ("unit", "teen", "tens"):
                break
            group += TENS[word]
            last = "tens"
        elif word == "hundred":
            if last not in ("unit", "teen") or group % 100 == 0 or group >= 100:
                break
            group *= 100
            last = "hundred"
        elif word in SCALES:
            scale = SCALES[word]
            if last not in ("unit", "teen", "tens", "hundred") or scale >= scale_cap:
                break
            total += group * scale
            group, last, scale_cap = 0, "scale", scale
        elif word == "and" and last in ("hundred", "scale") and i + 1 < len(words) and (
            words[i + 1] in UNITS or words[i + 1] in TENS
        ):
            last = "and"
        else:
            break
        i += 1
    if last == "and":  # a trailing "and" belongs to the sentence
        i -= 1
    return (i, total + group) if i > start else (start, 0)


def _integer(words: list[str]) -> float | None:
    """A whole number in words, rough words ("odd", "something") aside, with "and a half"."""
    plain = [_TYPOS.get(w, w) for w in words if w not in _ROUGH]
    end, value = read_cardinal(plain, 0, article=True)
    if end == 0:
        return None
    rest: list[str] = plain[end:]
    if rest[:3] == ["and", "a", "half"]:  # "three and a half", "four and a half thousand"
        rest, value = rest[3:], value + 0.5
        if rest and rest[0] in SCALES:
            rest, value = rest[1:], value * SCALES[rest[0]]
    return value if all(w == "and" for w in rest) else None  # "a hundred-and-something"


def word_value(text: str, hyphenated: bool = False) -> float | None:
    """The value of a number said in words (``text`` holds only the number), or None."""
    words = [w.lower() for w in _TOKEN.findall(text)]
    if not words:
        return None
    # "two-eighty", "three-forty", "two-twelve": hundreds said as two numbers.
    if (hyphenated and len(words) == 2 and 0 < UNITS.get(words[0], 0) < 10
            and (words[1] in TENS or 10 <= UNITS.get(words[1], 0) < 20)):
        return UNITS[words[0]] * 100 + UNITS.get(words[1], TENS.get(words[1], 0))
    if "point" in words:
        at = words.index("point")
        whole = _integer(words[:at])
        digits = [str(UNITS[w]) for w in words[at + 1 :] if w in UNITS and UNITS[w] < 10]
        if whole is None:
            return None
        scale = next((SCALES[w] for w in words[at + 1 :] if w in SCALES), 1)  # "three point one million"
        return (float(f"{int(whole)}.{''.join(digits)}") if digits else whole) * scale
    return _integer(words)


def _joins(between: str, word: str, following: str, previous: str = "") -> bool:
    """Whether ``word`` (after ``between`` and the word ``previous``) carries on the number being read."""
    if not re.fullmatch(r"\s+|\s*-\s*", between):
        return False
    if previous in ("thousand", "million") and word in UNITS and not re.match(r"\s*(?:-\s*)?(?:hundred|thousand)\b", following, re.I):
        return False  # "over a thousand two years ago": a thousand, then a time
    if word in _NUMBER_WORDS or word in _ROUGH or word == "half":  # "half" only ever follows "and a"
        return True
    if word == "and":  # "a hundred and thirty", "three and a half", "a hundred-and-something"
        return bool(re.match(rf"\s*(?:-\s*)?(?:a half\b|something\b|(?:{'|'.join(_NUMBER_WORDS)})\b)", following, re.I))
    if word == "a":  # "and a half"
        return bool(re.match(r"\s+half\b", following, re.I))
    if word == "point":
        return bool(re.match(rf"\s+(?:something\b|(?:{'|'.join(UNITS)})\b)", following, re.I))
    return False


def spoken_numbers(sentence: str) -> list[tuple[int, int, float]]:
    """Each number said in words in ``sentence``: (start, end, value). A lone "one" or "a" is no
    number; nor is what a rate is per ("per hundred thousand")."""
    if not _ANY.search(sentence):
        return []  # most sentences: no number word at all
    tokens = list(_TOKEN.finditer(sentence))
    found, n = [], 0
    while n < len(tokens):
        first = tokens[n].group(0).lower()
        starts = first in UNITS or first in TENS or first in _TYPOS or (
            first == "a" and n + 1 < len(tokens) and tokens[n + 1].group(0).lower() in (*SCALES, "hundred")
                                            and re.fullmatch(r"\s+", sentence[tokens[n].end() : tokens[n + 1].start()]))
        before = sentence[: tokens[n].start()]
        if not starts or re.search(r"(?:\bper|[\w-])\s*$", before) and not re.search(r"\s$", before):
            n += 1
            continue
        m = n
        while m + 1 < len(tokens) and _joins(sentence[tokens[m].end() : tokens[m + 1].start()],
                                              tokens[m + 1].group(0).lower(), sentence[tokens[m + 1].end() :],
                                              tokens[m].group(0).lower()):
            m += 1
        if re.search(r"\bper\s+$", before, re.I):
            n = m + 1  # "per hundred thousand": what a rate is per
            continue
        # A number ends on a number word or a rough one: not on "and", "a" or "point".
        while m > n and tokens[m].group(0).lower() in ("and", "a", "point"):
            m -= 1
        start, end = tokens[n].start(), tokens[m].end()
        text = sentence[start:end]
        value = word_value(text, hyphenated=m == n + 1 and "-" in sentence[tokens[n].end() : tokens[m].start()])
        if value is not None and value >= 1:
            found.append((start, end, value))
        n = m + 1
    return found


def in_digits(text: str) -> str:
    """``text`` with each number said in words (but a lone "one") written in digits."""
    for start, end, value in reversed(spoken_numbers(text)):
        if value >= 2 or end - start > 4:
            text = f"{text[:start]}{value:.10g}{text[end:]}"
    return text


# A share said in words: "seven in ten", "eight out of ten", "a third", "two thirds", "about half".
_FRACTIONS = {"half": 1 / 2, "third": 1 / 3, "thirds": 1 / 3, "quarter": 1 / 4, "quarters": 1 / 4,
              "fifth": 1 / 5, "fifths": 1 / 5, "tenth": 1 / 10, "tenths": 1 / 10}
_SHARE = re.compile(
    r"\b(?P<n>one|two|three|four|five|six|seven|eight|nine|\d)\s+(?:in|out of)\s+"
    r"(?P<of>two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|fifty|hundred|\d{1,3})\b"
    r"(?!\s+(?:minutes?|hours?|days?|weeks?|months?|years?|working)\b)"
    r"|\b(?P<count>a|one|two|three|four)[\s-](?P<part>thirds?|quarters?|fifths?|tenths?)\b(?!\s+(?:of an? )?(?:hour|day|week|month|year|mile))"
    # ... a share of people, said as what they did: not "300 reviews a quarter".
    r"(?=\s+(?:of|were|are|was|is|become|became|said|say|have|had|get|got|go|went|do|did|felt|feel|end|ended|still|now|"
    r"would|will|could|can|need|needed|received|rated|upheld|resolved|returned|live|lived|stay|stayed|come|came|"
    r"leave|left|move|moved|use|used|want|wanted|wait|waited|are|end up|ended up)\b)"
    r"|\b(?:(?:about|around|roughly|nearly|almost|over|under|more than|less than|just over|just under|only|barely)\s+)"
    r"(?P<half>half)\b(?!\s+(?:an?|the) (?:hour|day|week|month|year|time|term))"
    r"|\b(?P<half_of>half)(?=\s+of\s+(?:the|our|all|them|those|these|people|carers|adults|staff|referrals|cases|residents|\w+s)\b)",
    re.I,
)


def spoken_shares(sentence: str) -> list[tuple[int, int, float]]:
    """Each share said in words in ``sentence``: (start, end, per cent). "seven in ten" is 70,
    "a third" 33.3, "two thirds" 66.7, "about half" 50."""
    out = []
    for m in _SHARE.finditer(sentence):
        if m.group("n"):
            n = m.group("n").lower()
            whole = m.group("of").lower()
            value = 100 * (int(n) if n.isdigit() else UNITS[n]) / (int(whole) if whole.isdigit() else UNITS.get(whole, 100))
        elif m.group("part"):
            count = m.group("count").lower()
            value = 100 * UNITS.get(count, 1) * _FRACTIONS[m.group("part").lower()]
        else:
            value = 50.0
        if re.search(r"(?:\d[\d,]*\s+[A-Za-z]+|\b(?:per|each|every|once|twice|times))\s+$", sentence[: m.start()], re.I):
            continue  # "300 reviews a quarter", "once a quarter": how often, not a share
        if 0 < value <= 100:
            out.append((m.start(), m.end(), round(value, 1)))  # "about half": the hedge is part of what was said
    return out


__all__ = ["in_digits", "spoken_numbers", "spoken_shares", "word_value"]

