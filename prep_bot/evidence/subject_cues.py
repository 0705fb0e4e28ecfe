"""Whose figure it is, by rules: ``subject_cue`` reads the words just before or after a figure
for England, a region, a comparator group or a target ("ours" when they name no one else). The
learned subject classifier in ``figure_model`` starts from it."""

from __future__ import annotations

import re

# Whose figure: the words just before it (or right after it: "82% nationally").
_SUBJECT_BEFORE = (
    ("target", re.compile(r"\b(?:target(?:s|ed)?|aim(?:s|ing)? (?:to|for)|(?:the|our) aim(?:'s| is| was)?|ambition|goal|trajectory|plan(?:s|ned)? to (?:reach|get)|(?:a|the|our) plan of|planned level of|"
                          r"aspire|want(?:s)? to (?:reach|get)|expected standard|standard of|threshold of)\b[^.]{0,40}$", re.I)),
    ("england", re.compile(r"\b(?:england|eng\b\.?|english|national(?:ly)?|the country|across the country|all councils|"
                           r"nationwide|national figure|the average nationally)\b[^.]{0,35}$", re.I)),
    ("region", re.compile(r"\b(?:region(?:al|ally)?|(?:north|south) (?:east|west)|east midlands|west midlands|yorkshire(?: and the humber)?|"
                          r"london(?: boroughs?)?|eastern region|the midlands)\b[^.]{0,30}$", re.I)),
    ("comparator", re.compile(r"\b(?:comparators?|statistical neighbours?|nearest neighbours?|(?-i:SN)|similar councils|similar authorities|"
                              r"cipfa|peer group|comparator group|neighbouring (?:councils|authorities)|family group)\b[^.]{0,30}$", re.I)),
)
_SUBJECT_AFTER = (
    ("england", re.compile(r"^\s?(?:%|per ?cent)?\s?(?:\)|,)?\s?(?:nationally|in england|across england|for england|across the country|national(?:ly)? average)\b", re.I)),
    ("region", re.compile(r"^\s?(?:%|per ?cent)?\s?(?:regionally|(?:in|across|for) (?:the )?(?:region|east midlands|west midlands|(?:north|south) (?:east|west)|"
                          r"yorkshire(?: and the humber)?|east of england|eastern region|london)|regional average)\b", re.I)),
    ("comparator", re.compile(r"^\s?(?:%|per ?cent)?\s?(?:among|for|in|across) (?:our )?(?:comparators|statistical neighbours|similar councils)\b", re.I)),
    ("target", re.compile(r"^\s?(?:%|per ?cent)?\s?(?:target|goal|ambition)\b", re.I)),
)
# "National data showed that 10.77% of carers...": where the figure comes from, not whose it is.
DATA_SOURCE = re.compile(
    r"\b(?:the\s+)?(?:national|england|regional)\s+(?:data|figures|statistics|survey|surveys|returns|benchmarking|dataset|"
    r"published data|performance data|data sets?)(?:\s+(?:for \S+\s+)?(?:show(?:s|ed|n)?|indicated?s?|suggest(?:s|ed)?|"
    r"reported|recorded|told us))?(?:\s+that)?\b", re.I)
# "(47.83% compared to 36.83%)": the figure followed by its comparison is the council's.
_FOLLOWED_BY_COMPARISON = re.compile(r"^\s*,?\s*(?:compared (?:to|with)|vs\.?|versus|against)\b", re.I)


def subject_cue(sentence: str, start: int, end: int) -> str:
    """Whose figure the nearby words say it is (``"ours"`` when they name no one else)."""
    if _FOLLOWED_BY_COMPARISON.match(sentence[end:]):
        return "ours"
    before = sentence[max(0, start - 70) : start]
    clause_start = max((m.end() for m in re.finditer(r"[;.!?]\s|,\s(?:and|but|while|whilst|whereas|although|though|however|yet)\s", before)), default=0)
    before = DATA_SOURCE.sub(" ", before[clause_start:])
    after = sentence[end : end + 40]
    # "25.5% for England and 24.9% for the East Midlands": a place named right after a figure is
    # whose it is, whatever an earlier figure's place before it.
    for name, pattern in _SUBJECT_AFTER:
        if name in ("england", "region") and pattern.match(after) and re.match(r"^\s?(?:%|per ?cent)?\s?(?:for|in|across)\b", after, re.I):
            return name
    for name, pattern in _SUBJECT_BEFORE:
        m = pattern.search(before)
        # The cue must govern this figure: no other figure between the cue and it.
        if m and not re.search(r"\d", before[m.start() :]):
            return name
    for name, pattern in _SUBJECT_AFTER:
        if pattern.match(after):
            return name
    return "ours"
