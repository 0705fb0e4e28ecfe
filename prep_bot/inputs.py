"""Text people type (search queries, answers, questions), made safe to embed, index and store."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str | None) -> str:
    """``text`` in NFC, without lone surrogates (what undecodable bytes on a command line, or a
    bad JSON escape, turn into: the tokenizer and the database refuse them) and without control
    characters other than line breaks and tabs. Everything else, HTML included, is kept as
    typed: it is escaped where it is shown."""
    text = str(text or "")
    text = text.encode("utf-8", errors="replace").decode("utf-8")  # a lone surrogate becomes "?"
    return _CONTROL.sub("", unicodedata.normalize("NFC", text))


def has_words(text: str) -> bool:
    """True when ``text`` has at least one letter or digit (not only emoji, symbols or punctuation)."""
    return any(ch.isalnum() for ch in text)


# Common English words that are not also common words of Welsh, Polish and other languages
# ("a", "i", "w", "na" are, so they are not here).
_ENGLISH = frozenset(
    "the and to of in we is for that it with our was are on this have be as at by from they you not has had "
    "their them there when what who which will would can were been people he she his her my me do does".split()
)
_LETTERS = re.compile(r"[^\W\d_]+")


def looks_like_english(text: str) -> bool:
    """False when ``text`` is long enough to tell (12 words or more) and hardly any of its words
    are common English ones: an answer in Welsh, Polish or another language, which the coach's
    English cue words and examples cannot read."""
    words = _LETTERS.findall(text.lower())
    if len(words) < 12:
        return True
    return sum(w in _ENGLISH for w in words) >= 0.03 * len(words)


def name_key(name: str) -> str:
    """A person's name as compared: "Sam" and " sam" are one person."""
    return name.strip().casefold()
