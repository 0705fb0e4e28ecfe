"""The glossary's terms, put back where a transcript nearly heard them: "regalment" becomes
"reablement", "domicilary" "domiciliary", "Dols" "DoLS", but only when the sound is close and
the word heard is not itself an English word.

A word is corrected by sound when all of these hold:
- English does not use it: a Zipf frequency under ``NOT_A_WORD_ZIPF`` in wordfreq's English list
  (about once in 30 million words: "regalment" is 0; "regiment" 3.9, "careers" 4.1, "enablement"
  2.1 and "embargoes" 2.3 are words and are never changed), and it is not a term already, nor a
  term with an ending ("embargoes", "reviews");
- it sounds like one of the glossary's words: the same Metaphone code, or, for codes of five
  sounds or more, one sound apart ("regalment" RKLMNT, "reablement" RBLMNT);
- it is spelt like it (Jaro-Winkler similarity at least ``MIN_SPELLING``) and starts with the
  same letter.
A word with the same letters as a term is given the term's spelling when the term is an acronym
("Dols" -> "DoLS", "ascof" -> "ASCOF") unless the word is common English ("mash" is not "MASH"),
or hyphenated ("coproduction" -> "co-production"). An acronym is never matched by sound: said as
a word it sounds like too many others."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import jellyfish

COMMON_ZIPF = 3.0  # about once in a million words: "regiment" is 3.9, "respite" 3.2, "mash" 3.6
NOT_A_WORD_ZIPF = 1.5  # rarer than once in 30 million words: not a word English uses
MIN_SPELLING = 0.85
MIN_LENGTH = 5  # shorter words sound like too many others
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


@dataclass(frozen=True)
class Correction:
    heard: str
    term: str


@lru_cache(maxsize=20_000)
def zipf(word: str) -> float:
    """How common ``word`` is in English (wordfreq's Zipf scale: 3 is once per million words)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


def is_common(word: str) -> bool:
    return _frequency(word) >= COMMON_ZIPF


def is_word(word: str) -> bool:
    """Whether English uses ``word`` at all (so a transcript that has it may well be right)."""
    return _frequency(word) >= NOT_A_WORD_ZIPF


def _frequency(word: str) -> float:
    return max(zipf(word.lower()), zipf(word.lower().replace("-", "")))


def _sound(word: str) -> str:
    return jellyfish.metaphone(word.replace("-", "").lower())


def _is_acronym(word: str) -> bool:
    """"DoLS", "ASCOF", "LeDeR", "PiPoT": more than one capital letter."""
    return sum(ch.isupper() for ch in word) >= 2


class TermSpeller:
    """Corrects near-misses of the glossary's words in a transcript (see the module's docstring)."""

    def __init__(self, glossary) -> None:
        words: dict[str, str] = {}  # lower case, without hyphens -> the glossary's spelling
        for term in glossary.terms if glossary else []:
            for name in term.names:
                for word in _WORD.findall(name):
                    if len(word) < 3:
                        continue
                    if _is_acronym(word) or not is_common(word) or " " not in name.strip():
                        words.setdefault(word.lower().replace("-", ""), word)
        self.spellings = words
        self.sounds = [(spelling, _sound(spelling), key) for key, spelling in words.items() if not _is_acronym(spelling)]

    def term_for(self, heard: str) -> str | None:
        """The glossary word ``heard`` nearly is, or None to leave it alone."""
        key = heard.lower().replace("-", "")
        if key in self.spellings:
            spelling = self.spellings[key]
            return spelling if spelling != heard and (_is_acronym(spelling) or "-" in spelling) and not is_common(heard) else None
        if len(key) < MIN_LENGTH or is_word(heard):
            return None
        sound = _sound(key)
        best, best_score = None, 0.0
        for spelling, code, target in self.sounds:
            if target[0] != key[0] or key.startswith(target) or target.startswith(key):
                continue  # another sound, or the term with an ending ("embargoes")
            apart = jellyfish.levenshtein_distance(sound, code)
            if apart > (1 if min(len(code), len(sound)) >= 5 else 0):
                continue
            score = jellyfish.jaro_winkler_similarity(key, target)
            if score >= MIN_SPELLING and score > best_score:
                best, best_score = spelling, score
        return best

    def correct(self, text: str) -> tuple[str, list[Correction]]:
        """``text`` with near-missed terms put right, and what was changed."""
        found: list[Correction] = []

        def fix(m: re.Match[str]) -> str:
            heard = m.group()
            term = self.term_for(heard)
            if term is None:
                return heard
            if heard[0].isupper() and term[0].islower():
                term = term[0].upper() + term[1:]  # the first word of a sentence
            found.append(Correction(heard, term))
            return term

        return _WORD.sub(fix, text), found
