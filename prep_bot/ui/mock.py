"""The Mock interview tab: a timed panel of questions across quality statements, like the
on-site visit. Each answer's score joins a running table; when the panel ends, a summary per
quality statement, and every question's full feedback can be read again."""

from __future__ import annotations

import time

import gradio as gr

from prep_bot.services import Services
from prep_bot.ui.history import attempt_html
from prep_bot.ui.identity import current_user
from prep_bot.ui.practice import audience_dropdown
from prep_bot.ui.render import md_escape, summary_table
from prep_bot.ui.voice import read_aloud_after, read_aloud_box, recorder, spoken_for, transcribe_for, wire_read_aloud, wire_recorder


def _clock(seconds: float) -> str:
    seconds = int(max(0, seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def build_mock_tab(services: Services, user_box: gr.Textbox, team_box: gr.Textbox, user_errors, app: gr.Blocks) -> None:
    """The tab: each callback reads who is asking and calls the mock interview use case
    (prep_bot/app/interview.py); the panel's place and clock are the page's state, kept on the
    server for the signed-in account so a reload brings the interview in progress back."""
    interview = services.interview
    framework = services.framework

    def start(audience: str, count: int, minutes: float, request: gr.Request):
        with user_errors():
            me = current_user(services.policy, request)
            chosen = interview.start(me, audience, count)
            state = {"ids": [q.id for q in chosen], "index": 0, "results": [], "limit": float(minutes) * 60, "started": time.time(), "audience": audience}
            interview.keep(me, state)
            return state, _prompt(chosen[0], state), "", "", gr.Timer(active=True)

    def _prompt(question, state: dict) -> str:
        title = framework.qs(question.qs).title
        return f"### Question {state['index'] + 1} of {len(state['ids'])} · {md_escape(title)}\n\n{md_escape(question.text)}"

    def tick(state: dict) -> str:
        if not state or state.get("index", 0) >= len(state.get("ids", [])):
            return ""
        used = time.time() - state["started"]
        over = used > state["limit"]
        flag = " — time is up: finish your point" if over else ""
        return f"Time on this question: **{_clock(used)}** of {_clock(state['limit'])}{flag}"

    def being_answered(state: dict | None) -> str | None:
        """The key of the question on screen: its place in this panel and when it was shown."""
        state = state or {}
        return f"{state['index']}|{state['started']}" if state.get("ids") and state.get("index", 0) < len(state["ids"]) else None

    def submit(text: str, user: str, team: str, state: dict, spoken: dict, request: gr.Request):
        with user_errors():
            me = current_user(services.policy, request, user, team)
            state = state or {}
            running = state.get("index", 0) < len(state.get("ids", []))
            used = time.time() - state.get("started", 0)  # from the question's start: recording and transcribing count
            said = spoken_for(spoken, being_answered(state))
            done = interview.answer(me, state["ids"][state["index"]] if running else None, text, state.get("audience", ""), said)
            question, feedback = done.question, done.feedback
            # The one thing to change for this answer, as the coach's reply decided it (a wrong
            # figure, a hidden gap, else the weakest dimension), with this answer's own reason.
            change = feedback.reply.change
            state = {**state, "index": state["index"] + 1, "started": time.time()}
            state["results"] = [*state["results"], {
                "qs": question.qs, "question": question.text, "score": feedback.score,
                "weakest": f"{change.label}: {change.reason}",
                "time": _clock(used) + (" (over time)" if used > state["limit"] else "")
                + (f" · spoken, {said['words_per_minute']} words a minute" if said else ""), "attempt_id": done.attempt.id,
            }]
            interview.keep(me, state)  # where the panel is (forgotten once it has ended)
            if state["index"] >= len(state["ids"]):
                return state, (
                    "### Interview complete\n\nYour summary is below; every answer was saved. "
                    "Choose a question under the summary to read its full feedback."
                ), "", summary_table(state["results"], framework), gr.Timer(active=False), {}
            upcoming = interview.question(me, state["ids"][state["index"]])
            return state, _prompt(upcoming, state), "", summary_table(state["results"], framework), gr.Timer(active=True), {}

    def transcribe(audio: str | None, text: str, state: dict, spoken: dict, request: gr.Request):
        """A spoken answer into the answer box, to check before submitting. The question's clock
        is not touched: it keeps running from when the question was shown."""
        with user_errors():
            me = current_user(services.policy, request)
            return transcribe_for(services.practice, me, being_answered(state), audio, text, spoken)

    def resume(request: gr.Request):
        """The signed-in person's interview in progress, as they left it (its clock still running);
        nothing changes on the page when none is."""
        with user_errors():
            me = current_user(services.policy, request)
            found = interview.resume(me)
            if found is None:
                return [gr.skip()] * 9
            state, question = found
            results = state.get("results") or []
            shown = summary_table(results, framework) if results else ""
            return (state, _prompt(question, state), shown, gr.Timer(active=True), state.get("audience") or gr.skip(),
                    *inputs_for(state))

    def inputs_for(state: dict):
        """The answer box, recorder and Submit: shown and usable while a question waits; before the
        start and once the panel has ended there is nothing to answer, so they are not shown."""
        state = state or {}
        running = bool(state.get("ids")) and state.get("index", 0) < len(state["ids"])
        return (gr.Column(visible=running), gr.Textbox(interactive=running), gr.Audio(interactive=running),
                gr.Button(interactive=running))

    def review_list(state: dict):
        """Once the panel has ended: its questions to choose from (value: the attempt's number),
        and an empty feedback area. Hidden while the panel is running."""
        results = (state or {}).get("results", [])
        done = bool(results) and state.get("index", 0) >= len(state.get("ids", []))
        choices = [(f"{n}. {r['question']} ({r['score']}/100)", r["attempt_id"]) for n, r in enumerate(results, 1) if r.get("attempt_id")]
        return gr.Dropdown(choices=choices if done else [], value=None, visible=done), ""

    def review(attempt_id, user: str, team: str, state: dict, request: gr.Request = None) -> str:
        """One question of the finished panel: its answer and full feedback."""
        with user_errors():
            me = current_user(services.policy, request, user, team)
            panel = [r.get("attempt_id") for r in (state or {}).get("results", []) if r.get("attempt_id")]
            attempt = interview.review(me, attempt_id, panel)
            return attempt_html(attempt, framework, services.rubric) if attempt is not None else ""

    with gr.Tab("Mock interview"):
        gr.Markdown(
            "A timed panel across quality statements, as on the on-site visit. After each answer its score "
            "joins the table below; when the last question is answered you get a summary per quality statement, "
            "and can choose any question to read its full feedback. Every answer is saved to My progress."
        )
        with gr.Row():
            audience = audience_dropdown()
            count = gr.Slider(3, 9, value=5, step=1, label="Questions")
            minutes = gr.Slider(1, 5, value=2, step=0.5, label="Minutes per question")
            begin = gr.Button("Start mock interview", variant="primary")
        state = gr.State({})
        spoken = gr.State({})  # a recording's delivery, waiting for Submit (see ui/voice.py spoken_for)
        prompt = gr.Markdown(elem_id="mock-question")
        clock = gr.Markdown()
        with gr.Column(visible=False, elem_id="mock-answer-area") as answer_area:
            reply = gr.Textbox(
                label="Your answer", lines=5, elem_id="mock-answer",
                placeholder="Enter sends your answer; Shift+Enter starts a new line.",
            )
            with gr.Row(elem_classes="pb-voice"):
                audio = recorder("mock-audio")
                with gr.Column(scale=2, min_width=200):
                    read_aloud = read_aloud_box("mock-read-aloud")
                    voice_status = gr.Markdown(elem_id="mock-voice-status")
            send = gr.Button("Submit answer", elem_id="mock-send")
        summary = gr.HTML(elem_id="mock-summary")
        picked = gr.Dropdown(
            choices=[], value=None, label="Read the feedback on a question", visible=False, allow_custom_value=True,
            elem_id="mock-review-picker",
        )
        feedback = gr.HTML(elem_id="mock-review")
        timer = gr.Timer(1.0, active=False)
        started = begin.click(start, [audience, count, minutes], [state, prompt, reply, summary, timer], api_name="mock_start")
        started.then(review_list, state, [picked, feedback], api_name=False)
        read_aloud_after(started, prompt, read_aloud, voice_status)
        sent = send.click(
            submit, [reply, user_box, team_box, state, spoken], [state, prompt, reply, summary, timer, spoken], api_name="mock_answer"
        )
        sent.then(
            tick, state, clock, api_name=False, show_progress="hidden"  # the clock stops showing once the panel ends
        ).then(review_list, state, [picked, feedback], api_name=False)
        read_aloud_after(sent, prompt, read_aloud, voice_status)
        # Once the last answer is in, the answer box, recorder and Submit go until a new start.
        for event in (sent, started):
            event.then(inputs_for, state, [answer_area, reply, audio, send], api_name=False, show_progress="hidden")
        wire_recorder(audio, transcribe, [audio, reply, state, spoken], [reply, spoken, voice_status], api_name="mock_transcribe")
        wire_read_aloud(read_aloud, prompt, voice_status)
        picked.change(review, [picked, user_box, team_box, state], feedback, api_name="mock_review")
        timer.tick(tick, state, clock, api_name=False, show_progress="hidden")
    resumed = app.load(resume, None, [state, prompt, summary, timer, audience, answer_area, reply, audio, send], api_name=False)
    resumed.then(tick, state, clock, api_name=False, show_progress="hidden")
