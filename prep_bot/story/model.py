"""The council's story for one quality statement: what it will say (key messages: strengths, and
areas to improve each with what is being done and how the council will know), the figures it
agrees to quote (one per measure, with comparator, period, source and date) and the questions
it expects.

A story is read from and written as plain data (``to_dict`` / ``from_dict``): what
``prep-bot story draft --json`` and ``story show --json`` print is what ``story set`` takes.
``from_dict`` refuses anything it cannot keep exactly, naming the field, so a typo in a lead's
file loses nothing and saves nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from prep_bot.errors import PrepBotError
from prep_bot.evidence.figures import extract_figures
from prep_bot.evidence.provenance import display_date, normalise_date
from prep_bot.framework.vocab import QS_SLUGS

DRAFT, APPROVED = "draft", "approved"
STATUSES = (DRAFT, APPROVED)
MAX_TEXT = 600  # characters in any one message, action or question
MAX_MESSAGES = 8  # strengths, and areas to improve, each
MAX_FIGURES = 12
MAX_QUESTIONS = 12
# Shown and kept with a version, never taken from a file: the book sets them.
READ_ONLY = ("title", "version", "by", "at", "id")
TOP_FIELDS = ("qs", "status", "note", "strengths", "improvements", "figures", "questions", *READ_ONLY)
STRENGTH_FIELDS = ("message", "source")
IMPROVEMENT_FIELDS = ("message", "action", "how_we_know", "source")
FIGURE_FIELDS = ("measure", "value", "comparator", "period", "source", "date", "doc_id")


class StoryError(PrepBotError, ValueError):
    """A story cannot be kept as given: the message names the field and what to do."""


@dataclass(frozen=True)
class Strength:
    message: str
    source: str = ""

    def to_dict(self) -> dict:
        return {"message": self.message, "source": self.source}


@dataclass(frozen=True)
class Improvement:
    """An area to improve: the honest message, what is being done, how the council will know."""

    message: str
    action: str = ""
    how_we_know: str = ""
    source: str = ""

    def to_dict(self) -> dict:
        return {"message": self.message, "action": self.action, "how_we_know": self.how_we_know, "source": self.source}


@dataclass(frozen=True)
class AgreedFigure:
    """The one figure the council quotes for a measure."""

    measure: str  # what it measures, in plain words
    value: str  # as it is said: "94%", "17 weeks", "£1.2m"
    comparator: str = ""  # "England average 82.4%"
    period: str = ""  # "2023/24", "June 2024"
    source: str = ""  # the document it comes from
    date: str = ""  # that document's date, "YYYY-MM" or "YYYY-MM-DD"
    doc_id: str = ""  # the stored document, when drafted from one

    def to_dict(self) -> dict:
        return {
            "measure": self.measure, "value": self.value, "comparator": self.comparator, "period": self.period,
            "source": self.source, "date": self.date, "doc_id": self.doc_id,
        }

    def cited(self) -> str:
        """ "94% (Peer challenge report, August 2024)": the figure with where it comes from."""
        where = ", ".join(part for part in (self.source, display_date(self.date)) if part)
        return f"{self.value} ({where})" if where else self.value

    @property
    def point(self):
        """The value read as a data point (unit and scale), for comparing with what is said."""
        from prep_bot.story.figures import agreed_point

        return agreed_point(self.measure, self.value, self.period)


@dataclass(frozen=True)
class Story:
    qs: str
    strengths: tuple[Strength, ...] = ()
    improvements: tuple[Improvement, ...] = ()
    figures: tuple[AgreedFigure, ...] = ()
    questions: tuple[str, ...] = ()
    status: str = DRAFT
    note: str = ""  # what this version changed, in the lead's words

    @property
    def messages(self) -> list[Strength | Improvement]:
        """The key messages in order: strengths, then areas to improve."""
        return [*self.strengths, *self.improvements]

    def to_dict(self) -> dict:
        return {
            "qs": self.qs, "status": self.status, "note": self.note,
            "strengths": [s.to_dict() for s in self.strengths],
            "improvements": [i.to_dict() for i in self.improvements],
            "figures": [f.to_dict() for f in self.figures],
            "questions": list(self.questions),
        }

    def problems(self) -> list[str]:
        """What stops this story being approved (empty when it can be)."""
        found = []
        if not self.strengths and not self.improvements:
            found.append("it has no key messages: add at least one strength or area to improve")
        for n, item in enumerate(self.improvements, 1):
            if not item.action:
                found.append(f"area to improve {n} has no action: say what is being done about it")
            if not item.how_we_know:
                found.append(f"area to improve {n} has no how_we_know: say how the council will know it is better")
        for n, figure in enumerate(self.figures, 1):
            if not figure.source:
                found.append(f"figure {n} ({figure.value}) has no source: name the document it comes from")
        return found


@dataclass(frozen=True)
class StoryVersion:
    """One saved version of a statement's story: who saved it and when."""

    id: int  # the row's id: what an attempt keeps
    qs: str
    version: int  # 1, 2, ... per statement
    story: Story
    by: str
    at: datetime

    @property
    def approved(self) -> bool:
        return self.story.status == APPROVED

    def to_dict(self, title: str = "") -> dict:
        body = {k: v for k, v in self.story.to_dict().items() if k != "qs"}
        return {"qs": self.qs, "title": title, "version": self.version, "id": self.id, "by": self.by,
                "at": self.at.isoformat(timespec="seconds"), **body}

    def label(self) -> str:
        return f"version {self.version} ({self.story.status}, {self.by}, {self.at:%d %b %Y %H:%M})"


# -- reading a lead's file -----------------------------------------------------------------------
def from_dict(data: object, qs: str | None = None, stored: bool = False) -> Story:
    """The story in ``data`` (a mapping, or a list of them from ``story show --json``, where the
    one for ``qs`` is taken). Raises StoryError naming the first field it cannot keep.
    ``stored``: a version read back from the book, kept as it was saved (the rules for a new
    approval are not applied again)."""
    if isinstance(data, list):
        if qs is None:
            raise StoryError("the file holds several stories: say which statement with --qs")
        chosen = [d for d in data if isinstance(d, dict) and d.get("qs") == qs]
        if len(chosen) != 1:
            raise StoryError(f"the file holds {len(chosen)} stories for {qs}: keep exactly one")
        data = chosen[0]
    if not isinstance(data, dict):
        raise StoryError("a story is a mapping with qs, strengths, improvements, figures and questions")
    _no_unknown(data, TOP_FIELDS, "the story")
    slug = _text(data.get("qs") or qs or "", "qs", 40)
    if slug not in QS_SLUGS:
        raise StoryError(f"qs {slug!r} is not a quality statement; use one of {', '.join(QS_SLUGS)}")
    if qs is not None and slug != qs:
        raise StoryError(f"the file is the story for {slug}, not {qs}: check --qs or the file's qs line")
    status = _text(data.get("status") or DRAFT, "status", 20)
    if status not in STATUSES:
        raise StoryError(f"status {status!r} is not one of {', '.join(STATUSES)}")
    strengths = tuple(
        Strength(_text(item.get("message"), f"strengths[{n}].message", required=True), _text(item.get("source"), f"strengths[{n}].source"))
        for n, item in _items(data, "strengths", STRENGTH_FIELDS, MAX_MESSAGES)
    )
    improvements = tuple(
        Improvement(
            _text(item.get("message"), f"improvements[{n}].message", required=True),
            _text(item.get("action"), f"improvements[{n}].action"),
            _text(item.get("how_we_know"), f"improvements[{n}].how_we_know"),
            _text(item.get("source"), f"improvements[{n}].source"),
        )
        for n, item in _items(data, "improvements", IMPROVEMENT_FIELDS, MAX_MESSAGES)
    )
    figures = tuple(_figure(item, n) for n, item in _items(data, "figures", FIGURE_FIELDS, MAX_FIGURES))
    questions = data.get("questions") or []
    if not isinstance(questions, list) or len(questions) > MAX_QUESTIONS:
        raise StoryError(f"questions must be a list of at most {MAX_QUESTIONS} questions")
    story = Story(
        slug, strengths, improvements, figures,
        tuple(_text(q, f"questions[{n}]", required=True) for n, q in enumerate(questions, 1)),
        status, _text(data.get("note"), "note"),
    )
    if stored:
        return story
    _one_per_measure(story)
    if status == APPROVED and (problems := story.problems()):
        raise StoryError(f"this story cannot be approved yet: {problems[0]}")
    return story


def _figure(item: dict, n: int) -> AgreedFigure:
    value = _text(item.get("value"), f"figures[{n}].value", 40, required=True)
    if not extract_figures(f"{value} people"):
        raise StoryError(f"figures[{n}].value {value!r} is not a figure: write it as said, e.g. 94% or 17 weeks")
    raw_date = item.get("date")
    date = normalise_date(raw_date) if raw_date not in (None, "") else ""
    if raw_date not in (None, "") and not date:
        raise StoryError(f"figures[{n}].date {raw_date!r} is not a date: write it as 2024-08 or 2024-08-15")
    return AgreedFigure(
        _text(item.get("measure"), f"figures[{n}].measure", 200, required=True), value,
        _text(item.get("comparator"), f"figures[{n}].comparator", 200), _text(item.get("period"), f"figures[{n}].period", 60),
        _text(item.get("source"), f"figures[{n}].source", 300), date, _text(item.get("doc_id"), f"figures[{n}].doc_id", 200),
    )


def _one_per_measure(story: Story) -> None:
    seen: dict[str, int] = {}
    for n, figure in enumerate(story.figures, 1):
        key = " ".join(figure.measure.lower().split())
        if key in seen:
            raise StoryError(f"figures {seen[key]} and {n} both measure {figure.measure!r}: agree one figure per measure")
        seen[key] = n


def _items(data: dict, key: str, fields: tuple[str, ...], limit: int):
    items = data.get(key) or []
    if not isinstance(items, list):
        raise StoryError(f"{key} must be a list")
    if len(items) > limit:
        raise StoryError(f"{key} has {len(items)} entries: keep at most {limit}, the ones everyone should say")
    for n, item in enumerate(items, 1):
        if isinstance(item, str) and "message" in fields:
            item = {"message": item}
        if not isinstance(item, dict):
            raise StoryError(f"{key}[{n}] must be a mapping ({', '.join(fields)})")
        _no_unknown(item, fields, f"{key}[{n}]")
        yield n, item


def _no_unknown(data: dict, fields: tuple[str, ...], where: str) -> None:
    unknown = [str(k) for k in data if k not in fields]
    if unknown:
        raise StoryError(f"{where} has an unknown field {unknown[0]!r}; expected {', '.join(fields)}")


def _text(value: object, where: str, limit: int = MAX_TEXT, required: bool = False) -> str:
    if value is None:
        value = ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise StoryError(f"{where} must be text")
    text = " ".join(value.split())
    if required and not text:
        raise StoryError(f"{where} is empty: write it, or remove the entry")
    if len(text) > limit:
        raise StoryError(f"{where} is {len(text)} characters: keep it under {limit}")
    return text


def story_fields() -> dict[str, tuple[str, ...]]:
    """The fields a story file may hold, per part (for help texts and the README)."""
    return {"story": TOP_FIELDS, "strengths": STRENGTH_FIELDS, "improvements": IMPROVEMENT_FIELDS, "figures": FIGURE_FIELDS}

