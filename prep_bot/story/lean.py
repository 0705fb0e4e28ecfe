"""Which way a spoken sentence leans: towards "all is well" or towards "this needs to improve".

Sentence embeddings place "there are no waits" next to "people wait too long" (same topic,
opposite claim), so rehearsing against the story needs the direction as well as the meaning.
Read from wording: denials of a problem ("no waits", "nobody is kept waiting", "never have to
repeat themselves") and praise lean well; admissions ("too long", "not always", "still", "we
know ... isn't") lean to improve."""

from __future__ import annotations

import re

# "No waits", "never wait", "no overlap at all": a problem denied. Read first, then removed, so
# the "no" and "never" in them are not also counted as admissions.
_DENIED = re.compile(
    r"\b(?:no|zero|nobody|no one|none|never|not a single|without any)\s+(?:\w+\s+){0,3}?"
    r"(?:waits?|waiting|wait(?:ed|s)?|delays?|backlogs?|overlap|duplication|difference|problems?|issues?|gaps?|"
    r"complaints?|repeat\w*|kept waiting|left waiting|placed out of area|out of area|concerns?)\b"
    r"|\bthere(?:'s| is| are) no (?:\w+ ){0,2}(?:wait|delay|backlog|overlap|duplication|gap|problem|issue)\w*"
    r"|\b(?:don'?t|do not|doesn'?t|does not|didn'?t|never) (?:have|get|see|hear of) (?:any )?(?:\w+ ){0,2}?"
    r"(?:waits?|delays?|backlogs?|problems?|issues?|complaints?)\b"
    r"|\b(?:nobody|no one|none)\b[^.;]{0,40}\bwithout\b|\bno worse\b"
    r"|\bwithout (?:any |a )?(?:delay|wait(?:ing)?|backlog)s?\b",
    re.I,
)
# "Not always", "doesn't always", "not everything": a problem admitted (read before praise words,
# so the "always" in them is not counted as praise).
_ADMITTED = re.compile(
    r"(?:\bnot|n't|\bnever)\s+(?:always|every\w*|all|clear|enough|good enough|where it should be|right|quick\w*|"
    r"as (?:good|quick|clear)\w*)\b",
    re.I,
)
_WELL = re.compile(
    r"\b(?:always|every(?:one|body)?|all (?:of )?(?:our|the|we)|all the|completely|fully|excellent|really well|"
    r"very well|works? well|working well|quick(?:ly)?|straight away|immediately|plenty|equally|thorough|"
    r"clear(?:ly)?|happy|good|great|strong|effective|outstanding|timely|on time|within days|same service)\b",
    re.I,
)
_TO_IMPROVE = re.compile(
    r"\b(?:too (?:long|many|few|slow)|not (?:always|yet|enough|where|good enough|as|clear)|isn'?t|aren'?t|"
    r"doesn'?t|don'?t|didn'?t|can'?t|cannot|won'?t|hasn'?t|haven'?t|wasn'?t|weren'?t|struggl\w*|hard|"
    r"difficult|fewer|less likely|lower|worse|below|gaps?|lack\w*|shortages?|duplicat\w*|overlap|unclear|"
    r"delays?|backlogs?|wait(?:s|ing|ed)? (?:too|longer|up to|over|more than)|longer than|need(?:s)? to|"
    r"wait(?:s|ing|ed)? (?:\w+ )?(?:days|weeks|months)|left without|"
    r"could be better|should|fixing|sorting|without (?:a|any)|no plan|pressures?|challeng\w*|concern\w*)\b",
    re.I,
)


def lean(sentence: str) -> int:
    """> 0: the sentence says all is well; < 0: it says something needs to improve; 0: neither."""
    denied = len(_DENIED.findall(sentence))
    rest = _DENIED.sub(" ", sentence)
    admitted = len(_ADMITTED.findall(rest))
    rest = _ADMITTED.sub(" ", rest)
    return 2 * denied - 2 * admitted + len(_WELL.findall(rest)) - len(_TO_IMPROVE.findall(rest))


def says_all_is_well(sentence: str) -> bool:
    return lean(sentence) > 0


def admits_a_problem(sentence: str) -> bool:
    return lean(sentence) < 0
