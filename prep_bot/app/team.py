"""The team story: does one team tell one story that the evidence supports? Per quality
statement, where its members disagree (with each other or the evidence), which of the
evidence's key messages each said, and its practice; with Markdown and HTML exports."""

from __future__ import annotations

from prep_bot.errors import InputError
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from prep_bot.app.policy import Action, Policy
from prep_bot.app.progress import visible_attempts
from prep_bot.people.identity import Identity

if TYPE_CHECKING:
    from prep_bot.practice.attempts import AttemptLog
    from prep_bot.practice.insights import Insights


@dataclass
class Story:
    """One team's story (practice/insights.py ``team_story``) and the team it is of."""

    team: str
    story: dict


class TeamStory:
    """The team story use case (managers: their own team; leads: any)."""

    def __init__(self, policy: Policy, attempts: AttemptLog, insights: Insights, advisor=None) -> None:
        """``advisor``: the council's language model, which finds where members say different
        things in words (none: figures only)."""
        self.policy = policy
        self.attempts = attempts
        self.insights = insights
        self.advisor = advisor

    def own_team(self, who: Identity) -> str | None:
        """The team whose story opens when the page does: the person's own, when they have one
        and may see it."""
        if not self.policy.may(who, Action.SEE_TEAM, who.team or None) or not who.team:
            return None
        return who.team

    def story(self, who: Identity, team: str | None = None) -> Story:
        """The story of ``team`` (default: the person's own), from the practice they may see."""
        self.policy.ensure(who, Action.SEE_TEAM, (team or "").strip() or None)
        team = (team or "").strip() or who.team
        if not team:
            raise InputError("Name the team to look at.")
        attempts = visible_attempts(self.policy, self.attempts, who, team=team)
        return Story(team, self.insights.team_story(team, attempts, advisor=self.advisor))

    def export(self, who: Identity, team: str | None, folder: Callable[[], Path]) -> tuple[Story, list[Path]]:
        """The story, and the story as team-story-TEAM.md and .html in the folder that
        ``folder()`` makes (once the story may be seen)."""
        self.policy.ensure(who, Action.SEE_TEAM, (team or "").strip() or None)
        from prep_bot.practice.report import team_story_html, team_story_markdown

        found = self.story(who, team)
        slug = "".join(ch if ch.isalnum() else "-" for ch in found.team.lower()).strip("-") or "team"
        folder = folder()
        md = folder / f"team-story-{slug}.md"
        md.write_text(team_story_markdown(found.story), encoding="utf-8")
        html = folder / f"team-story-{slug}.html"
        html.write_text(team_story_html(found.story, standalone=True), encoding="utf-8")
        return found, [md, html]
