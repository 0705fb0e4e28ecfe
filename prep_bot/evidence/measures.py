"""What a figure measures and when: read from the words around it by rules (whose it is:
``subject_cues``).

``measure_phrase`` gives a short normalised phrase for the measure ("people waiting for home
care", "assessments completed within 28 days"): the clause the figure stands in, without the
figure itself, its comparison, its period, its source and hedges ("about", "up to"). Numbers that
define the measure (the "28 days" of "completed within 28 days") stay in it. When: ``periods``
(``period_near``, the period a figure is of, and ``period_date``, that period as a sortable date).
The learned classifiers in ``figure_model`` start from these.
"""

from __future__ import annotations

import re

from prep_bot.evidence.clauses import clauses as _clauses
from prep_bot.evidence.number_words import in_digits
from prep_bot.evidence.periods import PERIOD

# "for 2024/25", "in March 2024": a period and the word that brings it in.
_PERIOD_WITH_WORD = re.compile(
    rf"(?:\b(?:in|for|during|by|since|until|as at|at)\s+(?:the\s+(?:end|start|close)\s+of\s+)?)?(?:{PERIOD.pattern}|\b(?:quarter|Q)\s?[1-4]\b)", re.I)
_NUMBERISH = re.compile(
    r"£?\d[\d,]*(?:\.\d+)?(?:-?(?:odd|ish)\b)?\s?(?:%|per\s?cent\b|percent\b|m\b|bn\b|k\b|million\b|billion\b)?"
)
_CHANGE = re.compile(
    r"\b(?:down |up )?from\s+(?:[\d.,]+%?|\u2022)\s*(?:%|days?|weeks?|months?|hours?|years?|people)?\s+to\s+"
    r"(?:[\d.,]+%?\s*(?:%|days?|weeks?|months?|hours?|years?|people)?|\u2022)",
    re.I,
)
_SPAN = re.compile(
    r"\b(?:over|during|across|in)\s+the\s+(?:(?:previous|past|last)\s+)?(?:year|quarter|twelve months|12 months|six months)\b"
    r"|\b(?:over|during|across|in)\s+(?:previous|past|last)\s+(?:year|quarter|twelve months|12 months|six months)\b"
    r"|\bin\s+(?:twelve|12|six|6)\s+months\b",
    re.I,
)
_TIME_AFTER = re.compile(r"^\s?(?:(?:working|calendar|clear)\s+)?(?:days?|weeks?|months?|years?|hours?)\b", re.I)
# A comparison and what follows it in the clause: not part of what the figure measures.
_COMPARISON_TAIL = re.compile(
    r"\b(?:compared (?:to|with)|against|versus|vs\.?|(?:higher|lower|better|worse|above|below|more|less) than(?!\s+\d+\s?(?:days?|weeks?|months?|years?|hours?)\b)|"
    r"in line with|similar to|up from|down from|(?:an? )?(?:increase|decrease|rise|fall|drop) (?:from|of|on)|"
    r"from \d|the (?:england|national|regional) average|nationally|(?:statistical|comparator) neighbours?)\b.*$",
    re.I,
)
_SOURCE = re.compile(r"\((?:[A-Z]{2,}[^)]*|source[^)]*|[^)]*\b20\d\d[^)]*)\)")
# A region named as whose figure it is ("24.9% for the East Midlands", "the North West figure of"):
# where, not what is measured.
_REGION = re.compile(r"\b(?:(?:for|in|across)\s+)?(?:the\s+)?(?:(?:east|west) midlands|yorkshire and (?:the )?humber|east of england|"
                     r"(?:north|south)[ -](?:east|west)(?=\s+(?:region|average|figure|councils|authorities)\b))"
                     r"(?:\s+(?:region|average|figure|councils|authorities))?\b", re.I)
_HEDGES = (
    "approximately about around roughly almost nearly some over just only currently now today still "
    "total totals totalled totalling overall circa c. estimated an additional further around "
    # What a speaker fills a pause with.
    "um umm uh er erm yeah yep honestly basically obviously actually".split()
)
_HEDGE_PHRASES = re.compile(
    r"\b(?:up to|as (?:high|long|many|much|few|low) as|more than|fewer than|less than|at least|a (?:high|low|large|small) "
    r"number of|the number of|a total of|in total|this year|last year|this quarter|last quarter|at the time|"
    r"at this time|so far|to date|on track to(?: be)?|at (?:the )?(?:quarter|month|year)[- ]end|at the end of (?:the )?(?:quarter|month|year)|"
    r"in (?:quarter|Q) ?[1-4]|in the (?:quarter|year)|right now|(?:last|this) (?:spring|summer|autumn|winter)|(?:reported|said|thought|estimated|believed|expected) to (?:be|have)|of the|out of(?=\s*(?:\u2022|\d))|"
    # What a speaker says of their own memory: "it was 71% I think", "something like 1,200".
    r"i (?:think|reckon|believe|guess|mean|suppose|would say)|i'd say|you know|sort of|kind of|something like|in the region of|"
    r"if i remember(?: rightly)?|off the top of my head|at a guess|give or take|or so|or thereabouts|"
    r"i want to say|i'd guess|(?:or|and) something(?: like that)?|what (?:is|was) it|if i'm (?:lucky|honest)|to be (?:fair|honest)|"
    r"could(?:'ve| have) been|at a push|"
    r"(?:years?|months?|weeks?|days?) ago)\b",
    re.I,
)
_EDGE_STOP = frozenset(
    "the a an of to in on for and or with at by from was were is are be been being this that these those which who "
    "as it its their our we they there than had has have so also with while such per cent percent".split()
)
_INNER_DROP = frozenset("was were is are be been being had has have there the a an our their its we they this these "
                        "it it's that's there's we're like "
                        # A month names when, never what: "peaked in July", "detention rate: Apr 44%, May 43%".
                        "january february march april may june july august september october november december "
                        "jan feb mar apr jun jul aug sep sept oct nov dec".split())
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,]*(?:\.\d+)?")

_THRESHOLD = re.compile(r"\b(?:within|after|longer than|more than|over|beyond|at least|under|less than|following|for more than|for over|for up to|of up to|home at)\s+(?:the\s+)?(?:first\s+)?$", re.I)
_ANCHORED_AFTER = re.compile(r"^(?:[\w.,-]+\s+){1,3}?(?:days?|weeks?|months?|years?|hours?)\s+(?:after|following|post[- ]?(?=\w))", re.I)


def is_threshold(sentence: str, start: int, unit: str) -> bool:
    """A time that only defines a measure ("not needing a package after six weeks", "90.6%
    completed within 28 days", "waiting longer than 12 months") rather than a time measured
    ("installed within ten weeks", "waited 76 days"): after "within", "after", "longer than"...
    in a clause that states another figure before it or says what is needed or still the case;
    or a time said before "after"/"following" in a clause about what is still the case ("still at
    home 91 days after discharge")."""
    if unit not in ("days", "weeks", "months", "years", "hours"):
        return False
    before = sentence[:start]
    if re.search(r"[<>≥≤]\s*$", before):
        return True  # "Reviews overdue (>12 months)", "People waiting > 90 days"
    clause = re.split(r"[;:()]|,\s", before)[-1]
    if _ANCHORED_AFTER.match(sentence[start:]):
        # "still at home 91 days after discharge", "remaining at home 91 days following": the
        # time marks when something is still true, not how long anything took.
        return bool(re.search(r"\b(?:still|remain\w*|at home|living|need\w*|requir\w*)\b", clause, re.I))
    if not _THRESHOLD.search(before):
        return False
    return bool(re.search(r"\d|\b(?:need\w*|requir\w*|still|remain\w*|longer than|more than|over)\b", clause, re.I))


# Short forms spelt out: "DoLS applications" and "Deprivation of Liberty Safeguards applications" are one.
ABBREVIATIONS = {
    "dols": "deprivation of liberty safeguards", "ot": "occupational therapy", "ots": "occupational therapists",
    "dfg": "disabled facilities grant", "dfgs": "disabled facilities grants", "mca": "mental capacity act",
    "mha": "mental health act", "amhp": "approved mental health professional", "amhps": "approved mental health professionals",
    "bia": "best interests assessor", "bias": "best interests assessors", "sar": "safeguarding adults review",
    "sars": "safeguarding adults reviews", "msp": "making safeguarding personal", "tec": "technology-enabled care",
    "asc": "adult social care", "bcf": "better care fund", "ld": "learning disability", "s42": "section 42",
    "dp": "direct payment", "dps": "direct payments", "sn": "statistical neighbours", "avg": "average", "eng": "England",
    "sw": "social worker", "sws": "social workers", "mh": "mental health", "qol": "quality of life",
    "scrqol": "social care-related quality of life", "chc": "continuing healthcare", "los": "length of stay",
    "ascs": "adult social care survey", "mash": "multi-agency safeguarding hub", "apps": "applications",
    "ytd": "year to date",
}


def spell_out(phrase: str) -> str:
    return " ".join(ABBREVIATIONS.get(w.lower(), w) for w in phrase.split())


# Who reported the figure, not what it measures: "people told us", "the peer team heard that",
# "the council's own data shows", "honestly", "we've got".
_LEAD_IN = re.compile(
    r"^(?:(?:honestly|to be honest|so|well|um+|erm|er|and|but|i think|i'd say|we think|"
    r"(?:that|there|it)'?s|that is|there is|it is|we'?re|"
    # How the speaker frames it, not what is measured: "what still needs to improve is the 42 ...".
    r"what (?:still )?(?:needs|has) to (?:improve|get better|change)(?: is)?|"
    r"(?:the )?(?:main|biggest|real|one) (?:issue|problem|gap|worry|concern) (?:is|was)|"
    r"what (?:is ?n[o']t|is not) (?:good enough|working)(?: yet)?(?: is)?)\b[\s,]*)*"
    r"(?:(?:(?!who\b|which\b|that\b)[A-Za-z'’-]+\s+){0,5}?"
    r"(?:told us|heard|noted|showed|shows|highlighted|confirmed|described|explained|reported(?=\s+(?:that|an?)\b)|"
    r"estimated|estimates|note(?=\s+that))(?:\s+that)?\b[\s,]*)?"
    r"(?:we'?ve got|we have got|we've|there (?:are|were|was|is)|it's|it is|we're at|we are at)?\b\s*",
    re.I,
)
# Whose figure or how it compares: not part of what it measures when it leads the phrase.
_SUBJECT_LEAD = re.compile(
    r"^(?:(?:the\s+)?(?:england|national|nationally|regional|region|statistical neighbours?|nearest neighbours?|comparators?|"
    r"comparator group|similar councils|against|compared (?:to|with)|versus|locally)\b\s*)+", re.I)
# Words that say how a measure is summarised, not what it is about ("the average wait was 38 days").
_GENERIC_MEASURE = frozenset(
    "average mean median typical longest shortest wait waits waiting time times rate figure number proportion "
    "percentage total overall performance days weeks months hours people locally against group comparator comparators "
    "england region regional national nationally statistical neighbours plan target budget last previous completion "
    "whole across county county's council council's local authority authority's borough locality got remains remained stays stayed sits stands stood higher lower".split())


_OWN_NAMED = re.compile(r"^\s*(?:the\s+|our\s+)?(?P<name>[a-z][\w-]*(?:\s+[\w-]+){0,2}?)(?:'s|\s+of)\s+(?:about|around|nearly|just|only)?\s*$", re.I)
_OWN_PREDICATE = re.compile(r"^\s*(?:and|but|while|whereas)\s+(?:the|our|their|its)\s+(?:[\w'-]+\s+){0,4}?(?:is|was|are|were)\b", re.I)
_POINTER = re.compile(r"\b(?:where|which|it|that|this|what|there)\b", re.I)


def _named_after_and(before: str, own: str) -> bool:
    """"..., and turnover of 15.4%", "and turnover's nearly thirty percent": a clause after "and"
    that names its own measure ("the target's 66.7" or "where it was" name none)."""
    named = re.search(r"\band\s*$", before, re.I) and _OWN_NAMED.match(own)
    return bool(named and _specific([named.group("name")]) and not _POINTER.search(named.group("name")))


def _specific(pieces: list[str]) -> int:
    return sum(1 for p in pieces for w in p.split()
               if w.lower() not in _EDGE_STOP and w.lower() not in _GENERIC_MEASURE and not w[0].isdigit())


def specific_words(measure: str) -> int:
    """How many words of a measure phrase say what it is about (not "average", "wait", "rate")."""
    return _specific([measure])


# "For adults aged 18 to 64, admissions were 17.9 per 100,000": the people a sentence opens with
# are whom each of its figures counts.
_FRONTED = re.compile(r"^\s*(?:for|among|amongst)\s+(?P<group>[^,;:]{3,80}?)\s*,\s", re.I)
_PEOPLE = re.compile(r"\b(?:people|adults|carers|those|men|women|children|young|older|residents|families|users|aged|"
                     r"over[- ]?\d\ds?|under[- ]?\d\ds?)\b", re.I)
_AGES = re.compile(r"\b(?:aged\s+)?\d\d?\s*(?:to|-|–|and)\s*(?:\d\d?|over|above|older)\b|\b(?:over|under)[- ]?\d\ds?\b", re.I)


def measure_phrase(sentence: str, start: int, end: int, previous: str = "", tail: bool = False) -> str:
    """A short normalised phrase for what the figure at ``sentence[start:end]`` measures."""
    phrase = _measure_phrase(sentence, start, end, previous, tail)
    fronted = _FRONTED.match(sentence)
    if fronted is None or start < fronted.end() or not _PEOPLE.search(fronted.group("group")):
        return phrase
    group = fronted.group("group")
    if re.search(r"\d", _AGES.sub(" ", PERIOD.sub(" ", group))):
        return phrase  # "For the 57 young people ...": a count of its own, not a group
    words = spell_out(group).split()
    if set(w.lower() for w in words) <= set(phrase.lower().split()):
        return phrase
    joined = _trim(words + phrase.split())
    return " ".join(joined[-16:] if tail else joined[:16])


def _measure_phrase(sentence: str, start: int, end: int, previous: str = "", tail: bool = False) -> str:
    clauses = _clauses(sentence)
    index = next((i for i, (a, b) in enumerate(clauses) if a <= start < b), len(clauses) - 1)
    pieces = [_clean(sentence, *clauses[index], start, end)]
    around = _around(sentence, clauses, index, start, end, pieces[0]) or _shared_predicate(sentence, clauses, index, start, end, pieces[0])
    if around:
        return " ".join(_trim(spell_out(around).split())[:16])
    # "Average Care Act assessment duration, contact to completion: 31 days": a figure after a
    # heading's colon measures the whole heading.
    head = _heading(sentence, clauses, index)
    heading = _clean(sentence, head, clauses[index][0], start, end) if head is not None else ""
    # "Direct payments: 31.4% of people receiving community-based support": a share of a group,
    # right after the heading, is the share the heading is about.
    share = not sentence[clauses[index][0] : start].strip() and re.match(r"\s*of\b", sentence[end:], re.I)
    if heading and (_specific(pieces) < 2 or share) and _specific([heading]) >= (1 if share else 2):
        return " ".join(_trim(spell_out(f"{heading} {pieces[0]}").split())[:16])
    # "211 people in 2024/25 (rate 502.3 per 100,000)": a figure in brackets whose own words
    # name little measures what the figure before the bracket measures.
    opened = sentence[: clauses[index][0]].rstrip()
    if _specific(pieces) < 2 and opened.endswith("(") and (before := _last_figure(opened[:-1], past_per=True)):
        return _as_measured_by(sentence, before, pieces[0])
    # "1,652 beds, of which 234 are vacant, giving a vacancy rate of 14.2%": a figure worked out
    # from the one before measures what that one does, as the words after it say.
    if index > 0 and _DERIVED.match(sentence[clauses[index][0] : start]) and (before := _last_figure(sentence[: clauses[index][0]])):
        return _as_measured_by(sentence, before, pieces[0])
    if (_content(pieces) < 2 and 0 < index < len(clauses) - 1 and _cell_clauses(sentence, clauses, start) == (0, len(clauses) - 1)
            and _QUANTITY.search(sentence[clauses[index - 1][0] : clauses[index - 1][1]])
            and not re.search(r"\d", sentence[clauses[index - 1][0] : clauses[index][1]].replace(sentence[start:end], ""))):
        # "Just under a quarter of carers (23%) have as much social contact as they want": the
        # figure restates the words before it, and the words after it say what is measured.
        pieces = [_clean(sentence, *clauses[index - 1], start, end), pieces[0], _clean(sentence, *clauses[index + 1], start, end)]
        return " ".join(_trim(spell_out(" ".join(p for p in pieces if p)).split())[:16])
    if previous and (_content(pieces) < 2 or not _specific(pieces)):  # "This is 94%": the sentence before names the measure
        # The sentence before, from after its reporting verb ("The self-assessment identifies ...").
        said = re.search(r"\b(?:identifie[sd]|show(?:s|ed)|says|said|reports?|reported|found|noted|highlight(?:s|ed)|told us)\b", previous)
        previous = previous[said.end() :] if said and said.start() < len(previous) / 2 else previous
        borrowed = measure_phrase(previous, len(previous), len(previous)).split()[:16]
        return " ".join(_trim(spell_out(" ".join(borrowed + pieces)).split())[:16])
    # "The proportion of carers who feel supported, according to the survey, is 41%": a clause
    # that is only what is said of the sentence's subject measures that subject (with what
    # qualifies it, not asides such as "which had been rising all year").
    if index > 0 and _PREDICATE.match(sentence[clauses[index][0] : start]):
        before = [(a, b) for a, b in clauses[:index] if a < start]
        if not any(re.search(r"\d", PERIOD.sub(" ", sentence[a:b])) for a, b in before):
            kept = [before[0]] + [(a, b) for a, b in before[1:] if not _ASIDE.match(sentence[a:b])]
            subject = [_clean(sentence, a, b, start, end) for a, b in kept]
            if _content(subject) >= 2:
                return " ".join(_trim(spell_out(" ".join(subject + pieces)).split())[:16])
    # A clause that says little on its own ("47.83% against 36.83%") borrows the one before,
    # then the one after.
    i, j = index, index
    # "..., and the average wait was 38 days": a clause that only says how the measure is
    # summarised takes what it is about from the clause before.
    if i > 0 and _specific(pieces) == 0 and _content(pieces) >= 2:
        # "Home care: average wait ... 9 days; longest wait 38 days": the heading, if there is one.
        first = _heading(sentence, clauses, next((n for n, (a, _) in enumerate(clauses) if sentence.rfind(":", 0, a) >= 0), index))
        lead = _clean(sentence, first, sentence.find(":", first), start, end) if first is not None else ""
        if lead and _specific([lead]) >= 1:
            pieces.insert(0, lead)
        else:
            i -= 1
            pieces.insert(0, _clean(sentence, *clauses[i], start, end))
    # A cell of a row on one line ("completed 2,315 | awaiting 1,046") borrows from no other cell.
    lo, hi = _cell_clauses(sentence, clauses, start)
    own = sentence[clauses[index][0] : start]
    own_subject = re.search(r"\b(?:is|was|are|were|stood at|stands at|sits at|reached|rose to|fell to)\s*$", own, re.I)
    named = _named_after_and(sentence[: clauses[index][0]], own)
    while _content(pieces) < 2 and (i > lo or j < hi):
        if i > lo:
            i -= 1
            if _content(pieces) == 0 and _RESTATED.search(sentence[clauses[i][0] : clauses[i][1]]) and i > lo:
                continue
            earlier = PERIOD.sub(" ", sentence[clauses[i][0] : clauses[i][1]])
            if (own_subject and _specific(pieces) and re.search(r"\d", earlier)) or (named and re.search(r"\d", in_digits(earlier))):
                break  # "..., and turnover is 10.2%": it names its own measure; the clause before is another figure's
            pieces.insert(0, _clean(sentence, *clauses[i], start, end))
        elif j < hi:
            j += 1
            if _OWN_PREDICATE.match(sentence[clauses[j][0] : clauses[j][1]]):
                break  # "five thousand two hundred or so, and the mean wait was ...": another measure's clause
            pieces.append(_clean(sentence, *clauses[j], start, end))
    if _content(pieces) < 2 and previous:
        pieces.insert(0, " ".join(measure_phrase(previous, len(previous), len(previous)).split()[-10:]))
    words = _trim(spell_out(" ".join(p for p in pieces if p)).split())
    return " ".join(words[-16:] if tail else words[:16])


# "Most people (71%) needed ...", "a third of them": how much of a group, not what is measured.
_QUANTIFIER = re.compile(
    r"^\s*(?:(?:the|a|an)\s+)?(?:(?:large|small|vast|clear)\s+)?(?:most|many|few|some|majority|minority|half|"
    r"(?:one|two|a)\s+(?:third|quarter)s?|three quarters|(?:almost|nearly)\s+all)\b(?:\s+of)?(?:\s+the)?\s*", re.I)
_POPULATION = re.compile(r"^\s*(?:of|among|amongst|for)\s+(?=\S)", re.I)


def _around(sentence: str, clauses: list[tuple[int, int]], index: int, start: int, end: int, own: str) -> str:
    """The measure of a figure whose own clause is only the figure but whose neighbours say
    together what it measures: "Most people (71%) needed no support" (the group before, what
    was true of it after), "97 of them had waited longer than 12 months" (the count before,
    what is true of the part after), "Of people who use services, 61.8% were satisfied" (the
    group in a clause of its own before); "" when none of these applies."""
    a, b = clauses[index]
    prev = _clean(sentence, *clauses[index - 1], start, end) if index > 0 else ""
    nxt = _clean(sentence, *clauses[index + 1], start, end) if index + 1 < len(clauses) else ""
    if _content([own]) == 0 and index > 0:
        if re.match(r"\s*of (?:them|whom|which)\b", sentence[b:], re.I) and nxt:
            return f"{prev} {nxt}"
        if sentence[:a].rstrip().endswith("(") and sentence[b:].lstrip().startswith(")") and nxt:
            group = sentence[clauses[index - 1][0] : clauses[index - 1][1]]
            if _QUANTIFIER.match(_LEAD_IN.sub("", group.strip(), count=1)):
                return f"{_QUANTIFIER.sub('', prev, count=1)} {nxt}"
    # "In 93% of concluded enquiries where a risk was found, the risk was reduced": the group,
    # then what was true of it in the clause after.
    if (nxt and _content([own]) >= 1 and re.fullmatch(r"\s*in\s*", sentence[a:start], re.I)
            and re.match(r"\s*of\b", sentence[end:], re.I) and sentence[b : b + 2].startswith(",")):
        return f"{own} {nxt}"
    # "People from ethnic minority groups are under-represented, at 9.2% of people drawing on
    # long-term support": the share the clause before says who it is of.
    if index > 0 and prev and re.fullmatch(r"\s*(?:at|standing at|running at)\s*", sentence[a:start], re.I) and _content([prev]) >= 2:
        return f"{prev} {own}"
    if index > 0 and _content([own]) >= 1 and not sentence[clauses[index - 1][1] : start].strip(" ,"):
        group = sentence[clauses[index - 1][0] : clauses[index - 1][1]]
        if _POPULATION.match(group) and not re.search(r"\d", re.sub(r"\bQ[1-4]\b", " ", PERIOD.sub(" ", group)).replace(",", "")) or (
                _POPULATION.match(group) and re.match(r"\s*of\s+the\s+\d", group, re.I)):
            return f"{_POPULATION.sub('', prev, count=1)} {own}"
    return ""


def _last_figure(text: str, past_per: bool = False) -> re.Match[str] | None:
    """The last number in ``text`` that is no period (with ``past_per``, nor what a rate is per)."""
    masked = PERIOD.sub(lambda m: " " * len(m.group(0)), text)
    found = [m for m in _NUMBERISH.finditer(masked) if not (past_per and re.search(r"\bper\s*$", masked[: m.start()], re.I))]
    return found[-1] if found else None


def _as_measured_by(sentence: str, figure: re.Match[str], own: str) -> str:
    """``own`` words after the measure phrase of the earlier ``figure`` of ``sentence``."""
    borrowed = measure_phrase(sentence, figure.start(), figure.end())
    return " ".join(_trim(spell_out(f"{borrowed} {own}").split())[:16])


_DERIVED = re.compile(r"^\s*(?:giving|meaning|making|equating to|equivalent to|representing|"
                      r"which (?:gives|means|makes|represents|equates to))\b", re.I)
_PARALLEL_SHARE = re.compile(r"^\s*,?\s*and\s+\d[\d.,]*\s*(?:%|per\s*cent)\s+of\b", re.I)
_VERB = re.compile(r"\b(?:are|is|were|was|said|say|says|felt|feel|feels|reported|rated|had|have|has|received|found|told)\b", re.I)


def _shared_predicate(sentence: str, clauses: list[tuple[int, int]], index: int, start: int, end: int, own: str) -> str:
    """"87% of care homes and 92% of home care agencies are rated good": a share of one group
    followed by a share of another, with no verb of its own, measures what is said of both."""
    a, b = clauses[index]
    # No verb of its own: "97% of enquiries reduced the risk, and 74.1% of people said ..." is two measures.
    if not (index + 1 < len(clauses) and re.match(r"\s*of\b", sentence[end:b], re.I) and _PARALLEL_SHARE.match(sentence[b:])
            and not _VERB.search(sentence[a:b]) and not re.search(r"\b[a-z]{2,}ed\b", sentence[end:b], re.I)):
        return ""
    c, d = clauses[index + 1]
    verb = _VERB.search(sentence, c, d)
    return f"{own} {_clean(sentence, verb.start(), d, start, end)}" if verb else ""


def _heading(sentence: str, clauses: list[tuple[int, int]], index: int) -> int | None:
    """Where the heading starts when the figure's clause follows a colon ("Adult social care job
    vacancy rate (Skills for Care, 2024): 7.4%"), else None."""
    a = clauses[index][0]
    colon = sentence.rfind(":", 0, a)
    if colon < 0 or sentence[colon + 1 : a].strip(" ,;()[]"):
        return None
    start = max(sentence.rfind(";", 0, colon), sentence.rfind(". ", 0, colon), sentence.rfind("|", 0, colon)) + 1
    heading = _SOURCE.sub(" ", sentence[start:colon])
    heading = re.sub(r"\([^)]*\)", " ", heading)
    if re.search(r"\d", PERIOD.sub(" ", heading)) and not re.search(r"[A-Za-z]{3}", heading):
        return None
    return start


# What is said of a sentence's subject, up to its figure: "has come down from", "fell to", "is".
_PREDICATE = re.compile(
    r"^\s*(?:(?:has|have|had)\s+(?:now\s+|also\s+)?(?:been\s+)?|(?:is|are|was|were)\s+(?:now\s+)?|now\s+)?"
    r"(?:fell|fallen|rose|risen|come down|gone down|gone up|went (?:up|down)|came down|increased|decreased|reduced|dropped|"
    r"improved|grew|grown|reached|remains?|remained|stands?|stood|is|are|was|were|totall?ed|averaged|averages)\b", re.I)
# An aside between a subject and what is said of it: "which had been rising", "according to the survey".
_ASIDE = re.compile(r"\s*(?:which|who|according to|as (?:reported|noted|shown)|although|though|despite|in line with|"
                    r"as expected|like|unlike)\b", re.I)


_DASHED = re.compile(r"\s[—–]\s")


def _cell_clauses(sentence: str, clauses: list[tuple[int, int]], start: int) -> tuple[int, int]:
    """The first and last clause of the figure's cell when the sentence is a row on one line
    ("a | b | c"), else of the whole sentence."""
    left, right = sentence.rfind("|", 0, start), sentence.find("|", start)
    if left < 0 and right < 0 and len(_DASHED.findall(sentence)) >= 2:
        # "Front door Q4 — Calls offered 6,840 — Contacts (all channels) 6,910 — ...": a row set out with dashes.
        left = max((m.start() for m in _DASHED.finditer(sentence, 0, start)), default=-1)
        right = min((m.start() for m in _DASHED.finditer(sentence, start)), default=-1)
    right = len(sentence) if right < 0 else right
    inside = [n for n, (a, b) in enumerate(clauses) if a > left and b <= right] or [0, len(clauses) - 1]
    return min(inside), max(inside)


# Words that give a share in words, which a figure beside them restates: "a quarter of carers",
# "nearly all of our concerns", "seven in ten people".
_QUANTITY = re.compile(r"\b(?:all|most|half|quarters?|thirds?|fifths?|(?:the )?majority|(?:a )?minority|\w+ in (?:two|three|four|five|ten|\d+))\b"
                       r"(?: of)?\b", re.I)


def _clean(sentence: str, a: int, b: int, start: int, end: int) -> str:
    """One clause as measure words: the figure itself, other figures that are values (not the
    numbers defining the measure), comparisons, periods, sources and hedges taken out."""
    if not a <= start < b and sentence[:a].rstrip().endswith("("):
        close = sentence.find(")", b)
        if close > 0 and _SOURCE.fullmatch(sentence[sentence.rfind("(", 0, a) : close + 1]):
            return ""  # "(Skills for Care, October 2024)": where the figure comes from
    if a <= start < b:
        text = sentence[a:start] + " \u2022 " + sentence[end:b]
    else:
        text = sentence[a:b]
    text = _REGION.sub(" ", _SOURCE.sub(" ", in_digits(text)))
    tail = _COMPARISON_TAIL.search(text)
    if tail and "\u2022" not in text[tail.start() :]:
        text = text[: tail.start()]
    text = _PERIOD_WITH_WORD.sub(" ", text)

    def number(m: re.Match[str]) -> str:
        # "before their 18th birthday", "for over-65s": a number that is part of a word stays.
        if re.match(r"(?:st|nd|rd|th|s)\b", text[m.end() :]) or re.search(r"\b(?:section|pathway)\s*$", text[: m.start()], re.I):
            return m.group(0)  # and "section 42 enquiries", "pathway 3": the number names the measure
        # "aged 65 and over", "aged 18 to 64": an age band is part of the measure.
        if re.search(r"(?:aged|age|over|under|to)\s*$", text[: m.start()], re.I) and re.search(r"\baged?\b", text[: m.start()], re.I):
            return f"{m.group(0)} plus" if text[m.end() : m.end() + 1] == "+" else m.group(0)  # "aged 65+"
        if re.search(r"\b(?:is|are|were|was|staff|workforce|people) (?:over|under)\s*$", text[: m.start()], re.I):
            return f"aged {m.group(0).strip()}"  # "the workforce is over 55": an age band
        # "within 28 days", "91 days after discharge": a number that defines the measure stays.
        if _TIME_AFTER.match(text[m.end() :]) and re.search(r"(?:within|inside|after|over|under|than|least|beyond|for|in|(?:for|of) up to|home at)\s*$", text[: m.start()], re.I):
            return m.group(0)
        if _TIME_AFTER.match(text[m.end() :]) and re.match(r"\s?(?:days?|weeks?|months?)\s(?:after|following|from|of)\b", text[m.end() :], re.I):
            return m.group(0)
        return " \u2022 "

    # "cut from 38 days to •", "from • to 19 days", "over the previous year": a change
    # and its span say how the figure moved, not what it measures.
    text = _CHANGE.sub(" • ", text)
    text = _SPAN.sub(" ", text)
    # Numbers first: "overdue by more than 12 months" keeps the 12 months that define it.
    text = _NUMBERISH.sub(number, text)
    text = _HEDGE_PHRASES.sub(" ", text)
    # "took an average of • to complete", "stood at • at quarter end": the words that led to the
    # value go with it.
    text = re.sub(r"\b(average|mean|median|total)\s+of\s+(?=\u2022)", r"\1 ", text, flags=re.I)
    text = re.sub(r"\u2022\s+of\b(?!\s+(?:which|whom|them)\b)", "\u2022", text, flags=re.I)
    text = re.sub(r"\b(?:of|at|in|within|inside|to|by|for|from)\s+\u2022(?=\s*(?:(?:to|at|for|on|in|by|of|from|with|before|after|is|are|was|were|has|have|had|will)\b|$))",
                  " \u2022", text, flags=re.I)
    text = text.replace("\u2022", " ")
    text = _LEAD_IN.sub("", text.strip(), count=1)
    text = _SUBJECT_LEAD.sub("", text.strip(), count=1)
    words = [w for w in _WORD.findall(text) if w.lower() not in _HEDGES]
    return " ".join(w.lower() if not w.isupper() or len(w) < 2 else w for w in words)


# Words that never say what is measured: a restated share ("one in ten"), a modal, a light verb.
_EMPTY = frozenset(
    "one two three four five six seven eight nine ten twenty hundred half third thirds quarter quarters "
    "can could would will may might should must get gets got do does did make makes manage manages managed maybe perhaps "
    "probably representing represents represented equivalent equating equates amounting group cohort "
    # A speaker's pointers back and rough words: "now it's, I think it's about 30 days", "60-odd".
    "it it's that's there's what's we're we've i'm i've you're they're like odd ish "
    # What a speaker says while finding the figure: "the figure, what, three percent or something".
    "what something anything reckon guess".split())
# "maybe one in eight manage it, so roughly 12%": a clause that restates the share names no measure.
_RESTATED = re.compile(r"\b(?:one|two|three|four|five|\d+) (?:in|out of) (?:every )?(?:\w+)\b|\b(?:a|one|two) (?:third|quarter)s?\b|\bhalf of\b", re.I)


def _content(pieces: list[str]) -> int:
    return sum(1 for p in pieces for w in p.split() if w.lower() not in _EDGE_STOP and w.lower() not in _EMPTY and not w[0].isdigit())


def _trim(words: list[str]) -> list[str]:
    words = [w for i, w in enumerate(words) if w.lower() not in _INNER_DROP or (0 < i < len(words) - 1 and w.lower() == "the" and False)]
    while words and (words[0].lower() in _EDGE_STOP or words[0][0].isdigit() and not _is_time_phrase(words)):
        words = words[1:]
    while words and words[-1].lower() in _EDGE_STOP:
        words = words[:-1]
    return words


def _is_time_phrase(words: list[str]) -> bool:
    return len(words) > 1 and bool(_TIME_AFTER.match(" " + words[1]))
