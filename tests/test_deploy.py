"""The deploy/ files are documentation the tests make true: every prep-bot command they run
parses as a real command with real options, every PREP_BOT_ variable they set is a real setting
with a valid value, the compose file and the systemd units run the same commands with the same
variables, and both HAProxy configurations pass HAProxy's own check."""

from __future__ import annotations

import shlex
import shutil
import subprocess

import click
import pytest

from deploy import DEPLOY, INSTALLED, SYSTEMD, compose, env_file, exec_start, interpolated, unit, unit_environment
from prep_bot.cli.main import main
from prep_bot.infra.config import REPO_ROOT, Settings

UNITS = ("prep-bot@.service", "prep-bot-migrate.service", "chroma.service")


def parse_prep_bot(argv: list[str]) -> click.Context:
    """Parse a prep-bot command line as the CLI would (without running it); fails on an unknown
    command, option or value."""
    assert argv[0] in ("prep-bot", INSTALLED + "prep-bot"), argv
    command, args, names = main, list(argv[1:]), ["prep-bot"]
    while isinstance(command, click.Group):
        name = args.pop(0)
        assert name in command.commands, f"{name!r} is not a prep-bot command ({' '.join(argv)})"
        command = command.commands[name]
        names.append(name)
    return command.make_context(" ".join(names), args)


def check_settings(variables: dict[str, str]) -> None:
    """Every PREP_BOT_ variable names a Settings field, and all together make valid settings."""
    fields = {}
    for key, value in variables.items():
        if not key.startswith("PREP_BOT_"):
            continue
        name = key.removeprefix("PREP_BOT_").lower()
        assert name in Settings.model_fields, f"{key} is not a prep-bot setting"
        fields[name] = value
    Settings(**fields)  # a value of the wrong type fails here


def services():
    return compose()["services"]


def prep_bot_services() -> dict[str, dict]:
    return {name: s for name, s in services().items() if s.get("image") == "prep-bot:local" and s["command"][0] == "prep-bot"}


def test_compose_runs_postgres_chroma_migrate_replicas_and_haproxy():
    found = services()
    assert set(found) == {"postgres", "chroma", "migrate", "app", "haproxy"}
    assert found["migrate"]["command"] == ["prep-bot", "migrate"]
    assert found["app"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert found["app"]["deploy"]["replicas"] >= 2
    assert found["chroma"]["command"][:2] == ["chroma", "run"]
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in found["haproxy"]["volumes"]
    assert (DEPLOY / "Dockerfile").exists() and found["app"]["build"]["dockerfile"] == "deploy/Dockerfile"


def test_every_prep_bot_command_in_the_files_is_real():
    commands = [s["command"] for s in prep_bot_services().values()]
    commands += [exec_start(name, "7861") for name in UNITS if exec_start(name)[0].endswith("/prep-bot")]
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD "))
    import json

    commands.append(json.loads(cmd.removeprefix("CMD ")))
    assert len(commands) == 5, commands
    for argv in commands:
        parse_prep_bot(argv)
    for bad in (["prep-bot", "serve", "--no-such-option"], ["prep-bot", "no-such-command"]):
        with pytest.raises((click.UsageError, AssertionError)):
            parse_prep_bot(bad)


def test_chroma_commands_use_real_options():
    help_text = subprocess.run([str(REPO_ROOT / ".venv" / "bin" / "chroma"), "run", "--help"], capture_output=True,
                               text=True, timeout=120).stdout
    for argv in (services()["chroma"]["command"], exec_start("chroma.service")):
        assert argv[:2] in (["chroma", "run"], [INSTALLED + "chroma", "run"]), argv
        for option in (a for a in argv if a.startswith("--")):
            assert option in help_text, option


def test_every_variable_is_a_real_setting():
    for name, service in prep_bot_services().items():
        check_settings({k: interpolated(v) for k, v in service["environment"].items()})
    check_settings(env_file() | unit_environment("prep-bot@.service"))
    check_settings(env_file() | unit_environment("prep-bot-migrate.service"))
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    env_line = dockerfile[dockerfile.index("ENV "):].split("EXPOSE")[0].replace("\\\n", " ").removeprefix("ENV ")
    check_settings(dict(item.split("=", 1) for item in shlex.split(env_line)))
    with pytest.raises(AssertionError):
        check_settings({"PREP_BOT_NO_SUCH_SETTING": "1"})


def test_compose_and_systemd_run_the_same_commands_with_the_same_variables():
    app = services()["app"]
    unit_serve = exec_start("prep-bot@.service", "7860")
    assert app["command"][:2] == ["prep-bot", "serve"] and unit_serve[1] == "serve"
    opts = lambda argv: {a for a in argv if a.startswith("--")}  # noqa: E731
    assert opts(app["command"]) == opts(unit_serve) == {"--host", "--port"}
    assert exec_start("prep-bot-migrate.service")[1:] == services()["migrate"]["command"][1:]
    compose_vars = {k for k in app["environment"] if k.startswith("PREP_BOT_")}
    unit_vars = {k for k in env_file() | unit_environment("prep-bot@.service") if k.startswith("PREP_BOT_")}
    assert compose_vars == unit_vars
    # Each replica has its own data dir; the migrate unit runs before the replicas.
    assert "%i" in unit_environment("prep-bot@.service")["PREP_BOT_DATA_DIR"]
    replica = unit("prep-bot@.service")
    assert "prep-bot-migrate.service" in replica["Requires"][0] and "chroma.service" in replica["After"][0]
    assert unit("prep-bot-migrate.service")["Type"] == ["oneshot"]


@pytest.mark.parametrize("config", [DEPLOY / "haproxy.cfg", SYSTEMD / "haproxy.cfg"], ids=["compose", "systemd"])
def test_haproxy_configurations_are_valid_and_sticky(config):
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    done = subprocess.run([haproxy, "-c", "-f", str(config)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    text = config.read_text(encoding="utf-8")
    assert "cookie PREPBOT insert" in text
    servers = [line.split() for line in text.splitlines() if line.strip().startswith(("server ", "server-template "))]
    ports = {next(word for word in words[2:] if ":" in word).rsplit(":", 1)[1] for words in servers}
    assert ports <= {"7860", "7861", "7862"}, ports
