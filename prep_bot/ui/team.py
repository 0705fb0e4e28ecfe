"""The Team story tab (managers and leads): one team's story per quality statement, where it
is not consistent, and exports as Markdown and HTML."""

from __future__ import annotations


import gradio as gr

from prep_bot.practice.report import team_story_html
from prep_bot.services import Services
from prep_bot.ui.identity import current_user
from prep_bot.ui.files import export_folder, handed


def build_team_tab(services: Services, user_box: gr.Textbox, team_box: gr.Textbox, user_errors) -> None:
    """The tab: each callback reads who is asking and calls the team story use case
    (prep_bot/app/team.py), which asks the permission policy."""
    stories = services.team_story

    def story(team: str, typed_name: str, typed_team: str, request: gr.Request = None):
        with user_errors():
            me = current_user(services.policy, request, typed_name, typed_team)
            found, files = stories.export(me, team, lambda: export_folder(services.settings.data_dir, "prep-bot-team-"))
            return team_story_html(found.story), handed(files, me)

    def own_team(typed_name: str, typed_team: str, request: gr.Request = None):
        """On opening the tab: the story of the person's own team, when they have one."""
        me = current_user(services.policy, request, typed_name, typed_team)
        if stories.own_team(me) is None:
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
        files = gr.File(label="Export (Markdown and HTML)", file_count="multiple", interactive=False,
                        elem_id="team-files", elem_classes=["pb-downloads"])
        show.click(story, [team, user_box, team_box], [out, files], api_name="team_story")
        team.submit(story, [team, user_box, team_box], [out, files], api_name=False)
        tab.select(own_team, [user_box, team_box], [out, files], api_name=False)
