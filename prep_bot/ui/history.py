"""Past attempts shown again in the app: one attempt's answer and the feedback it was given
(HTML from the escaping template ``attempt.html.j2``), and the labels for picking an attempt
from a list. Used by My progress and the Mock interview."""

from __future__ import annotations

from prep_bot.practice.attempts import Attempt
from prep_bot.practice.export import attempt_fragment, dimension_labels, statement_titles

# The few rules the app's stylesheet (ui/render.py CSS) lacks for a stored attempt; a constant.


def attempt_html(attempt: Attempt, framework, rubric) -> str:
    """One stored attempt with its answer and full feedback (or, saved before feedback was kept,
    its answer and scores), every text escaped."""
    body = attempt_fragment(attempt, statement_titles(framework), dimension_labels(rubric))
    return f'<section class="pb-feedback pb-history">{body}</section>'


def attempt_label(attempt: Attempt, titles: dict[str, str], limit: int = 70) -> str:
    """ "2026-12-01 14:53 · 3. Safeguarding · 72/100 · How do you…" for a list of attempts."""
    question = " ".join(attempt.question.split())
    if len(question) > limit:
        question = question[: limit - 1].rstrip() + "…"
    stamp = attempt.created_at.strftime("%Y-%m-%d %H:%M") if attempt.created_at else ""
    return f"{stamp} · {titles.get(attempt.qs, attempt.qs)} · {attempt.score}/100 · {question}"


def attempt_choices(attempts: list[Attempt], framework) -> list[tuple[str, int]]:
    """(label, id) for each attempt, newest first: the choices of an "Open an attempt" list."""
    titles = statement_titles(framework)
    return [(attempt_label(a, titles), a.id) for a in reversed(attempts)]
