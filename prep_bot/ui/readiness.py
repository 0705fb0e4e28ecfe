"""The Readiness tab (leads): the 9 quality statements against evidence and practice, drawn
as a heatmap, with the readiness formula, the questions the evidence cannot yet answer, and
exports of the report."""

from __future__ import annotations

from html import escape

import gradio as gr

from prep_bot.practice.insights import READINESS_FORMULA, WEAK_EVIDENCE
from prep_bot.practice.report import heatmap_html, readiness_details_html
from prep_bot.services import Services
from prep_bot.ui.identity import current_user
from prep_bot.ui.files import export_folder, handed


def build_readiness_tab(services: Services, user_box: gr.Textbox, team_box: gr.Textbox, user_errors) -> None:
    """The tab: the readiness use case (prep_bot/app/readiness.py) asks the permission policy."""

    def readiness(typed_name: str, typed_team: str, request: gr.Request = None, progress=gr.Progress()):
        with user_errors():
            me = current_user(services.policy, request, typed_name, typed_team)
            rows, paths = services.readiness.reports(
                me, lambda: export_folder(services.settings.data_dir, "prep-bot-report-"),
                progress=lambda done, total, what: progress((done, total), desc=what),
            )
            # How it is worked out, folded: the scores lead, the arithmetic is there for whoever asks.
            formula = (
                '<details class="pb-formula"><summary>How readiness is worked out</summary>'
                f'<p class="pb-formula">{escape(READINESS_FORMULA)}.</p><p class="pb-formula">A likely question counts as '
                f"without strong evidence when its best passage is less than {WEAK_EVIDENCE} close to it in meaning (0 is "
                "unrelated, 1 the same): below that, the passage found is about a neighbouring topic rather than an answer."
                "</p></details>"
            )
            return heatmap_html(rows) + formula, readiness_details_html(rows), handed(paths, me)

    with gr.Tab("Readiness") as tab:
        gr.Markdown("For leads: where the evidence or the rehearsal is thin, across the 9 quality statements.")
        show = gr.Button("Refresh readiness", variant="secondary")
        heatmap = gr.HTML(elem_id="readiness-heatmap")
        details = gr.HTML(elem_id="readiness-details")
        files = gr.File(label="Download the report (HTML with the heatmap, Markdown, CSV)", file_count="multiple", interactive=False,
                        elem_id="readiness-files", elem_classes=["pb-downloads"])
        show.click(readiness, [user_box, team_box], [heatmap, details, files], api_name="readiness")
        # Opening the tab shows the report: a lead should not meet an empty page and a button.
        tab.select(readiness, [user_box, team_box], [heatmap, details, files], api_name=False)
