"""Adult social care terms and acronyms (knowledge/glossary.yaml): expand a query with the
other names of the terms it uses, and explain the terms an evidence passage uses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from prep_bot.errors import ConfigError


@dataclass
class Term:
    term: str
    expansion: str
    synonyms: list[str] = field(default_factory=list)
    explain: str = ""
    expand: bool = True  # False for terms too general to widen a search with
    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys([self.term, self.expansion, *self.synonyms]))


def _pattern(name: str) -> re.Pattern:
    """A whole-word match; an acronym (all capitals) must be written in capitals, so "OT"
    is not found in "not" and "CHC" not in "chc"-free words, and "SAR" not in "sar"."""
    escaped = re.escape(name).replace(r"\ ", r"[\s\-]+")
    flags = 0 if (name.isupper() and len(name) <= 6) else re.I
    return re.compile(rf"(?<![\w'-]){escaped}(?![\w-])", flags)


def _plain(text: str) -> str:
    """Lower case, hyphens as spaces, one space between words: what a name's pattern can match is
    always in a text's plain form as the name's plain form."""
    return " ".join(text.lower().replace("-", " ").split())


class Glossary:
    def __init__(self, terms: list[Term]) -> None:
        self.terms = terms
        self._patterns = [(t, [(_pattern(n), n, _plain(n)) for n in t.names]) for t in terms]

    @classmethod
    def load(cls, path: Path) -> Glossary:
        if not Path(path).is_file():
            return cls([])
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
            terms = [
                Term(str(t["term"]).strip(), str(t.get("expansion") or t["term"]).strip(),
                     [str(s).strip() for s in t.get("synonyms") or [] if str(s).strip()], str(t.get("explain") or "").strip(),
                     bool(t.get("expand", True)))
                for t in data["terms"]
            ]
        except (OSError, yaml.YAMLError, KeyError, TypeError) as e:
            raise ConfigError(f"glossary {path} is unreadable: {e}") from e
        return cls(terms)

    def found(self, text: str) -> list[tuple[Term, str]]:
        """Terms the text uses, each with the name it was found under, in glossary order."""
        out = []
        plain = _plain(text)  # a name not in it even loosely is not looked for (a search and a coaching turn ask often)
        for term, patterns in self._patterns:
            for pattern, name, loose in patterns:
                if loose in plain and pattern.search(text):
                    out.append((term, name))
                    break
        return out

    def expand(self, query: str) -> str:
        """The query followed by the names documents use for the terms it says another way:
        an acronym's expansion ("DoLS" adds "Deprivation of Liberty Safeguards"), and a plain
        phrase's term and expansion ("pooled health and care budget" adds "BCF; Better Care
        Fund"). A term already given in full adds nothing."""
        extra: list[str] = []
        lowered = query.lower()
        for term, name in self.found(query):
            if not term.expand or name.lower() == term.expansion.lower():
                continue
            for other in (term.term, term.expansion):
                if other.lower() not in lowered and other not in extra:
                    extra.append(other)
        return f"{query} ({'; '.join(extra)})" if extra else query

    def spell_out(self, text: str) -> str:
        """The text followed by the full name of each short form it uses and does not spell out
        ("OT's fine" adds "(occupational therapy)"); nothing else: other names would make any two
        texts that share a plain word ("review") look alike."""
        lowered = text.lower()
        extra = [term.expansion for term, name in self.found(text)
                 if name == term.term and sum(ch.isupper() for ch in name) >= 2 and term.expansion.lower() not in lowered]
        return f"{text} ({'; '.join(extra)})" if extra else text

    def explain(self, text: str, limit: int = 4) -> list[Term]:
        """Terms a passage uses by their short or formal name, to explain under its card."""
        out = []
        for term, name in self.found(text):
            if name in (term.term, term.expansion) and term.explain:
                out.append(term)
            if len(out) >= limit:
                break
        return out
