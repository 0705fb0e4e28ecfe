"""The command line. Thin: parses arguments, calls the services, prints results."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from prep_bot.cli.common import COUNCIL_HELP, operator, print_json, with_services
from prep_bot.errors import PrepBotError
from prep_bot.cli.setup import council, onnx, serve, serve_banner, users  # noqa: F401 - serve_banner re-exported
from prep_bot.cli.db import migrate
from prep_bot.cli.evals import eval_group
from prep_bot.cli.transfer import export_store, import_store
from prep_bot.cli.llm import ask, echo_help, llm, model_help
from prep_bot.cli.story import echo_on_message, story
from prep_bot.cli.voice import echo_delivery, transcribe
from prep_bot.evidence.provenance import display_date, same_council
from prep_bot.framework.vocab import AUDIENCES, DOC_TYPES, POLARITIES, QS_SLUGS




@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log progress details (never evidence text).")
@click.version_option(package_name="prep-bot")
def main(verbose: bool) -> None:
    """prep-bot: rehearse for the CQC assessment of adult social care, offline."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("bm25s", "chromadb", "httpx", "sentence_transformers", "pypdf"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


for command in (users, serve, council, transcribe, llm, ask, migrate, export_store, import_store, eval_group, story, onnx):
    main.add_command(command)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--if-empty", is_flag=True, help="Only ingest when the store holds no documents yet.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--council", default=None,
              help="The council these files are about (default: each file's manifest entry, else its title lines).")
@with_services
def ingest(paths: tuple[Path, ...], if_empty: bool, quiet: bool, council: str | None, services) -> None:
    """Ingest evidence files or folders (txt, md, pdf, docx, html, csv, xlsx)."""
    if if_empty and not services.store.is_empty():
        click.echo(f"The store in {services.settings.data_dir} already holds {len(services.store.documents())} documents; nothing to do.")
        return
    report = services.library.ingest(operator(), list(paths), council=council, progress=not quiet and sys.stderr.isatty())
    for result in report.failed:
        click.echo(f"skipped: {result.reason}", err=True)
    click.echo(f"{report.summary()}; data dir {services.settings.data_dir}.")
    if report.ingested == 0:
        sys.exit(1)
    from prep_bot.practice.insights import warm_question_vectors

    warm_question_vectors(services.embedder, services.questions)  # the model is loaded: `gaps` will not need it


@main.command()
@click.argument("query")
@click.option("--qs", type=click.Choice(QS_SLUGS), help="Only passages tagged with this quality statement.")
@click.option("--polarity", type=click.Choice(POLARITIES), help="strength, improvement or neutral.")
@click.option("--doc-type", type=click.Choice(DOC_TYPES), help="Only this kind of document.")
@click.option("--k", default=5, show_default=True, type=click.IntRange(1, 100), help="How many passages.")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "bm25"]), default="hybrid", show_default=True)
@click.option("--council", default=None, help=COUNCIL_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_services
def search(query: str, qs, polarity, doc_type, k: int, mode: str, council: str | None, as_json: bool, services) -> None:
    """Find the evidence passages that best answer QUERY, with citations."""
    if not query.strip():
        raise click.UsageError("QUERY is empty: give a question or some words to search the evidence for.")
    hits = services.evidence.search(operator(), query, k=k, qs=qs, polarity=polarity, doc_type=doc_type, mode=mode,
                                    council=council, longest=None, figures=False).hits
    if as_json:
        print_json([h.to_dict() for h in hits])
        return
    if not hits:
        click.echo("No passages found.")
    for rank, hit in enumerate(hits, 1):
        p = hit.passage
        click.echo(f"{rank}. [{_tags(p)} | {p.polarity}] {p.citation}{_provenance(p, services)}")
        click.echo(f"   {p.text[:400]}{'...' if len(p.text) > 400 else ''}\n")


def _tags(p) -> str:
    unsure = " (unsure)" if p.unsure else ""
    return (", ".join(p.quality_statements) + unsure) if p.quality_statements else "untagged"


def _provenance(p, services) -> str:
    notes = []
    if p.council and not same_council(p.council, services.store.home_council):
        notes.append(p.council)
    if services.store.is_dated(p):
        notes.append("dated")
    return f"  [{'; '.join(notes)}]" if notes else ""


@main.command()
@click.option("--doc", "doc_id", help="Only this document's passages.")
@click.option("--council", default=None, help=COUNCIL_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_services
def chunks(doc_id: str | None, council: str | None, as_json: bool, services) -> None:
    """List every stored passage with its tags (the retrieval test console)."""
    passages = services.library.passages(operator(), doc_id, council)
    if as_json:
        print_json([p.to_dict() for p in passages])
        return
    for p in passages:
        click.echo(f"{p.id}  [{_tags(p)} | {p.polarity}] {p.section}{_provenance(p, services)}")
        click.echo(f"    {p.text[:160]}")
    click.echo(f"{len(passages)} passages")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_services
def docs(as_json: bool, services) -> None:
    """List the stored documents."""
    documents = services.library.documents(operator())
    if as_json:
        print_json([{**d.info.to_dict(), "date": d.info.date or None, "council": d.info.council or None} for d in documents])
        return
    for document in documents:
        d = document.info
        when = display_date(d.date) or "undated"
        dated = f" (over {services.settings.stale_years:g} years old)" if document.dated else ""
        click.echo(f"{d.doc_id}  {d.doc_type:15} {d.chunks:5} passages  {when}{dated}  {d.council or '-'}  {d.title}")
    click.echo(f"{len(documents)} documents")


@main.command()
@click.argument("doc_id")
@with_services
def remove(doc_id: str, services) -> None:
    """Delete one document, its passages and, if it was uploaded in the app, its copy."""
    gone = services.library.remove(operator(), doc_id)
    copy = " and its uploaded copy" if gone.copy else ""
    click.echo(f"Removed {gone.info.doc_id} ({gone.info.chunks} passages){copy} from {gone.where}.")


@main.command()
@click.argument("passage_id")
@click.option("--qs", "qs_list", required=True, help="Quality statements, first the main one: SLUG[,SLUG...] (at most 3).")
@click.option("--polarity", type=click.Choice(POLARITIES), default=None, help="Also set strength, improvement or neutral.")
@click.option("--by", default=None, help="Who is correcting (default: your login name).")
@with_services
def tag(passage_id: str, qs_list: str, polarity: str | None, by: str | None, services) -> None:
    """Correct a passage's tags (kept with who and when; re-ingest and new versions keep it)."""
    from prep_bot.infra.database import shown

    passage = services.library.correct_tags(operator(by), passage_id, qs_list.split(","), polarity)
    click.echo(
        f"Tagged {passage.id} as {', '.join(passage.quality_statements)} ({passage.polarity}); "
        f"saved in {shown(services.store.catalog.url)}."
    )


@main.command()
@click.option("--qs", type=click.Choice(QS_SLUGS), help="Only this quality statement.")
@click.option("--audience", type=click.Choice(AUDIENCES), help="Only questions for this audience.")
@click.option("--challenges", is_flag=True, help="Add challenge questions made from the evidence's areas for improvement.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_services
def questions(qs, audience, challenges: bool, as_json: bool, services) -> None:
    """List likely CQC questions per quality statement and audience."""
    chosen = services.practice.questions(operator(), qs=qs, audience=audience, challenges=challenges)
    if as_json:
        print_json([q.to_dict() for q in chosen])
        return
    for q in chosen:
        click.echo(f"[{q.qs} | {q.audience}] {q.text}")
    click.echo(f"{len(chosen)} questions")


@main.command()
@click.option("--qs", type=click.Choice(QS_SLUGS), required=True, help="The quality statement the question is about.")
@click.option("--question", required=True, help="The question (text from `prep-bot questions`, or your own).")
@click.option("--answer", default=None, help="Your answer, as you would say it.")
@click.option("--audio", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Or your answer spoken: a recording, transcribed on this machine (the file is left as it is).")
@click.option("--earlier", "earlier", multiple=True,
              help="An earlier answer this one follows up (repeatable, oldest first): the whole conversation is coached as one answer.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_services
def coach(qs: str, question: str, answer: str | None, audio: Path | None, earlier: tuple[str, ...], as_json: bool, services) -> None:
    """Coach an answer: rubric scores, evidence and figures to cite, claim check, a probe."""
    if (answer is None) == (audio is None):
        raise click.UsageError("Give the answer as --answer TEXT or --audio FILE (one of them).")
    transcript = services.practice.transcribe(operator(), audio, keep_file=True) if audio else None
    said = transcript.text if transcript else answer
    feedback = services.practice.coach_once(operator(), qs, question, said, earlier=list(earlier))
    helped = model_help(services, feedback, said)  # None without a model; ``error`` when it failed
    if as_json:
        data = feedback.to_dict()
        if transcript:
            data.update(transcript=transcript.text, delivery=transcript.delivery.to_dict())
        if helped is not None:
            data["llm"] = helped.to_dict()
        print_json(data)
        return
    if transcript:
        click.echo(f"You said: {transcript.text}")
    turns = f" for the whole answer ({feedback.turns} turns)" if feedback.turns > 1 else ""
    click.echo(f"Score {feedback.score}/100{turns}")
    if feedback.reply and feedback.reply.added:
        click.echo(feedback.reply.added)
    for d in feedback.dimensions:
        click.echo(f"  {d.label:<45} {d.score:>3}  {d.reason}")
    for claim in feedback.claims:
        detail = f" (evidence: {claim.evidence.point.raw}, {claim.evidence.passage.title})" if claim.evidence else ""
        status = "not in the evidence" if claim.status == "unverified" else claim.status
        newest = f"; {claim.note}" if claim.note else ""
        click.echo(f"  figure {claim.text}: {status}{detail}{newest}")
    if feedback.reply and feedback.reply.honesty_note:
        click.echo(f"  {feedback.reply.honesty_note}")
    for point in feedback.missed:
        click.echo(f"  missed: {point}")
    click.echo(f"Follow-up: {feedback.follow_up}")
    echo_on_message(feedback.reviews.get("on_message"))
    if transcript:
        echo_delivery(transcript.delivery)
    if helped is not None:
        echo_help(helped)


@main.command()
@click.option("--scale", default=100_000, show_default=True, type=click.IntRange(1000, 1_000_000),
              help="Passages in the largest synthetic store (the smaller one holds a tenth).")
@click.option("--turns", default=200, show_default=True, type=click.IntRange(5, 5000),
              help="Coach turns timed on the sample library (a quarter of them at --scale).")
@click.option("--json", "as_json", is_flag=True, help="Print every figure as one JSON object.")
@click.option("--markdown", is_flag=True, help="Print the table as Markdown (for the README).")
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Build the benchmark's stores here and keep them (default: a temporary folder, removed).")
@click.option("--ingest-runs", default=3, show_default=True, type=click.IntRange(1, 20),
              help="Times the sample library is ingested against a bare encode (the median is shown, and the spread).")
@click.option("--cli-rounds", default=3, show_default=True, type=click.IntRange(0, 20),
              help="Times `search` and `coach` are started in a fresh shell with each engine (the median is shown; 0 leaves them out).")
@click.option("--spoken-answers", default=8, show_default=True, type=click.IntRange(1, 36),
              help="Labelled answers read aloud by espeak-ng, transcribed and coached.")
def bench(scale: int, turns: int, as_json: bool, markdown: bool, keep: Path | None, ingest_runs: int, cli_rounds: int,
          spoken_answers: int) -> None:
    """Measure ingest, search, coaching and serving against baselines in the same run.

    Works in its own temporary store (your evidence store is not touched). Progress goes to
    stderr; the table (or JSON) to stdout. About 10 minutes at the default scale."""
    from prep_bot.evals.bench import format_markdown, format_table, run, to_json
    from prep_bot.services import build_services

    try:
        result = run(scale=scale, turns=turns, large_turns=max(5, turns // 4), keep=keep, services_for=build_services,
                     ingest_runs=ingest_runs, cli_rounds=cli_rounds, spoken_answers=spoken_answers)
    except PrepBotError as e:
        raise click.ClickException(str(e)) from e
    except ValueError as e:
        raise click.UsageError(str(e)) from e
    if as_json:
        click.echo(to_json(result))
    elif markdown:
        click.echo(format_markdown(result))
    else:
        click.echo(format_table(result))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_services
def gaps(as_json: bool, services) -> None:
    """Readiness per quality statement and the likely questions the evidence cannot yet answer."""
    rows = services.readiness.rows(operator())
    if as_json:
        print_json([
            {k: v for k, v in r.to_dict().items() if k in GAPS_KEYS} for r in rows
        ])
        return
    for r in sorted(rows, key=lambda r: r.readiness):
        click.echo(
            f"{r.readiness:3}  {r.title:<45} {r.evidence_passages:4} passages  "
            f"{len(r.unanswered):2}/{r.questions} questions without strong evidence  "
            f"{r.practice['attempts']} attempts"
            + ("" if r.agreed_story else "  no approved story")
        )
        for u in r.unanswered[:3]:
            click.echo(f"       - {u.text} (best {u.best_score:.3f})")


GAPS_KEYS = (
    "qs", "title", "readiness", "evidence_passages", "strengths", "improvements", "data_points",
    "evidence_categories", "unanswered", "practice", "agreed_story",
)


@main.command()
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Report file: .html (with the heatmap), .md or .csv.")
@with_services
def report(out: Path, services) -> None:
    """Write the readiness report (HTML with the heatmap, Markdown or CSV, by extension)."""
    rows = services.readiness.report(operator(), out)  # its form by the suffix of --out
    click.echo(f"Wrote {out.resolve()} ({len(rows)} quality statements, from the evidence in {services.settings.data_dir}).")


@main.command()
@click.option("--qs", type=click.Choice(QS_SLUGS), help="Only this quality statement (default: all 9).")
@click.option("--audience", type=click.Choice(AUDIENCES), help="Likely questions for this audience (default: every audience).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The briefing pack, an .html file (print it, or save it as PDF from a browser).")
@with_services
def briefing(qs: str | None, audience: str | None, out: Path, services) -> None:
    """Write the printable briefing pack: per quality statement, key messages, figures with
    comparators and sources, likely questions and what a good answer covers."""
    from prep_bot.practice.briefing import AUDIENCE_NAMES

    if out.suffix.lower() not in (".html", ".htm"):
        raise click.UsageError(f"--out must end in .html, not {out.suffix or '(nothing)'}")
    html = services.evidence.briefing(operator(), qs=qs, audience=audience)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    count = 1 if qs else len(services.framework.quality_statements)
    click.echo(
        f"Wrote {out} ({count} quality statement{'' if count == 1 else 's'}, "
        f"likely questions for {AUDIENCE_NAMES[audience] if audience else 'every audience'})."
    )


@main.command()
@click.option("--url", required=True, help="A running `prep-bot serve`, e.g. http://127.0.0.1:7860/ (without accounts).")
@click.option("--users", default=50, show_default=True, type=click.IntRange(1, 500), help="Simulated users at once.")
@click.option("--turns", default=10, show_default=True, type=click.IntRange(1, 1000), help="Practice turns per user.")
@click.option("--timeout", default=900.0, show_default=True, type=click.FloatRange(1), help="Overall time limit in seconds.")
@click.option("--wait", default=0.0, show_default=True, type=click.FloatRange(0),
              help="Seconds to wait for the server to answer first (it may still be loading the model).")
@click.option("--think", default=0.0, show_default=True, type=click.FloatRange(0),
              help="Seconds each user pauses between turns, on average (each pause is 0.5 to 1.5 times it).")
@click.option("--server-pid", type=int, default=None,
              help="The server's process id on this machine: report the CPU it and its children used per turn.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def loadtest(url: str, users: int, turns: int, timeout: float, wait: float, think: float, server_pid: int | None,
             as_json: bool) -> None:
    """Simulate USERS people practising at once against a running server; exit 1 on any error."""
    from prep_bot.evals.loadtest import format_result, passed, run_load

    try:
        result = run_load(url, users=users, turns=turns, timeout=timeout, wait=wait, think=think, server_pid=server_pid)
    except (TimeoutError, ValueError, OSError) as e:
        raise click.ClickException(str(e)) from e
    if as_json:
        print_json(result)
    else:
        click.echo(format_result(result))
    if result["timed_out"]:  # a call still waiting on the server would keep the process alive
        import os

        sys.stdout.flush()
        os._exit(1)
    if not passed(result):
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
