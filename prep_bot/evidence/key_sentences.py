"""The key sentences of a passage for a question: whole sentences, never cut mid-way, chosen by the
question's words they share and the figures they state, kept in the passage's order. Used where
there is no language model to say it in words (Ask, without a model)."""

from __future__ import annotations

import re

from prep_bot.evidence.figures import sentences

_WORD = re.compile(r"[a-z][a-z'’-]+")
_FIGURE = re.compile(r"\d")
_STOP = frozenset(
    "a an and are as at be been by can could did do does for from had has have how in into is it its of on or our "
    "over say says said should so than that the their them there these they this those to was we were what when "
    "where which who why will with would you your about any much many more most".split()
)


def _stems(text: str) -> set[str]:
    """Content words, cut to their first five letters so "waits", "waiting" and "wait" meet."""
    return {w[:5] for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def key_sentences(text: str, question: str, limit: int = 2) -> list[str]:
    """Up to ``limit`` whole sentences of ``text`` that answer ``question`` best, in text order.
    A sentence scores one for each of the question's words it uses, and one more for stating a
    figure (the number a reader needs is usually the point); the first sentence wins a tie."""
    found = sentences(text)
    if len(found) <= limit:
        return found
    asked = _stems(question)
    scored = [(len(asked & _stems(s)) + (1 if _FIGURE.search(s) else 0), -i) for i, s in enumerate(found)]
    chosen = sorted(sorted(scored, reverse=True)[:limit], key=lambda item: -item[1])
    return [found[-i] for _, i in chosen]
