"""Commands that move a council's store between places: `prep-bot export` and `prep-bot import`
(see prep_bot.app.transfer for the folder's format)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from prep_bot.cli.common import operator, with_services


@click.command(name="export")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="The folder to write (must not exist yet, or be empty).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@with_services
def export_store(out: Path, quiet: bool, services) -> None:
    """Write the documents (with passages, vectors, tags and corrections), kept uploads, accounts
    and attempts of this data dir's store to a folder that `prep-bot import` reads."""
    from prep_bot.app import transfer

    manifest = services.transfer.export(operator(), out, progress=not quiet and sys.stderr.isatty())
    counts = transfer.Counts(**manifest["counts"])
    click.echo(f"Exported {counts.describe()} from {manifest['source']} to {out}.")


@click.command(name="import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--quiet", is_flag=True, help="No progress bar.")
@with_services
def import_store(folder: Path, quiet: bool, services) -> None:
    """Load a folder written by `prep-bot export` into this data dir's store (a local data dir,
    or PREP_BOT_DATABASE_URL and PREP_BOT_CHROMA_URL), which must be empty; every count is
    checked afterwards."""
    from prep_bot.app import transfer

    manifest, counts = services.transfer.import_(operator(), folder, progress=not quiet and sys.stderr.isatty())
    click.echo(f"Imported {counts.describe()} from {folder} into {transfer.describe_store(services.settings)}.")
    if manifest.get("home_council"):
        click.echo(f"Home council {manifest['home_council']} remembered in {services.settings.council_file}; "
                   "on other machines set PREP_BOT_COUNCIL or run `prep-bot council NAME`.")
    if manifest["counts"]["uploads"] and not services.settings.keep_uploads:
        click.echo(f"PREP_BOT_KEEP_UPLOADS is off, so the {manifest['counts']['uploads']} kept uploads were not imported.")
