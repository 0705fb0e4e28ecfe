"""The rubric (knowledge/rubric.yaml): its dimensions, its score bands, and the registry of the
judges that decide each dimension.

A dimension is a registration plus an entry in rubric.yaml: a class decorated with
``@register("name")`` (prep_bot/coaching/dimensions.py holds the built-in ones) that turns the
reading of an answer into a ``Verdict``: a score, the reason's variant and the fields its
template needs. The reason is always the template of the band the score falls in, so a reason
cannot praise what its score marks down."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from prep_bot.coaching.reading import WrongFigure, wrong_figures_text  # noqa: F401 - part of the rubric's vocabulary
from prep_bot.errors import ConfigError

if TYPE_CHECKING:
    from prep_bot.coaching.reading import AnswerReading


class Band(BaseModel):
    name: str
    min: int = Field(ge=0, le=100)
    tone: str
    label: str = ""


class Scoring(BaseModel):
    off_question_cap: int = Field(18, ge=0, le=100)
    venting_cap: int = Field(10, ge=0, le=100)
    activity_only_cap: int = Field(32, ge=0, le=100)
    # A sentence's probability of showing something, read as how clearly it shows it: at or
    # below ``shown_from`` not at all, at or above ``shown_fully`` fully, in between in proportion.
    shown_from: float = Field(0.15, ge=0, lt=1)
    shown_fully: float = Field(0.75, gt=0, le=1)


class Dimension(BaseModel):
    name: str
    label: str
    weight: float = Field(gt=0)
    probe: str
    advice: str = ""  # the one thing to do when this is the dimension to work on
    reasons: dict[str, str]  # band name (or band_variant) -> template
    correct_advice: str = ""  # data: the change when a figure is wrong
    hiding_advice: str = ""  # learning: the change when the answer hides a known gap
    off_advice: str = ""  # focus: the change when the answer speaks to another question
    length: dict[str, int] = Field(default_factory=dict)


class PointCue(BaseModel):
    """Phrases that make a question's "looks for" point about some dimensions."""

    about: list[str] = Field(min_length=1)
    any: bool = False  # covered by a good score on one of them, not on each
    cues: list[str] = Field(min_length=1)


class Rubric(BaseModel):
    version: int = 2
    bands: list[Band] = Field(min_length=2)
    scoring: Scoring = Field(default_factory=Scoring)
    dimensions: list[Dimension]
    cues: dict[str, list[str]] = Field(default_factory=dict)
    activity_nouns: list[str]
    looks_for: list[PointCue] = Field(default_factory=list)

    @model_validator(mode="after")
    def _bands_in_order(self) -> Rubric:
        mins = [b.min for b in self.bands]
        if mins != sorted(mins, reverse=True) or mins[-1] != 0 or len(set(mins)) != len(mins):
            raise ValueError("bands must be listed from the highest min down to a last band with min 0")
        for d in self.dimensions:
            missing = [b.name for b in self.bands if b.name not in d.reasons]
            if missing:
                raise ValueError(f"dimension {d.name} has no reason for band(s) {', '.join(missing)}")
            stray = [k for k in d.reasons if k.split("_")[0] not in {b.name for b in self.bands}]
            if stray:
                raise ValueError(f"dimension {d.name}: reasons {', '.join(stray)} name no band")
        return self

    def dimension(self, name: str) -> Dimension:
        for d in self.dimensions:
            if d.name == name:
                return d
        raise KeyError(name)

    # -- bands ------------------------------------------------------------------------------
    def band(self, score: int) -> Band:
        return next(b for b in self.bands if score >= b.min)

    def band_min(self, name: str) -> int:
        return next(b.min for b in self.bands if b.name == name)

    @property
    def good(self) -> int:
        """The lowest score of the top band: a dimension scoring this is a strength."""
        return self.bands[0].min

    def tone(self, score: int) -> str:
        return self.band(score).tone

    def reason(self, name: str, score: int, variant: str = "", **fields) -> str:
        """The reason for a dimension's score: the template of its band (and variant, if the
        rubric has one for that band), filled in."""
        templates = self.dimension(name).reasons
        band = self.band(score).name
        template = templates.get(f"{band}_{variant}") if variant else None
        return _fill(template or templates[band], fields)

    def point_about(self, point: str) -> list[list[str]]:
        """What a "looks for" point asks for: a list of requirements, each a list of dimensions
        of which one must score well (``[["outcome"], ["data", "example"]]``); empty for a point
        about a topic rather than a kind of content."""
        needs: list[list[str]] = []
        text = point
        for entry in self.looks_for:
            found = find_cues(entry.cues, text)
            for cue in found:  # read each phrase once: "data or an example" is not also "example"
                text = re.sub(re.escape(cue), " ", text, flags=re.I)
            if found:
                for need in ([entry.about] if entry.any else [[name] for name in entry.about]):
                    if need not in needs:
                        needs.append(list(need))
        return needs


def _fill(template: str, fields: dict) -> str:
    text = re.sub(r"\{(\w+)\}", lambda m: str(fields.get(m.group(1), "")), template)
    text = re.sub(r"\(\s*\)", "", text)  # an empty "({quote})" when there was nothing to quote
    text = re.sub(r"\s+([;,.])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()
    return text[0].upper() + text[1:] if text else text


# -- the registry of dimension judges -----------------------------------------------------------
@dataclass
class Verdict:
    """A judge's decision on one dimension: the score, which reason variant fits it, and the
    fields its template needs (``quote``: the sentence that earned it; others as named)."""

    score: float
    variant: str = ""
    fields: dict = field(default_factory=dict)
    quoted: list[str] = field(default_factory=list)  # the answer sentences the reason relies on


class DimensionJudge(ABC):
    """Decides one dimension of the rubric from the reading of an answer."""

    name: str = ""

    def __init__(self, spec: Dimension, rubric: Rubric) -> None:
        self.spec = spec
        self.rubric = rubric

    @abstractmethod
    def judge(self, reading: AnswerReading) -> Verdict: ...


_REGISTRY: dict[str, type[DimensionJudge]] = {}


def register(name: str):
    """Class decorator: the judge of the rubric dimension ``name``."""

    def add(cls: type[DimensionJudge]) -> type[DimensionJudge]:
        if name in _REGISTRY and _REGISTRY[name] is not cls:
            raise ValueError(f"a judge is already registered for the dimension {name!r}")
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return add


def registered() -> dict[str, type[DimensionJudge]]:
    """Every registered judge (the built-in ones register when prep_bot.coaching is imported)."""
    return dict(_REGISTRY)


def load_rubric(path: Path) -> Rubric:
    try:
        rubric = Rubric.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"rubric {path} is unreadable: {e}") from e
    except ValidationError as e:
        raise ConfigError(f"rubric {path} is invalid: {e}") from e
    judges = registered()
    names = [d.name for d in rubric.dimensions]
    unjudged = [n for n in names if n not in judges]
    if unjudged:
        raise ConfigError(
            f"rubric {path}: no judge is registered for {', '.join(unjudged)} "
            f"(registered: {', '.join(sorted(judges))})"
        )
    if len(set(names)) != len(names):
        raise ConfigError(f"rubric {path}: a dimension is listed twice")
    unknown = {name for entry in rubric.looks_for for name in entry.about} - set(names)
    if unknown:
        raise ConfigError(f"rubric {path}: looks_for names unknown dimensions {', '.join(sorted(unknown))}")
    return rubric


@lru_cache(maxsize=1)
def shipped_rubric() -> Rubric:
    """knowledge/rubric.yaml as shipped: the bands for code that colours a score without a
    rubric at hand (the services' rubric, read from the configured knowledge dir, is preferred)."""
    from prep_bot.infra.config import REPO_ROOT

    return load_rubric(REPO_ROOT / "knowledge" / "rubric.yaml")


def score_tone(score: int, rubric: Rubric | None = None) -> str:
    """The tone ("good", "mid", "low") of the band a score falls in."""
    return (rubric or shipped_rubric()).tone(int(score))


@dataclass
class DimensionScore:
    name: str
    label: str
    score: int
    reason: str
    quoted: list[str] = field(default_factory=list)  # the answer's sentences the reason relies on


_CONTRACTIONS = [
    (r"n't\b", " not"), (r"'re\b", " are"), (r"'ve\b", " have"), (r"'ll\b", " will"), (r"'d\b", " would"),
    (r"\b(he|she|it|that|there|who|what)'s\b", r"\1 is"), (r"\bi'm\b", "i am"), (r"\bcan not\b", "cannot"),
]


def _expand(text: str) -> str:
    """'he's back', "hasn't" -> 'he is back', 'has not' (so one cue matches both forms)."""
    for pattern, replacement in _CONTRACTIONS:
        text = re.sub(pattern, replacement, text)
    return text.replace("wo not", "will not").replace("ca not", "cannot")


def find_cues(cues: list[str], text: str) -> list[str]:
    """Distinct cue phrases found as whole words (case-insensitive), in the text as written or
    with its contractions expanded."""
    lowered = re.sub(r"[’‘]", "'", text.lower())
    haystack = f" {lowered} | {_expand(lowered)} "
    return [
        c for c in cues
        if c.lower() in haystack and re.search(r"(?<![\w-])" + re.escape(c.lower()) + r"(?![\w-])", haystack)
    ]
