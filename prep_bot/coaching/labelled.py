"""The judgement's labelled sets (knowledge/sentences): answer sentences with their labels,
evidence sentences that do or do not name an area to improve, and answer/evidence pairs; read
and checked here, learned from in coaching/judgement.py."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from prep_bot.errors import ConfigError

LETTERS = {
    "O": "outcome", "D": "data", "E": "example", "P": "practice", "G": "gap", "L": "plan",
    "A": "activity", "B": "buzz", "V": "venting", "X": "off", "C": "overclaim",
}
LABELS = tuple(LETTERS.values())
PAIR_KINDS = ("claims", "owns", "other")
HELD_OUT_SHARE = 5  # one sentence in five (by a hash of its text) is held out for evaluation
FOLDS = 5  # the pair model reads each answer with label models fitted without its fifth of the sentences


@dataclass(frozen=True)
class LabelledSentence:
    text: str
    labels: frozenset[str]
    source: str

    @property
    def held_out(self) -> bool:
        return int(hashlib.sha256(self.text.encode("utf-8")).hexdigest(), 16) % HELD_OUT_SHARE == 0


def fold(text: str) -> int:
    """Which fifth of the labelled sentences ``text`` falls in (by a hash, apart from the held-out one)."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) // HELD_OUT_SHARE % FOLDS


@dataclass(frozen=True)
class LabelledPair:
    kind: str  # claims | owns | other
    answer: str
    evidence: str


NOT_ANSWERS = ("contradictions.txt", "evidence.txt")  # pairs, and the evidence's own voice


def sentence_files(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).glob("*.txt") if p.name not in NOT_ANSWERS)


def read_sentences(folder: Path) -> list[LabelledSentence]:
    """Every labelled sentence in ``folder`` ("LETTERS | sentence" lines; see its README)."""
    out: list[LabelledSentence] = []
    seen: set[str] = set()
    files = sentence_files(folder)
    if not files:
        raise ConfigError(f"no labelled sentences in {folder}: the coach needs knowledge/sentences/*.txt")
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            letters, bar, text = line.partition("|")
            letters, text = letters.strip(), text.strip()
            unknown = set(letters) - set(LETTERS) - {"-"}
            if not bar or not text or unknown:
                raise ConfigError(f"{path.name} line {number}: expected 'LETTERS | sentence' with letters from {''.join(LETTERS)} or '-'")
            if text in seen:
                continue
            seen.add(text)
            out.append(LabelledSentence(text, frozenset(LETTERS[c] for c in letters if c != "-"), path.stem))
    return out


def read_evidence(folder: Path) -> list[tuple[str, bool]]:
    """Evidence sentences labelled as naming an area to improve or not: evidence.txt ("W |" or
    "- |") and findings.txt (its gap lines are weaknesses, its other lines are not)."""
    out: list[tuple[str, bool]] = []
    path = Path(folder) / "evidence.txt"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        mark, bar, text = line.partition("|")
        if mark.strip() not in ("W", "-") or not bar or not text.strip():
            raise ConfigError(f"{path.name} line {number}: expected 'W | sentence' or '- | sentence'")
        out.append((text.strip(), mark.strip() == "W"))
    out += [(s.text, "gap" in s.labels) for s in read_sentences(folder) if s.source == "findings"]
    return out


def read_pairs(folder: Path) -> list[LabelledPair]:
    path = Path(folder) / "contradictions.txt"
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        kind, _, rest = line.partition("|")
        answer, sep, evidence = rest.partition("||")
        kind = kind.strip()
        if kind not in PAIR_KINDS or not sep or not answer.strip() or not evidence.strip():
            raise ConfigError(f"{path.name} line {number}: expected 'claims|owns|other | answer || evidence'")
        out.append(LabelledPair(kind, answer.strip(), evidence.strip()))
    return out
