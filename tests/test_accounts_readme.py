"""The README's "Accounts and roles" procedure, followed word for word: its commands, parsed out of
the README, run with one data dir given the same way to each (PREP_BOT_DATA_DIR), end at the app's
sign-in page in a real browser."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from conftest import free_port
from prep_bot.infra.config import REPO_ROOT

pytestmark = [pytest.mark.server, pytest.mark.browser]
VENV_PREP_BOT = REPO_ROOT / ".venv" / "bin" / "prep-bot"


def readme_commands() -> list[list[str]]:
    """The `prep-bot` commands of the first code block in the README's accounts section."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^### Accounts and roles\n(.*?)(?=^#)", text, re.M | re.S)
    assert section, "the README has no Accounts and roles section"
    block = re.search(r"^```bash\n(.*?)^```", section.group(1), re.M | re.S)
    assert block, "the accounts section has no bash code block"
    commands = [shlex.split(line, comments=True) for line in block.group(1).splitlines() if line.strip()]
    assert commands and all(c[0] == "prep-bot" for c in commands), commands
    return commands


def prep_bot() -> list[str]:
    # The console script, running this checkout's code (PYTHONPATH below); else the same entry point.
    return [str(VENV_PREP_BOT)] if VENV_PREP_BOT.exists() else [sys.executable, "-m", "prep_bot.cli"]


def test_readme_accounts_procedure_ends_at_a_sign_in_page(tmp_path, new_page):
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k != "PREP_BOT_COUNCIL"}
    env.update(PREP_BOT_DATA_DIR=str(data), PYTHONPATH=str(REPO_ROOT), GRADIO_ANALYTICS_ENABLED="False")
    commands = readme_commands()
    assert commands[-1][:2] == ["prep-bot", "serve"], "the procedure ends by starting the app"
    added: list[str] = []
    for command in commands[:-1]:
        # `users add` asks for the password twice; a new session has no terminal, so it reads stdin.
        password = f"password of {command[3]}" if command[1:3] == ["users", "add"] else None
        done = subprocess.run(
            [*prep_bot(), *command[1:]], input=f"{password}\n{password}\n" if password else None, capture_output=True,
            text=True, env=env, cwd=REPO_ROOT, timeout=120, start_new_session=True,
        )
        assert done.returncode == 0, (command, done.stderr)
        if password:
            assert f"to {data / 'attempts.sqlite'}." in done.stdout, done.stdout  # says where
            assert password not in done.stdout
            added.append(command[3])
    assert any("lead" in c for c in commands), "the procedure adds a lead"

    port = free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen([*prep_bot(), *commands[-1][1:], "--port", str(port)], env=env, cwd=REPO_ROOT,
                                  stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 300
        while True:
            assert server.poll() is None, log_path.read_text(errors="replace")
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except urllib.error.HTTPError:  # it answers (with sign-in on, most paths say 401 until then)
                break
            except (urllib.error.URLError, OSError):
                assert time.monotonic() < deadline, log_path.read_text(errors="replace")
                time.sleep(0.5)
        banner = log_path.read_text(errors="replace")
        assert f"Data dir: {data} (0 documents, {len(added)} accounts)." in banner
        assert f"Sign-in: on ({len(added)} accounts" in banner

        page = new_page()
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_label("username").wait_for(timeout=60_000)
        assert page.get_by_label("password").is_visible()
        assert page.get_by_role("button", name="Login").is_visible()
    finally:
        if server.poll() is None:
            server.kill()
        server.wait(timeout=60)
