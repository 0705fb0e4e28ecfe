"""Readiness (leads): the 9 quality statements against the evidence and the practice, the
likely questions the evidence cannot yet answer, and the report as HTML, Markdown or CSV."""

from __future__ import annotations

from prep_bot.errors import InputError
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from prep_bot.app.policy import Action, Policy
from prep_bot.people.identity import Identity

if TYPE_CHECKING:
    from prep_bot.practice.insights import Insights, StatementReadiness

REPORT_SUFFIXES = (".html", ".htm", ".md", ".csv")


class Readiness:
    """The readiness use case."""

    def __init__(self, policy: Policy, insights: Insights) -> None:
        self.policy = policy
        self.insights = insights

    def rows(self, who: Identity, progress: Callable[[int, int, str], None] | None = None) -> list[StatementReadiness]:
        """One row per quality statement. ``progress`` is told (done, total, what) while the
        likely questions are checked against the evidence."""
        self.policy.ensure(who, Action.SEE_READINESS)
        return self.insights.readiness(progress=progress)

    def report(self, who: Identity, out: Path) -> list[StatementReadiness]:
        """The report written to ``out``: HTML with the heatmap, Markdown or CSV, by its suffix."""
        self.policy.ensure(who, Action.SEE_READINESS)
        from prep_bot.practice.report import readiness_csv, readiness_html, readiness_markdown

        writer = {".html": readiness_html, ".htm": readiness_html, ".md": readiness_markdown, ".csv": readiness_csv}.get(
            out.suffix.lower())
        if writer is None:
            raise InputError(f"--out must end in .html, .md or .csv, not {out.suffix or '(nothing)'}")
        rows = self.insights.readiness()
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(writer(rows), encoding="utf-8")
        return rows

    def reports(self, who: Identity, folder: Callable[[], Path], progress: Callable[[int, int, str], None] | None = None
                ) -> tuple[list[StatementReadiness], list[Path]]:
        """The rows, and the report in all three forms (readiness.html, .md and .csv) in the
        folder that ``folder()`` makes."""
        self.policy.ensure(who, Action.SEE_READINESS)
        from prep_bot.practice.report import readiness_csv, readiness_html, readiness_markdown

        rows = self.insights.readiness(progress=progress)
        folder = folder()
        paths = []
        for name, text in (("readiness.html", readiness_html(rows)), ("readiness.md", readiness_markdown(rows)),
                           ("readiness.csv", readiness_csv(rows))):
            (folder / name).write_text(text, encoding="utf-8")
            paths.append(folder / name)
        return rows, paths
