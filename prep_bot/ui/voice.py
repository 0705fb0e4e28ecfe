"""Answering out loud, shared by Practice and the Mock interview: the recorder under the answer
box, the transcription callback (the transcript goes into the box to be checked and edited, the
recording is deleted), the delivery lines in the coach's reply, and questions read aloud by the
browser's own speech synthesis (local voices only: nothing leaves the machine)."""

from __future__ import annotations

import json
from html import escape

import gradio as gr

from prep_bot.coaching.delivery import Delivery, clock
from prep_bot.inputs import clean_text
from prep_bot.ui.render import md_escape

SPEECH_LANE = "speech"  # transcriptions from both tabs share this queue lane
SPEECH_AT_ONCE = 2  # the model uses several threads each; more at once only queues on the CPU
NO_LOCAL_VOICE = (
    "Questions are not read aloud: this browser has no voice installed on this computer, and prep-bot "
    "does not use online voices."
)


def recorder(elem_id: str) -> gr.Audio:
    """The microphone/upload control under an answer box. No ``format``: a browser recording
    arrives as WAV anyway, and an uploaded file reaches our own checks untouched (Gradio's
    conversion needs ffmpeg and would leave the original upload behind)."""
    return gr.Audio(
        sources=["microphone", "upload"], type="filepath", elem_id=elem_id, label="Or say your answer",
        editable=False, buttons=[], min_width=200, scale=3,
    )


def read_aloud_box(elem_id: str) -> gr.Checkbox:
    return gr.Checkbox(
        value=False, label="Read questions aloud", elem_id=elem_id,
        info="Uses a voice installed on this computer; nothing is sent anywhere.",
    )


def transcribe_answer(practice, who, path: str | None, text: str | None, delivery: dict | None) -> tuple[str, dict, str]:
    """One recording into the answer box: (the box's new text, the answer's delivery, a status
    line). The transcript is added after anything already in the box, and so is its delivery.
    The practice use case deletes the recording (or, with PREP_BOT_KEEP_AUDIO=1, moves it to the
    recordings folder) whether or not it could be transcribed."""
    transcript = practice.transcribe(who, path)
    spoken = clean_text(transcript.text).strip()
    before = clean_text(text).rstrip()
    joined = f"{before}\n{spoken}" if before else spoken
    said = transcript.delivery.to_dict()
    if before and Delivery.from_dict(delivery):
        said = combine(delivery, said)
    status = f"Transcribed {clock(transcript.duration_s)} of speech: check the words, then press Send."
    return joined, said, status


def spoken_for(spoken: dict | None, question) -> dict | None:
    """The delivery waiting in a tab's ``spoken`` state for ``question`` (a key naming the
    question being answered), or None when it was recorded for another one. The transcription
    writes only this state, never the tab's question state, so a recording that finishes after
    "Next question" cannot take the page back to the question it was recorded for."""
    spoken = spoken or {}
    return spoken.get("delivery") if question is not None and spoken.get("question") == question else None


def transcribe_for(practice, who, question, path: str | None, text: str | None, spoken: dict | None) -> tuple[str, dict, str]:
    """``transcribe_answer`` for the question keyed ``question``: (box text, the new spoken
    state, status)."""
    joined, said, status = transcribe_answer(practice, who, path, text, spoken_for(spoken, question))
    return joined, {"question": question, "delivery": said}, status


def combine(first: dict, then: dict) -> dict:
    """The delivery of an answer given in two recordings, one after the other."""
    a, b = Delivery.from_dict(first), Delivery.from_dict(then)
    total = a.duration_s + b.duration_s
    wpm = round((a.words_per_minute * a.duration_s + b.words_per_minute * b.duration_s) / total) if total else 0
    fillers = dict(a.fillers)
    for phrase, n in b.fillers.items():
        fillers[phrase] = fillers.get(phrase, 0) + n
    pauses = [*a.long_pauses, *({**p, "at_s": round(float(p.get("at_s", 0)) + a.duration_s, 1)} for p in b.long_pauses)]
    return Delivery(round(total, 1), wpm, pauses, fillers).to_dict()


def delivery_line(delivery: dict | None) -> str:
    """ "**Delivery:** 1:05 spoken · 142 words a minute · …" for the coach's reply, or ""."""
    said = Delivery.from_dict(delivery)
    return f"**Delivery:** {md_escape(said.summary())}" if said else ""


def delivery_section(delivery: dict | None) -> list[dict]:
    """The folded "How you said it" section under a spoken answer's reply (none for typed)."""
    said = Delivery.from_dict(delivery)
    if said is None:
        return []
    items = "".join(f"<li>{escape(note)}</li>" for note in said.notes())
    return [{
        "role": "assistant", "content": f'<div class="pb-detail"><ul class="pb-delivery">{items}</ul></div>',
        "metadata": {"title": "How you said it", "status": "done"},
    }]


def wire_recorder(audio: gr.Audio, callback, inputs: list, outputs: list, api_name: str) -> None:
    """Transcribe when a recording stops or a file is chosen; then empty the recorder, whether
    or not the transcription worked (its file is gone either way)."""
    for trigger, name in ((audio.upload, api_name), (audio.stop_recording, False)):
        trigger(
            callback, inputs, outputs, api_name=name, concurrency_limit=SPEECH_AT_ONCE, concurrency_id=SPEECH_LANE,
        ).then(lambda: None, None, audio, api_name=False, show_progress="hidden")


# The question a chat or prompt shows, as words to speak: the last paragraph of the last message
# that is not a folded section, without markdown. Then spoken with a local voice (British English
# first), or, when there is none, a note instead of falling back to an online voice.
_SPEAK = """
async (shown, on) => {
  const synth = window.speechSynthesis;
  if (synth) synth.cancel();
  if (!on) return "";
  if (!synth || typeof SpeechSynthesisUtterance === "undefined") return NOTE;
  let voices = synth.getVoices();
  if (!voices.length) {
    await new Promise((done) => { synth.addEventListener("voiceschanged", done, {once: true}); setTimeout(done, 1500); });
    voices = synth.getVoices();
  }
  const local = voices.filter((v) => v.localService === true);
  if (!local.length) return NOTE;
  const voice = local.find((v) => /^en[-_]gb/i.test(v.lang)) || local.find((v) => /^en/i.test(v.lang)) || local[0];
  if (!SPEAK_NOW) return "";
  const words = (content) => typeof content === "string" ? content
    : Array.isArray(content) ? content.map(words).join(" ") : (content && (content.text || content.value)) || "";
  let text = shown;
  if (Array.isArray(shown)) {
    const said = shown.filter((m) => m && m.role === "assistant" && !(m.metadata && m.metadata.title));
    text = said.length ? words(said[said.length - 1].content) : "";
  }
  const parts = String(text || "").split(/\\n\\s*\\n/).map((p) => p.trim()).filter(Boolean);
  const last = (parts[parts.length - 1] || "")
    .replace(/\\\\([\\\\`*_\\[\\]#|~])/g, "$1").replace(/[*_#`]+/g, "")
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&").trim();
  if (!last) return "";
  const utterance = new SpeechSynthesisUtterance(last);
  utterance.voice = voice;
  utterance.lang = voice.lang;
  synth.speak(utterance);
  return "";
}
"""
SPEAK_QUESTION = _SPEAK.replace("NOTE", json.dumps(NO_LOCAL_VOICE)).replace("SPEAK_NOW", "true")
CHECK_VOICES = _SPEAK.replace("NOTE", json.dumps(NO_LOCAL_VOICE)).replace("SPEAK_NOW", "false")


def read_aloud_after(event, shown, box: gr.Checkbox, status) -> None:
    """After ``event`` puts a new question in ``shown`` (the chat or the prompt), speak it when
    the box is ticked. Runs in the browser only."""
    event.then(None, [shown, box], status, js=SPEAK_QUESTION, api_name=False, show_progress="hidden")


def wire_read_aloud(box: gr.Checkbox, shown, status) -> None:
    """Ticking the box checks for a local voice (saying so once if there is none); clearing it
    stops any speech."""
    box.change(None, [shown, box], status, js=CHECK_VOICES, api_name=False, show_progress="hidden")
