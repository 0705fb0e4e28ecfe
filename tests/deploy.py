"""Reading the deploy/ files as the tests use them: the commands they run and the variables
they set, so tests/test_deploy.py can check them and tests/test_replicas.py can run them."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

from prep_bot.infra.config import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"
INSTALLED = "/opt/prep-bot/.venv/bin/"  # where the units expect the checkout's venv
_COMPOSE_VAR = re.compile(r"\$\{(\w+)(?::?[-?][^}]*)?\}")


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def interpolated(value: str, values: dict[str, str] | None = None) -> str:
    """A compose value with ${VAR...} replaced (by ``values``, else "x")."""
    return _COMPOSE_VAR.sub(lambda m: (values or {}).get(m.group(1), "x"), str(value))


def unit(name: str) -> dict[str, list[str]]:
    """A systemd unit's settings: key -> every value given for it (comments and sections dropped)."""
    found: dict[str, list[str]] = {}
    for line in (SYSTEMD / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        found.setdefault(key.strip(), []).append(value.strip())
    return found


def unit_environment(name: str) -> dict[str, str]:
    """The Environment= variables a unit sets itself."""
    out = {}
    for item in unit(name).get("Environment", []):
        key, _, value = item.partition("=")
        out[key] = value
    return out


def env_file() -> dict[str, str]:
    """The variables of the example environment file every unit reads."""
    out = {}
    for line in (SYSTEMD / "prep-bot.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


def exec_start(name: str, instance: str = "") -> list[str]:
    """A unit's ExecStart as argv, with %i as ``instance``."""
    [line] = unit(name)["ExecStart"]
    return shlex.split(line.replace("%i", instance))


def command_for(name: str, binary: Path, instance: str = "") -> list[str]:
    """A unit's prep-bot command, to run here: the installed path replaced by ``binary``."""
    argv = exec_start(name, instance)
    assert argv[0] == INSTALLED + "prep-bot", argv
    return [str(binary), *argv[1:]]
