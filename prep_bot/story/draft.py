"""A first draft of a statement's story from the home council's evidence, for a lead to edit and
approve: its strengths and its areas to improve (each with what the evidence says is being
done, and a figure to watch where one fits), its performance figures (newest per measure, with
comparator, period, source and date) and the questions the bank expects.

Read from stored passages, their tags, polarity and dates (the home council's documents and
those naming none), one sentence per message: the sentence of a passage that carries its
polarity, never a heading, a navigation line or a table of contents."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np

from prep_bot.evidence.figures import content_words, sentences
from prep_bot.evidence.passage import Passage
from prep_bot.evidence.provenance import display_date
from prep_bot.story.figures import Found, Measures, is_performance, measure_text
from prep_bot.story.model import DRAFT, AgreedFigure, Improvement, Story, Strength

PER_KIND = 3  # strengths, and areas to improve, drafted
FIGURES = 6
QUESTIONS = 5
SAME_MESSAGE = 0.8  # two drafted sentences this alike say one thing: keep the newer
ACTION_FITS = 0.5  # an action sentence this close to an area to improve is about it
FIGURE_FITS = 0.4  # a figure's sentence this close to an area to improve can show progress
MIN_WORDS, MAX_WORDS = 8, 45

_CONCERN = re.compile(
    r"\b(?:needs? to|should|could be|would benefit|not always|did not|does not|was not|were not|not yet|no clear|"
    r"lack(?:ed|ing)?|gaps?|(?<!without )delays?|waits?|waited|waiting|backlog|out of date|inconsisten\w*|worse than|below the|"
    r"lower than|too long|struggl\w*|limited|unclear|concerns? about|however|mixed|frustrat\w*|challeng\w*|duplicat\w*|"
    r"more could be done|more work was needed|was needed|consideration)\b",
    re.I,
)
_STRENGTH = re.compile(
    r"\b(?:positive\w*|good|strong\w*|effective\w*|proud|timely|improv(?:ed|ing)|innovative|excellent|"
    r"impressive|impressed|outstanding|robust|success\w*|better than|higher than|above (?:the )?(?:england )?average|"
    r"no delays|without (?:any )?delay|no people waiting|fe(?:el|lt|eling) safe|valued|co-produc\w*|trusted)\b",
    re.I,
)
_ACTION = re.compile(
    r"\b(?:plans? to|planned|was working|were working|is working|are working|working to|was being|were being|"
    r"is being|are being|had been (?:introduced|developed|implemented|set up)|has been (?:introduced|developed)|"
    r"developing|introduc\w+|pilot\w*|programme|refresh\w*|will |review(?:ing)? of|new contract|retender\w*|"
    r"recruit\w*|invest\w*|audit\w*|is now|are now)",
    re.I,
)
_CONNECTIVE = re.compile(r"^(?:however|also|in addition|additionally|furthermore|moreover|overall|again),\s*", re.I)
_CUT = re.compile(r"\b(?:e\.g|i\.e|etc|eg|ie)\.?$", re.I)  # a sentence the splitter cut at an abbreviation
_NOT_PROSE = re.compile(r"\||https?://|www\.|\bweb:|^\W*(?:home|contents|page \d)", re.I)


@dataclass
class _Candidate:
    text: str
    passage: Passage
    first_tag: bool

    @property
    def source(self) -> str:
        when = display_date(self.passage.date)
        return f"{self.passage.title}, {when}" if when else self.passage.title


def draft_story(store, bank, qs: str, measures: Measures | None = None, today: date | None = None) -> Story:
    """The draft story for ``qs`` from ``store``'s home-council evidence and the question ``bank``."""
    measures = measures or Measures(store.embedder)
    passages = [p for p in store.passages() if qs in p.quality_statements]
    fresh = [p for p in passages if not store.is_dated(p)]
    pool = fresh or passages  # dated evidence only when there is nothing newer
    figures = _figures(pool, qs, measures)
    agreed = {f.value for f in figures}
    strengths = _messages(pool, qs, "strength", store.embedder, agreed, measures)
    concerns = _messages(pool, qs, "improvement", store.embedder, agreed, measures)
    improvements = [_improvement(c, pool, figures, store.embedder) for c in concerns]
    when = (today or date.today()).isoformat()
    return Story(
        qs=qs,
        strengths=tuple(Strength(c.text, c.source) for c in strengths),
        improvements=tuple(improvements),
        figures=tuple(figures),
        questions=tuple(_questions(bank, qs)),
        status=DRAFT,
        note=f"Drafted from the evidence on {when}: edit, then approve (status: approved).",
    )


# -- key messages --------------------------------------------------------------------------------
def _messages(passages: list[Passage], qs: str, polarity: str, embedder, agreed: set[str], measures: Measures
              ) -> list[_Candidate]:
    """Up to PER_KIND sentences saying a strength (or an area to improve): from passages tagged
    so (each bullet of a list, else the sentence saying it most plainly), and from any passage
    of the statement whose sentence says it plainly; newest first, passages the statement is the
    first tag of before others, no two saying one thing. A sentence quoting a figure that is not
    the agreed one for its measure (an older one) is left out: figures have their own list."""
    cue, other = (_STRENGTH, _CONCERN) if polarity == "strength" else (_CONCERN, _STRENGTH)
    found: list[_Candidate] = []
    for p in passages:
        said = [s for s in _prose(p.text) if _quotes_agreed(s, agreed, measures)]
        leaning = [(len(cue.findall(s)) - len(other.findall(s)), -n, s) for n, s in enumerate(said)]
        first = p.quality_statements[:1] == [qs]
        items = [s for s in _prose(_bullets(p.text)) if _quotes_agreed(s, agreed, measures)]
        if p.polarity == polarity and len(items) >= 2:  # a list under a "Strengths" heading: each item
            found += [_Candidate(s, p, first) for s in items
                      if len(cue.findall(s)) >= len(other.findall(s))]
        elif p.polarity == polarity:  # prose: the sentence that says it most plainly
            best = max(leaning, default=None)
            if best is not None and best[0] > 0:
                found.append(_Candidate(best[2], p, first))
        elif p.polarity == "neutral":  # a finding that says it plainly, inside a mixed passage
            found += [_Candidate(s, p, first) for lean, _, s in leaning if lean >= 2]
    found.sort(key=lambda c: (not c.first_tag, c.passage.polarity != polarity, _newest(c.passage.date), c.passage.position))
    return _distinct(found, embedder)[:PER_KIND]


def _quotes_agreed(sentence: str, agreed: set[str], measures: Measures) -> bool:
    """The sentence states no performance figure, or only agreed ones."""
    return all(p.raw in agreed for p in measures.reader.figures(sentence) if is_performance(p))


def _bullets(text: str) -> str:
    """The bulleted lines of a passage, one a line."""
    return "\n".join(line for line in text.splitlines() if line.strip()[:1] in ("-", "•", "*"))


def _prose(text: str) -> list[str]:
    """The sentences of a passage that read as prose a person could say (bullets are lines)."""
    out = []
    for line in text.splitlines():
        for s in sentences(line):
            s = _CONNECTIVE.sub("", s.strip().lstrip("-•*0123456789. ").strip())
            s = s[:1].upper() + s[1:]
            words = s.split()
            if (MIN_WORDS <= len(words) <= MAX_WORDS and s[:1].isalnum() and not s.rstrip(".").endswith(":") and not _NOT_PROSE.search(s) and not _CUT.search(s)
                    and sum(w[:1].islower() for w in words) >= len(words) / 2):
                out.append(s if s.endswith((".", "!", "?")) else s + ".")
    return out


def _distinct(found: list[_Candidate], embedder) -> list[_Candidate]:
    if not found:
        return []
    vectors = embedder.encode_cached([c.text for c in found])
    kept: list[int] = []
    for i in range(len(found)):
        if all(float(vectors[i] @ vectors[j]) < SAME_MESSAGE for j in kept):
            kept.append(i)
    return [found[i] for i in kept]


def _improvement(concern: _Candidate, passages: list[Passage], figures: list[AgreedFigure], embedder) -> Improvement:
    """An area to improve with what the evidence says is being done about it, and a figure that
    would show progress; either is left empty for the lead when the evidence has none."""
    actions = [s for p in passages for s in _prose(p.text) if _ACTION.search(s) and s != concern.text]
    texts = [concern.text, *actions, *(f"{f.measure} {f.value}" for f in figures)]
    vectors = embedder.encode_cached(texts)
    action = ""
    if actions:
        words = content_words(concern.text)
        near = vectors[1 : 1 + len(actions)] @ vectors[0]
        near = near + np.array([0.05 * min(3, len(words & content_words(a))) for a in actions])
        best = int(np.argmax(near))
        action = actions[best] if near[best] >= ACTION_FITS else ""
    watch = ""
    if figures:
        near = vectors[1 + len(actions) :] @ vectors[0]
        best = int(np.argmax(near))
        if near[best] >= FIGURE_FITS:
            f = figures[best]
            now = ", ".join(part for part in (f.value, f.period, f.comparator) if part)
            watch = f"The next figure for {f.measure} (now {now}) shows the change."
    return Improvement(concern.text, action, watch, concern.source)


# -- figures and questions -----------------------------------------------------------------------
def _figures(passages: list[Passage], qs: str, measures: Measures) -> list[AgreedFigure]:
    found = measures.performance_figures(passages)
    found.sort(key=lambda f: (f.passage.quality_statements[:1] != [qs], f.point.comparator is None, _newest(f.date)))
    kept = measures.newest_per_measure(found)
    kept.sort(key=lambda f: (f.passage.quality_statements[:1] != [qs], f.point.comparator is None, _newest(f.date)))
    return [_agreed(f) for f in kept[:FIGURES]]


def _agreed(f: Found) -> AgreedFigure:
    p = f.point
    return AgreedFigure(
        measure=measure_text(p), value=p.raw, comparator=p.comparator or "", period=p.period or "",
        source=f.passage.title, date=f.passage.date, doc_id=f.passage.doc_id,
    )


def _questions(bank, qs: str) -> list[str]:
    """The bank's questions for the statement, one per audience first."""
    chosen, audiences = [], set()
    questions = bank.select(qs=qs)
    for q in questions:
        if q.audience not in audiences:
            audiences.add(q.audience)
            chosen.append(q.text)
    for q in questions:
        if q.text not in chosen:
            chosen.append(q.text)
    return chosen[:QUESTIONS]


def _newest(when: str) -> tuple[int, str]:
    return (0, "".join(chr(255 - ord(ch)) for ch in when)) if when else (1, "")
