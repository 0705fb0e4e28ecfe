"""The commands that set a data dir up for people: accounts, the home council, and serving the
app (which says what it serves and whether sign-in is on)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from prep_bot.cli.common import operator, print_json, with_services
from prep_bot.framework.vocab import ROLES


@click.group()
def users() -> None:
    """Accounts: who may sign in to the app, with which role (staff, manager, lead) and team."""


@users.command(name="add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True,
              help="staff see their own practice, a manager their team's, a lead everyone's.")
@click.option("--team", default="", help="The person's team (needed for staff and managers).")
@click.option("--password-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Read the password from this file's first line (default: ask for it, hidden).")
@with_services
def users_add(name: str, role: str, team: str, password_file: Path | None, services) -> None:
    """Add a user who can sign in to the app."""
    if password_file is not None:
        lines = password_file.read_text(encoding="utf-8").splitlines()
        password = lines[0] if lines else ""
    else:
        services.accounts.check_new(operator(), name, role, team)  # refuse before asking for a password
        password = click.prompt(f"Password for {name.strip()}", hide_input=True, confirmation_prompt=True)
    user = services.accounts.add(operator(), name, password, role=role, team=team)
    click.echo(f"Added {user.name} ({user.role}{', team ' + user.team if user.team else ''}) to {_accounts_file(services)}.")


@users.command(name="change")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default=None, help="The new role.")
@click.option("--team", default=None, help="The new team.")
@click.option("--password", "new_password", is_flag=True, help="Set a new password (asked for, hidden).")
@click.option("--password-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Set the password from this file's first line.")
@with_services
def users_change(name: str, role: str | None, team: str | None, new_password: bool, password_file: Path | None,
                 services) -> None:
    """Change a user's role, team or password; they are signed out everywhere."""
    password = None
    if password_file is not None:
        lines = password_file.read_text(encoding="utf-8").splitlines()
        password = lines[0] if lines else ""
    elif new_password:
        password = click.prompt(f"New password for {name.strip()}", hide_input=True, confirmation_prompt=True)
    if role is None and team is None and password is None:
        raise click.UsageError("Nothing to change: give --role, --team, --password or --password-file.")
    user = services.accounts.change(operator(), name, role=role, team=team, password=password)
    click.echo(f"Changed {user.name} ({user.role}{', team ' + user.team if user.team else ''}); "
               f"every session signed in as {user.name} has ended.")


@users.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (name, role, team, created_at).")
@with_services
def users_list(as_json: bool, services) -> None:
    """List the users (never their passwords or hashes)."""
    people = services.accounts.list(operator())
    if as_json:
        print_json([u.to_dict() for u in people])
        return
    for u in people:
        click.echo(f"{u.name:24} {u.role:8} {u.team or '-':24} added {u.created_at:%Y-%m-%d}")
    click.echo(f"{len(people)} user{'' if len(people) == 1 else 's'} in {_accounts_file(services)}")


@users.command(name="remove")
@click.argument("name")
@click.option("--erase-attempts", is_flag=True, help="Also erase this person's practice attempts.")
@with_services
def users_remove(name: str, erase_attempts: bool, services) -> None:
    """Remove a user, ending their sessions (their practice is kept unless --erase-attempts)."""
    gone = services.accounts.remove(operator(), name, erase_attempts=erase_attempts)  # erased answers' vectors too
    where = _accounts_file(services)
    if erase_attempts:
        click.echo(f"Removed {gone.user.name} from {where}; erased {gone.erased} attempt{'' if gone.erased == 1 else 's'}.")
    else:
        kept = gone.kept
        click.echo(f"Removed {gone.user.name} from {where}; kept their {kept} attempt{'' if kept == 1 else 's'} (--erase-attempts erases them).")


def _accounts_file(services) -> str:
    """Where accounts and attempts are stored, for messages (never a database password)."""
    url = services.settings.database_url
    if not url:
        return str(services.settings.data_dir / "attempts.sqlite")
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; beyond 127.0.0.1 needs at least one user (`prep-bot users add`).")
@click.option("--port", default=7860, show_default=True, type=int)
@click.option("--workers", type=click.IntRange(min=1), default=None, envvar="PREP_BOT_WORKERS", show_envvar=True,
              help="App processes behind this one address, each session kept on one of them "
              "(default: the number of cores); more than 1 runs them behind haproxy.")
@with_services
def serve(host: str, port: int, workers: int | None, services) -> None:
    """Serve the app in the browser (with sign-in once users exist)."""
    from prep_bot.infra.migrations import ready
    from prep_bot.people.accounts import check_bind
    from prep_bot.infra.egress import bypass_proxy_for
    from prep_bot.infra.workers import NO_HAPROXY, default_workers, find_haproxy, run_workers

    # Gradio's start-up checks, the workers' health checks and a loopback Chroma server are
    # this machine talking to itself: never through a proxy the environment names.
    bypass_proxy_for(host, services.settings.chroma_url)
    ready(services.settings)  # a schema from a newer prep-bot, or not migrated: refuse in one line

    accounts = services.users.count()
    check_bind(host, accounts > 0)  # before loading the model: refuse at once
    os.umask(0o077)  # what the app writes (uploads, exports, Gradio's cache) is the service account's alone
    if "PREP_BOT_FRONT_PORT" not in os.environ:  # the first process, not one of --workers' app processes
        for line in _leftovers(services):
            click.echo(line)
    from prep_bot.ui.files import use_private_cache

    use_private_cache(services.settings.data_dir, replace=True)  # Gradio's cache: in the data dir, not /tmp
    workers = workers or default_workers()
    haproxy = find_haproxy() if workers > 1 else None
    if workers > 1 and haproxy is None:
        click.echo(NO_HAPROXY, err=True)
        workers = 1
    for line in serve_banner(services, accounts, workers):
        click.echo(line)
    click.echo(f"prep-bot on http://{host}:{port}  (Ctrl+C to stop)")
    sys.stdout.flush()  # seen at once in a log, while the model loads
    if workers == 1:
        from prep_bot.ui.app import launch

        launch(services, host, port)
        return
    settings = services.settings
    services.close()  # the workers open the stores; this process only watches them
    sys.exit(run_workers(settings, host, port, workers, haproxy))


def _leftovers(services) -> list[str]:
    """Empty the private folder (cached uploads and exports of an earlier run) and delete
    copies in uploads/ that no stored document uses (an upload cut off by a crash)."""
    from prep_bot.ui.files import clear_private, remove_orphaned_uploads

    data_dir = services.settings.data_dir
    lines = []
    cleared = clear_private(data_dir)
    if cleared:
        lines.append(f"Deleted {cleared} file{'' if cleared == 1 else 's'} left in {data_dir / 'private'} by an earlier run.")
    orphans = remove_orphaned_uploads(data_dir, {d.source for d in services.store.documents()})
    if orphans:
        lines.append(f"Uploads: removed {orphans} orphaned cop{'y' if orphans == 1 else 'ies'} from {data_dir / 'uploads'} "
                     "(files no stored document uses).")
    return lines


def serve_banner(services, accounts: int, workers: int = 1) -> list[str]:
    """What `serve` works on: the data dir, its documents and accounts, the home council,
    whether sign-in is on and why, and how many app processes serve it."""
    import shlex

    settings = services.settings
    documents = len(services.store.documents())
    lines = [
        f"Data dir: {settings.data_dir} ({documents} document{'' if documents == 1 else 's'}, "
        f"{accounts} account{'' if accounts == 1 else 's'}).",
        "Home council: " + _council_line(settings),
    ]
    if accounts:
        lines.append(f"Sign-in: on ({accounts} account{'' if accounts == 1 else 's'} in {_accounts_file(services)}).")
    else:
        lines.append(
            f"Sign-in: off, because there are no accounts in {_accounts_file(services)}, so only this machine "
            f"(loopback) may connect. Add one, then restart: prep-bot users add NAME --role lead --team TEAM "
            f"--data-dir {shlex.quote(str(settings.data_dir))}"
        )
    lines.append(_workers_line(settings, workers))
    return lines


def _workers_line(settings, workers: int) -> str:
    if workers == 1:
        return "Workers: 1 app process (--workers N runs N behind haproxy)."
    vectors = "the Chroma server at PREP_BOT_CHROMA_URL" if settings.chroma_url else f"a Chroma server over {settings.chroma_path}"
    return f"Workers: {workers} app processes behind haproxy, each session kept on one; vectors in {vectors}."


def _council_line(settings) -> str:
    home = (settings.council or "").strip()
    if settings.council_source == "PREP_BOT_COUNCIL":
        return f"{home} (from PREP_BOT_COUNCIL)." if home else "none (PREP_BOT_COUNCIL is empty); every document counts as the council's own."
    if home:
        return f"{home} (remembered in {settings.council_file})."
    return "none set, so every document counts as the council's own (`prep-bot council NAME` sets one)."


@click.command()
@click.argument("name", required=False)
@click.option("--if-unset", is_flag=True, help="Only remember NAME when no home council is remembered yet.")
@click.option("--forget", is_flag=True, help="Forget the remembered home council.")
@with_services
def council(name: str | None, if_unset: bool, forget: bool, services) -> None:
    """Show the home council, or remember NAME as the home council for every command."""
    from prep_bot.infra.config import read_council, remember_council

    settings = services.settings
    if forget:
        remember_council(settings.data_dir, "")
        click.echo(f"Forgot the home council remembered in {settings.council_file}.")
        return
    if name is None:
        click.echo(f"Home council: {_council_line(settings)}")
        return
    if not name.strip():
        raise click.UsageError("NAME is empty: give the council's name.")
    remembered = read_council(settings.data_dir)
    if if_unset and remembered:
        click.echo(f"Home council: {remembered} (already remembered in {settings.council_file}).")
        return
    path = remember_council(settings.data_dir, name)
    override = " (PREP_BOT_COUNCIL overrides it while set)" if settings.council_source == "PREP_BOT_COUNCIL" else ""
    click.echo(f"Home council set to {name.strip()} in {path}{override}.")


@click.command(name="onnx")
def onnx() -> None:
    """Write the embedding model as ONNX (made here from the bundled model, never downloaded), so
    that commands which embed start without torch. `make install` runs it."""
    from prep_bot.errors import PrepBotError
    from prep_bot.services import build_services

    services = build_services()
    embedder = services.embedder
    try:
        path = embedder.export_onnx(strict=True)
    except PrepBotError as e:
        raise click.ClickException(f"{e}. Commands keep using torch (slower to start); `make install` installs what the export needs.") from e
    if embedder.backend_setting == "torch":
        click.echo(f"The ONNX copy is {path}, but PREP_BOT_EMBED_BACKEND=torch: commands use torch.")
    else:
        click.echo(f"The embedding model's ONNX copy is {path}; commands that embed start without torch.")
