"""One store, whoever starts it: every command, `make run` and the app resolve the same data dir
and the same home council unless told otherwise; and what each command writes says where."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from prep_bot.infra.config import REPO_ROOT, Settings, default_data_dir, read_council, remember_council, running_from_checkout

def _env_without(*names: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in names}
    env["PYTHONPATH"] = str(REPO_ROOT)  # this checkout's prep_bot, wherever the command runs from
    env.update(extra)
    return env


def test_default_data_dir_is_the_checkouts_data_folder(monkeypatch):
    monkeypatch.delenv("PREP_BOT_DATA_DIR", raising=False)
    assert running_from_checkout()
    assert default_data_dir() == REPO_ROOT / "data"
    assert Settings().data_dir == REPO_ROOT / "data"
    monkeypatch.setenv("PREP_BOT_DATA_DIR", "/somewhere/else")
    assert Settings().data_dir == Path("/somewhere/else")  # the variable overrides
    assert Settings(data_dir=Path("/given")).data_dir == Path("/given")  # and --data-dir overrides both


def test_outside_a_checkout_the_default_is_per_user(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "something-else"\n')
    assert not running_from_checkout(tmp_path)
    assert not running_from_checkout(tmp_path / "missing")


def test_every_command_and_the_makefile_meet_the_same_data_dir(tmp_path):
    """No PREP_BOT_DATA_DIR: `make` and Settings() in a process started from anywhere agree."""
    env = _env_without("PREP_BOT_DATA_DIR", "MAKEFLAGS", "MAKELEVEL")
    probe = "from prep_bot.infra.config import Settings; print(Settings().data_dir)"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    seen = {
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=cwd, check=True).stdout.strip()
        for cwd in (REPO_ROOT, elsewhere, REPO_ROOT / "prep_bot")
    }
    assert seen == {str(REPO_ROOT / "data")}
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # `make -n clean` prints the command that would delete the store make serves, without running it.
    dry = subprocess.run(["make", "-s", "-n", "clean"], capture_output=True, text=True, env=env, cwd=REPO_ROOT, check=True)
    assert dry.stdout.strip() == f"rm -rf {REPO_ROOT / 'data'}"


def test_home_council_is_remembered_in_the_data_dir(tmp_path, monkeypatch):
    data = tmp_path / "data"
    assert Settings(data_dir=data).council is None
    remember_council(data, "  Testshire County Council ")
    assert read_council(data) == "Testshire County Council"
    settings = Settings(data_dir=data)
    assert settings.council == "Testshire County Council"
    assert settings.council_source == str(data / "home-council.txt")
    monkeypatch.setenv("PREP_BOT_COUNCIL", "Otherton Council")  # the variable overrides
    assert Settings(data_dir=data).council == "Otherton Council"
    monkeypatch.setenv("PREP_BOT_COUNCIL", "")  # even to say "none"
    assert Settings(data_dir=data).council == ""
    monkeypatch.delenv("PREP_BOT_COUNCIL")
    remember_council(data, "")
    assert Settings(data_dir=data).council is None


def test_cli_council_and_accounts_say_where(tmp_path, invoke):
    """In this process (a process started from anywhere meets the same data dir: above)."""
    data = tmp_path / "data"
    env = _env_without("PREP_BOT_COUNCIL", PREP_BOT_DATA_DIR=str(data))

    def _cli(*args: str, env: dict, cwd: Path):  # noqa: ARG001 - the data dir comes from env
        return invoke(*args, env=env)

    shown = _cli("council", env=env, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "none set" in shown.stdout
    assert _cli("council", "--if-unset", "Testshire County Council", env=env, cwd=tmp_path).returncode == 0
    kept = _cli("council", "--if-unset", "Sampleton Council", env=env, cwd=tmp_path)
    assert "Testshire County Council (already remembered in" in kept.stdout  # --if-unset keeps it
    changed = _cli("council", "Otherton Council", env=env, cwd=tmp_path)
    assert changed.stdout.strip() == f"Home council set to Otherton Council in {data / 'home-council.txt'}."
    assert Settings(data_dir=data).council == "Otherton Council"

    password = tmp_path / "pw"
    password.write_text("a long enough password\n")
    added = _cli("users", "add", "Lena Lead", "--role", "lead", "--team", "Front door", "--password-file", str(password),
                 env=env, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == f"Added Lena Lead (lead, team Front door) to {data / 'attempts.sqlite'}."
    listed = _cli("users", "list", env=env, cwd=tmp_path)
    assert listed.stdout.strip().splitlines()[-1] == f"1 user in {data / 'attempts.sqlite'}"


def test_serve_says_what_it_serves_and_why_sign_in_is_off(tmp_path):
    """The banner `serve` prints before it loads the model (checked without serving)."""
    from prep_bot.cli.main import serve_banner
    from prep_bot.services import Services

    data = tmp_path / "my data"
    services = Services(Settings(data_dir=data))
    try:
        lines = serve_banner(services, services.users.count())
        assert lines[0] == f"Data dir: {data} (0 documents, 0 accounts)."
        assert lines[1].startswith("Home council: none set")
        assert lines[2].startswith(f"Sign-in: off, because there are no accounts in {data / 'attempts.sqlite'}")
        assert lines[2].endswith(f"prep-bot users add NAME --role lead --team TEAM --data-dir '{data}'")
        services.users.add("Lena Lead", "a long enough password", role="lead", team="")
        remember_council(data, "Testshire County Council")
    finally:
        services.close()
    services = Services(Settings(data_dir=data))
    try:
        lines = serve_banner(services, services.users.count())
        assert lines[0] == f"Data dir: {data} (0 documents, 1 account)."
        assert lines[1] == f"Home council: Testshire County Council (remembered in {data / 'home-council.txt'})."
        assert lines[2] == f"Sign-in: on (1 account in {data / 'attempts.sqlite'})."
    finally:
        services.close()
