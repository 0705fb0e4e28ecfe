"""The CQC assessment framework for local authorities: 4 themes and 9 quality statements.

Loaded from knowledge/framework.yaml and validated, so that every other module can rely on
the slugs, names, variants and cue words being present and consistent.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from prep_bot.errors import ConfigError, UnknownStatementError
from prep_bot.framework.vocab import POLARITIES, QS_SLUGS, THEME_SLUGS  # noqa: F401 - re-exported


NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def normalise_heading(text: str) -> str:
    """Lower-case, '&' as 'and', punctuation and extra spaces removed: for matching headings."""
    text = text.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


class Theme(BaseModel):
    slug: str
    number: int
    title: str
    variants: list[str] = Field(default_factory=list)


class QualityStatement(BaseModel):
    slug: str
    number: int
    title: str
    theme: str
    commitment: str
    expectations: list[str] = Field(min_length=1)
    topics: list[str] = Field(min_length=3)
    variants: list[str] = Field(default_factory=list)
    cues: list[str] = Field(min_length=5)

    @property
    def description(self) -> str:
        """One paragraph describing the statement, used to embed it."""
        return f"{self.title}. {self.commitment} Topics: {', '.join(self.topics)}."


class LegacyHeading(BaseModel):
    heading: str
    likely: list[str] = Field(default_factory=list)


class PolarityHeadings(BaseModel):
    strength_headings: list[str]
    improvement_headings: list[str]


class Framework(BaseModel):
    """Themes and quality statements, with lookups used by tagging and the UI."""

    version: int = 1
    themes: list[Theme]
    quality_statements: list[QualityStatement]
    legacy_headings: list[LegacyHeading] = Field(default_factory=list)
    polarity: PolarityHeadings

    @model_validator(mode="after")
    def _check(self) -> Framework:
        slugs = tuple(q.slug for q in self.quality_statements)
        if slugs != QS_SLUGS:
            raise ValueError(f"quality statements must be exactly {', '.join(QS_SLUGS)} in order; got {slugs}")
        themes = tuple(t.slug for t in self.themes)
        if themes != THEME_SLUGS:
            raise ValueError(f"themes must be exactly {', '.join(THEME_SLUGS)} in order; got {themes}")
        for qs in self.quality_statements:
            if qs.theme not in THEME_SLUGS:
                raise ValueError(f"quality statement {qs.slug} names unknown theme {qs.theme!r}")
        for legacy in self.legacy_headings:
            unknown = set(legacy.likely) - set(QS_SLUGS)
            if unknown:
                raise ValueError(f"legacy heading {legacy.heading!r} names unknown slugs {sorted(unknown)}")
        return self

    # -- lookups ---------------------------------------------------------------------------
    def qs(self, slug: str) -> QualityStatement:
        for q in self.quality_statements:
            if q.slug == slug:
                return q
        raise UnknownStatementError(f"unknown quality statement {slug!r}; expected one of {', '.join(QS_SLUGS)}")

    def theme(self, slug: str) -> Theme:
        for t in self.themes:
            if t.slug == slug:
                return t
        raise UnknownStatementError(f"unknown theme {slug!r}")

    def statements_in_theme(self, theme_slug: str) -> list[str]:
        return [q.slug for q in self.quality_statements if q.theme == theme_slug]

    @cached_property
    def _qs_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for q in self.quality_statements:
            for name in [q.title, *q.variants]:
                names[normalise_heading(name)] = q.slug
        return names

    @cached_property
    def _theme_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for t in self.themes:
            for name in [t.title, *t.variants]:
                names[normalise_heading(name)] = t.slug
        return names

    @cached_property
    def _legacy(self) -> dict[str, list[str]]:
        return {normalise_heading(h.heading): h.likely for h in self.legacy_headings}

    def match_quality_statement(self, heading: str) -> str | None:
        """The slug a heading names, e.g. 'Quality Statement Four: Care Provision...' or
        'CQC Quality Statement 7 – Safeguarding' or a bare title like 'Safeguarding'."""
        norm = normalise_heading(heading)
        m = re.match(r"^(?:cqc )?quality statement (\d|" + "|".join(NUMBER_WORDS) + r")\b ?(.*)$", norm)
        if m:
            token = m.group(1)
            number = int(token) if token.isdigit() else NUMBER_WORDS.index(token) + 1
            if 1 <= number <= 9:
                return QS_SLUGS[number - 1]
            norm = m.group(2)
        if norm in self._qs_names:
            return self._qs_names[norm]
        return None

    def match_theme(self, heading: str) -> str | None:
        """The theme slug a heading names, e.g. 'Theme 3: Ensuring safety'."""
        norm = normalise_heading(heading)
        m = re.match(r"^theme (\d)\b", norm)
        if m and 1 <= int(m.group(1)) <= 4:
            return THEME_SLUGS[int(m.group(1)) - 1]
        return self._theme_names.get(norm)

    def match_legacy(self, heading: str) -> list[str] | None:
        """Likely slugs for an older LGA standards heading (mapped by content, this is a hint)."""
        return self._legacy.get(normalise_heading(heading))

    def match_polarity(self, heading: str) -> str | None:
        """'strength' or 'improvement' when a heading introduces one or the other."""
        norm = normalise_heading(heading)
        for polarity, names in (
            ("improvement", self.polarity.improvement_headings),
            ("strength", self.polarity.strength_headings),
        ):
            for name in names:
                n = normalise_heading(name)
                if norm == n or norm.endswith(" " + n):
                    return polarity
        return None


def load_framework(path: Path) -> Framework:
    """Read and validate framework.yaml; raise ConfigError naming the problem."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(f"framework file not found: {path}") from e
    except yaml.YAMLError as e:
        raise ConfigError(f"framework file {path} is not valid YAML: {e}") from e
    try:
        return Framework.model_validate(data)
    except ValidationError as e:
        raise ConfigError(f"framework file {path} is invalid: {e}") from e
