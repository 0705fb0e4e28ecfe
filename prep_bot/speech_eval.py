"""Speech for tests and the spoken evaluation: answers read aloud by Debian's espeak-ng (a British
English voice), so no recording of a real person is needed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from prep_bot.errors import ConfigError

VOICE = "en-gb"
WORDS_PER_MINUTE = 150


def synthesise(text: str, out: Path, voice: str = VOICE, speed: int = WORDS_PER_MINUTE) -> Path:
    """Speak ``text`` into the WAV file ``out`` with espeak-ng."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise ConfigError("espeak-ng is not installed: `make test` installs it (apt-get install espeak-ng).")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([binary, "-v", voice, "-s", str(speed), "-w", str(out), "--", text], check=True, capture_output=True)
    return out
