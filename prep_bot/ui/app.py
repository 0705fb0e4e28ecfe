"""Builds the Gradio app from the services; callbacks format and delegate."""

from __future__ import annotations

import gradio as gr

from prep_bot.services import Services
from prep_bot.ui.render import CSS, evidence_cards

ALL = "All"
THEME = gr.themes.Soft(
    font=["system-ui", "Segoe UI", "Helvetica", "Arial", "sans-serif"],  # no web fonts: nothing leaves the machine
    font_mono=["ui-monospace", "Consolas", "monospace"],
)


def build_app(services: Services) -> gr.Blocks:
    framework = services.framework
    store = services.store
    qs_choices = [(ALL, ALL)] + [(f"{q.number}. {q.title}", q.slug) for q in framework.quality_statements]

    def search(query: str, qs: str, polarity: str, doc_type: str, k: int) -> str:
        if not query or not query.strip():
            raise gr.Error("Type a question or some words to search the evidence for.")
        if len(query) > 2000:
            raise gr.Error("That is too long for a search: use up to 2,000 characters.")
        hits = store.search(
            query,
            k=int(k),
            qs=None if qs == ALL else qs,
            polarity=None if polarity == ALL else polarity,
            doc_type=None if doc_type == ALL else doc_type,
        )
        return evidence_cards(hits, framework)

    def library() -> list[list]:
        return [[d.doc_id, d.title, d.doc_type, d.date, d.chunks] for d in store.documents()]

    with gr.Blocks(title="prep-bot: CQC assessment rehearsal") as app:
        gr.Markdown("# prep-bot\nFind what your evidence says, with citations, for any of the 9 quality statements.")
        with gr.Tab("Evidence"):
            with gr.Row():
                query = gr.Textbox(label="Ask the evidence", placeholder="What do we know about carers?", scale=4)
                go = gr.Button("Search", variant="primary", scale=1)
            with gr.Row():
                qs = gr.Dropdown(qs_choices, value=ALL, label="Quality statement")
                polarity = gr.Dropdown([ALL, "strength", "improvement", "neutral"], value=ALL, label="Strength or area to improve")
                doc_type = gr.Dropdown(
                    [ALL, "peer-challenge", "cqc-assessment", "self-assessment", "data", "other"], value=ALL, label="Document type"
                )
                k = gr.Slider(1, 20, value=5, step=1, label="Passages")
            results = gr.HTML(elem_id="evidence-results")
            inputs = [query, qs, polarity, doc_type, k]
            go.click(search, inputs, results, api_name="search")
            query.submit(search, inputs, results, api_name=False)
        with gr.Tab("Library"):
            docs = gr.Dataframe(
                headers=["id", "title", "type", "date", "passages"], value=library, interactive=False, label="Documents in the store"
            )
            refresh = gr.Button("Refresh")
            refresh.click(library, None, docs, api_name="documents")
    return app


def launch(services: Services, host: str, port: int, block: bool = True):
    """Warm the model and indexes, then serve; returns the app (useful when not blocking)."""
    services.embedder.model  # load once, before the first request
    services.store.lexical.ensure_current(services.store.catalog)
    app = build_app(services)
    app.queue(default_concurrency_limit=4)
    app.launch(
        server_name=host,
        server_port=port,
        theme=THEME,
        css=CSS,
        ssr_mode=False,
        show_error=False,
        prevent_thread_lock=not block,
        quiet=not block,
    )
    return app
