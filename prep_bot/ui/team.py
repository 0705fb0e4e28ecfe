"""The Team story tab (managers and leads): one team's story per quality statement, where it
is not consistent, and exports as Markdown and HTML."""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from prep_bot.practice.report import team_story_html, team_story_markdown
from prep_bot.services import Services
from prep_bot.ui.identity import current_user
from prep_bot.people.accounts import AccessDenied, visible_attempts


def build_team_tab(services: Services, user_box: gr.Textbox, team_box: gr.Textbox, user_errors) -> None:
    def story(team: str, typed_name: str, typed_team: str, request: gr.Request = None):
        with user_errors():
            me = current_user(services.users, request, typed_name, typed_team)
            if me.authenticated and me.role == "staff":
                raise AccessDenied("the team story is for managers and leads; see My progress for your own practice")
            team = (team or "").strip() or me.team
            if not team:
                raise gr.Error("Name the team to look at.")
            attempts = visible_attempts(me, services.attempts, team=team, users=services.users)
            result = services.insights.team_story(team, attempts, advisor=services.advisor)
            folder = Path(tempfile.mkdtemp(prefix="prep-bot-team-"))
            slug = "".join(ch if ch.isalnum() else "-" for ch in team.lower()).strip("-") or "team"
            md = folder / f"team-story-{slug}.md"
            md.write_text(team_story_markdown(result), encoding="utf-8")
            html = folder / f"team-story-{slug}.html"
            html.write_text(team_story_html(result, standalone=True), encoding="utf-8")
            return team_story_html(result), [str(md), str(html)]

    def own_team(typed_name: str, typed_team: str, request: gr.Request = None):
        """On opening the tab: the story of the person's own team, when they have one."""
        me = current_user(services.users, request, typed_name, typed_team)
        if not me.team or (me.authenticated and me.role == "staff"):
            return gr.skip(), gr.skip()
        return story("", typed_name, typed_team, request)

    with gr.Tab("Team story") as tab:
        gr.Markdown(
            "For managers and leads: does the team tell one story that the evidence supports? Per quality "
            "statement: first where team members' figures disagree with each other or with the evidence (and, with "
            "the council's language model set up, where they say different things in words), then "
            "which of the evidence's key messages each member said, then each statement's practice in detail."
        )
        with gr.Row():
            team = gr.Textbox(label="Team (empty: yours)", scale=3)
            show = gr.Button("Show team story", variant="primary", scale=1)
        out = gr.HTML(elem_id="team-story")
        files = gr.File(label="Export (Markdown and HTML)", file_count="multiple", interactive=False)
        show.click(story, [team, user_box, team_box], [out, files], api_name="team_story")
        team.submit(story, [team, user_box, team_box], [out, files], api_name=False)
        tab.select(own_team, [user_box, team_box], [out, files], api_name=False)
