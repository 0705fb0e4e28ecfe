"""A lead's corrections of a passage's tags.

Each correction is kept with who made it and when, keyed by the passage's normalised text, so
that it outlives the passage id: re-ingesting the file, or a new version of it that still holds
the passage, gets the corrected tags again. Search filters, readiness, key messages and
challenge questions all read the stored tags, so they all follow it.
"""

from __future__ import annotations

from prep_bot.errors import InputError
import hashlib
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from prep_bot.evidence.passage import Passage
from prep_bot.framework.statements import POLARITIES, QS_SLUGS, Framework

CONTAINED_SHARE = 0.6  # a correction also covers a passage that holds its text and little more


@dataclass
class Correction:
    key: str
    text: str  # the normalised text the key is made from
    quality_statements: list[str]
    polarity: str  # "" keeps the passage's own polarity
    by: str
    at: str

    def to_dict(self) -> dict:
        return asdict(self)


def normalise(text: str) -> str:
    """Text as compared across versions of a document: lower case, plain quotes and dashes,
    single spaces, no bullet marks or trailing punctuation."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').replace("–", "-").replace("—", "-")
    text = re.sub(r"(?m)^\s*[•\-*·]\s*", "", text.lower())
    return " ".join(text.split()).strip(" .;:")


def text_key(text: str) -> str:
    return hashlib.sha256(normalise(text).encode()).hexdigest()[:32]


def check(quality_statements: Sequence[str], polarity: str | None) -> list[str]:
    """The statements as given, validated (1 to 3 known slugs, no repeats)."""
    slugs = list(dict.fromkeys(s.strip() for s in quality_statements if s.strip()))
    if not slugs:
        raise InputError("name at least one quality statement")
    unknown = [s for s in slugs if s not in QS_SLUGS]
    if unknown:
        raise InputError(f"unknown quality statement {unknown[0]!r}; expected one of {', '.join(QS_SLUGS)}")
    if len(slugs) > 3:
        raise InputError("a passage takes at most 3 quality statements")
    if polarity and polarity not in POLARITIES:
        raise InputError(f"unknown polarity {polarity!r}; expected one of {', '.join(POLARITIES)}")
    return slugs


def make(passage: Passage, quality_statements: Sequence[str], polarity: str | None, by: str) -> Correction:
    slugs = check(quality_statements, polarity)
    who = " ".join((by or "").split()) or "unknown"
    at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return Correction(text_key(passage.text), normalise(passage.text), slugs, polarity or "", who, at)


def apply(passage: Passage, correction: Correction, framework: Framework) -> None:
    passage.quality_statements = list(correction.quality_statements)
    passage.theme = framework.qs(correction.quality_statements[0]).theme
    if correction.polarity:
        passage.polarity = correction.polarity
    passage.tag_source = "lead"
    passage.tag_confidence = 1.0


def find(passage: Passage, corrections: Sequence[Correction], by_key: dict[str, Correction] | None = None) -> Correction | None:
    """The correction that covers a passage: the same normalised text, or text that holds the
    corrected text (or is held by it) with little else around."""
    by_key = by_key if by_key is not None else {c.key: c for c in corrections}
    found = by_key.get(text_key(passage.text))
    if found is not None:
        return found
    norm = normalise(passage.text)
    for c in corrections:
        short, long = sorted((c.text, norm), key=len)
        if short and short in long and len(short) >= CONTAINED_SHARE * len(long):
            return c
    return None


def apply_corrections(passages: Sequence[Passage], corrections: Sequence[Correction], framework: Framework) -> int:
    """Give passages the tags leads set for them; returns how many were corrected."""
    if not corrections:
        return 0
    by_key = {c.key: c for c in corrections}
    count = 0
    for p in passages:
        c = find(p, corrections, by_key)
        if c is not None:
            apply(p, c, framework)
            count += 1
    return count


def correct(store, framework: Framework, passage_id: str, quality_statements: Sequence[str], polarity: str | None, by: str) -> Passage:
    """A lead's correction of one stored passage: kept, and applied at once."""
    passage = store.passage(passage_id)
    correction = make(passage, quality_statements, polarity, by)
    apply(passage, correction, framework)
    store.retag([passage], correction)
    return passage
