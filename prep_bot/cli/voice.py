"""The spoken-answer command: transcribe a recording on this machine and say how it was delivered.
(``prep-bot coach --audio`` in cli.py coaches one.) The recording given is the user's own file and
is never deleted."""

from __future__ import annotations

from pathlib import Path

import click

from prep_bot.cli.common import operator, print_json, with_services


def echo_delivery(delivery) -> None:
    click.echo(f"Delivery: {delivery.summary()}")
    for note in delivery.notes():
        click.echo(f"  {note}")


@click.command()
@click.argument("audio", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON: text, duration_s, words_per_minute, long_pauses, fillers.")
@with_services
def transcribe(audio: Path, as_json: bool, services) -> None:
    """Transcribe a spoken answer (WAV, MP3, M4A, OGG, WebM or FLAC) on this machine, with delivery notes."""
    transcript = services.practice.transcribe(operator(), audio, keep_file=True)  # unusable: AudioError, one line
    if as_json:
        print_json(transcript.to_dict())
        return
    click.echo(transcript.text)
    echo_delivery(transcript.delivery)
