"""Spoken numbers as figures: a transcript's "ninety one days" becomes "91 days", "eighty two
point four per cent" "82.4%", "one point nine million pounds" "£1.9 million", "twenty twenty four"
"2024", "one in five" "1 in 5", so that the coach finds and checks the same figures in a spoken
answer as in the same answer typed.

Written the way reports and typed answers write numbers: one to nine stay words unless they
measure something ("four weeks" -> "4 weeks", "two per cent" -> "2%", "one in five" -> "1 in
5", but "one woman", "two teams" stay); "one" stays a word unless it is part of a figure
("one point five", "one in five", "one per cent"); fractions of a whole ("half of the people",
"three quarters", "a third") stay words, as reports write them, so that "about half" is never
checked as if it were exactly 50%; "and a half" inside a number is a decimal ("two and a half
weeks" -> "2.5 weeks"); ordinals become figures only where they are numbers (a date, "the
twenty third") and "the first time", "a second assessment" stay words. Digits the transcript
already has are kept; "82.4 percent" becomes "82.4%".

The grammar of English cardinal numbers (``read_cardinal``) lives with the figures
(prep_bot.evidence.number_words), which read numbers typed in words with it too; the word error
rate's normaliser (prep_bot.evals.speech) shares it."""

from __future__ import annotations

import re

from prep_bot.evidence.number_words import SCALES, TENS, UNITS, read_cardinal

_DIGIT_WORDS = {**{w: n for w, n in UNITS.items() if n < 10}, "oh": 0, "nought": 0}
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70,
    "eightieth": 80, "ninetieth": 90, "hundredth": 100,
}
MONTHS = {m.lower() for m in (
    "January February March April May June July August September October November December".split())}
# What a small number measures when it is a figure: "four weeks", "two per cent", "six pounds".
MEASURES = {
    "day", "days", "week", "weeks", "month", "months", "year", "years", "hour", "hours", "minute", "minutes",
    "second", "seconds", "percent", "per", "pounds", "pound", "million", "billion", "thousand", "hundred",
    "times", "fold",
}


# --- the transcript, word by word ------------------------------------------------------------------

_TOKEN = re.compile(r"£|%|\d+(?:,\d{3})*(?:\.\d+)?|[A-Za-z]+(?:'[A-Za-z]+)?")
_JOINS = re.compile(r"[\s-]*")  # what may stand between two words of one number: spaces or a hyphen


class _Tokens:
    """The transcript's words with where each is, and whether only spaces or a hyphen separate a
    word from the one before (a comma or full stop ends a number)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[tuple[int, int]] = []
        self.words: list[str] = []
        self.joined: list[bool] = []
        end = 0
        for m in _TOKEN.finditer(text):
            self.joined.append(bool(self.spans) and _JOINS.fullmatch(text[end:m.start()]) is not None)
            self.spans.append(m.span())
            self.words.append(m.group().lower())
            end = m.end()

    def run(self, start: int) -> int:
        """The index after the last word from ``start`` that follows the one before it directly."""
        i = start + 1
        while i < len(self.words) and self.joined[i]:
            i += 1
        return i

    def word(self, i: int) -> str:
        return self.words[i] if 0 <= i < len(self.words) else ""


def _is_digits(word: str) -> bool:
    return bool(word) and word[0].isdigit()


def _plain(value: float) -> str:
    """A value as reports write it: no trailing ".0", thousands separated from 10,000 up."""
    if value == int(value):
        value = int(value)
        return f"{value:,}" if value >= 10_000 else str(value)
    return f"{value:,.6f}".rstrip("0").rstrip(".") if value >= 10_000 else f"{value:.6f}".rstrip("0").rstrip(".")


class _Figure:
    """One number read from the transcript: the tokens it covers and how to write it."""

    def __init__(self, start: int, end: int, value: float, text: str, spoken: bool, words: int) -> None:
        self.start, self.end, self.value, self.text = start, end, value, text
        self.spoken = spoken  # said in words (not digits already)
        self.words = words  # how many words it was said in


def _read(tokens: _Tokens, i: int) -> _Figure | None:
    """The number that starts at token ``i`` (words or digits), with its decimal part, "and a
    half", a scale said after a decimal ("one point nine million") and a year said in pairs."""
    words = tokens.words
    limit = tokens.run(i)
    window = words[:limit]
    if _is_digits(words[i]):
        try:
            value: float = float(words[i].replace(",", ""))
        except ValueError:
            return None
        end, spoken, text = i + 1, False, words[i]
        # "100 and 12", "300, and 40": a transcript's digits for "a hundred and twelve".
        if value in range(100, 1000, 100) and "," not in words[i]:
            tail = end + 1 if tokens.word(end) == "and" else 0
            if tail and tokens.text[tokens.spans[end - 1][1]:tokens.spans[end][0]].strip() in ("", ","):
                if tokens.joined[tail] if tail < len(words) else False:
                    more, part = (tail + 1, int(words[tail])) if words[tail].isdigit() else read_cardinal(words[:tokens.run(tail)], tail)
                    if more > tail and 1 <= part <= 99:
                        end, value, spoken, text = more, value + part, True, str(int(value + part))
        # "23 million": digits with a scale word said after them.
        if tokens.word(end) in ("million", "billion") and end < len(words) and tokens.joined[end]:
            end, spoken, text = end + 1, True, f"{words[i]} {words[end]}"
    else:
        end, whole = read_cardinal(window, i, article=True)
        if end == i:
            return None
        value, spoken, text = whole, True, str(whole)
        # A year said in pairs: "twenty twenty four" is 2024, "nineteen ninety nine" 1999.
        if end - i == 1 and whole in (19, 20) and end < limit:
            after, pair = read_cardinal(window, end)
            if after > end and after - end <= 2 and 10 <= pair <= 99 and 1990 <= whole * 100 + pair <= 2049:
                end, value, text = after, whole * 100 + pair, str(whole * 100 + pair)
        # A financial year: "twenty twenty four twenty five" is 2024/25.
        if 1990 <= value <= 2049 and end < limit:
            after, pair = read_cardinal(window, end)
            if after > end and pair == (int(value) + 1) % 100:
                return _Figure(i, after, value, f"{int(value)}/{pair:02d}", True, after - i)
    # "point four", "point oh five": a decimal part said digit by digit.
    if end + 1 < limit and words[end] == "point" and (words[end + 1] in _DIGIT_WORDS or words[end + 1].isdigit()):
        digits, j = "", end + 1
        while j < limit and (words[j] in _DIGIT_WORDS or (words[j].isdigit() and not digits)):
            digits += str(_DIGIT_WORDS[words[j]]) if words[j] in _DIGIT_WORDS else words[j]
            j += 1
        if "." not in text and value == int(value):
            text = f"{int(value)}.{digits}"
            value = float(text)
            end, spoken = j, True
    elif end + 2 < limit and words[end : end + 3] == ["and", "a", "half"] and value == int(value):
        value += 0.5
        text = _plain(value)
        end, spoken = end + 3, True
    # "one point nine million": the scale after a decimal (a whole number read it already).
    if end < limit and words[end] in ("million", "billion") and "." in text:
        text = f"{text} {words[end]}"
        end += 1
    elif spoken and "." not in text and not _is_digits(words[i]):
        text = _scaled(int(value), words[i:end])
    return _Figure(i, end, value, text, spoken, end - i)


def _scaled(value: int, said: list[str]) -> str:
    """A whole number as written: "3 million" when it was said so, else digits."""
    for word, scale in (("billion", 1_000_000_000), ("million", 1_000_000)):
        if said and said[-1] == word and value % scale == 0:
            return f"{value // scale} {word}"
    return _plain(value)


def _ordinal(tokens: _Tokens, i: int) -> tuple[int, str] | None:
    """An ordinal that is a number: "twenty third" (23rd), "the fifteenth of March" (15th), "March
    the first"; not "the first time" or "a second assessment"."""
    words = tokens.words
    limit = tokens.run(i)
    end, tens = read_cardinal(words[:limit], i)
    if end > i and (tens % 10 or tens < 20 or end - i > 1):
        return None  # only "twenty" ... "ninety" may stand before an ordinal unit
    if end >= limit or words[end] not in ORDINALS:
        return None
    value = tens + ORDINALS[words[end]]
    if end > i and ORDINALS[words[end]] >= 10:
        return None
    after, before = tokens.word(end + 1), tokens.word(i - 1)
    dated = (after == "of" and tokens.word(end + 2) in MONTHS) or tokens.word(end + 2 if after == "of" else end + 1) in MONTHS
    dated = dated or before in MONTHS or (before == "the" and tokens.word(i - 2) in MONTHS)
    if not (dated or value >= 10 or end > i):
        return None
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return end + 1, f"{value}{suffix}"


def spoken_figures(text: str) -> str:
    """``text`` with its spoken numbers written as figures (see the module's docstring)."""
    tokens = _Tokens(text)
    words = tokens.words
    edits: list[tuple[int, int, str]] = []  # (first token, token after, replacement)
    i = 0
    while i < len(words):
        ordinal = _ordinal(tokens, i) if not _is_digits(words[i]) else None
        if ordinal:
            edits.append((i, ordinal[0], ordinal[1]))
            i = ordinal[0]
            continue
        figure = _read(tokens, i) if words[i] != "a" or tokens.word(i + 1) in ("hundred", *SCALES) else None
        if figure is None:
            i += 1
            continue
        edit = _write(tokens, figure)
        if edit:
            edits.append(edit)
        i = max(figure.end, (edit[1] if edit else 0))
    return _apply(tokens, edits)


def _write(tokens: _Tokens, f: _Figure) -> tuple[int, int, str] | None:
    """How ``f`` is written with what follows it (per cent, pounds, "in five"), or None to leave
    the words as they were said."""
    words = tokens.words
    end, text = f.end, f.text
    after = tokens.word(end)
    joined = end < len(words) and tokens.joined[end]
    if joined and after in ("percent", "%"):
        end, text = end + 1, f"{text}%"
    elif joined and after == "per" and tokens.word(end + 1) == "cent":
        end, text = end + 2, f"{text}%"
    elif joined and after in ("pounds", "pound") and not text.startswith("£"):
        end, text = end + 1, f"£{text}"
        pence = _read(tokens, end) if end < len(words) and tokens.joined[end] and "." not in text else None
        if pence and pence.spoken and 1 <= pence.value <= 99 and pence.value == int(pence.value) and pence.words <= 2:
            end, text = pence.end, f"{text}.{int(pence.value):02d}"  # "nineteen pounds fifty"
            if tokens.word(end) == "pence":
                end += 1
    elif tokens.word(f.start - 1) == "£":
        pass  # "£ twelve": the sign is already there
    if f.spoken and end == f.end and f.value == 24 and after == "seven":
        return f.start, f.end + 1, "24/7"
    if not f.spoken and end == f.end:
        return _as_word(tokens, f)  # digits with nothing to add, unless a small count reads better as a word
    if f.spoken and end == f.end and not _is_figure(tokens, f):
        return None  # "one woman", "two teams": a small number that measures nothing
    return f.start, end, text


_SMALL = "zero one two three four five six seven eight nine".split()
_NAMED_BY = {  # "section 2", "year 3": a number that names something, not a count
    "section", "theme", "year", "level", "tier", "phase", "step", "stage", "page", "priority", "number", "no",
    "version", "band", "grade", "point", "item", "chapter", "appendix", "part", "table", "figure", "question",
}


def _as_word(tokens: _Tokens, f: _Figure) -> tuple[int, int, str] | None:
    """A single digit the model wrote for a small number that measures nothing ("2 community
    link workers", "3 quarters") as the word a typed answer would use, so that it is not read as
    a figure the typed answer does not have."""
    word = tokens.words[f.start]
    if not word.isdigit() or len(word) != 1 or _is_figure(tokens, f):
        return None
    start, end = tokens.spans[f.start]
    text = tokens.text
    if (start and not text[start - 1].isspace()) or (end < len(text) and not text[end].isspace()):
        return None  # "Q1", "2nd", "1:1", "24/7"
    after, before = tokens.word(f.end), tokens.word(f.start - 1)
    if not after.isalpha() or before in _NAMED_BY or tokens.word(f.end) == "of":
        return None
    if tokens.text[tokens.spans[f.end][0]].isupper():
        return None  # "2 Care Act assessments": a name follows
    spelt = _SMALL[int(word)]
    if start == 0 or text[:start].rstrip().endswith((".", "!", "?")):
        spelt = spelt.capitalize()
    return f.start, f.end, spelt


def _is_figure(tokens: _Tokens, f: _Figure) -> bool:
    """Whether a number said in words is a figure to write in digits: from ten up, or a small
    number that measures something ("four weeks", "one in five", "six to eight weeks")."""
    if f.value >= 10 or f.value != int(f.value):
        return True
    after, second = tokens.word(f.end), tokens.word(f.end + 1)
    if after in ("in", "out") and _number_at(tokens, f.end + (2 if after == "out" else 1)):
        return True  # "one in five", "nine out of ten"
    if after == "of" and _number_at(tokens, f.end + (2 if tokens.word(f.end + 1) in _WHOLE else 1)):
        return True  # "three of the forty two care homes"
    if _ratio_partner(tokens, f):
        return True
    if f.value == 1:
        return False  # "one woman", "one day she said", "one of the things"
    if after in MEASURES:
        return True
    if after in ("to", "or") and _number_at(tokens, f.end + 1) and tokens.word(f.end + 2) in MEASURES | {"in"}:
        return True  # "six to eight weeks"
    return False


def _ratio_partner(tokens: _Tokens, f: _Figure) -> bool:
    """Whether ``f`` is the second number of "one in five" or "nine out of ten"."""
    before = tokens.word(f.start - 1)
    if before == "in":
        return _number_at(tokens, f.start - 2)
    if before in _WHOLE:
        before, f_start = tokens.word(f.start - 2), f.start - 1
    else:
        f_start = f.start
    if before != "of":
        return False
    return _number_at(tokens, f_start - 2) or (tokens.word(f_start - 2) == "out" and _number_at(tokens, f_start - 3))


_WHOLE = {"the", "our", "its", "their", "these", "those"}  # "three of the forty two homes"


def _number_at(tokens: _Tokens, i: int) -> bool:
    word = tokens.word(i)
    if word == "of":
        word = tokens.word(i + 1)
    return _is_digits(word) or word in UNITS or word in TENS


def _apply(tokens: _Tokens, edits: list[tuple[int, int, str]]) -> str:
    text = tokens.text
    out, at = [], 0
    for first, after, replacement in edits:
        start, end = tokens.spans[first][0], tokens.spans[after - 1][1]
        if first > 0 and tokens.words[first - 1] == "£" and replacement.startswith("£"):
            replacement = replacement[1:]
        out.append(text[at:start])
        out.append(replacement)
        at = end
    out.append(text[at:])
    return "".join(out)
