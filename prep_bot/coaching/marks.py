"""What the coach found, as marks on the words of an answer: the sentence that says what changed
for people, each figure (with its claim check), the person's example or words, the honest gap,
and, for a spoken answer, fillers and long pauses. The transcript is then shown with them marked
in it, as Google's Interview Warmup and Yoodli show theirs.

Findings come in as a plain list of (text of the answer, kind), so that any judge can feed them:
they are read from the Feedback (the sentences the learned judgement's reasons rely on, and the
claims with their sentences).
``locate`` finds each in the answer; a finding that is not in the answer (the answer was edited
after it was found) is left out rather than guessed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from prep_bot.coaching.delivery import Delivery, filler_spans
from prep_bot.evidence.figures import extract_figures, sentences

KINDS = {  # kind -> what the mark means, as the legend says it
    "outcome": "What changed for people",
    "figure": "A figure",
    "example": "A person's example or their words",
    "gap": "Honest about what needs to improve",
    "filler": "Filler or hedge",
    "pause": "Long pause",
}
SENTENCE_KINDS = ("outcome", "example", "gap")
_QUOTATION = re.compile(r"[“\"][^”\"]{12,}[”\"]")  # someone's own words, in quotation marks


@dataclass(frozen=True)
class Mark:
    start: int
    end: int  # == start for a pause (a point between two words)
    kind: str
    note: str = ""  # a figure's claim check (supported|contradicted|unverified), a pause's length


def findings(feedback, answer: str, rubric) -> list[tuple[str, str]]:
    """(text of the answer, kind) for what the coach found in ``answer``. Figures come with their
    claim check as "figure:supported" and so on. A sentence is marked as an outcome, an example
    or an honest gap only when that dimension's score credits it (a band above the lowest), and
    it is the sentence the learned judgement's reason relies on: a mark never praises what the
    score marks down, nor a sentence that hides a gap the evidence names."""
    out: list[tuple[str, str]] = []
    scores = {d.name: d for d in feedback.dimensions}
    credited = _credited_from(rubric)
    for name, kind in (("outcome", "outcome"), ("example", "example"), ("learning", "gap")):
        d = scores.get(name)
        if d is None or d.score < credited:
            continue
        quoted = list(getattr(d, "quoted", None) or []) or [q for q in [_quoted_in(d.reason)] if q]
        out += [(sentence, kind) for sentence in quoted]
        if name == "example":  # someone's own words, in quotation marks, are the example too
            out += [(sentence, "example") for sentence in sentences(answer) if _QUOTATION.search(sentence)]
    checked = set()
    for claim in feedback.claims:
        out.append((claim.text, f"figure:{claim.status}"))
        checked.add(claim.text)
    out += [(p.raw, "figure") for p in extract_figures(answer) if p.raw not in checked]
    return out


def _credited_from(rubric) -> int:
    """The lowest score that credits a dimension: the floor of the band above the lowest."""
    bands = getattr(rubric, "bands", None) or []
    return bands[-2].min if len(bands) >= 2 else 50


def _quoted_in(reason: str) -> str:
    """The sentence a reason quotes (“...”), without a trailing ellipsis."""
    m = re.search(r"“(.+?)…?”", reason)
    return m.group(1).rstrip("…").strip() if m else ""


def locate(answer: str, found: list[tuple[str, str]]) -> list[Mark]:
    """Marks at the places in ``answer`` where each finding's text is. A sentence-level finding
    (outcome, example, gap) marks the whole sentence it starts or sits in; a figure marks itself,
    in the order given (the same figure twice is found twice)."""
    spans = _sentence_spans(answer)
    marks: list[Mark] = []
    taken: dict[str, int] = {}
    for text, kind in found:
        kind, _, note = kind.partition(":")
        text = " ".join(text.split())
        if not text or kind not in KINDS:
            continue
        if kind in SENTENCE_KINDS:
            at = _find(answer, text)
            if at < 0:
                continue
            for start, end in spans:
                if start <= at < end:
                    marks.append(Mark(start, end, kind, note))
                    break
        else:
            at = _find(answer, text, taken.get(text, 0))
            if at < 0:
                continue
            taken[text] = at + len(text)
            marks.append(Mark(at, at + len(text), kind, note))
    return _unique(marks)


def delivery_marks(answer: str, delivery: Delivery | None) -> list[Mark]:
    """Fillers where they are in ``answer``, and each long pause after the words said before it
    (when those words are still in the answer)."""
    marks = [Mark(start, end, "filler", phrase) for start, end, phrase in filler_spans(answer)]
    if delivery is None:
        return marks
    at = 0
    for pause in delivery.long_pauses:
        before = " ".join(str(pause.get("before") or "").split())
        if not before:
            continue
        found = _find(answer, before, at)
        if found < 0:
            continue
        at = found + len(before)
        marks.append(Mark(at, at, "pause", f"{float(pause.get('seconds') or 0):.0f} s"))
    return marks


def _find(answer: str, text: str, start: int = 0) -> int:
    """Where ``text`` is in ``answer`` from ``start``, whatever the spacing between words; -1 if not."""
    pattern = r"\s+".join(re.escape(word) for word in text.split())
    m = re.compile(pattern).search(answer, start)
    return m.start() if m else -1


_SENTENCE_END = re.compile(r"[.!?][”\"’')\]]*(?=\s+[A-Z0-9“\"‘'(£])")


def _sentence_spans(answer: str) -> list[tuple[int, int]]:
    """Where each sentence of the answer is: it ends at a full stop, question or exclamation mark
    (with any closing quotation mark) before the next capital."""
    spans, at = [], 0
    for m in _SENTENCE_END.finditer(answer):
        spans.append((at, m.end()))
        at = m.end()
        while at < len(answer) and answer[at].isspace():
            at += 1
    if at < len(answer):
        spans.append((at, len(answer.rstrip())))
    return spans


def _unique(marks: list[Mark]) -> list[Mark]:
    seen, out = set(), []
    for mark in marks:
        key = (mark.start, mark.end, mark.kind)
        if key not in seen:
            seen.add(key)
            out.append(mark)
    return out
