"""The Practice tab: a chat in which the bot asks a likely CQC question, the member of staff
answers, and the coach replies with a score, a short note and a follow-up probe."""

from __future__ import annotations

import gradio as gr

from prep_bot.app.practice import MIX, WEAKEST, Session, audience_for
from prep_bot.framework.questions import Question
from prep_bot.framework.vocab import AUDIENCES
from prep_bot.services import Services
from prep_bot.story.card import cards_html
from prep_bot.ui.advice import stream_coach_help
from prep_bot.ui.identity import current_user
from prep_bot.ui.render import (
    claims_table, data_cards, dimension_table, elsewhere_list, evidence_cards, md_escape, missed_list,
)
from prep_bot.ui.voice import (
    delivery_line, delivery_section, read_aloud_after, read_aloud_box, recorder, spoken_for, transcribe_for,
    wire_read_aloud, wire_recorder,
)

AUDIENCE_NAMES = {
    "frontline": "frontline staff", "team-manager": "team managers", "senior-leader": "senior leaders",
    "partner": "partners", "elected-member": "elected members", "any": "everyone",
}


def audience_dropdown() -> gr.Dropdown:
    return gr.Dropdown([(a.replace("-", " ").capitalize(), a) for a in AUDIENCES], value="frontline", label="I am", min_width=200)


def qs_choices(services: Services) -> list[tuple[str, str]]:
    return [(f"{q.number}. {q.title}", q.slug) for q in services.framework.quality_statements] + [
        ("Mix of all statements", MIX),
        ("My weakest statement", WEAKEST),
    ]


def question_message(question: Question, services: Services, prefix: str = "") -> str:
    title = services.framework.qs(question.qs).title
    kind = f"For {AUDIENCE_NAMES.get(question.audience, question.audience)}"
    if question.is_challenge:
        kind = f"A challenge from your evidence, {kind[0].lower()}{kind[1:]}"
    return f"{prefix}**{md_escape(title)}** · _{kind}_\n\n{md_escape(question.text)}"


def coach_message(feedback, previous: int | None, delivery: dict | None = None) -> str:
    """The coach's reply in the chat: the score, the one strength, the one thing to change and
    the follow-up probe, decided once in prep_bot/coaching/feedback.py. The rest is folded beneath it
    (see ``detail_messages``). A spoken answer's delivery gets a line under the score."""
    reply = feedback.reply
    change = ""
    if previous is not None:
        delta = feedback.score - previous
        change = f" ({'+' if delta > 0 else ''}{delta} since your last try)"
    best, worst = reply.strength, reply.change
    whole = f" for the whole answer ({feedback.turns} turns)" if feedback.turns > 1 else ""
    lines = [
        f"**Score {feedback.score}/100**{whole}{change}",
        f"**Strength:** {md_escape(best.label.lower())}. {md_escape(best.reason)}" if best
        else f"**Strength:** {md_escape(reply.no_strength)}",
        f"**Change one thing:** {md_escape(worst.label.lower())}. {md_escape(worst.advice or worst.reason)}",
    ]
    if delivery_line(delivery):
        lines.insert(1, delivery_line(delivery))
    if reply.added:
        lines.insert(1, md_escape(reply.added))
    lines += [md_escape(note) for note in reply.notes_beyond_change()]
    lines.append(f"**Follow-up:** {md_escape(reply.follow_up)}")
    return "\n\n".join(lines)


def detail_messages(feedback, framework, store, glossary, rubric=None) -> list[dict]:
    """The folded sections under a reply: the six dimensions, the claim check, and the evidence
    and figures the answer could have used (chat messages that open when clicked)."""
    reply = feedback.reply
    checked = len(feedback.claims)
    wrong = sum(c.status == "contradicted" for c in feedback.claims)
    claim_title = (
        "Claim check: no figures in this answer" if not checked
        else f"Claim check: {checked} figure{'s' if checked != 1 else ''}"
        + (f", {wrong} contradicted" if wrong else "")
    )
    sections = [
        ("Score by dimension", dimension_table(feedback.dimensions, rubric)),
        (claim_title, claims_table(feedback.claims, heading=False)),
        (
            "Evidence and figures you could use",
            missed_list(reply.not_covered) + "<h4>Evidence you could cite</h4>"
            + evidence_cards(feedback.evidence, framework, store, glossary)
            + "<h4>Figures you could quote</h4>" + data_cards(feedback.data),
        ),
    ]
    # One line of HTML: the chat reads its messages as markdown, and a blank line inside an
    # evidence passage would otherwise end the HTML block and let the rest be read as markdown.
    return [
        {
            "role": "assistant",
            "content": f'<div class="pb-detail">{html.replace(chr(13), "").replace(chr(10), "&#10;")}</div>',
            "metadata": {"title": title, "status": "done"},
        }
        for title, html in sections
    ]


def _elsewhere_html(drawn) -> str:
    return elsewhere_list(drawn.elsewhere, drawn.elsewhere_from) if drawn.elsewhere else ""


def build_practice_tab(services: Services, user_box: gr.Textbox, team_box: gr.Textbox, user_errors):
    """The tab; returns (callback, inputs, outputs) of the first question, which the app asks
    when the page loads, and (callback, inputs, output) of its study card, shown after it. Each
    callback reads who is asking, calls the practice use case (prep_bot/app/practice.py) and
    renders what it returns."""
    practice = services.practice

    def ask(user: str, audience: str, qs_choice: str, with_challenges: bool, state: dict, request: gr.Request):
        with user_errors():
            me = current_user(services.policy, request, user)
            drawn = practice.draw(me, audience, qs_choice, with_challenges, Session.of(state))
            chat = [{"role": "assistant", "content": question_message(drawn.question, services)}]
            practice.keep(me, drawn.session, chat, audience, qs_choice)  # a reload brings it back
            return chat, drawn.session.to_dict(), _elsewhere_html(drawn), ""

    def ask_for(user: str, audience: str, qs_choice: str, with_challenges: bool, state: dict, request: gr.Request):
        """A question, and the ("I am", statement) it was drawn for."""
        return (*ask(user, audience, qs_choice, with_challenges, state, request), [audience, qs_choice])

    def redraw(user: str, audience: str, qs_choice: str, with_challenges: bool, state: dict, drawn_for: list | None,
               request: gr.Request):
        """A new question when "I am" or the statement now differs from what the one on screen was
        drawn for; nothing when the page itself set them to match it (on opening, or resuming)."""
        with user_errors():
            me = current_user(services.policy, request, user)
            if not practice.calls_for_a_question(me, audience, qs_choice, drawn_for):
                return tuple(gr.skip() for _ in asked_outputs)
        return ask_for(user, audience, qs_choice, with_challenges, state, request)

    def being_answered(state: dict | None) -> str | None:
        """The key of what the person is answering now: the question, or its follow-up."""
        return Session.of(state).answering

    def answer(text: str, user: str, team: str, audience: str, chat: list, state: dict, spoken: dict, request: gr.Request):
        """The rubric's reply, saved. With a language model set up, the feedback and answer wait
        in the ``pending`` state for its help, which the chained ``model_help`` streams in."""
        with user_errors():
            me = current_user(services.policy, request, user, team)
            said = spoken_for(spoken, being_answered(state))  # from a recording of this answer (used once)
            turn = practice.respond(me, Session.of(state), text, audience, said)
            feedback = turn.feedback
            chat = [
                *(chat or []),
                {"role": "user", "content": md_escape(turn.said)},
                {"role": "assistant", "content": coach_message(feedback, turn.previous, said) + "\n\n_Saved to your practice history._"},
                *delivery_section(said, turn.said, feedback, services.rubric),
                *detail_messages(feedback, services.framework, services.store, services.glossary, services.rubric),
            ]
            practice.keep(me, turn.session, chat, audience)
            pending = {"feedback": feedback, "answer": turn.attempt.answer, "attempt": turn.attempt.id,
                       "session": turn.session.to_dict()} if services.advisor.configured else {}
            return chat, turn.session.to_dict(), "", {}, pending

    def model_help(chat: list, pending: dict, request: gr.Request):
        """The language model's note and stronger answer under the coach's reply, streamed."""
        me = current_user(services.policy, request)
        pending = pending or {}
        stream = practice.model_help(me, pending.get("feedback"), pending.get("answer", ""))
        if not pending:
            return
        shown = None
        for shown, final in stream_coach_help(stream, chat):
            if not final.error and final.stronger_answer:  # kept with the attempt before it is shown
                practice.keep_model_help(me, pending["attempt"], final.to_dict())
            yield shown, {}  # used once: a refused next Send must not bring this help back
        if shown is not None and pending.get("session"):  # the conversation with its help, kept for a reload
            practice.keep(me, Session.of(pending["session"]), shown)

    def transcribe(audio: str | None, text: str, state: dict, spoken: dict, request: gr.Request):
        """A recorded or uploaded answer into the answer box, to check and edit before Send; its
        delivery waits in the spoken state for that Send, keyed by what it answers."""
        with user_errors():
            me = current_user(services.policy, request)
            return transcribe_for(practice, me, being_answered(state), audio, text, spoken)

    def try_again(chat: list, state: dict, request: gr.Request):
        with user_errors():
            me = current_user(services.policy, request)
            session, question = practice.again(me, Session.of(state))
            message = question_message(question, services, prefix="Let's try that one again.\n\n")
            chat = [*(chat or []), {"role": "assistant", "content": message}]
            practice.keep(me, session, chat)
            return chat, session.to_dict()

    def study(user: str, state: dict, request: gr.Request) -> str:
        """The agreed story's study card for the statement of the question being asked, for
        the person's role (staff: the lines and two figures; managers and leads: everything)."""
        with user_errors():
            me = current_user(services.policy, request, user)
            found = practice.study_card(me, Session.of(state))
            if not found:
                return ""
            return cards_html([found["card"]], []) if found["card"] else cards_html([], [found["title"]])

    def first_question(audience: str, qs_choice: str, state: dict, request: gr.Request):
        """The page opens where the signed-in person left off (the question and conversation, kept
        on the server), else with a question already asked for their role."""
        with user_errors():
            me = current_user(services.policy, request, "")
            resumed = practice.resume(me)
            if resumed is not None:
                drawn = resumed.drawn
                kept_audience = resumed.audience if resumed.audience in AUDIENCES else audience_for(me, audience)
                kept_choice = resumed.choice if resumed.choice in choice_values else MIX
                return (resumed.shown, drawn.session.to_dict(), _elsewhere_html(drawn), "", kept_audience,
                        kept_choice, [kept_audience, kept_choice])
            audience = audience_for(me, audience)
            chat, state, elsewhere_html, reply = ask("", audience, qs_choice, False, state, request)
            return chat, state, elsewhere_html, reply, audience, qs_choice, [audience, qs_choice]

    with gr.Tab("Practice"):
        with gr.Row(elem_classes="pb-settings"):
            audience = audience_dropdown()
            qs_choice = gr.Dropdown(qs_choices(services), value=MIX, label="Quality statement", min_width=240)
            with_challenges = gr.Checkbox(
                value=False, label="Include challenge questions from our evidence (at most one in four)", min_width=240
            )
        state = gr.State({})
        spoken = gr.State({})  # a recording's delivery, waiting for Send (see ui/voice.py spoken_for)
        pending = gr.State({})  # the last feedback and answer, for the language model's help
        drawn_for = gr.State(None)  # ["I am", statement] the question on screen was drawn for
        chat = gr.Chatbot(
            label="Rehearsal", height="62vh", min_height=320, elem_id="practice-chat", feedback_options=None,
            latex_delimiters=[], show_label=False, placeholder="Your first question is on its way.",
            group_consecutive_messages=True, autoscroll=False,  # a reply opens at its score (ui/app.py ENTER_SENDS)
        )
        elsewhere_box = gr.HTML(elem_id="practice-elsewhere-box")
        with gr.Accordion("Our agreed story on this statement", open=False, elem_id="practice-story"):
            story_box = gr.HTML(elem_id="practice-story-card")
        reply = gr.Textbox(
            label="Your answer", lines=3, max_lines=12, elem_id="practice-answer",
            placeholder="Answer as you would to the inspector: what changed for people, how you know, an example, "
            "and what still needs to improve. Enter sends; Shift+Enter starts a new line.",
        )
        with gr.Row(elem_classes="pb-voice"):
            audio = recorder("practice-audio")
            with gr.Column(scale=2, min_width=200):
                read_aloud = read_aloud_box("practice-read-aloud")
                voice_status = gr.Markdown(elem_id="practice-voice-status")
        with gr.Row(elem_classes="pb-actions"):
            send = gr.Button("Send", variant="primary", elem_id="practice-send", scale=2)
            again = gr.Button("Try again", elem_id="practice-again", scale=1)
            next_btn = gr.Button("Next question", elem_id="practice-ask", scale=1)
        ask_inputs = [user_box, audience, qs_choice, with_challenges, state]
        asked_outputs = [chat, state, elsewhere_box, reply, drawn_for]
        asked = next_btn.click(ask_for, ask_inputs, asked_outputs, api_name="ask")
        read_aloud_after(asked, chat, read_aloud, voice_status)
        asked.then(study, [user_box, state], story_box, api_name="study_card", show_progress="hidden")
        # A new "I am" or statement asks a matching question at once, and clearing the chat starts a
        # new one: the question on screen is always the one the next answer is scored against.
        # (.change, not .input: Gradio's dropdown sends "input" twice for one choice, and once more
        # when it is opened and closed without one, so each asked a question nobody wanted.)
        for redrawn in (audience.change(redraw, [*ask_inputs, drawn_for], asked_outputs, api_name=False),
                        qs_choice.change(redraw, [*ask_inputs, drawn_for], asked_outputs, api_name=False),
                        chat.clear(ask_for, ask_inputs, asked_outputs, api_name=False)):
            read_aloud_after(redrawn, chat, read_aloud, voice_status)
            redrawn.then(study, [user_box, state], story_box, api_name=False, show_progress="hidden")
        answer_inputs = [reply, user_box, team_box, audience, chat, state, spoken]
        # Enter in the answer box presses Send (a script in ui/app.py), Shift+Enter is a new line.
        sent = send.click(answer, answer_inputs, [chat, state, reply, spoken, pending], api_name="answer").then(
            lambda: "", None, voice_status, api_name=False, show_progress="hidden"
        )
        if services.advisor.configured:  # the model's help, after the rubric's reply is on the page
            # The buttons wait while it streams: a new turn would be overwritten by the stream.
            buttons = [send, again, next_btn]
            sent.then(lambda: [gr.Button(interactive=False)] * 3, None, buttons, api_name=False, show_progress="hidden").then(
                model_help, [chat, pending], [chat, pending], api_name="model_help", show_progress="hidden"
            ).then(lambda: [gr.Button(interactive=True)] * 3, None, buttons, api_name=False, show_progress="hidden")
        read_aloud_after(again.click(try_again, [chat, state], [chat, state], api_name="try_again"), chat, read_aloud, voice_status)
        wire_recorder(audio, transcribe, [audio, reply, state, spoken], [reply, spoken, voice_status], api_name="transcribe")
        wire_read_aloud(read_aloud, chat, voice_status)
    choice_values = {value for _, value in qs_choices(services)}
    return first_question, [audience, qs_choice, state], [chat, state, elsewhere_box, reply, audience, qs_choice, drawn_for], (study, [user_box, state], story_box)
