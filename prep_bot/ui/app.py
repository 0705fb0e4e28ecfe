"""Builds the Gradio app from the services; callbacks format and delegate."""

from __future__ import annotations

import gradio as gr

from prep_bot.app.policy import Action
from prep_bot.services import Services
from prep_bot.ui.errors import guard_all, user_errors
from prep_bot.ui.render import CSS
from prep_bot.ui.story import STORY_CSS
from prep_bot.ui.voice import VOICE_CSS

THEME = gr.themes.Soft(
    font=["system-ui", "Segoe UI", "Helvetica", "Arial", "sans-serif"],  # no web fonts: nothing leaves the machine
    font_mono=["ui-monospace", "Consolas", "monospace"],
)

# The tabs not everyone may use, each shown to those the permission policy lets do what it is
# for (every request is checked besides): a person's room is the other tabs and these.
RESTRICTED = {"Team story": Action.SEE_TEAM, "Readiness": Action.SEE_READINESS, "Our story": Action.AGREE_STORY,
              "Library": Action.LIST_LIBRARY}

AUTH_MESSAGE = (
    "Sign in with the name and password your prep-bot lead gave you. "
    "No account yet? Ask them to run: prep-bot users add NAME --role staff --team TEAM"
)

# Enter in an answer box presses its Send button; Shift+Enter is a new line. Capture phase, so
# Gradio's own handler (which submits multi-line boxes on Shift+Enter) never sees the key.
ENTER_SENDS = """
() => {
  const send = {"practice-answer": "practice-send", "mock-answer": "mock-send"};
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || e.isComposing || e.target.tagName !== "TEXTAREA") return;
    const box = e.target.closest("[id]");
    const button = box && send[box.id] && document.getElementById(send[box.id]);
    if (!button) return;
    e.stopPropagation();
    e.preventDefault();
    if (e.shiftKey) document.execCommand("insertText", false, "\\n");  // fires input: Gradio sees it
    else button.click();
  }, true);
  // A new coach's reply opens at its top (the score), under the pinned question, not at its tail.
  let answered = 0;
  // The newest reply and the question row above the chat, read afresh each time: Gradio may
  // redraw a row after it first appears, and a row kept from before is no longer on the page.
  const newest = (log) => {
    const rows = Array.from(log.querySelectorAll(".message-row"));
    const lastUser = rows.map((r) => r.classList.contains("user-row")).lastIndexOf(true);
    const reply = rows.slice(lastUser + 1).find((r) => /Score \\d+\\/100/.test(r.innerText));
    return {rows, reply};
  };
  const showReply = () => {
    const log = document.querySelector("#practice-chat [role=log]");
    if (!log) return;
    const users = log.querySelectorAll(".message-row.user-row").length;
    if (users <= answered) { answered = users; return; }
    if (!newest(log).reply) return;
    answered = users;
    const chat = document.getElementById("practice-chat");
    // The chat in sight from its top, and the reply under the pinned question. Done again once
    // the reply has finished drawing and the page has settled: on a busy machine the first
    // measure can come before the layout does, or the page can still move to the answer box.
    const align = () => {
      const log = document.querySelector("#practice-chat [role=log]");
      const {rows, reply} = log ? newest(log) : {};
      if (!reply) return;
      const top = chat.getBoundingClientRect().top;
      if (top < 0 || top > window.innerHeight / 2) chat.scrollIntoView({block: "start"});
      const pinned = rows[0] !== reply ? rows[0].offsetHeight : 0;
      log.scrollTop += reply.getBoundingClientRect().top - log.getBoundingClientRect().top - pinned;
    };
    align();
    requestAnimationFrame(align);
    setTimeout(align, 300);
    setTimeout(align, 1000);
  };
  new MutationObserver(showReply).observe(document.body, {childList: true, subtree: true});
  // On a phone My progress lists attempts as cards: a card opens its attempt, as a row of the table does.
  document.addEventListener("click", (e) => {
    const card = e.target.closest && e.target.closest("#my-attempts-cards tr[data-row]");
    const box = document.querySelector("#my-card-pick textarea, #my-card-pick input");
    if (!card || !box) return;
    box.value = card.dataset.row + ":" + Date.now();  // a new value each time: the same card opens again
    box.dispatchEvent(new Event("input", {bubbles: true}));
  });
  // A card's "Correct tags" (leads) chooses its passage in the correction form: no id to copy.
  document.addEventListener("click", (e) => {
    const button = e.target.closest && e.target.closest(".pb-correct");
    const box = document.querySelector("#correct-id textarea, #correct-id input");
    if (!button || !box) return;
    box.value = button.dataset.passage;
    box.dispatchEvent(new Event("input", {bubbles: true}));
    const quote = (button.closest("article")?.querySelector("blockquote")?.innerText || "").slice(0, 160);
    const chosen = document.getElementById("correct-chosen");
    if (chosen) chosen.textContent = "Chosen: " + button.dataset.title + ": “" + quote + "…”";  // text, never markup
    document.getElementById("correct-tags")?.scrollIntoView({block: "center"});
  });
}
"""


def build_app(services: Services, login: bool | None = None) -> gr.Blocks:
    """The page. With ``login`` (default: when any user exists) the name and team come from the
    sign-in: the "Your name" and "Team" boxes are hidden, a "Signed in as" line shows instead,
    and each person sees the tabs of their role's room."""
    from prep_bot.ui.evidence import build_evidence_tab
    from prep_bot.ui.identity import current_user, signed_in_banner
    from prep_bot.ui.library import build_library_tab
    from prep_bot.ui.mock import build_mock_tab
    from prep_bot.ui.practice import build_practice_tab
    from prep_bot.ui.progress import build_progress_tab
    from prep_bot.ui.readiness import build_readiness_tab
    from prep_bot.ui.story import build_story_tab
    from prep_bot.ui.team import build_team_tab

    if login is None:
        login = services.users.count() > 0

    with gr.Blocks(title="prep-bot: CQC assessment rehearsal") as app:
        with gr.Row(elem_classes="pb-top"):
            gr.Markdown("## prep-bot · rehearse for your CQC assessment", elem_id="pb-title")
            banner = gr.HTML(elem_id="signed-in", visible=login)
        # Signed in, these boxes are hidden and ignored: callbacks take the person from the sign-in.
        with gr.Row(visible=not login):
            user_box = gr.Textbox(label="Your name", placeholder="So your practice history is yours", scale=2)
            team_box = gr.Textbox(label="Team", placeholder="e.g. Front door", scale=2)
        # Every room in sight at any width: the tabs wrap onto a second row, none hides in a "..." menu.
        with gr.Tabs(elem_id="pb-tabs", overflow_behavior="wrap"):
            first_question = build_practice_tab(services, user_box, team_box, user_errors)
            build_mock_tab(services, user_box, team_box, user_errors, app)
            person_row = build_progress_tab(services, user_box, team_box, user_errors)
            build_evidence_tab(services, app, user_errors)
            build_team_tab(services, user_box, team_box, user_errors)
            build_readiness_tab(services, user_box, team_box, user_errors)
            build_story_tab(services, user_box, team_box, user_errors)  # leads agree the council's story
            build_library_tab(services, user_errors)  # the documents, and adding files (ui/library.py)
        tabs = {b.label: b for b in app.blocks.values() if isinstance(b, gr.Tab) and b.label in RESTRICTED}
        if login:
            for block in (*tabs.values(), person_row):  # nobody sees a room before we know their role
                block.visible = False

            def whoami(request: gr.Request) -> str:
                return signed_in_banner(services.accounts.me(current_user(services.policy, request)))

            def room(request: gr.Request):
                me = current_user(services.policy, request)
                may = services.policy.may
                # Those who may read only their own practice get no box to name someone else.
                return [gr.Tab(visible=may(me, RESTRICTED[label])) for label in tabs] + [gr.Row(visible=may(me, Action.SEE_PERSON))]

            app.load(whoami, None, banner, api_name="whoami")
            app.load(room, None, [*tabs.values(), person_row], api_name=False)
        ask, ask_inputs, ask_outputs, (study, study_inputs, study_output) = first_question
        app.load(ask, ask_inputs, ask_outputs, api_name=False).then(
            study, study_inputs, study_output, api_name=False, show_progress="hidden"
        )
        guard_all(app)  # one way to fail for every callback (ui/errors.py)
    return app


def launch(services: Services, host: str, port: int, block: bool = True):
    """Warm the model and indexes, then serve; returns the app (useful when not blocking).

    Once any user exists, everyone signs in on prep-bot's own page (ui/sign_in.py; checked against
    the user store, throttled, in sessions bound to the account: ui/server.py). Without users, only
    a loopback host is allowed (LoginRequired otherwise)."""
    import os

    from prep_bot.ui.navigation import BACK_STAYS
    from prep_bot.ui.sign_in import SignInPage

    from prep_bot.people.accounts import check_bind
    from prep_bot.people.sessions import Sessions
    from prep_bot.people.throttle import Throttle
    from prep_bot.ui.files import quiet_refused_paths, use_private_cache
    from prep_bot.ui.library import upload_cap
    from prep_bot.ui.server import PasswordGate, PrepBotApp, own_origins, sign_in

    settings = services.settings
    login = services.users.count() > 0
    check_bind(host, login)
    services.embedder.load(export=True)  # once, before the first request (its ONNX copy made if missing)
    services.coach  # the rubric and question bank are validated before serving
    services.store.reconcile()  # drop vectors an interrupted ingest left behind
    services.store.lexical.ensure_current(services.store.catalog)
    use_private_cache(settings.data_dir)  # uploads and downloads in the data dir's private folder, not /tmp
    quiet_refused_paths()  # a file path the caller did not upload: one line, no traceback
    app = build_app(services, login=login)
    app.queue(default_concurrency_limit=4)
    ports = [port] + [int(p) for p in [os.environ.get("PREP_BOT_FRONT_PORT", "")] if p.isdigit()]  # behind --workers' haproxy
    https = (settings.public_url or "").lower().startswith("https:")
    sessions = Sessions(services.users, settings.session_hours, settings.session_idle_minutes)
    cap = upload_cap(settings.max_file_mb)  # every route: a body over it is cut off (ui/server.py)
    server = PrepBotApp(sessions, own_origins(host, ports, settings.public_url), https, int(settings.session_hours * 3600),
                        max_body=cap + 1024 * 1024)
    if login:  # prep-bot's own sign-in page in place of Gradio's "Login" form, inside the Gate (ui/sign_in.py)
        server.add_middleware(SignInPage, council=settings.council or "")
    throttle = Throttle(settings.signin_account_failures, settings.signin_address_failures, settings.signin_lock_minutes)
    app.launch(
        auth=sign_in(services.users, throttle, PasswordGate(concurrent=1, waiting=16)) if login else None,
        auth_message=AUTH_MESSAGE if login else None,
        server_name=host,
        server_port=port,
        theme=THEME,
        css=CSS + VOICE_CSS + STORY_CSS,
        js=f"() => {{ ({ENTER_SENDS.strip()})(); ({BACK_STAYS.strip()})(); }}",  # ui/navigation.py: Back stays in the app
        ssr_mode=False,
        show_error=False,
        footer_links=[],  # no "Use via API / Built with Gradio / Settings": staff see the app, not its plumbing
        run_history=False,  # answers are kept on the server, per account, never in the browser
        max_file_size=cap,  # a backstop; the Library tab says why per file
        prevent_thread_lock=not block,
        quiet=not block,
        _app=server,
    )
    return app
