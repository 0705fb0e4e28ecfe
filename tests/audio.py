"""Recordings for the voice tests: real speech from espeak-ng (prep_bot.evals.speech.synthesise),
and silence, noise and spliced pauses written with the standard library's ``wave`` module."""

from __future__ import annotations

import struct
import wave
import zlib
from pathlib import Path

import numpy as np

from prep_bot.evals.speech import synthesise

RATE = 16_000


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    """Write float samples in [-1, 1] as 16-bit mono PCM."""
    data = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(data)
    return Path(path)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as source:
        rate = source.getframerate()
        frames = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2")
    return frames.astype(np.float32) / 32767, rate


def spoken(path: Path, *parts: str, pause_s: float = 0.0) -> Path:
    """Speech of each part in turn, with ``pause_s`` seconds of silence between parts."""
    pieces, rate = [], RATE
    for n, text in enumerate(parts):
        samples, rate = read_wav(synthesise(text, path.with_name(f"{path.stem}-part{n}.wav")))
        if pieces:
            pieces.append(np.zeros(int(pause_s * rate), dtype=np.float32))
        pieces.append(samples)
    return write_wav(path, np.concatenate(pieces), rate)


def silence(path: Path, seconds: float = 4.0) -> Path:
    return write_wav(path, np.zeros(int(seconds * RATE), dtype=np.float32))


def noise(path: Path, seconds: float = 5.0, seed: int = 7) -> Path:
    """Loud hiss with no speech in it."""
    return write_wav(path, np.random.default_rng(seed).normal(0, 0.2, int(seconds * RATE)))


def long_silence(path: Path, seconds: float, rate: int = 8000) -> Path:
    """A long, quiet WAV (cheap to write at 8 kHz) for the length limit."""
    return write_wav(path, np.zeros(int(seconds * rate), dtype=np.float32), rate)


def picture(path: Path, size: int = 8) -> Path:
    """A small grey PNG: a file that is not a recording."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x80" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    Path(path).write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    )
    return Path(path)
