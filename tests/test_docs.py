"""The README documents every setting and every command (a new one fails this test)."""

import click

from prep_bot.cli.main import main
from prep_bot.infra.config import REPO_ROOT, Settings

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_setup_commands():
    head = "\n".join(README.splitlines()[:20])
    assert "make run" in head and "make test" in head


def test_every_setting_is_documented():
    for name, field in Settings.model_fields.items():
        assert f"PREP_BOT_{name.upper()}" in README, f"PREP_BOT_{name.upper()} is not in the README"
        assert field.description, f"setting {name} has no description"


def _commands(group: click.Group, prefix: str = "prep-bot"):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}", command


def test_every_command_and_option_is_documented():
    for path, command in _commands(main):
        assert path in README, f"{path} is not in the README"
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert opt in README, f"{path} {opt} is not in the README"
