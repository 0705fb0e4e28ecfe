"""The Evidence tab: search the council's evidence, see cited passages and the figures in them,
and (leads) correct a passage's tags."""

from __future__ import annotations


import gradio as gr

from prep_bot.app.policy import Action
from prep_bot.services import Services
from prep_bot.ui.identity import current_user
from prep_bot.ui.render import data_cards, evidence_cards
from prep_bot.ui.files import export_folder, handed

ALL = "All"
ALL_COUNCILS = "all"
DOC_TYPES = [ALL, "peer-challenge", "cqc-assessment", "self-assessment", "data", "other"]


def build_evidence_tab(services: Services, app: gr.Blocks, user_errors) -> None:
    from prep_bot.ui.advice import build_ask_the_evidence
    from prep_bot.ui.corrections import build_correction_form

    framework = services.framework
    store = services.store
    qs_choices = [(ALL, ALL)] + [(f"{q.number}. {q.title}", q.slug) for q in framework.quality_statements]

    def _search(query: str, qs: str, polarity: str, doc_type: str, k: int, everywhere: bool, request, figures: bool):
        return services.evidence.search(
            current_user(services.policy, request),
            query,
            k=int(k),
            qs=None if qs == ALL else qs,
            polarity=None if polarity == ALL else polarity,
            doc_type=None if doc_type == ALL else doc_type,
            council=ALL_COUNCILS if everywhere else None,
            figures=figures,
        )

    def may_correct(request) -> bool:
        """Whether the cards get a "Correct tags" button: for those the policy lets correct tags."""
        return services.policy.may(current_user(services.policy, request), Action.CORRECT_TAGS)

    def search(query: str, qs: str, polarity: str, doc_type: str, k: int, everywhere: bool = False,
               request: gr.Request = None) -> str:
        with user_errors():
            found = _search(query, qs, polarity, doc_type, k, everywhere, request, figures=False)
            return evidence_cards(found.hits, framework, store, services.glossary, may_correct(request))

    def search_with_figures(query: str, qs: str, polarity: str, doc_type: str, k: int, everywhere: bool = False,
                            request: gr.Request = None):
        with user_errors():
            found = _search(query, qs, polarity, doc_type, k, everywhere, request, figures=True)
            return evidence_cards(found.hits, framework, store, services.glossary, may_correct(request)), data_cards(found.figures)

    with gr.Tab("Evidence"):
        with gr.Row():
            query = gr.Textbox(label="Search the evidence", placeholder="What do we know about carers?", scale=4)
            go = gr.Button("Search", variant="primary", scale=1, min_width=120)
        with gr.Accordion("Filters", open=False):
            with gr.Row():
                qs = gr.Dropdown(qs_choices, value=ALL, label="Quality statement")
                polarity = gr.Dropdown([ALL, "strength", "improvement", "neutral"], value=ALL, label="Strength or area to improve")
                doc_type = gr.Dropdown(DOC_TYPES, value=ALL, label="Document type")
                k = gr.Slider(1, 20, value=5, step=1, label="Passages")
            home = store.home_council
            everywhere = gr.Checkbox(
                value=False,
                label=f"Include other councils' reports (default: {home}'s own evidence)" if home
                else "Include other councils' reports",
                visible=bool(home),
                elem_id="evidence-everywhere",
            )
        with gr.Row():
            with gr.Column(scale=3, min_width=300):
                results = gr.HTML(elem_id="evidence-results")
            with gr.Column(scale=2, min_width=260):
                gr.Markdown("**Figures in these passages**")
                figures = gr.HTML(elem_id="evidence-figures")
        inputs = [query, qs, polarity, doc_type, k, everywhere]
        go.click(search_with_figures, inputs, [results, figures], api_name="evidence")
        query.submit(search_with_figures, inputs, [results, figures], api_name=False)
        # Cards only: a small, stable endpoint for scripts and tests.
        hidden = gr.Button(visible=False)
        hidden.click(search, inputs, results, api_name="search")
        build_ask_the_evidence(services, user_errors)
        build_briefing_form(services, qs_choices, user_errors)
        build_correction_form(services, app, user_errors)


def build_briefing_form(services: Services, qs_choices, user_errors) -> None:
    """The briefing pack: a printable page per quality statement, for every role."""
    from prep_bot.practice.briefing import AUDIENCE_NAMES

    def make(qs: str, audience: str, request: gr.Request = None) -> str:
        with user_errors():
            me = current_user(services.policy, request)
            page = services.evidence.briefing(me, None if qs == ALL else qs, None if audience == ALL else audience)
            folder = export_folder(services.settings.data_dir, "prep-bot-briefing-")
            name = "briefing-pack" + ("" if qs == ALL else f"-{qs}") + ("" if audience == ALL else f"-{audience}") + ".html"
            path = folder / name
            path.write_text(page, encoding="utf-8")
            return handed([path], me)[0]

    with gr.Accordion("Briefing pack: a printable page per quality statement", open=False, elem_id="briefing"):
        gr.Markdown(
            "Key messages with their documents and dates, figures with comparators and sources, likely "
            "questions and what a good answer covers. Open the file in a browser and print it."
        )
        with gr.Row():
            qs = gr.Dropdown(qs_choices, value=ALL, label="Quality statement", min_width=220)
            audience = gr.Dropdown([(ALL, ALL)] + [(n.capitalize(), a) for a, n in AUDIENCE_NAMES.items()], value=ALL,
                                   label="Questions for", min_width=200)
        go = gr.Button("Make the briefing pack", elem_id="briefing-make")
        pack = gr.File(label="Briefing pack", interactive=False, elem_id="briefing-file", elem_classes=["pb-downloads"])
        go.click(make, [qs, audience], pack, api_name="briefing")
