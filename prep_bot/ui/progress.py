"""The My progress tab: the signed-in person's practice attempts. Managers and leads can name
someone else; what each role may see is enforced on the server by ``visible_attempts``."""

from __future__ import annotations

import gradio as gr

from prep_bot.services import Services
from prep_bot.insights import personal_progress
from prep_bot.ui.identity import current_user
from prep_bot.ui.render import md_escape
from prep_bot.users import visible_attempts

HEADERS = ["time", "statement", "question", "score"]


def build_progress_tab(services: Services, user_box: gr.Textbox, team_box: gr.Textbox, user_errors) -> None:
    framework = services.framework
    titles = {q.slug: f"{q.number}. {q.title}" for q in framework.quality_statements}

    def my_attempts(user: str | None = None, typed_name: str | None = None, typed_team: str | None = None, request: gr.Request = None) -> list[list]:
        """Attempts of the signed-in person, or of ``user`` when the role allows it (staff: only
        themselves; a manager: their team; a lead: anyone). Oldest first."""
        with user_errors():
            me = current_user(services.users, request, typed_name, typed_team)
            who = (user or "").strip() or me.name
            attempts = visible_attempts(me, services.attempts, user=who, users=services.users)
            return [
                [a.created_at.strftime("%Y-%m-%d %H:%M") if a.created_at else "", titles.get(a.qs, a.qs), a.question, a.score]
                for a in attempts
            ]

    def overview(user: str | None = None, typed_name: str | None = None, typed_team: str | None = None, request: gr.Request = None):
        """Score over time per statement (a chart), weakest dimensions, questions not yet tried."""
        import pandas as pd

        with user_errors():
            me = current_user(services.users, request, typed_name, typed_team)
            who = (user or "").strip() or me.name
            attempts = visible_attempts(me, services.attempts, user=who, users=services.users)
            progress = personal_progress(attempts, services.questions, framework, services.rubric)
            frame = pd.DataFrame(progress["series"], columns=["time", "statement", "score"])
            lines = []
            if progress["weakest_dimensions"]:
                lines.append("**Weakest dimensions so far:** " + "; ".join(
                    f"{md_escape(d['dimension'])} ({d['mean']:g})" for d in progress["weakest_dimensions"]))
            counts = [(titles[slug], len(qs)) for slug, qs in progress["untried"].items()]
            lines.append("**Questions not yet tried:** " + "; ".join(f"{md_escape(t)}: {n}" for t, n in counts))
            lines.append("_“My weakest statement” in Practice drills the statement with your lowest mean, "
                         "asking questions you have not tried first._")
            return frame, "\n\n".join(lines)

    with gr.Tab("My progress") as tab:
        gr.Markdown(
            "Your practice so far, oldest first (times in UTC). Managers can look up someone in their team, "
            "leads anyone: type their name."
        )
        with gr.Row():
            person = gr.Textbox(label="Person (empty: you)", placeholder="Leave empty for your own", scale=3)
            show = gr.Button("Show", variant="primary", scale=1)
        chart = gr.LinePlot(x="time", y="score", color="statement", title="Score over time", y_lim=[0, 100], elem_id="my-chart")
        summary = gr.Markdown(elem_id="my-summary")
        table = gr.Dataframe(headers=HEADERS, value=None, interactive=False, wrap=True, label="Attempts", elem_id="my-attempts")
        inputs = [person, user_box, team_box]
        show.click(overview, inputs, [chart, summary], api_name="my_progress")
        tab.select(overview, inputs, [chart, summary], api_name=False)
        show.click(my_attempts, inputs, table, api_name="my_attempts")
        person.submit(my_attempts, inputs, table, api_name=False)
        tab.select(my_attempts, inputs, table, api_name=False)
