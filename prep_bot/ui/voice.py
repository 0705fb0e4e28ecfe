"""Answering out loud, shared by Practice and the Mock interview: the recorder under the answer
box, the transcription callback (the transcript goes into the box to be checked and edited, the
recording is deleted), the delivery in the coach's reply (a line under the score, and under "How
you said it" the answer with what the coach found marked in it, the pace drawn across the answer
and notes on pace, pauses, fillers and a cut-off), and questions read aloud by the browser's own
speech synthesis (local voices only: nothing leaves the machine). Every text shown is escaped."""

from __future__ import annotations

import json
from html import escape

import gradio as gr

from prep_bot.coaching.delivery import PACE_HIGH, PACE_LOW, Delivery, clock
from prep_bot.coaching.marks import KINDS, Mark, delivery_marks, findings, locate
from prep_bot.inputs import clean_text
from prep_bot.ui.render import md_escape
from prep_bot.ui.files import OWNERS

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
    if path:
        OWNERS.check_recording(who, path)  # never another file (someone's export) to transcribe and delete
    transcript = practice.transcribe(who, path)
    spoken = clean_text(transcript.text).strip()
    before = clean_text(text).rstrip()
    joined = f"{before}\n{spoken}" if before else spoken
    said = transcript.delivery.to_dict()
    if before and Delivery.from_dict(delivery):
        said = combine(delivery, said)
    return joined, said, transcribed_status(transcript)


def transcribed_status(transcript) -> str:
    """What happened to a recording, in a line or two: its length, the glossary words put right,
    and a cut-off (markdown, escaped)."""
    status = f"Transcribed {clock(transcript.duration_s)} of speech: check the words, then press Send."
    fixed = list(dict.fromkeys((c.heard, c.term) for c in transcript.corrections))
    if fixed:
        listed = ", ".join(f"“{heard}” to “{term}”" for heard, term in fixed[:3])
        status += f" Changed {listed} from the glossary."
    if transcript.delivery.cut_off:
        status += f" {transcript.delivery.cut_off}"
    return md_escape(status)


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
    """The delivery of an answer given in two recordings, one after the other (the second's
    times follow the first's; only the second can still be cut off)."""
    a, b = Delivery.from_dict(first), Delivery.from_dict(then)
    total = a.duration_s + b.duration_s
    wpm = round((a.words_per_minute * a.duration_s + b.words_per_minute * b.duration_s) / total) if total else 0
    fillers = dict(a.fillers)
    for phrase, n in b.fillers.items():
        fillers[phrase] = fillers.get(phrase, 0) + n

    def later(items: list[dict]) -> list[dict]:
        return [{**p, "at_s": round(float(p.get("at_s", 0)) + a.duration_s, 1)} for p in items]

    return Delivery(
        round(total, 1), wpm, [*a.long_pauses, *later(b.long_pauses)], fillers, [*a.filler_at, *later(b.filler_at)],
        [*a.pace, *later(b.pace)], b.cut_off,
    ).to_dict()


def delivery_line(delivery: dict | None) -> str:
    """ "**Delivery:** 1:05 spoken · 142 words a minute · …" for the coach's reply, or ""."""
    said = Delivery.from_dict(delivery)
    return f"**Delivery:** {md_escape(said.summary())}" if said else ""


def delivery_section(delivery: dict | None, answer: str = "", feedback=None, rubric=None) -> list[dict]:
    """The folded "How you said it" section under a spoken answer's reply (none for typed): the
    answer with what the coach found, fillers and long pauses marked in it, the pace across the
    answer, and the notes."""
    said = Delivery.from_dict(delivery)
    if said is None:
        return []
    parts = []
    if answer:
        found = locate(answer, findings(feedback, answer, rubric)) if feedback is not None and rubric is not None else []
        parts.append(marked_answer(answer, found + delivery_marks(answer, said)))
    parts.append(pace_chart(said))
    items = "".join(f"<li>{escape(note)}</li>" for note in said.notes())
    parts.append(f'<ul class="pb-delivery">{items}</ul>')
    return [{
        "role": "assistant", "content": f'<div class="pb-detail pb-said">{"".join(parts)}</div>',
        "metadata": {"title": "How you said it", "status": "done"},
    }]


MARK_CLASSES = {"outcome": "pb-m-outcome", "example": "pb-m-example", "gap": "pb-m-gap", "figure": "pb-m-figure", "filler": "pb-m-filler"}
FIGURE_NOTES = {"supported": "matches the evidence", "contradicted": "differs from the evidence", "unverified": "not found in the evidence"}


def marked_answer(answer: str, marks: list[Mark]) -> str:
    """``answer`` as escaped HTML with ``marks`` in it: sentences (what changed, an example, an
    honest gap) shaded, figures and fillers marked, long pauses shown where they fell, and a
    legend of the marks used. Overlapping marks combine their classes."""
    cuts = sorted({0, len(answer), *(m.start for m in marks), *(m.end for m in marks)})
    pauses: dict[int, list[Mark]] = {}
    for m in marks:
        if m.kind == "pause":
            pauses.setdefault(m.start, []).append(m)
    out = []
    for start, end in zip(cuts, cuts[1:] + [len(answer)]):
        for pause in pauses.pop(start, []):
            out.append(f'<span class="pb-m-pause" title="{escape(KINDS["pause"])}">⏸ {escape(pause.note)}</span>')
        if end <= start:
            continue
        on = [m for m in marks if m.kind != "pause" and m.start <= start and end <= m.end]
        piece = escape(answer[start:end]).replace("\n", "<br>")
        if not on:
            out.append(piece)
            continue
        classes = sorted({MARK_CLASSES[m.kind] for m in on} | {f"pb-{m.note}" for m in on if m.kind == "figure" and m.note})
        title = "; ".join(dict.fromkeys(
            KINDS[m.kind] + (f" ({FIGURE_NOTES[m.note]})" if m.kind == "figure" and m.note in FIGURE_NOTES else "") for m in on
        ))
        out.append(f'<span class="{" ".join(classes)}" title="{escape(title)}">{piece}</span>')
    for left in pauses.values():
        out += [f'<span class="pb-m-pause">⏸ {escape(p.note)}</span>' for p in left]
    used = [k for k in KINDS if any(m.kind == k for m in marks)]
    legend = "".join(
        f'<span class="{MARK_CLASSES.get(k, "pb-m-pause")}">{"⏸ " if k == "pause" else ""}{escape(KINDS[k])}</span>' for k in used
    )
    head = f'<p class="pb-legend">{legend}</p>' if legend else ""
    return f'{head}<p class="pb-transcript">{"".join(out)}</p>'


def pace_chart(said: Delivery, width: int = 320, height: int = 90) -> str:
    """Words a minute across the answer as a small line chart (inline SVG), with the easy band
    (110-170) shaded and the time along the bottom; "" when the answer is too
    short to draw."""
    points = [(float(p.get("at_s") or 0), int(p.get("wpm") or 0)) for p in said.pace]
    if len(points) < 2:
        return ""
    top = max(PACE_HIGH + 40, max(w for _, w in points) + 10)
    left, right, pad_top, pad_bottom = 30, width - 6, 6, height - 16
    span = max(1.0, said.duration_s)

    def x(t: float) -> float:
        return round(left + (right - left) * t / span, 1)

    def y(w: float) -> float:
        return round(pad_bottom - (pad_bottom - pad_top) * min(w, top) / top, 1)

    line = " ".join(f"{x(t)},{y(w)}" for t, w in points)
    dots = "".join(
        f'<circle cx="{x(t)}" cy="{y(w)}" r="2.5" class="pb-pace-{Delivery.pace_of(w) if w else "steady"}"><title>{clock(t)}: {w} words a minute</title></circle>'
        for t, w in points
    )
    ticks = "".join(
        f'<text x="{x(t)}" y="{height - 3}" text-anchor="middle">{clock(t)}</text>'
        for t in (0.0, span / 2, span)
    )
    svg = (
        f'<svg viewBox="0 0 {width} {height}" class="pb-pace-chart" role="img" '
        f'aria-label="Words a minute across the answer, from {min(w for _, w in points)} to {max(w for _, w in points)}">'
        f'<rect x="{left}" y="{y(PACE_HIGH)}" width="{right - left}" height="{round(y(PACE_LOW) - y(PACE_HIGH), 1)}" class="pb-pace-band"/>'
        f'<text x="{left - 3}" y="{y(PACE_HIGH) + 3}" text-anchor="end">{PACE_HIGH}</text>'
        f'<text x="{left - 3}" y="{y(PACE_LOW) + 3}" text-anchor="end">{PACE_LOW}</text>'
        f'<polyline points="{line}" class="pb-pace-line"/>{dots}{ticks}</svg>'
    )
    return (
        f'<figure class="pb-pace">{svg}<figcaption>Your pace across the answer, in words a minute; the band is '
        f"an easy pace to follow ({PACE_LOW}-{PACE_HIGH}).</figcaption></figure>"
    )


VOICE_CSS = """
.pb-said .pb-transcript {line-height:1.7; margin:4px 0 8px 0}
.pb-legend {display:flex; flex-wrap:wrap; gap:6px; font-size:0.8em; margin:0}
.pb-legend span {padding:0 4px; border-radius:3px}
.pb-m-outcome {background:#dafbe1}
.pb-m-example {box-shadow:inset 0 -2px 0 #0969da}
.pb-m-gap {background:#fbefff}
.pb-m-figure {font-weight:700; border-radius:3px; padding:0 2px; outline:1px solid #8c959f}
.pb-m-figure.pb-supported {outline-color:#2da44e; color:#116329}
.pb-m-figure.pb-contradicted {outline-color:#cf222e; color:#cf222e; text-decoration:underline wavy #cf222e}
.pb-m-filler {color:#bc4c00; text-decoration:line-through}
.pb-m-pause {display:inline-block; font-size:0.75em; color:#57606a; border:1px solid #d0d7de; border-radius:8px; padding:0 5px; margin:0 3px}
.pb-pace {margin:4px 0}
.pb-pace-chart {width:100%; max-width:420px; height:auto; font-size:9px; fill:#57606a}
.pb-pace-band {fill:#dafbe1}
.pb-pace-line {fill:none; stroke:#0969da; stroke-width:1.5}
.pb-pace-steady {fill:#0969da} .pb-pace-fast {fill:#cf222e} .pb-pace-slow {fill:#d4a72c}
.pb-pace figcaption {font-size:0.8em; color:#57606a}
"""


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
