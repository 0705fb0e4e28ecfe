"""`prep-bot story ...`: a lead drafts the council's story for a statement from the evidence,
edits it, and sets it; everyone then rehearses against it.

`story draft --json` and `story show --json` print exactly what `story set --file` takes (JSON is
YAML), so the loop is: draft (or show) to a file, edit, set."""

from __future__ import annotations

from pathlib import Path

import click
import yaml

from prep_bot.cli.common import print_json, with_services
from prep_bot.framework.vocab import QS_SLUGS
from prep_bot.evidence.provenance import display_date

TO_WRITE = "(to write)"


@click.group()
def story() -> None:
    """The council's agreed story per quality statement: draft, show, set, history."""


@story.command()
@click.option("--qs", type=click.Choice(QS_SLUGS), required=True, help="The quality statement.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (what `story set --file` takes).")
@with_services
def draft(qs: str, as_json: bool, services) -> None:
    """Draft a statement's story from the home council's evidence (nothing is saved)."""
    from prep_bot.story.draft import draft_story

    if services.store.is_empty():
        raise click.ClickException("the store is empty: run `prep-bot ingest knowledge/evidence` first")
    drafted = draft_story(services.store, services.questions, qs)
    title = services.framework.qs(qs).title
    if as_json:
        print_json({"qs": qs, "title": title, **{k: v for k, v in drafted.to_dict().items() if k != "qs"}})
        return
    click.echo(f"{title}: a draft from the evidence of {services.store.home_council or 'the library'} (not saved)")
    _echo_story(drafted)
    click.echo(f"\nTo agree it: prep-bot story draft --qs {qs} --json > {qs}.yaml, edit it, then "
               f"prep-bot story set --qs {qs} --file {qs}.yaml --by NAME --approve")


@story.command()
@click.option("--qs", type=click.Choice(QS_SLUGS), default=None, help="Only this quality statement (default: all).")
@click.option("--approved", is_flag=True, help="The approved version people rehearse against (default: the newest, even a draft).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (what `story set --file` takes).")
@with_services
def show(qs: str | None, approved: bool, as_json: bool, services) -> None:
    """Show the council's story for one statement or all."""
    book = services.stories
    slugs = [qs] if qs else list(QS_SLUGS)
    found = {slug: book.current(slug) if approved else book.latest(slug) for slug in slugs}
    titles = {s: services.framework.qs(s).title for s in slugs}
    if as_json:
        shown = [v.to_dict(titles[s]) for s, v in found.items() if v is not None]
        if qs:
            if not shown:
                raise click.ClickException(_none(qs, approved))
            print_json(shown[0])
        else:
            print_json(shown)
        return
    for slug, version in found.items():
        if version is None:
            click.echo(f"{titles[slug]}: {_none(slug, approved)}\n")
            continue
        current = book.current(slug)
        state = "approved" if version.approved else "draft"
        click.echo(f"{titles[slug]}: version {version.version}, {state}, saved by {version.by} on {version.at:%d %b %Y %H:%M}")
        if not version.approved:
            click.echo(f"  Rehearsals use {'version ' + str(current.version) if current else 'no story yet'}: "
                       "approve this version to use it.")
        _echo_story(version.story)
        click.echo("")


@story.command(name="set")
@click.option("--qs", type=click.Choice(QS_SLUGS), required=True, help="The quality statement.")
@click.option("--file", "path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The story as YAML or JSON (as `story draft --json` or `story show --json` prints it).")
@click.option("--by", "by", required=True, help="The lead saving it (a lead's account name when accounts exist).")
@click.option("--approve", is_flag=True, help="Approve it: everyone rehearses against it from now on.")
@with_services
def set_story(qs: str, path: Path, by: str, approve: bool, services) -> None:
    """Save a new version of a statement's story (the old ones are kept)."""
    by = " ".join((by or "").split())
    if not by:
        raise click.UsageError("--by is empty: give the name of the lead saving the story.")
    editor = services.policy.named(by)  # who, as the policy knows them; the use case asks if they may
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise click.ClickException(f"cannot read {path}: {e.strerror or e}") from e
    except yaml.YAMLError as e:
        raise click.ClickException(f"{path} is not YAML or JSON: {str(e).splitlines()[0]}") from e
    done = services.agreed_story.save(editor, qs, data, approve=approve)
    saved, title = done.version, done.room.title
    if saved is None:
        click.echo(f"No change: version {done.room.latest.version} already says this; nothing saved.")
    elif saved.approved:
        click.echo(f"Saved version {saved.version} of the story for {title}, approved by {saved.by}: "
                   "answers on it are judged against this version from now on.")
    else:
        current = done.room.current
        still = f"Rehearsals still use version {current.version}" if current else "No version is approved for rehearsals yet"
        click.echo(f"Saved version {saved.version} of the story for {title} as a draft by {saved.by}. "
                   f"{still}: set it again with --approve (or status: approved) to use it.")


@story.command()
@click.option("--qs", type=click.Choice(QS_SLUGS), required=True, help="The quality statement.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (every version in full).")
@with_services
def history(qs: str, as_json: bool, services) -> None:
    """Every version of a statement's story: who saved it, when, and what changed."""
    from prep_bot.story.changes import changes

    versions = services.stories.history(qs)
    title = services.framework.qs(qs).title
    if as_json:
        print_json([v.to_dict(title) for v in versions])
        return
    if not versions:
        click.echo(f"{title}: {_none(qs, False)}")
        return
    previous = None
    for v in versions:
        note = f" · {v.story.note}" if v.story.note else ""
        click.echo(f"version {v.version}  {v.story.status:<8}  {v.by}  {v.at:%Y-%m-%d %H:%M} UTC  "
                   f"{'; '.join(changes(previous.story if previous else None, v.story))}{note}")
        previous = v


def _none(qs: str, approved: bool) -> str:
    what = "no approved story yet" if approved else "no story yet"
    return f"{what}: `prep-bot story draft --qs {qs}` drafts one from the evidence"


def _echo_story(s) -> None:
    click.echo("  Strengths:" if s.strengths else "  Strengths: none yet")
    for n, item in enumerate(s.strengths, 1):
        click.echo(f"    {n}. {item.message}" + (f" ({item.source})" if item.source else ""))
    click.echo("  Areas to improve:" if s.improvements else "  Areas to improve: none yet")
    for n, item in enumerate(s.improvements, 1):
        click.echo(f"    {n}. {item.message}" + (f" ({item.source})" if item.source else ""))
        click.echo(f"       What we are doing: {item.action or TO_WRITE}")
        click.echo(f"       How we will know: {item.how_we_know or TO_WRITE}")
    click.echo("  Agreed figures:" if s.figures else "  Agreed figures: none yet")
    for f in s.figures:
        extra = "; ".join(part for part in (f.comparator, f.period) if part)
        where = ", ".join(part for part in (f.source, display_date(f.date)) if part)
        click.echo(f"    {f.value}: {f.measure}" + (f" ({extra})" if extra else "") + (f" [{where}]" if where else ""))
    if s.questions:
        click.echo("  Questions we expect:")
        for q in s.questions:
            click.echo(f"    - {q}")


def echo_on_message(found) -> None:
    """The coach's report against the agreed story (nothing without one)."""
    if found is None:
        return
    click.echo(f"Agreed story (version {found.version.version}): {found.summary}")
    for c in found.carried:
        click.echo(f"  said: {c.message}")
    for m in found.missed:
        click.echo(f"  not said: {m.message}")
    for conflict in found.figure_conflicts:
        click.echo(f"  figure: {conflict.note}")
    for h in found.hidden:
        click.echo(f"  hides an area to improve: you said “{h.sentence}”; {h.note[0].lower()}{h.note[1:]}")


@click.command(name="story")
@click.option("--set", "set_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Labelled examples (default: eval/story.yaml).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_services
def eval_story(set_path: Path | None, as_json: bool, services) -> None:
    """Rehearsing against the agreed story: on message, hiding an area to improve, same measure."""
    from prep_bot.evals.story import default_story_set, evaluate_story, format_story_table, load_story_set

    results = evaluate_story(services.embedder, load_story_set(set_path or default_story_set()))
    if as_json:
        print_json(results)
    else:
        click.echo(format_story_table(results))
