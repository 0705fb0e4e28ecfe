"""Real prep-bot processes for the crash and load tests: the CLI and `prep-bot serve` as
subprocesses on a free loopback port, always ended in a finally block, by their own id."""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from conftest import SAMPLE_LIBRARY, cli_env, free_port
from prep_bot.infra.config import REPO_ROOT

PREP_BOT = REPO_ROOT / ".venv" / "bin" / "prep-bot"


def env_for(data_dir: Path) -> dict[str, str]:
    env = cli_env(data_dir)
    env["GRADIO_ANALYTICS_ENABLED"] = "False"
    return env


def ingest_sample(data_dir: Path, timeout: float = 600) -> None:
    """The bundled sample library, ingested by the real CLI into ``data_dir`` (about 40 s of CPU:
    a test that only needs the finished store copies it, ``sample_store.copy(data_dir)``)."""
    done = subprocess.run(
        [str(PREP_BOT), "ingest", str(SAMPLE_LIBRARY), "--data-dir", str(data_dir), "--quiet"],
        capture_output=True, text=True, env=env_for(data_dir), timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("4 added"), done.stdout


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextmanager
def serving(data_dir: Path, log_path: Path, timeout: float = 300):
    """`prep-bot serve` on a free 127.0.0.1 port over ``data_dir``; yields (url, process) once
    it answers. The process is killed afterwards if it is still running."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = open(log_path, "ab")
    proc = subprocess.Popen(
        [str(PREP_BOT), "serve", "--port", str(port), "--data-dir", str(data_dir)],
        env=env_for(data_dir), stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"prep-bot serve exited with {proc.returncode}:\n{_tail(log_path)}")
            try:
                with urllib.request.urlopen(url + "config", timeout=5) as response:
                    if response.status == 200:
                        break
            except urllib.error.HTTPError as e:
                if e.code in (401, 403):  # up, with sign-in on
                    break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"prep-bot serve did not answer within {timeout:.0f} s:\n{_tail(log_path)}")
            time.sleep(0.25)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=60)
        log.close()
