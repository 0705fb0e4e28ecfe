"""Correcting a passage's tags from the Evidence tab: for leads (anyone at the keyboard when
there are no accounts). The library use case asks the permission policy on every request; the
form is only shown to those who may use it."""

from __future__ import annotations

from html import escape

import gradio as gr

from prep_bot.app.policy import Action
from prep_bot.framework.statements import POLARITIES
from prep_bot.people.accounts import AccessDenied
from prep_bot.services import Services
from prep_bot.ui.identity import current_user

KEEP = "keep"


def build_correction_form(services: Services, app: gr.Blocks, user_errors) -> None:
    choices = [(f"{q.number}. {q.title}", q.slug) for q in services.framework.quality_statements]

    def save(passage_id: str, statements: list[str] | None, polarity: str, request: gr.Request = None) -> str:
        with user_errors():
            me = current_user(services.policy, request)
            passage = services.library.correct_tags(me, passage_id, statements or [], None if polarity == KEEP else polarity)
            titles = ", ".join(services.framework.qs(s).title for s in passage.quality_statements)
            return (
                f'<p class="pb-saved">Saved: this passage is now tagged {escape(titles)} ({escape(passage.polarity)}). '
                "Search, readiness, key messages and challenge questions use it from now on, and it is kept "
                "when the document is added again.</p>"
            )

    def shown(request: gr.Request = None):
        try:
            return gr.update(visible=services.policy.may(current_user(services.policy, request), Action.CORRECT_TAGS))
        except AccessDenied:
            return gr.update(visible=False)

    with gr.Accordion("Correct a passage's tags (leads)", open=True, visible=False, elem_id="correct-tags") as box:  # shown on load
        gr.Markdown("Press “Correct tags” on a card above: the passage is chosen here. Choose the statements it is "
                    "about (the main one first) and save.")
        chosen = gr.HTML(elem_id="correct-chosen")
        with gr.Row():
            # Filled by a card's "Correct tags" button (ui/app.py), never typed: kept out of sight.
            passage_id = gr.Textbox(label="Passage", scale=2, elem_id="correct-id", elem_classes="pb-hidden")
            statements = gr.Dropdown(choices, multiselect=True, max_choices=3, label="Quality statements", scale=3,
                                     elem_id="correct-qs")
            polarity = gr.Dropdown([(p.capitalize(), p) for p in POLARITIES] + [("Keep as it is", KEEP)], value=KEEP,
                                   label="Strength or area to improve", scale=1)
        save_btn = gr.Button("Save correction", elem_id="correct-save")
        saved = gr.HTML(elem_id="correct-result")
        save_btn.click(save, [passage_id, statements, polarity], saved, api_name="correct_tags")
    app.load(shown, None, box, api_name=False)
