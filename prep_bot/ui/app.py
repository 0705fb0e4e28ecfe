"""Builds the Gradio app from the services; callbacks format and delegate."""

from __future__ import annotations

import asyncio
from contextlib import contextmanager

import gradio as gr

from prep_bot.errors import PrepBotError
from prep_bot.services import Services
from prep_bot.coach import Coach
from prep_bot.ui.render import CSS, data_cards, evidence_cards

ALL = "All"
ALL_COUNCILS = "all"
THEME = gr.themes.Soft(
    font=["system-ui", "Segoe UI", "Helvetica", "Arial", "sans-serif"],  # no web fonts: nothing leaves the machine
    font_mono=["ui-monospace", "Consolas", "monospace"],
)


@contextmanager
def user_errors():
    """Show prep-bot's own errors (bad input, a store that is not answering) as a message in
    the page instead of Gradio's generic error."""
    try:
        yield
    except gr.Error:
        raise
    except (PrepBotError, ValueError, KeyError) as e:
        raise gr.Error(str(e).strip("'\"")) from e


AUTH_MESSAGE = (
    "Sign in with the name and password your prep-bot lead gave you. "
    "No account yet? Ask them to run: prep-bot users add NAME --role staff --team TEAM"
)


def build_app(services: Services, login: bool | None = None) -> gr.Blocks:
    """The page. With ``login`` (default: when any user exists) the name and team come from the
    sign-in: the "Your name" and "Team" boxes are hidden and a "Signed in as" line shows instead."""
    from prep_bot.ui.identity import current_user, signed_in_banner
    from prep_bot.ui.corrections import build_correction_form
    from prep_bot.ui.library import build_library_tab
    from prep_bot.ui.mock import build_mock_tab
    from prep_bot.ui.practice import build_practice_tab
    from prep_bot.ui.progress import build_progress_tab
    from prep_bot.ui.readiness import build_readiness_tab
    from prep_bot.ui.team import build_team_tab

    if login is None:
        login = services.users.count() > 0

    framework = services.framework
    store = services.store
    qs_choices = [(ALL, ALL)] + [(f"{q.number}. {q.title}", q.slug) for q in framework.quality_statements]

    def search(query: str, qs: str, polarity: str, doc_type: str, k: int, everywhere: bool = False) -> str:
        with user_errors():
            return evidence_cards(_search(query, qs, polarity, doc_type, k, everywhere), framework, store, services.glossary)

    def search_with_figures(query: str, qs: str, polarity: str, doc_type: str, k: int, everywhere: bool = False) -> tuple[str, str]:
        with user_errors():
            hits = _search(query, qs, polarity, doc_type, k, everywhere)
            return evidence_cards(hits, framework, store, services.glossary), data_cards(Coach.data_cards(hits, limit=8))

    def _search(query: str, qs: str, polarity: str, doc_type: str, k: int, everywhere: bool):
        if not query or not query.strip():
            raise gr.Error("Type a question or some words to search the evidence for.")
        if len(query) > 2000:
            raise gr.Error("That is too long for a search: use up to 2,000 characters.")
        return store.search(
            query,
            k=int(k),
            qs=None if qs == ALL else qs,
            polarity=None if polarity == ALL else polarity,
            doc_type=None if doc_type == ALL else doc_type,
            council=ALL_COUNCILS if everywhere else None,
        )

    with gr.Blocks(title="prep-bot: CQC assessment rehearsal") as app:
        gr.Markdown("# prep-bot\nRehearse for the CQC assessment: likely questions, answers coached against your evidence.")
        # Signed in, these boxes are hidden and ignored: callbacks take the person from the sign-in.
        with gr.Row(visible=not login):
            user_box = gr.Textbox(label="Your name", placeholder="So your practice history is yours", scale=2)
            team_box = gr.Textbox(label="Team", placeholder="e.g. Front door", scale=2)
        if login:
            banner = gr.HTML(elem_id="signed-in")

            def whoami(request: gr.Request) -> str:
                with user_errors():
                    return signed_in_banner(current_user(services.users, request))

            app.load(whoami, None, banner, api_name="whoami")
        build_practice_tab(services, user_box, team_box, user_errors)
        build_mock_tab(services, user_box, team_box, user_errors)
        build_progress_tab(services, user_box, team_box, user_errors)
        build_team_tab(services, user_box, team_box, user_errors)
        build_readiness_tab(services, user_box, team_box, user_errors)
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
            home = store.home_council
            everywhere = gr.Checkbox(
                value=False,
                label=f"Include other councils' reports (default: {home}'s own evidence)" if home
                else "Include other councils' reports",
                visible=bool(home),
                elem_id="evidence-everywhere",
            )
            with gr.Row():
                with gr.Column(scale=3):
                    results = gr.HTML(elem_id="evidence-results")
                with gr.Column(scale=2):
                    gr.Markdown("**Figures in these passages**")
                    figures = gr.HTML(elem_id="evidence-figures")
            inputs = [query, qs, polarity, doc_type, k, everywhere]
            go.click(search_with_figures, inputs, [results, figures], api_name="evidence")
            query.submit(search_with_figures, inputs, [results, figures], api_name=False)
            # Cards only: a small, stable endpoint for scripts and tests.
            hidden = gr.Button(visible=False)
            hidden.click(search, inputs, results, api_name="search")
            build_correction_form(services, app, user_errors)
        build_library_tab(services, user_errors)  # the documents, and adding files (ui/library.py)
    return app


def launch(services: Services, host: str, port: int, block: bool = True):
    """Warm the model and indexes, then serve; returns the app (useful when not blocking).

    Once any user exists, everyone signs in (checked against the user store). Without users,
    only a loopback host is allowed (LoginRequired otherwise)."""
    from prep_bot.ui.library import upload_cap
    from prep_bot.users import check_bind

    login = services.users.count() > 0
    check_bind(host, login)
    services.embedder.model  # load once, before the first request
    services.coach  # the rubric and question bank are validated before serving
    services.store.reconcile()  # drop vectors an interrupted ingest left behind
    services.store.lexical.ensure_current(services.store.catalog)
    app = build_app(services, login=login)
    app.queue(default_concurrency_limit=4)
    app.launch(
        auth=_sign_in(services) if login else None,
        auth_message=AUTH_MESSAGE if login else None,
        server_name=host,
        server_port=port,
        theme=THEME,
        css=CSS,
        ssr_mode=False,
        show_error=False,
        max_file_size=upload_cap(services.settings.max_file_mb),  # a backstop; the Library tab says why per file
        prevent_thread_lock=not block,
        quiet=not block,
    )
    return app


def _sign_in(services: Services):
    """Gradio's ``auth`` callable: the password checked against the user store. Argon2 takes
    tens of milliseconds on purpose, so it runs in a worker thread, not on the event loop."""
    users = services.users

    async def sign_in(username: str, password: str) -> bool:
        return await asyncio.to_thread(users.verify, username, password) is not None

    return sign_in
