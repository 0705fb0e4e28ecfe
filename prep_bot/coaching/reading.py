"""What the coach reads from an answer, once per turn, for every dimension judge: its sentences
(over all the turns of a conversation), what each sentence shows (the learned judgement), the
figures each states and what the claim check found, whether the answer is about the question,
and where it says the opposite of, or owns, an area the evidence says needs to improve."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from prep_bot.coaching.judgement import LABELS, SentenceJudge
from prep_bot.evidence.figures import DataPoint

QUOTE_LIMIT = 110  # characters of an answer sentence quoted in a reason
# What a sentence can be instead of venting: what changed, a figure, an example, what is done.
INSTEAD_OF_VENTING = ("outcome", "data", "example", "practice", "activity", "plan")
VENTING_SHARE = 0.15  # an answer this much read as venting: Focus says so, and with nothing done or measured it is capped


@dataclass
class WrongFigure:
    """A figure the answer states that the evidence contradicts."""

    said: str  # as the answer states it, e.g. "62%"
    evidence: str  # what the evidence says, e.g. "48%"
    source: str  # the passage's citation: title (date), page
    sentence: str = ""  # the answer's sentence that states it


def wrong_figures_text(wrong: list[WrongFigure], sources: bool = True) -> str:
    """'you said 62%, the evidence says 48% (Title (June 2024))' for each, joined by '; '."""
    return "; ".join(
        f"you said {w.said}, the evidence says {w.evidence}" + (f" ({w.source})" if sources and w.source else "")
        for w in wrong
    )


@dataclass
class Finding:
    """An answer sentence set beside an evidence sentence naming an area to improve."""

    kind: str  # "claims" (says the opposite: hides it) | "owns" (admits the same gap)
    sentence: int  # the answer sentence's index
    evidence: str  # the evidence sentence
    when: str  # its document's date as shown ("August 2024"), "" when undated
    title: str
    doc_id: str
    probability: float

    def cite(self) -> str:
        """'the evidence says “...” (August 2024)'."""
        return f"the evidence says “{self.evidence.rstrip('.')}” ({self.when or 'undated'})"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "evidence": self.evidence, "date": self.when, "title": self.title,
                "doc_id": self.doc_id, "probability": round(self.probability, 3)}


@dataclass
class AnswerReading:
    question: str
    qs: str
    text: str  # every turn, oldest first
    sentences: list[str]
    turn: list[int]  # which turn each sentence belongs to (0: the first answer)
    vectors: np.ndarray
    probs: np.ndarray  # (sentences, LABELS)
    figures: list[list[DataPoint]]  # per sentence
    activity: list[list[str]]  # per sentence: "420 meetings"...
    relevance: float = 0.0  # the whole answer's similarity to the question
    topic_fit: float = 0.0  # to the statement's description and the question's points
    off_question: bool = False
    # Each sentence's practice said in an opening clause of its own ("Since we brought in weekly
    # checks at the front door, people wait far less"): that clause's probability (0 for none).
    practice_in: np.ndarray | None = None
    supported: set[int] = field(default_factory=set)  # sentences with a figure the evidence states
    contradicted: set[int] = field(default_factory=set)  # sentences with a figure the evidence contradicts
    wrong: list[WrongFigure] = field(default_factory=list)
    checked: int = 0  # figures the claim check looked up
    supported_count: int = 0
    findings: list[Finding] = field(default_factory=list)
    english: bool = True
    calibration: tuple[float, float] = (0.0, 1.0)  # probability read as "not shown" / "fully shown"
    extra: dict = field(default_factory=dict)

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def hiding(self) -> set[int]:
        """Sentences that say the opposite of an area to improve the evidence names."""
        return {f.sentence for f in self.findings if f.kind == "claims"}

    def denies(self) -> np.ndarray:
        """Per sentence, 1 when it says a problem is not there ("no issues with ..."), else 0."""
        return np.array([SentenceJudge.signs(s)[1] for s in self.sentences], dtype=np.float32)

    def p(self, label: str) -> np.ndarray:
        """Each sentence's probability of showing ``label``."""
        return self.probs[:, LABELS.index(label)] if len(self.sentences) else np.zeros(0)

    def shown(self, label: str) -> np.ndarray:
        """How clearly each sentence shows ``label`` (0-1): its probability, calibrated so that
        a doubtful reading counts for nothing and a sure one fully (rubric.yaml, scoring)."""
        low, high = self.calibration
        return np.clip((self.p(label) - low) / max(1e-6, high - low), 0.0, 1.0)

    def practice_shown(self) -> np.ndarray:
        """How clearly each sentence shows practice, in itself or in an opening clause of its own."""
        low, high = self.calibration
        p = self.p("practice") if self.practice_in is None else np.maximum(self.p("practice"), self.practice_in)
        return np.clip((p - low) / max(1e-6, high - low), 0.0, 1.0)

    @property
    def on_subject(self) -> np.ndarray:
        """How much each sentence counts: not at all when it is off the subject."""
        return 1.0 - self.p("off")

    def share(self, label: str) -> float:
        """The share of the answer's words in sentences showing ``label`` (weighted by its probability)."""
        return self._word_share(self.p(label))

    def _word_share(self, weights: np.ndarray) -> float:
        lengths = np.array([len(s.split()) for s in self.sentences], dtype=float)
        if not lengths.sum():
            return 0.0
        return float((weights * lengths).sum() / lengths.sum())

    def venting(self) -> np.ndarray:
        """Each sentence's venting, where it outweighs everything else the sentence is read as
        (what changed, a figure, an example, what is done), else 0: a sentence read mostly as
        what changed for someone, with a trace of complaint in it, is that outcome, not venting."""
        vents = self.p("venting")
        if not len(vents):
            return vents
        shows = np.max([self.p(label) for label in INSTEAD_OF_VENTING], axis=0)
        return np.where(vents >= shows, vents, 0.0)

    def venting_share(self) -> float:
        """The share of the answer's words that vent (``venting``, weighted by word count)."""
        return self._word_share(self.venting())

    def quote(self, index: int, limit: int = QUOTE_LIMIT) -> str:
        sentence = self.sentences[index].strip()
        return f"“{sentence[: limit - 1].rstrip()}…”" if len(sentence) > limit else f"“{sentence}”"

    def from_turn(self, index: int) -> int:
        return self.turn[index] if 0 <= index < len(self.turn) else 0


def earned(strengths: list[float], weights: tuple[float, ...] = (1.0, 0.5, 0.25)) -> float:
    """How much a dimension is shown, from the strength (0-1) with which each sentence shows it:
    the best sentence counts fully and the next ones less, so one clear sentence is worth more
    than several half-hearted ones."""
    missing = 1.0
    for weight, value in zip(weights, sorted(strengths, reverse=True)):
        missing *= 1.0 - weight * max(0.0, min(1.0, value))
    return 1.0 - missing


def best(strengths: np.ndarray, exclude: set[int] = frozenset()) -> int | None:
    """The index of the strongest sentence, not counting ``exclude``; None when nothing shows it."""
    order = [int(i) for i in np.argsort(-strengths) if int(i) not in exclude]
    return order[0] if order and strengths[order[0]] > 0 else None
