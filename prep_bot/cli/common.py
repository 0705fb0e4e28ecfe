"""What every command shares: the data dir option that builds the services, and JSON output."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from prep_bot.errors import InputError, PrepBotError


@dataclass(frozen=True)
class Wiring:
    """How commands build their services from the settings. Passed as Click's context object,
    ``main(args, obj=Wiring(build=...))`` (or ``CliRunner().invoke(main, args, obj=...)``), it
    lets a process that already holds a loaded model run commands with it; without one, each
    command builds its own with ``build_services``."""

    build: Callable | None = None  # Settings -> Services


def with_services(command):
    """Give a command ``--data-dir`` and a ``services`` argument built from the settings."""

    @click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="The data dir: evidence store, accounts and practice (default: $PREP_BOT_DATA_DIR, else the "
        "project's data/ folder when run from a checkout, else ~/.local/share/prep-bot).",
    )
    @functools.wraps(command)
    def wrapper(*args, data_dir: Path | None = None, **kwargs):
        from prep_bot.infra.config import Settings
        from prep_bot.services import build_services

        settings = Settings(data_dir=data_dir) if data_dir else Settings()
        wiring = click.get_current_context().find_object(Wiring)
        build = wiring.build if wiring is not None and wiring.build is not None else build_services
        try:
            return command(*args, services=build(settings), **kwargs)
        except InputError as e:  # what was typed cannot be used: a usage error, as a ValueError always was
            raise click.UsageError(str(e)) from e
        except PrepBotError as e:
            raise click.ClickException(str(e)) from e
        except ValueError as e:
            raise click.UsageError(str(e)) from e

    return wrapper


def operator(name: str | None = None):
    """Who runs a command: the person at this machine's terminal, who holds the data dir and so
    may do everything the app allows anyone (the permission policy's local person), under their
    login name unless ``name`` is given."""
    import getpass

    from prep_bot.people.identity import Identity

    return Identity.local(name or getpass.getuser(), "")


def print_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


COUNCIL_HELP = (
    "Whose documents: a council's name, 'all', or 'elsewhere' (other councils'). "
    "Default: the home council's ($PREP_BOT_COUNCIL) and those naming none."
)
