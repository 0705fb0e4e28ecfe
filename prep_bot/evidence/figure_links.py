"""How the figures of one sentence (and the sentence before) bear on each other: the first
figure of a change is the earlier value of the second; a comparison measures what its figure
measures; a part "of them" is a part of the count before it; a figure whose own words name no
measure shares the measure of the figure beside it."""

from __future__ import annotations

import re

from prep_bot.evidence.measures import specific_words, spell_out

HEDGE = r"(?:(?:nearly|almost|about|around|roughly|approximately|some|just over|just under)\s*)?"
# Between a count or a sum and the share it is of a whole: ", 3.4% of", ", representing 27% of".
_BESIDE = re.compile(r"(?:\s+[\w'’-]+){0,8}?\s*,\s*(?:(?:representing|which (?:is|was|represents)|or|equivalent to|equal to|that is)\s+)?"
                     rf"{HEDGE}", re.I)
# What a figure set against another did itself: "compared with 298 started".
_OWN_DOING = re.compile(r"\s+(?:were\s+|was\s+)?(?:started|completed|concluded|received|closed|opened|upheld|resolved|made|done|"
                        r"achieved|reviewed|assessed|admitted|placed|referred|authorised|declined|withdrawn)\b", re.I)
_LINKING = frozenset("representing represents which is was or equivalent equal that".split())
_OF_THEM = re.compile(r"\s+of (?:them|these|those|whom)\b", re.I)
_CHANGE_FROM = re.compile(rf"\bfrom\s*{HEDGE}$", re.I)  # "down from nearly 700 to 512"
# "from 78 in Q4 2023/24 to 61": the earlier figure's period may come between.
# "from 1,488 a week at 31 March 2024 to 402": a rate's "a week" and a day of the month may come too.
_CHANGE_TO = re.compile(rf"(?:\s+(?:a|an|per|each)\s+(?:day|week|month|year|hour))?"
                        rf"(?:\s*(?:in|at|as at|for|during)\s+(?:the\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?:(?:Q[1-4]|quarter [1-4]|[A-Z][a-z]+)\s+)?20\d\d(?:\s?[/-]\s?\d\d)?)?"
                        rf"\s*(?:to|down to|up to)\s*{HEDGE}$", re.I)


def link_changes(points: list) -> None:
    """"Waits fell from 38 days to 19 days": the first figure is the earlier value of the
    second. It measures what the second measures, in its unit ("from 38 to 19 days"), and is
    its comparison ("19 days, down from 38 days"), never a figure to quote as it stands now."""
    for before, after in zip(points, points[1:]):
        sentence = before.sentence
        if not _CHANGE_FROM.search(sentence[: before.start]) or before.earlier:
            continue
        if not _CHANGE_TO.fullmatch(sentence[before.start + len(before.raw) : after.start]):
            continue
        # "down from 700 to 512": the cue of the change makes the first the comparison, not the second.
        after.is_comparator = False
        if before.unit == "count" and " " not in before.raw and after.unit != "count":
            before.unit = after.unit  # "from 38 to 19 days": 38 days
        if before.kind != after.kind:
            continue
        before.is_comparator = before.earlier = True
        before.measure, before.subject = after.measure, after.subject
        if _BARE_QUARTER.match(sentence[after.start + len(after.raw) :]) and before.date[:4].isdigit() and after.date <= before.date:
            # "fell from 5 days in 2023/24 to 2 days in Q4": a quarter with no year is a later one.
            after.date = _years_on(before.date, 1)
        if after.comparator is None:
            unit = after.raw.split(" ", 1)[1] if " " not in before.raw and " " in after.raw else ""
            way = "down" if after.value < before.value else "up"
            after.comparator = f"{way} from {before.raw} {unit}".strip()


_BARE_QUARTER = re.compile(r"\s+(?:in|for|at the end of)\s+(?:the\s+)?(?:Q[1-4]|quarter [1-4]|(?:first|second|third|fourth|last) quarter)\b(?!\s*(?:of\s+)?(?:20\d\d|\d\d/\d\d))", re.I)
_TO_BEFORE = re.compile(rf"\b(?:fell|rose|dropped|increased|decreased|reduced|improved|went (?:up|down)|came down|grew|climbed|"
                        rf"(?:has|have) (?:fallen|risen|dropped|increased|decreased|improved|grown))\s+to\s*{HEDGE}$", re.I)
_FROM_AFTER = re.compile(rf"[^.;|\d]{{0,40}}?,?\s*(?:up |down )?from\s*{HEDGE}$", re.I)
_COMPARED = re.compile(rf"[^.;|\d]{{0,40}}?,?\s*(?:compared (?:with|to)|against|versus|vs\.?)\s*{HEDGE}$", re.I)
_DATES = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?=[A-Z][a-z]+\s+20\d\d)|\b20\d\d(?:\s?[/-]\s?\d\d)?\b|\bQ[1-4]\b")
_YEAR_BEFORE = re.compile(r"\s*(?:a year (?:earlier|before|ago)|the (?:year|twelve months) before|the previous year|last year|"
                          r"(?:in|at) the same (?:point|time) last year)\b", re.I)


def _years_on(date: str, years: int) -> str:
    """A "YYYY-MM" (or "YYYY") date ``years`` on (back, when negative)."""
    return f"{int(date[:4]) + years:04d}{date[4:]}"


def link_changes_after(points: list) -> None:
    """"The vacancy rate fell to 10.8% at 31 March 2025, from 15.9% a year earlier": the figure
    after "from" is the earlier value of the one before it, whatever period the sentence names
    first; said "a year earlier", it is of the year before that one's (in place)."""
    for now, before in zip(points, points[1:]):
        sentence = now.sentence
        if before.earlier or now.kind != before.kind and not (before.unit == "count" and " " not in before.raw):
            continue
        between = _DATES.sub(" ", sentence[now.start + len(now.raw) : before.start])  # "at 31 March 2025, from"
        after = sentence[before.start + len(before.raw) :]
        # "41 people were waiting, compared with 152 a year earlier": the earlier value too.
        year_before = _COMPARED.fullmatch(between) and _YEAR_BEFORE.match(after) and now.subject == before.subject
        if not (_TO_BEFORE.search(sentence[: now.start]) and _FROM_AFTER.fullmatch(between) or year_before):
            continue
        if before.unit == "count" and now.unit != "count":
            before.unit = now.unit  # "fell to 631.8 per 100,000, from 688.4": 688.4 per 100,000
        before.is_comparator = before.earlier = True
        before.measure, before.subject = now.measure, now.subject
        if now.comparator is None:
            now.comparator = f"{'down' if now.value < before.value else 'up'} from {before.raw}"
        if _YEAR_BEFORE.match(after) and now.date[:4].isdigit():
            before.date = _years_on(now.date, -1)
        elif now.period and now.period == before.period and now.period in after and before.date[:4].isdigit():
            # "fell to 631.8, from 688.4 in 2023/24": the period is the earlier figure's; the later is a year on.
            now.date = _years_on(before.date, 1)


_EARLIER_PERIOD = re.compile(
    r"\s*(?:in|from|for|at) (?:the )?(?:previous|last|prior|earlier) (?:survey|year|quarter|month|count|return)|\s*(?:the year before|last year)",
    re.I)


def link_comparators(points: list) -> None:
    """Give each main figure the comparison figure that follows it in the same sentence; and a
    figure that is someone else's (England's, a target) the measure of the council's figure of
    the same unit before it ("..., against a target of 120")."""
    for index, point in enumerate(points):
        if point.is_comparator or point.subject != "ours":
            continue
        passed: list = []  # the figures between the two
        for other in points[index + 1 :]:
            if "|" in point.sentence[point.start : other.start]:
                break  # the next cell of a row set out on one line: another measure
            if other.earlier:
                passed.append(other)
                continue  # already the comparison of the figure after it
            # "45 days, against 156 nationally": 156 days; not past a figure of another kind ("2 days,
            # and ... fell from 78 to 61, above the target of 55": 55 is the 61's target, a count).
            if other.kind != point.kind and other.unit == "count" and " " not in other.raw and (
                other.is_comparator or other.subject != "ours"
            ) and all(o.kind == point.kind for o in passed):
                other.unit = point.unit
            passed.append(other)
            if other.kind != point.kind:
                continue
            if other.is_comparator and other.subject == "ours" and _OWN_DOING.match(other.sentence[other.start + len(other.raw) :]):
                break  # "352 concluded, compared with 298 started": a figure of another measure, not a comparison
            if not other.is_comparator:
                if other.subject != "ours":
                    other.measure = point.measure
                    if other.subject in ("england", "region", "comparator") and point.comparator is None:
                        point.comparator = f"{other.subject if other.subject != 'comparator' else 'comparator group'} {other.raw}"
                break
            if other.kind == point.kind:
                label = _comparator_label(other.sentence[: other.start])
                if other.subject in ("england", "region", "comparator") and re.fullmatch(r"(?:compared (?:with|to)|against|vs\.?|versus)?", label, re.I):
                    # "..., against 2.9% nationally": whose it is, said after it
                    label = other.subject if other.subject != "comparator" else "comparator group"
                point.comparator = f"{label} {other.raw}".strip()
                other.measure = point.measure  # the comparison measures what its figure measures
                if other.subject == "ours" and not re.match(r"(?:up|down|increase) from", label, re.I):
                    whole = other.sentence
                    other.subject = (
                        "england" if re.search(r"\b(?:england|national|country)", whole, re.I)
                        else "region" if re.search(r"\bregion|north east|north west|south east|south west|midlands", whole, re.I)
                        # "51% against 44% in the previous survey": our own earlier figure.
                        else "ours" if _EARLIER_PERIOD.match(whole[other.start + len(other.raw) :])
                        else "comparator"
                    )
                break


_AND = re.compile(r"\s*(?:,|and|,\s*and)\s*", re.I)


def link_respectively(points: list) -> None:
    """"87% of home care providers and 82% of care homes were rated good, against 85% and 78%
    for England": two figures of the council said together and two comparisons said together
    after them pair in order (85% is home care's, 78% care homes') (in place)."""
    for i in range(len(points) - 3):
        a, b, x, y = points[i : i + 4]
        ours = not (a.is_comparator or b.is_comparator) and a.subject == b.subject == "ours"
        theirs = x.is_comparator and (y.is_comparator or y.subject == x.subject)
        if not (ours and theirs and a.kind == b.kind == x.kind == y.kind):
            continue
        sentence = a.sentence
        if not (re.match(r"\s+(?:of|for|in)\b", sentence[a.start + len(a.raw) :], re.I)
                and re.search(r"\band\s*$", sentence[a.start + len(a.raw) : b.start], re.I)
                and _AND.fullmatch(sentence[x.start + len(x.raw) : y.start])):
            continue
        for own, other in ((a, x), (b, y)):
            other.measure, other.is_comparator = own.measure, True
            own.comparator = f"{other.subject if other.subject != 'ours' else 'compared with'} {other.raw}"


def part_of_whole(points: list, earlier: list) -> None:
    """"We have 47 residents placed out of area. 31 of them ...": a count said to be "of them"
    is a part of the count before it (31 of 47), comparable with "23 of the 47"; "an overspend
    of £7.3m, 3.4% of the net budget", "1,184 people whose review was overdue, representing 27%
    of people receiving long-term support": a share set beside a count or a sum is its share."""
    for index, point in enumerate(points):
        whole = points[index - 1] if index and points[index - 1].unit != "%" else None
        if point.unit == "%" and whole is not None and re.match(r"\s*of\b", point.sentence[point.start + len(point.raw) :], re.I) and _BESIDE.fullmatch(
                point.sentence[whole.start + len(whole.raw) : point.start]):
            own = [w for w in point.measure.split() if w not in whole.measure.split() and w not in _LINKING]
            point.measure = " ".join([*whole.measure.split(), "share", "of", *own][:16])
        if point.unit != "count" or not _OF_THEM.match(point.sentence[point.start + len(point.raw) :]):
            continue
        before = [o for o in points if o.start < point.start] or list(earlier)
        wholes = [o for o in before if o.unit == "count" and o.value > point.value]
        if wholes:
            whole = wholes[-1]
            point.unit = f"of {int(whole.value)}"
            # What "them" are is what the whole counts.
            if whole.measure not in point.measure:
                point.measure = " ".join(f"{whole.measure} {point.measure}".split()[:16])


def share_measures(points: list, earlier: list = ()) -> None:
    """A figure whose own words name no measure ("against 38 days locally") measures what the
    figure of its unit beside it in the sentence measures; in a short sentence of such figures
    ("...: 72.5%; England 71.0%; comparator group 70.4%."), the last one of the sentence before."""
    for point in points:
        if specific_words(point.measure):
            continue
        # In a row on one line ("Budget 151,200 | Forecast 153,480"), a cell borrows from no other
        # cell: a bare label is what the row's heading cell is about ("ASC revenue (£000s)").
        # Nor from a figure after it in a clause of its own ("1,318 people were waiting, and 214 had
        # waited over a year"): that one is a part, or another measure.
        named = [o for o in points if o is not point and o.kind == point.kind and specific_words(o.measure) >= 2
                 and "|" not in point.sentence[min(o.start, point.start) : max(o.start, point.start)]
                 and not (o.start > point.start and re.search(r"[,;]", point.sentence[point.start + len(point.raw) : o.start]))]
        if named:
            point.measure = min(named, key=lambda o: abs(o.start - point.start)).measure
            continue
        heading = _row_heading(point.sentence)
        if heading and point.start > len(heading):
            point.measure = " ".join(f"{heading} {point.measure}".split()[:16])
            continue
        before = [o for o in earlier if o.kind == point.kind and specific_words(o.measure) >= 2]
        last = earlier[-1] if earlier else None
        if not before and last is not None and not point.measure.strip() and specific_words(last.measure) >= 1 and (
                last.kind == point.kind or point.unit == "count" and " " not in point.raw):
            # "Unmet home care hours per week: 6,100 (January 2024); 2,850 (March 2025)": a value and
            # its period alone after a row's first value are the same measure, in its unit.
            point.unit, before = last.unit, [last]
        if not before and point.unit == "count" and " " not in point.raw and point.subject != "ours":
            # "...per 100,000 population: 598.2; England 566.0": England's bare number is in the
            # unit of the council's figure it follows.
            before = [o for o in earlier[-1:] if o.subject == "ours" and specific_words(o.measure) >= 2]
            if before:
                point.unit = before[-1].unit
        if before:
            point.measure = before[-1].measure


def _row_heading(sentence: str) -> str:
    """The words of a row's first cell when it holds no figure ("ASC revenue 2024/25 (£000s) |
    ..."), or of the heading before its colon ("Forecast variance by service (£m): ..."): what
    the row is about."""
    first = sentence.split("|", 1)[0] if "|" in sentence else ""
    first = first.split(":", 1)[0] if ":" in first else first
    words = spell_out(re.sub(r"\([^)]*\)|\b20\d\d(?:\s*/\s*\d\d)?\b", " ", first)).lower()
    if re.search(r"\d", words) or not specific_words(words):
        return ""
    return " ".join(words.split()[:8])


def _comparator_label(before: str) -> str:
    m = re.search(
        r"(England average|national average|regional average|North East average|average across the country|"
        r"comparator average|statistical neighbours?|England|nationally|regionally|up from|down from|increase from|compared (?:to|with))"
        r"[^.]{0,30}$",
        before,
        re.I,
    )
    return m.group(1) if m else "compared with"


__all__ = ["HEDGE", "link_changes", "link_comparators", "part_of_whole", "share_measures"]
