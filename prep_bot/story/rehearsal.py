"""Rehearsing against the agreed story: which agreed messages an answer carried ("on message: 2
of 3"), a figure that differs from the agreed one for the same measure ("the agreed figure is
94% (source, date)"), and an answer that hides an agreed area to improve.

By meaning: each message is compared with the answer's sentences (and pairs of neighbouring
sentences, for a message said in two: the normalised sum of their embeddings) by sentence
embeddings, and a sentence that says the
opposite (``lean``: "there are no waits" against "people wait too long") never carries it.
The thresholds are calibrated on ``eval/story.yaml`` (``prep-bot eval story``). Nothing here
changes the coach's score: it is reported beside it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from prep_bot.evidence.figures import DataPoint, extract_figures, sentences
from prep_bot.story.figures import AGREES, DIFFERS, Measures, same_value
from prep_bot.story.lean import lean
from prep_bot.story.model import AgreedFigure, Improvement, StoryVersion

CARRIED = 0.6  # cosine of a message and an answer sentence (or two) saying it (eval/story*.yaml)
HIDES = 0.45  # a sentence this close to an agreed area to improve, saying all is well there, hides it
FIGURE_SAME = AGREES  # same-measure probability (the figure model's) at which an equal value agrees
FIGURE_CONFLICT = DIFFERS  # ...and at which a different value is flagged
MAX_FIGURES = 8


@dataclass(frozen=True)
class Carried:
    kind: str  # "strength" | "improvement"
    message: str
    sentence: str = ""  # what in the answer said it ("" when missed)
    similarity: float = 0.0

    def to_dict(self) -> dict:
        out = {"kind": self.kind, "message": self.message}
        if self.sentence:
            out["sentence"] = self.sentence
        return out


@dataclass(frozen=True)
class FigureConflict:
    said: str  # the figure as the answer stated it
    sentence: str
    agreed: AgreedFigure

    @property
    def note(self) -> str:
        return f"You said {self.said}; the agreed figure is {self.agreed.cited()}."

    def to_dict(self) -> dict:
        a = self.agreed
        return {"said": self.said, "sentence": self.sentence, "agreed": a.value, "measure": a.measure,
                "comparator": a.comparator or None, "period": a.period or None, "source": a.source or None,
                "date": a.date or None, "note": self.note}


@dataclass(frozen=True)
class Hidden:
    area: str  # the agreed area to improve
    sentence: str  # the answer's sentence saying all is well there
    action: str = ""

    @property
    def note(self) -> str:
        return f"The council's story names this as an area to improve: “{self.area}”"

    def to_dict(self) -> dict:
        return {"area": self.area, "sentence": self.sentence, "action": self.action or None, "note": self.note}


@dataclass
class OnMessage:
    """How an answer measured up to the story version current when it was given."""

    version: StoryVersion
    carried: list[Carried] = field(default_factory=list)
    missed: list[Carried] = field(default_factory=list)
    figure_conflicts: list[FigureConflict] = field(default_factory=list)
    figures_agreed: list[str] = field(default_factory=list)  # answer figures equal to an agreed one
    hidden: list[Hidden] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"on message: {len(self.carried)} of {len(self.carried) + len(self.missed)}"

    def to_dict(self) -> dict:
        v = self.version
        return {
            "story": {"id": v.id, "qs": v.qs, "version": v.version, "by": v.by, "at": v.at.isoformat(timespec="seconds")},
            "summary": self.summary,
            "carried": [c.to_dict() for c in self.carried],
            "missed": [m.to_dict() for m in self.missed],
            "figure_conflicts": [c.to_dict() for c in self.figure_conflicts],
            "figures_agreed": list(self.figures_agreed),
            "hidden": [h.to_dict() for h in self.hidden],
        }


class StoryCheck:
    """Checks answers against the story book's current approved story for their statement."""

    def __init__(self, book, embedder, measures: Measures | None = None) -> None:
        self.book = book
        self.embedder = embedder
        self.measures = measures or Measures(embedder)

    def review(self, feedback, answer: str) -> None:
        """The coach's hook: add ``on_message`` to a coached answer when its statement has an
        approved story."""
        found = self.check(feedback.qs, answer)
        if found is not None:
            feedback.reviews["on_message"] = found

    def check(self, qs: str, answer: str, version: StoryVersion | None = None) -> OnMessage | None:
        """``answer`` against ``version`` (default: the current approved story; None without one)."""
        version = version or self.book.current(qs)
        if version is None:
            return None
        story = version.story
        said = [s for s in sentences(answer) if s.strip()]
        result = OnMessage(version)
        if said:
            units = said + [f"{a} {b}" for a, b in zip(said, said[1:])]
            messages = [m.message for m in story.messages]
            # The coach has just embedded the answer's sentences (and the messages are embedded
            # once): a pair of sentences is the normalised sum of theirs, so no new model call.
            vectors = self.embedder.encode_cached([*messages, *said])
            message_vecs, sentence_vecs = vectors[: len(messages)], vectors[len(messages) :]
            pairs = sentence_vecs[:-1] + sentence_vecs[1:]
            pairs = pairs / np.maximum(np.linalg.norm(pairs, axis=1, keepdims=True), 1e-9)
            unit_vecs = np.vstack([sentence_vecs, pairs]) if len(pairs) else sentence_vecs
            for item, vec in zip(story.messages, message_vecs):
                kind = "improvement" if isinstance(item, Improvement) else "strength"
                sims = unit_vecs @ vec
                found = carried_by(item.message, kind, units, sims)
                (result.carried if found else result.missed).append(
                    Carried(kind, item.message, found[0] if found else "", found[1] if found else 0.0)
                )
                if kind == "improvement" and not found:
                    hiding = hidden_by(said, sims)
                    if hiding:
                        result.hidden.append(Hidden(item.message, hiding, item.action))
        else:
            result.missed = [Carried("improvement" if isinstance(m, Improvement) else "strength", m.message) for m in story.messages]
        self._figures(answer, story.figures, result)
        return result

    def _figures(self, answer: str, agreed: tuple[AgreedFigure, ...], result: OnMessage) -> None:
        stated = [p for p in extract_figures(answer) if not p.is_comparator][:MAX_FIGURES]
        pairs = [(f, f.point) for f in agreed if f.point is not None]
        if not stated or not pairs:
            return
        for point in self.measures.annotate(stated):
            if point.subject != "ours":
                continue  # the England average someone quotes is not the council's figure
            match = self.same_measure(point, pairs)
            if match is None:
                continue
            (figure, agreed_point), likeness = match
            if same_value(point, agreed_point):
                result.figures_agreed.append(point.raw)
            elif likeness >= FIGURE_CONFLICT:
                result.figure_conflicts.append(FigureConflict(point.raw, point.sentence, figure))

    def same_measure(self, point: DataPoint, pairs: list[tuple[AgreedFigure, DataPoint]], threshold: float = FIGURE_SAME):
        """The agreed figure measuring what ``point`` measures (the likeliest) with how likely,
        or None below ``threshold``."""
        likeness = self.measures.likeness(point, [p for _, p in pairs])
        if not len(likeness):
            return None
        best = int(np.argmax(likeness))
        return (pairs[best], float(likeness[best])) if likeness[best] >= threshold else None


def opposes(sentence: str, message: str, kind: str) -> bool:
    """Whether ``sentence`` points the other way from the message: says all is well against an
    area to improve, or admits a problem against a strength. A message that itself names a
    problem ("we understand the pressures on providers") is carried by a sentence naming it."""
    said = lean(sentence)
    if said == 0:
        return False
    against = said < 0 if kind == "strength" else said > 0
    return against and not (lean(message) * said > 0)


def carried_by(
    message: str, kind: str, units: list[str], sims: np.ndarray, threshold: float = CARRIED
) -> tuple[str, float] | None:
    """The answer unit that carries ``message`` (its text and similarity), or None: the closest
    unit reaching ``threshold`` whose wording does not point the opposite way."""
    for i in np.argsort(-sims):
        if sims[i] < threshold:
            return None
        if not opposes(units[i], message, kind):
            return units[i], float(sims[i])
    return None


def hidden_by(said: list[str], sims: np.ndarray, threshold: float = HIDES) -> str | None:
    """The sentence that says all is well on an agreed area to improve, or None. ``sims``: of the
    sentences, then of each pair of neighbouring ones (a short "There are no waits." is about the
    front door only with the sentence beside it)."""
    n = len(said)
    for i in np.argsort(-sims):
        if sims[i] < threshold:
            return None
        parts = [said[i]] if i < n else [said[i - n], said[i - n + 1]]
        if lean(" ".join(parts)) > 0:
            return max(parts, key=lean)
    return None
