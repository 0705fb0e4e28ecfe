"""`prep-bot eval ...`: each labelled set in eval/ measured against what prep-bot does with it."""

from __future__ import annotations

from pathlib import Path

import click

from prep_bot.cli.common import COUNCIL_HELP, print_json, with_services
from prep_bot.cli.story import eval_story


@click.group(name="eval")
def eval_group() -> None:
    """Measure retrieval and coaching against the labelled sets in eval/."""


eval_group.add_command(eval_story)  # cli/story.py


@eval_group.command(name="retrieval")
@click.option("--set", "set_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Labelled questions (default: eval/retrieval.yaml).")
@click.option("--council", default=None, help=COUNCIL_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_services
def eval_retrieval(set_path: Path | None, council: str | None, as_json: bool, services) -> None:
    """Recall@1, recall@5 and MRR for hybrid, dense-only and BM25-only search."""
    from prep_bot.evals.evaluation import default_retrieval_set, evaluate_retrieval, format_table, load_retrieval_set

    questions = load_retrieval_set(set_path or default_retrieval_set())
    if services.store.is_empty():
        raise click.ClickException("the store is empty: run `prep-bot ingest knowledge/evidence` first")
    results = evaluate_retrieval(services.store, questions, council=council)
    if as_json:
        print_json(results)
    else:
        click.echo(format_table(results, len(questions)))


@eval_group.command(name="tagging")
@click.option("--set", "set_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Labelled documents (default: eval/tagging.yaml).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_services
def eval_tagging(set_path: Path | None, as_json: bool, services) -> None:
    """First-tag accuracy of content tagging, per statement, with a confusion matrix."""
    from prep_bot.evals.tagging import default_tagging_set, evaluate_tagging, format_tagging_table, load_tagging_set

    results = evaluate_tagging(services.ingestor, load_tagging_set(set_path or default_tagging_set()))
    if as_json:
        print_json(results)
    else:
        click.echo(format_tagging_table(results))


@eval_group.command(name="figures")
@click.option("--set", "set_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Labelled figures (default: eval/figures.yaml).")
@click.option("--holdout", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Also judge the same-measure pairs of this labelled set, not fitted to "
                   "(eval/figures_holdout.yaml).")
@click.option("--alone", is_flag=True, help="Fit on the labelled set alone, not also on the further sets of eval/figures_more/.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with the errors).")
@with_services
def eval_figures(set_path: Path | None, holdout: Path | None, alone: bool, as_json: bool, services) -> None:
    """Performance-figure and same-measure precision and recall of the figure models, on held-out folds."""
    from prep_bot.evals.figures import evaluate_figures, evaluate_same_measure_holdout, format_figures_table

    results = evaluate_figures(services.embedder, set_path, alone)
    if holdout is not None:
        results["holdout"] = evaluate_same_measure_holdout(services.embedder, holdout, set_path, alone)
    if as_json:
        print_json(results)
    else:
        click.echo(format_figures_table(results))


@eval_group.command(name="coach")
@click.option("--set", "set_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="A graded ladder (default: eval/ladder.yaml) or a set of strong/weak pairs (eval/answers.yaml).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_services
def eval_coach(set_path: Path | None, as_json: bool, services) -> None:
    """Graded ladder: Kendall's tau, adjacent levels in order, stuffed and hiding answers, medians.
    Pairs: how often a strong answer outscores a weak one, the margin, planted false figures caught,
    and answers quoting correct figures that the coach called wrong."""
    import yaml

    from prep_bot.evals.evaluation import evaluate_coach, format_coach_table, load_answer_set
    from prep_bot.evals.ladder import default_ladder_set, evaluate_ladder, format_ladder_table, is_ladder, parse_ladder

    if services.store.is_empty():
        raise click.ClickException("the store is empty: run `prep-bot ingest knowledge/evidence` first")
    path = set_path or default_ladder_set()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise click.ClickException(f"{path} is not a readable YAML file: {e}") from e
    if is_ladder(data):
        results = evaluate_ladder(services.coach, parse_ladder(data, str(path)))
        table = format_ladder_table(results, path.name)
    else:
        results = evaluate_coach(services.coach, load_answer_set(path))
        table = format_coach_table(results)
    if as_json:
        print_json(results)
    else:
        click.echo(table)


@eval_group.command(name="judgement")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_services
def eval_judgement(as_json: bool, services) -> None:
    """Precision and recall of the coach's sentence judgement per label, on held-out labelled sentences."""
    from prep_bot.evals.judgement import evaluate_judgement, format_judgement_table

    results = evaluate_judgement(services.coach.judgement)
    if as_json:
        print_json(results)
    else:
        click.echo(format_judgement_table(results))


@eval_group.command(name="injection")
@click.option("--set", "set_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Labelled sentences (default: eval/injection.yaml).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def eval_injection(set_path: Path | None, as_json: bool) -> None:
    """Planted sentences withheld from the model, and real report sentences wrongly withheld."""
    from prep_bot.evals.injection import default_injection_set, evaluate_injection, format_injection_table, load_injection_set

    results = evaluate_injection(load_injection_set(set_path or default_injection_set()))
    if as_json:
        print_json(results)
    else:
        click.echo(format_injection_table(results))


@eval_group.command(name="speech")
@click.option("--set", "set_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Labelled answers (default: eval/answers.yaml).")
@click.option("--figures", "figures_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Answers with figures said in words (default: eval/speech_figures.yaml).")
@click.option("--only", type=click.Choice(["pairs", "figures"]), default=None, help="Run one of the two parts only.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N pairs (and N figure answers).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with every transcript).")
@with_services
def eval_speech(set_path: Path | None, figures_path: Path | None, only: str | None, limit: int | None, as_json: bool, services) -> None:
    """Word error rate of spoken answers (espeak-ng, British voice), strong-vs-weak order kept, and
    spoken-figure recall (figures said in words that reach the coach as the same figure)."""
    import tempfile

    from prep_bot.evals.evaluation import default_answer_set, load_answer_set
    from prep_bot.evals.speech import (
        evaluate_speech, evaluate_spoken_figures, format_figures_table, format_speech_table, load_spoken_figures,
    )
    from prep_bot.infra.config import REPO_ROOT

    if services.store.is_empty():
        raise click.ClickException("the store is empty: run `prep-bot ingest knowledge/evidence` first")
    data = load_answer_set(set_path or default_answer_set()) if only != "figures" else None
    figures = load_spoken_figures(figures_path or REPO_ROOT / "eval" / "speech_figures.yaml") if only != "pairs" else None
    say = lambda line: click.echo(line, err=True)  # noqa: E731
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="prep-bot-speech-") as workdir:
        if data is not None:
            results = evaluate_speech(services.coach, services.transcriber, data, Path(workdir), limit=limit, progress=say)
        if figures is not None:
            results["figures"] = evaluate_spoken_figures(
                services.transcriber, figures, Path(workdir), claims=services.coach.claims, limit=limit, progress=say,
            )
    if as_json:
        print_json(results)
        return
    if data is not None:
        click.echo(format_speech_table(results))
    if figures is not None:
        click.echo(format_figures_table(results["figures"]))
