"""What the council's language model adds to the page (prep_bot/llm/advisor.py does the work):
its coaching under the rubric's reply in Practice, and "Ask the evidence" in the Evidence tab.

Model output is untrusted: every piece of it is escaped before it reaches a chat message, while
it streams and once it is checked."""

from __future__ import annotations

from html import escape

import gradio as gr

from prep_bot.llm.advisor import SECTION, Answer, CoachHelp
from prep_bot.evidence.provenance import display_date
from prep_bot.ui.render import md_escape, plain

NOTE_HEAD = "**From the language model**"
STRONGER_HEAD = "**A stronger answer, from your evidence**"
HEADS = {"feedback": NOTE_HEAD, "stronger answer": STRONGER_HEAD}
CHECKING = "_Checking its figures and sources against your evidence…_"
STANDS = "the coach's score and notes above stand."
MAX_QUESTION = 2000


# -- text ------------------------------------------------------------------------------------
def draft_markdown(text: str) -> str:
    """A coach draft as it streams: its FEEDBACK / STRONGER ANSWER headings as our headings,
    the rest escaped."""
    out, at = [], 0
    for m in SECTION.finditer(text):
        out.append(md_escape(text[at:m.start()]).strip())
        out.append(HEADS[m.group(1).lower()])
        at = m.end()
    out.append(md_escape(text[at:]).strip())
    return "\n\n".join(part for part in out if part)


def citation_label(c: dict) -> str:
    """ "Title (date), p. 3, Section" for a citation dict (plain text, not escaped)."""
    when = display_date(c.get("date") or "") or "undated"
    parts = [f"{c.get('title') or c.get('doc_id') or 'Untitled'} ({when})"]
    if c.get("page"):
        parts.append(f"p. {c['page']}")
    if c.get("section") and c["section"] != c.get("title"):
        parts.append(str(c["section"]))
    return ", ".join(parts)


def flag_lines(flags: list[str]) -> str:
    """Each flag as a plain line under a heading (never folded away); empty without flags."""
    if not flags:
        return ""
    items = "\n".join(f"- ⚠ {md_escape(f[:1].upper() + f[1:])}" for f in flags)
    return f"**Check before you use it:**\n\n{items}"


def sources_markdown(citations: list[dict]) -> str:
    items = "\n".join(f"- \\[{int(c['n'])}\\] {md_escape(citation_label(c))}" for c in citations)
    return f"**Sources**\n\n{items}" if citations else ""


def sources_html(citations: list[dict]) -> str:
    """The cited passages' documents as one line of HTML (for a folded chat message)."""
    items = "".join(f"<li>[{int(c['n'])}] {escape(citation_label(c))}</li>" for c in citations)
    return f'<div class="pb-detail"><ul class="pb-cited">{items}</ul></div>'


# -- Practice --------------------------------------------------------------------------------
def coach_draft_message(text: str) -> dict:
    return {"role": "assistant", "content": f"{draft_markdown(text) or '…'}\n\n{CHECKING}"}


def coach_help_messages(result: CoachHelp) -> list[dict]:
    """The checked help: the note, the stronger answer (figures marked), the flags in plain
    sight and the cited sources folded beneath; or one line when the model could not result."""
    if result.error:
        notice = f"_The language model could not help with this answer ({md_escape(result.error)}); {STANDS}_"
        return [{"role": "assistant", "content": notice}]
    parts = [NOTE_HEAD, md_escape(result.feedback), STRONGER_HEAD, md_escape(result.stronger_answer)]
    if result.flags:
        parts.append(flag_lines(result.flags))
    out = [{"role": "assistant", "content": "\n\n".join(p for p in parts if p)}]
    if result.citations:
        n = len(result.citations)
        out.append({"role": "assistant", "content": sources_html(result.citations),
                    "metadata": {"title": f"Sources the stronger answer cites ({n})", "status": "done"}})
    return out


def stream_coach_help(stream, chat: list):
    """Chat states while the model's help (``stream``: drafts, then the checked ``CoachHelp``)
    comes in, then the checked help."""
    base = list(chat or [])
    final = CoachHelp(error="The model sent nothing.")
    for item in stream:
        if isinstance(item, CoachHelp):
            final = item
        else:
            yield [*base, coach_draft_message(item)], final
    yield [*base, *coach_help_messages(final)], final


# -- Ask the evidence ------------------------------------------------------------------------
def answer_markdown(answer: Answer) -> str:
    """The final answer: the text (escaped), its sources (the model's citations; a passages
    answer names them in each line) and any flags."""
    parts = [md_escape(plain(answer.answer))]
    if answer.llm:
        parts.append(sources_markdown(answer.citations))
    parts.append(flag_lines(answer.flags))
    return "\n\n".join(p for p in parts if p)


def build_ask_the_evidence(services, user_errors) -> None:
    """A small chat in the Evidence tab: a question in, an answer from the evidence out."""
    from prep_bot.ui.identity import current_user

    advisor = services.advisor

    def ask_evidence(question: str, chat: list, request: gr.Request):
        with user_errors():
            me = current_user(services.policy, request)
            stream = services.evidence.ask_stream(me, question)
            base = [*(chat or []), {"role": "user", "content": md_escape((question or "").strip())}]
            for item in stream:
                if isinstance(item, Answer):
                    yield [*base, {"role": "assistant", "content": answer_markdown(item)}], ""
                else:
                    yield [*base, {"role": "assistant", "content": f"{md_escape(item)}\n\n{CHECKING}"}], gr.skip()

    with gr.Column(elem_id="ask-evidence", elem_classes="pb-ask"):
        gr.Markdown(
            "**Ask a question** · "
            + ("an answer in words from the council's language model, with the passages it cites."
               if advisor.configured else "the key sentences of the passages that answer it best, with their "
               "documents and dates."),
            elem_classes="pb-ask-head",
        )
        chat = gr.Chatbot(
            label="Answers from the evidence", show_label=False, elem_id="ask-chat", height=360, min_height=200,
            feedback_options=None, latex_delimiters=[], placeholder="Ask a question; the answer names its sources.",
        )
        with gr.Row(elem_classes="pb-ask-row"):
            box = gr.Textbox(
                label="Your question for the evidence", show_label=False, elem_id="ask-question", scale=4, min_width=200,
                placeholder="e.g. What do carers say about getting a break?", max_length=MAX_QUESTION,
            )
            send = gr.Button("Ask", variant="primary", elem_id="ask-send", scale=1, min_width=80)
    send.click(ask_evidence, [box, chat], [chat, box], api_name="ask_evidence")
    box.submit(ask_evidence, [box, chat], [chat, box], api_name=False)
