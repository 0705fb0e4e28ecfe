"""Commands about the databases themselves: `prep-bot migrate`."""

from __future__ import annotations

from pathlib import Path

import click

from prep_bot.errors import PrepBotError


@click.command()
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The data dir whose databases to upgrade (default: as for every command).")
def migrate(data_dir: Path | None) -> None:
    """Create or upgrade the database schemas (accounts and attempts, document catalog) to this
    prep-bot's. A local data dir upgrades itself when opened; a database server
    (PREP_BOT_DATABASE_URL) is upgraded only by this command."""
    from prep_bot.infra import migrations
    from prep_bot.infra.config import Settings

    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    try:
        steps = migrations.migrate(settings)
    except PrepBotError as e:
        raise click.ClickException(str(e)) from e
    for step in steps:
        click.echo(step.describe())
