"""Where a sentence's clauses begin and end, for reading what each figure in it measures.

A clause ends at punctuation (";", ":", brackets, "|", a comma that is not inside a number, a
dash between spaces) and at words that turn to another statement ("while", "but", "although",
"of which", "as a result"), and before "and" when it brings in another figure or another
measure with its own verb ("the vacancy rate is 6.8% and turnover is 10.2%").
"""

from __future__ import annotations

import re
from functools import lru_cache

# Numbers said in words that open a figure ("six in ten", "thirty percent").
_TENS = "one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
CLAUSE_BREAK = re.compile(
    r"\s*(?:[;:()\[\]|]|,|\s[-–—]\s|\bwhile\b|\bwhereas\b|\bbut\b|\bbecause\b|\b(?:al)?though\b|\bof (?:which|whom|them)\b|(?:(?<=,\s)|(?<=\band\s))of those (?:who|whose|with|where)\b|"
    r"\b(?:and\s+)?(?:therefore|so that|which means|meaning that|as a result)\b|"
    r"\band\b(?=\s+(?:about|around|some|only|just|nearly|almost|over|under|another|a further|(?:fewer|more|less) than)?\s*£?\d)|"
    # "... rose to 311 and fewer than six in ten were answered": a share said in words starts a clause.
    r"\band\b(?=\s+(?:(?:about|around|only|just|nearly|almost|over|under|(?:fewer|more|less) than)\s+)?"
    rf"(?:{_TENS})(?:[\s-]\w+)?"
    r"\s+(?:in|out of) (?:ten|five|four|three|every)\b|\s+(?:\w+\s+){0,2}(?:per ?cent|percent)\b)|"
    # "the vacancy rate is 6.8% and turnover is 10.2%": another measure and its own verb.
    # "a vacancy rate of 9.2% and turnover of 15.4%", "and turnover's nearly thirty percent" too.
    r"\band\b(?=\s+(?:the\s+|our\s+)?(?:(?:[\w'-]+\s+){1,4}(?:is|was|are|were|stood at|stands at|sits at|reached|rose to|fell to)|"
    r"(?!(?:over|older|above|under)\b)(?-i:(?:[a-z][\w-]*\s+){0,2}[a-z][\w-]+)(?:'s|\s+of))\s+"
    r"(?:about|around|nearly|just|only|now|currently|still)?\s*(?:£?\d|(?:"
    rf"{_TENS}|eleven|twelve|\w+teen|a hundred|a thousand)\b))|"
    # "received 126 referrals in the year and had completed an assessment for 45% of them": a
    # second verb starts a second clause.
    r"\band\b(?=\s+(?:had|has|have|was|were)\s+(?:\w+ed|been|seen|made|done|given|taken|met)\b))\s*",
    re.I,
)


@lru_cache(maxsize=8192)
def clauses(sentence: str) -> tuple[tuple[int, int], ...]:
    spans, at = [], 0
    for m in CLAUSE_BREAK.finditer(sentence):
        # A comma inside a number ("1,690", not "June 2024, 214 over a year") is no clause break.
        comma = m.start() + m.group(0).find(",")
        if m.group(0).strip() == "," and sentence[comma + 1 : comma + 2].isdigit() and sentence[comma - 1 : comma].isdigit():
            continue
        if m.start() > at:
            spans.append((at, m.start()))
        at = m.end()
    if at < len(sentence):
        spans.append((at, len(sentence)))
    return tuple(spans or [(0, len(sentence))])
