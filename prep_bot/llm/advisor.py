"""What the council's language model adds, always behind the guardrails (grounding.py):

- a spoken-style note on an answer and a stronger version of it from the numbered evidence;
- "ask the evidence": an answer to a question from retrieved passages, with citations.

The rubric's score is never touched. With no model configured, coaching is the rubric alone and
"ask" answers with the best passages. When the model fails in any way, the caller gets an
``error`` line and carries on without it."""

from __future__ import annotations

from prep_bot.errors import InputError
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from prep_bot.evidence.redaction import redact
from prep_bot.llm.grounding import (
    CREDENTIAL, Checked, Source, check_reply, known_figures, number, passages_block, provisional, quoted, refusal,
)
from prep_bot.llm.client import ChatModel, LLMError, endpoint_from
from prep_bot.llm.prompts import load_prompt

log = logging.getLogger(__name__)

ASK_PASSAGES = 6
COACH_PASSAGES = 6
SECTION = re.compile(r"^[\s>*#_]*(feedback|stronger answer)[\s*_]*:[\s*_]*", re.I | re.M)
REFUSAL = re.compile(r"^\W*(?:i'?m sorry|sorry,|i can(?:no|')t|i am unable|i'm unable|as an ai)\b", re.I)
NO_MODEL = "No language model is set up, so here are the passages that answer it best."
ECHO_REFUSED = "The model repeated an instruction hidden in the evidence, so its {what} is not shown."
CREDENTIAL_REFUSED = "The model asked for a password or other credential, so its {what} is not shown. Never type one into a reply."


def refused_message(why: str, what: str) -> str:
    return (CREDENTIAL_REFUSED if why == CREDENTIAL else ECHO_REFUSED).format(what=what)


def _drafts(pieces, withheld: list[str], what: str) -> Iterator[str]:
    """The reply so far after each piece; stops with LLMError as soon as the draft asks for a
    credential or repeats a withheld instruction, before that draft is shown. (Each sentence is
    judged once and remembered, so checking every piece costs only the sentence being written.)"""
    text = ""
    for piece in pieces:
        text += piece
        why = refusal(text, withheld)
        if why:
            raise LLMError(refused_message(why, what))
        yield text


@dataclass
class CoachHelp:
    """The model's note and stronger answer, checked; or ``error`` when it could not help."""

    feedback: str = ""
    stronger_answer: str = ""
    citations: list[dict] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    error: str = ""

    def to_dict(self) -> dict:
        if self.error:
            return {"error": self.error}
        return {"feedback": self.feedback, "stronger_answer": self.stronger_answer,
                "citations": self.citations, "flags": self.flags}


@dataclass
class Answer:
    """An answer from the evidence: the model's (checked) or, without one, the best passages."""

    answer: str
    citations: list[dict]
    flags: list[str]
    llm: bool
    sources: list[Source] = field(default_factory=list)
    notice: str = ""  # why the model's answer is not shown, when it failed

    def to_dict(self) -> dict:
        out = {"answer": self.answer, "citations": self.citations, "flags": self.flags, "llm": self.llm}
        if self.notice:
            out["notice"] = self.notice
        return out


def split_sections(text: str) -> tuple[str, str]:
    """The FEEDBACK and STRONGER ANSWER parts of a coach reply; ValueError when either is missing."""
    parts = {}
    marks = list(SECTION.finditer(text))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        parts[m.group(1).lower()] = text[m.end():end].strip()
    if not parts.get("feedback") or not parts.get("stronger answer"):
        raise InputError("The model's reply was not in the expected shape (a note, then a stronger answer).")
    return parts["feedback"], parts["stronger answer"]


class Advisor:
    """The language model's part, for the coach, the Evidence tab and the CLI."""

    def __init__(self, settings, store, framework, checker) -> None:
        self.settings = settings
        self.store = store
        self.framework = framework
        self.checker = checker
        self._model: ChatModel | None = None

    @property
    def configured(self) -> bool:
        return bool((self.settings.llm_url or "").strip())

    def model(self) -> ChatModel:
        """The chat model; raises LLMError when it is set up wrongly (e.g. a remote host)."""
        if self._model is None:
            endpoint = endpoint_from(self.settings)
            if endpoint is None:
                raise LLMError("No language model is set up (PREP_BOT_LLM_URL).")
            self._model = ChatModel(endpoint)
        return self._model

    def prompt(self, task: str):
        return load_prompt(self.settings.prompts_dir, task)

    # -- coaching ---------------------------------------------------------------------------
    def coach_stream(self, feedback, answer: str) -> Iterator[str | CoachHelp]:
        """The model's draft as it arrives (figures not yet checked are marked), then the
        final ``CoachHelp``. Never raises for a model failure: the last item carries ``error``."""
        passages = [h.passage for h in feedback.evidence] + [c.passage for c in feedback.data]
        sources = number(passages)[:COACH_PASSAGES]
        block, withheld = passages_block(sources)
        reply = feedback.reply
        own = redact(answer).text
        try:
            messages = self.prompt("coach").messages(
                statement=self.framework.qs(feedback.qs).title, question=quoted(feedback.question),
                answer=quoted(own), score=feedback.score,
                strength=(f"Strength: {reply.strength.label}." if reply and reply.strength else "No strength yet."),
                change=(f"{reply.change.label}: {reply.change.advice}" if reply else feedback.weakest),
                follow_up=feedback.follow_up, passages=block,
            )
            text, known = "", known_figures(sources, own)
            for text in _drafts(self.model().stream(messages), withheld, "reply"):
                yield provisional(text, sources, known=known)
            if REFUSAL.match(text):
                raise LLMError("The model declined to coach this answer.")
            try:
                note, stronger = split_sections(text)
            except ValueError as exc:
                raise LLMError(str(exc)) from exc
            note_checked = check_reply(note, sources, self.checker, withheld)
            better = check_reply(stronger, sources, self.checker, withheld)
        except (LLMError, ValueError) as exc:
            yield CoachHelp(error=str(exc))
            return
        if note_checked.instructions_echoed or better.instructions_echoed:
            yield CoachHelp(error=refused_message(note_checked.refusal or better.refusal, "reply"))
            return
        citations = {c["n"]: c for c in note_checked.citations + better.citations}
        yield CoachHelp(
            feedback=note_checked.text, stronger_answer=better.text,
            citations=[citations[n] for n in sorted(citations)], flags=_unique(note_checked.flags + better.flags),
        )

    def coach_help(self, feedback, answer: str) -> CoachHelp:
        final = CoachHelp(error="The model sent nothing.")
        for item in self.coach_stream(feedback, answer):
            if isinstance(item, CoachHelp):
                final = item
        return final

    # -- ask the evidence -------------------------------------------------------------------
    def retrieve(self, question: str, qs: str | None = None) -> list[Source]:
        return number([h.passage for h in self.store.search(question, k=ASK_PASSAGES, qs=qs or None)])

    def ask_stream(self, question: str, qs: str | None = None) -> Iterator[str | Answer]:
        """Drafts as they arrive, then the final ``Answer``. Without a model (or when it fails)
        the answer is the best passages, said so."""
        question = (question or "").strip()
        if not question:
            raise InputError("Type a question about the evidence first.")
        sources = self.retrieve(question, qs)
        if not sources:
            yield Answer("No passage in the library answers that. Try other words, or add the evidence that would.",
                         [], [], False)
            return
        if not self.configured:
            yield passages_answer(sources, NO_MODEL, question)
            return
        block, withheld = passages_block(sources)
        try:
            messages = self.prompt("ask").messages(question=quoted(redact(question).text), passages=block)
            text, known = "", known_figures(sources)
            for text in _drafts(self.model().stream(messages), withheld, "answer"):
                yield provisional(text, sources, known=known)
            if REFUSAL.match(text):
                raise LLMError("The model declined to answer.")
            checked: Checked = check_reply(text, sources, self.checker, withheld)
            if checked.instructions_echoed:
                raise LLMError(refused_message(checked.refusal, "answer"))
            if not checked.text.strip():
                raise LLMError("The model sent an empty reply.")
        except (LLMError, ValueError) as exc:
            fallback = passages_answer(sources, f"{exc} Here are the passages that answer it best.", question)
            fallback.notice = str(exc)
            yield fallback
            return
        yield Answer(checked.text, checked.citations, checked.flags, True, sources)

    def ask(self, question: str, qs: str | None = None) -> Answer:
        final = None
        for item in self.ask_stream(question, qs):
            if isinstance(item, Answer):
                final = item
        return final


def passages_answer(sources: list[Source], lead: str, question: str = "") -> Answer:
    """The best passages, each as its key sentences for the question (whole, with their figures),
    cited with its document and date."""
    from prep_bot.evidence.key_sentences import key_sentences

    lines = [lead]
    for s in sources[:3]:
        lines.append(f"[{s.n}] “{' '.join(key_sentences(s.passage.text, question)) or _lead(s.passage.text)}” ({s.label()})")
    return Answer("\n".join(lines), [s.citation() for s in sources[:3]], [], False, sources)


def _lead(text: str, limit: int = 320) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
