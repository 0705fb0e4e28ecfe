"""HTML pages rendered from the Jinja2 templates in ``prep_bot/templates`` with autoescaping on:
every text that comes from evidence, answers or names is escaped unless a template marks it safe."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("prep_bot", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        undefined=StrictUndefined,  # a misspelt field fails loudly in the tests, not silently blank
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    return env


def when(value) -> str:
    """An ISO timestamp as people read it ("2 Dec 2026, 01:42"); anything else as it is."""
    from datetime import datetime

    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{moment.day} {moment:%b %Y, %H:%M}"


def render(template: str, **context) -> str:
    """The named template (e.g. ``"briefing.html.j2"``) rendered with ``context``."""
    return environment().get_template(template).render(**context)
