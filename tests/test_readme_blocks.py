"""Every shell block of the README's set-up (its opening) and accounts sections, run as written, each
in a fresh `bash --noprofile --norc` from the project folder with no venv activated: PATH holds only
the system's folders, so a bare `prep-bot` is "command not found", as it is in a new terminal.

What the test does not run, and why:
- `make run` and `make test`: the first serves until stopped, the second reinstalls the venv and
  runs the whole suite (this test is part of it). Each is checked with `make -n TARGET` instead: the
  target exists and its recipe expands, nothing is run.
- a `prep-bot serve` line: it serves until stopped, so it is started as written in the background
  (with `--port` added: 7860 may be taken on a shared machine) and must answer with the sign-in page
  and print the accounts the block before it added.

The environment beyond that fresh shell: the data dir is a temp one (PREP_BOT_DATA_DIR, which the
README's accounts section says to give every command alike) and PYTHONPATH is this checkout, so the
shared venv's `prep-bot` runs this code. `users add` asks for its password on a terminal: the block
runs on a pseudo-terminal and the test types the password at each prompt.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import free_port
from prep_bot.infra.config import REPO_ROOT

pytestmark = [pytest.mark.server, pytest.mark.browser]
README = REPO_ROOT / "README.md"
SECTIONS = ("# prep-bot", "### Accounts and roles")
NOT_RUN = {"make run": "serves until stopped", "make test": "reinstalls and runs the whole suite"}
SERVE = re.compile(r"^(\S*prep-bot) serve\b")
PROMPT = re.compile(r"(Password for [^:\n]*|Repeat for confirmation): ?$")


def section_blocks(heading: str) -> list[str]:
    """The ```bash blocks between ``heading`` and the next heading of any level."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(heading)}\n(.*?)(?=^#|\Z)", text, re.M | re.S)
    assert match, f"the README has no {heading!r} section"
    return re.findall(r"^```bash\n(.*?)^```", match.group(1), re.M | re.S)


def fresh_env(data_dir) -> dict[str, str]:
    """A new terminal's environment: no venv on PATH, nothing activated."""
    env = {k: os.environ[k] for k in ("HOME", "LANG", "USER") if k in os.environ}
    env.update(
        PATH="/usr/local/bin:/usr/bin:/bin", TERM="dumb", PYTHONPATH=str(REPO_ROOT), PREP_BOT_DATA_DIR=str(data_dir),
        HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False", GRADIO_ANALYTICS_ENABLED="False", PREP_BOT_WORKERS="1",
    )
    return env


def as_run(block: str) -> tuple[str, list[str]]:
    """The block as the test runs it (see the module docstring) and its serve lines, as written."""
    lines, serves = [], []
    for line in block.splitlines():
        command = line.split("#", 1)[0].strip()
        if command in NOT_RUN:
            lines.append(f"make -n {command.split()[1]} >/dev/null   # not run: {NOT_RUN[command]}")
        elif SERVE.match(command):
            serves.append(command)
            lines.append(": serve, started by the test")
        else:
            lines.append(line)
    return "\n".join(lines) + "\n", serves


def run_on_a_terminal(script: str, env: dict, password: str, timeout: float = 300) -> tuple[int, str]:
    """``script`` in a fresh bash on a pseudo-terminal, typing ``password`` at each password prompt."""
    import fcntl
    import termios

    controller, terminal = os.openpty()

    def own_terminal():
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)  # /dev/tty is this pseudo-terminal, as in a real shell

    shell = subprocess.Popen(
        ["bash", "--noprofile", "--norc", "-e", "-c", script], stdin=terminal, stdout=terminal, stderr=terminal,
        env=env, cwd=REPO_ROOT, start_new_session=True, preexec_fn=own_terminal,
    )
    os.close(terminal)
    output, pending = b"", ""
    deadline = time.monotonic() + timeout
    try:
        while True:
            assert time.monotonic() < deadline, output.decode(errors="replace")
            ready, _, _ = select.select([controller], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:  # the shell and everything on the terminal have exited
                    chunk = b""
                if not chunk:
                    break
                output += chunk
                pending += chunk.decode(errors="replace")
                if PROMPT.search(pending.rstrip("\r\n") + "") and not pending.endswith("\n"):
                    os.write(controller, password.encode() + b"\n")
                    pending = ""
            elif shell.poll() is not None:
                break
        return shell.wait(timeout=60), output.decode(errors="replace").replace("\r\n", "\n")
    finally:
        os.close(controller)
        if shell.poll() is None:
            shell.kill()
            shell.wait(timeout=60)


def test_a_fresh_shell_has_no_prep_bot_on_its_path(tmp_path):
    done = subprocess.run(["bash", "--noprofile", "--norc", "-c", "command -v prep-bot"], env=fresh_env(tmp_path),
                          capture_output=True, text=True)
    assert done.returncode != 0, f"prep-bot is on the system path ({done.stdout.strip()}): this test would prove nothing"


def test_the_set_up_block_runs_as_written(tmp_path):
    blocks = section_blocks(SECTIONS[0])
    assert blocks, "the README opens without its set-up commands"
    for block in blocks:
        script, serves = as_run(block)
        assert not serves
        code, output = run_on_a_terminal(script, fresh_env(tmp_path / "data"), password="unused")
        assert code == 0, (block, output)


def test_the_accounts_blocks_run_as_written_and_end_at_a_sign_in_page(tmp_path, new_page):
    data = tmp_path / "data"
    env = fresh_env(data)
    password = "a long password"
    blocks = section_blocks(SECTIONS[1])
    assert blocks, "the accounts section has no bash block"
    serves: list[str] = []
    for block in blocks:
        script, block_serves = as_run(block)
        serves += block_serves
        code, output = run_on_a_terminal(script, env, password)
        assert code == 0, (block, output)
        assert "command not found" not in output, output
        assert password not in output.replace(f"{password}\n", ""), "a password was printed"
        for name in re.findall(r'users add "([^"]+)"', block):
            assert f"Added {name} (" in output and f"to {data / 'attempts.sqlite'}." in output, output
    added = [name for block in blocks for name in re.findall(r'users add "([^"]+)"', block)]
    assert added and any("--role lead" in block for block in blocks), "the procedure adds a lead"
    assert len(serves) == 1, "the procedure ends by starting the app"

    port = free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(["bash", "--noprofile", "--norc", "-c", f"exec {serves[0]} --port {port}"], env=env,
                                  cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 300
        while True:
            assert server.poll() is None, log_path.read_text(errors="replace")
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except urllib.error.HTTPError:  # it answers
                break
            except (urllib.error.URLError, OSError):
                assert time.monotonic() < deadline, log_path.read_text(errors="replace")
                time.sleep(0.5)
        banner = log_path.read_text(errors="replace")
        assert f"Data dir: {data} (0 documents, {len(added)} accounts)." in banner, banner
        assert f"Sign-in: on ({len(added)} accounts" in banner, banner

        page = new_page()
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_label("username").wait_for(timeout=60_000)
        assert page.get_by_label("password").is_visible()
    finally:
        if server.poll() is None:
            server.kill()
        server.wait(timeout=60)
