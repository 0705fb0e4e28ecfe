"""The words around a figure that say what it is about when its own clause does not say it all:
its own words when its clause holds other figures too, the clauses that may name its topic, and
per what a price is when it is set against another."""

from __future__ import annotations

import re
from functools import lru_cache

from prep_bot.evidence.figures import extract_figures
from prep_bot.evidence.measure_words import per_period
from prep_bot.evidence.measures import _clauses


@lru_cache(maxsize=5000)
def figure_spans(sentence: str) -> tuple[tuple[int, int], ...]:
    return tuple((p.start, p.start + len(p.raw)) for p in extract_figures(sentence))


def own_words(sentence: str, start: int, end: int) -> str:
    """The words that are the figure's own when its clause holds another figure too: from the
    figure before it, and after it up to the next figure or a word that brings one in; "" when
    the clause holds no other figure."""
    a, b = next(((a, b) for a, b in _clauses(sentence) if a <= start < b), (0, len(sentence)))
    others = [(x, y) for x, y in figure_spans(sentence) if a <= x < b and not x <= start < y]
    if not others:
        return ""
    before = sentence[max([a] + [y for x, y in others if y <= start]) : start]
    after = sentence[end : min([b] + [x for x, y in others if x >= end])]
    if any(x >= end for x, _ in others):
        after = re.split(r"\b(?:against|compared|versus|than|while|whereas|but|and|with)\b", after, maxsplit=1, flags=re.I)[0]
    return f"{before} {after}"


def topic_text(sentence: str, start: int) -> str:
    """The words that may say what a figure is about when its own words do not: its clause, the
    clauses before it and the clauses with no figure ("Once someone was ready to leave hospital,
    they waited an average of 4.2 days"), not another figure's clause after it ("we each carry
    about 20 cases, and 14 in the hospital team")."""
    clauses = _clauses(sentence)
    here = next((n for n, (a, b) in enumerate(clauses) if a <= start < b), 0)
    return " ".join(sentence[a:b] for n, (a, b) in enumerate(clauses) if n <= here or not re.search(r"\d", sentence[a:b]))


def set_against_per(point) -> str:
    """Per what the price a price is set against is ("£918 a week, against the £842 we pay"),
    or ""."""
    for x, y in sorted(figure_spans(point.sentence), key=lambda xy: abs(xy[0] - point.start)):
        if x == point.start or "£" not in point.sentence[x:y]:
            continue
        between = point.sentence[min(y, point.start + len(point.raw)) : max(x, point.start)]
        if re.search(r"\b(?:against|compared|than|versus|vs)\b", between, re.I):
            return per_period(point.sentence, x, y)
        return ""
    return ""
