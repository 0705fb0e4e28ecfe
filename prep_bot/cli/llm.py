"""The language-model commands: ``prep-bot llm check`` and ``prep-bot ask``. (``prep-bot coach``
in cli.py adds the model's note and stronger answer when one is set up.)"""

from __future__ import annotations

import click

from prep_bot.cli.common import operator, print_json, with_services
from prep_bot.llm.client import LLMError
from prep_bot.evidence.provenance import display_date


@click.group()
def llm() -> None:
    """The council's own language model (optional; set PREP_BOT_LLM_URL)."""


@llm.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_services
def check(as_json: bool, services) -> None:
    """Say whether the model endpoint answers and which models it reports."""
    advisor = services.advisor
    if not advisor.configured:
        raise click.ClickException(
            "No language model is set up: set PREP_BOT_LLM_URL (e.g. http://127.0.0.1:11434/v1 for Ollama) "
            "and PREP_BOT_LLM_MODEL. prep-bot works without one."
        )
    try:
        found = advisor.model().check()
    except LLMError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        print_json(found)
        return
    click.echo(f"The model endpoint at {found['url']} answers; it reports: {', '.join(found['models']) or 'no models'}.")
    if found["has_model"]:
        click.echo(f"PREP_BOT_LLM_MODEL={found['model']} is among them.")
    else:
        click.echo(f"PREP_BOT_LLM_MODEL={found['model']} is not among them: set it to one of those names.")


@click.command()
@click.argument("question")
@click.option("--qs", default=None, help="Only passages tagged with this quality statement.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: answer, citations, flags, llm.")
@with_services
def ask(question: str, qs: str | None, as_json: bool, services) -> None:
    """Ask the evidence a question: an answer from the retrieved passages, with citations
    (without a model, the best passages)."""
    answer = services.evidence.ask(operator(), question, qs)
    if as_json:
        print_json(answer.to_dict())
        return
    click.echo(answer.answer)
    echo_sources(answer.citations, answer.flags)


def echo_sources(citations: list[dict], flags: list[str]) -> None:
    for c in citations:
        when = display_date(c["date"]) or "undated"
        where = ", ".join(str(x) for x in (when, f"p. {c['page']}" if c["page"] else None, c["section"]) if x)
        click.echo(f"  [{c['n']}] {c['title']}" + (f" ({where})" if where else ""))
    for flag in flags:
        click.echo(f"  ⚠ {flag}")


def model_help(services, feedback, answer: str):
    """The model's note and stronger answer for ``coach``; None when no model is set up."""
    from prep_bot.llm.advisor import CoachHelp

    final = None
    for item in services.practice.model_help(operator(), feedback, answer):
        if isinstance(item, CoachHelp):
            final = item
    if final is None and services.advisor.configured:
        final = CoachHelp(error="The model sent nothing.")
    return final


def echo_help(help_) -> None:
    if help_.error:
        click.echo(f"Language model: {help_.error} The rubric's feedback above stands.")
        return
    click.echo(f"Coach's note: {help_.feedback}")
    click.echo(f"A stronger answer, from your evidence: {help_.stronger_answer}")
    echo_sources(help_.citations, help_.flags)
