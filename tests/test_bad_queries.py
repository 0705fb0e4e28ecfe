"""Bad questions and answers: empty, 50,000 characters, only emoji, HTML and script, another
language (Welsh, Polish), and text with undecodable bytes. Through the coach, the store's search,
the `prep-bot search` and `prep-bot coach` commands, and the served app's API: each gets a clear
message or a sensible result, never a stack trace."""

from __future__ import annotations

import html
import json
import os

import pytest

from conftest import SAMPLE_LIBRARY, cli_env, served_app, services_with
from prep_bot.ui.practice import coach_message, detail_messages

GOVERNANCE = SAMPLE_LIBRARY / "stockton-2025-cqc-assessment-governance-management-sustainability.txt"
QS = "governance"
QUESTION = "How do leaders know the budget and the care market are sustainable?"

EMPTY = ["", "   \n\t "]
HUGE = ("We review the budget at the monthly performance board with the Lead Member. " * 660).strip()  # > 50,000 characters
EMOJI = "😀🙈🔥👍🏽 🤷‍♀️"
SCRIPT = "<script>window.__pwned=1</script>"
HTML_ANSWER = (
    f"{SCRIPT} Leaders review the budget every month at the performance board <img src=x onerror=\"window.__pwned=2\"> "
    "and the <b>Lead Member</b> challenges the forecast; we moved money into reablement after the review."
)
WELSH = (
    "Mae'r bwrdd perfformiad yn cyfarfod bob mis i graffu ar y gyllideb a data'r gweithlu. Pan welsom fod amseroedd "
    "aros am asesiadau yn rhy hir, symudodd y tîm staff i'r drws ffrynt a gostyngodd yr amser aros. Rydym yn dal i "
    "weithio ar gofnodi barn pobl yn well."
)
POLISH = (
    "Zarząd co miesiąc sprawdza budżet i dane o kadrach. Kiedy czas oczekiwania na ocenę potrzeb był za długi, "
    "przenieśliśmy pracowników do punktu pierwszego kontaktu i czas oczekiwania się skrócił. Nadal pracujemy nad tym, "
    "żeby lepiej zapisywać zdanie mieszkańców."
)
ENGLISH = (
    "Leaders review the budget every month at the performance board, and the Lead Member challenges the forecast. "
    "When waits for assessments grew, we moved staff to the front door and the wait came down. We still need to "
    "record people's views better."
)
BROKEN = "budget \ud800 board\x00 review \x1b[31m"  # a lone surrogate and control characters
# gradio_client cannot send a lone surrogate at all (httpx refuses to encode it): control characters only.
BROKEN_APP = "budget\x00 board \x1b[31m review\x7f"
NOT_ENGLISH = "Not in English"
assert len(HUGE) > 50_000


@pytest.fixture(scope="module")
def services(tmp_path_factory, embedder):
    services = services_with(embedder, data_dir=tmp_path_factory.mktemp("bad-queries") / "store")
    assert services.ingestor.ingest([GOVERNANCE]).count("added") == 1
    yield services
    services.store.catalog.close()


# -- the coach -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "answer, message",
    [
        ("", "Write an answer first"),
        ("   \n\t ", "Write an answer first"),
        (HUGE, f"That answer is {len(HUGE):,} characters; keep it under 6,000"),
        (EMOJI, "That answer has no words in it"),
        ("?!… — 👍", "That answer has no words in it"),
    ],
)
def test_coach_refuses_unusable_answers_with_a_message(services, answer, message):
    with pytest.raises(ValueError) as raised:
        services.coach.coach(QS, QUESTION, answer)
    assert str(raised.value).startswith(message), str(raised.value)


def test_coach_refuses_an_empty_question(services):
    with pytest.raises(ValueError, match="Give the question"):
        services.coach.coach(QS, "  ", ENGLISH)


def test_coach_scores_markup_as_text_and_the_panel_escapes_it(services):
    feedback = services.coach.coach(QS, QUESTION, HTML_ANSWER)
    assert 0 <= feedback.score <= 100 and len(feedback.dimensions) == 6
    assert feedback.evidence  # the words around the markup still find the governance evidence
    shown = coach_message(feedback, None) + "".join(
        m["content"] for m in detail_messages(feedback, services.framework, services.store, services.glossary)
    )
    assert "<script" not in shown.lower() and "<img" not in shown.lower()


def test_coach_says_when_an_answer_is_not_in_english(services):
    english = services.coach.coach(QS, QUESTION, ENGLISH)
    assert all(NOT_ENGLISH not in d.reason for d in english.dimensions)
    for answer in (WELSH, POLISH):
        feedback = services.coach.coach(QS, QUESTION, answer)
        focus = next(d for d in feedback.dimensions if d.name == "focus")
        assert focus.reason.startswith(NOT_ENGLISH), focus.reason
        assert 0 <= feedback.score < english.score  # scored, and not mistaken for a good answer
        assert feedback.follow_up


def test_coach_and_search_survive_undecodable_text(services):
    feedback = services.coach.coach(QS, QUESTION, BROKEN)
    assert 0 <= feedback.score <= 100
    assert services.store.search(BROKEN, k=3)


# -- the store's search ----------------------------------------------------------------------------
def test_search_handles_bad_queries(services):
    for blank in EMPTY:
        for mode in ("hybrid", "dense", "bm25"):
            assert services.store.search(blank, mode=mode) == []
    for query in (HUGE, EMOJI, SCRIPT, WELSH, POLISH, BROKEN):
        for mode in ("hybrid", "dense", "bm25"):
            hits = services.store.search(query, k=3, mode=mode)
            assert len(hits) <= 3, (query[:20], mode)
            assert all(-1.0 <= h.similarity <= 1.0 for h in hits)
    # A long query is still about its words: the governance document answers it.
    assert services.store.search(HUGE, k=1)[0].passage.doc_id.startswith("stockton-2025")


# -- the command line ------------------------------------------------------------------------------
def test_cli_search_and_coach_with_bad_input(services, invoke):
    store = services.settings.data_dir
    coach = ("coach", "--qs", QS, "--question", QUESTION, "--answer")
    # The search is 50,000 characters with emoji and bytes that are not UTF-8: a process gets
    # those in its arguments as lone surrogates (os.fsdecode, as Python decodes argv), which the
    # tokenizer refuses unless they are cleaned.
    messy = os.fsdecode(HUGE.encode() + f" {EMOJI} {SCRIPT} ".encode() + b"budget \xff\xfe board")
    runs = {
        "search-messy": ("search", messy, "--k", "2"),
        "coach-polish": (*coach, POLISH, "--json"),
        "search-empty": ("search", "  "),
        "coach-empty": (*coach, ""),
        "coach-huge": (*coach, HUGE),
        "coach-emoji": (*coach, EMOJI),
    }
    env = cli_env(store.parent / "unused")
    done = {name: invoke(*args, data_dir=store, env=env) for name, args in runs.items()}
    results = {name: (d.returncode, d.stdout, d.stderr) for name, d in done.items()}
    for name, (code, out, err) in results.items():
        assert "Traceback" not in out + err, (name, err)

    code, out, err = results["search-messy"]
    assert code == 0, err
    assert out.startswith("1. [") and "\n2. [" in out, out[:300]
    code, out, err = results["coach-polish"]
    assert code == 0, err
    feedback = json.loads(out)
    assert 0 <= feedback["score"] <= 100
    assert feedback["dimensions"]["focus"]["reason"].startswith(NOT_ENGLISH)

    refusals = {
        "search-empty": "QUERY is empty",
        "coach-empty": "Write an answer first",
        "coach-huge": f"That answer is {len(HUGE):,} characters",
        "coach-emoji": "That answer has no words in it",
    }
    for name, words in refusals.items():
        code, out, err = results[name]
        assert code == 2, (name, code, err)
        assert f"Error: {words}" in err, (name, err)


# -- the served app --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def app_url(services):
    with served_app(services) as url:
        yield url


def _refused(call) -> str:
    with pytest.raises(Exception) as raised:
        call()
    message = str(raised.value)
    assert "Traceback" not in message and 'File "' not in message, message
    return message


@pytest.mark.server
def test_app_search_with_bad_queries(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    for blank in EMPTY:
        assert "Type a question" in _refused(lambda: client.predict(blank, "All", "All", "All", 5, api_name="/search"))
    assert "2,000 characters" in _refused(lambda: client.predict(HUGE, "All", "All", "All", 5, api_name="/evidence"))
    for query in (EMOJI, SCRIPT, WELSH, POLISH, BROKEN_APP):
        cards, figures = client.predict(query, "All", "All", "All", 3, api_name="/evidence")
        assert "<article" in cards or "No passages found" in cards, query
        assert "<script" not in cards.lower() and "<script" not in figures.lower()


@pytest.mark.server
def test_app_answers_with_bad_input(app_url, services):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    chat, _, _ = client.predict("Ola", "senior-leader", QS, False, api_name="/ask")

    def answer(text):
        """(the user's message, the coach's reply, the folded detail under it). Each is a fresh try
        at the question: an answer after a reply would be a reply to its follow-up, coached with it."""
        client.predict(chat, api_name="/try_again")
        after, _ = client.predict(text, "Ola", "Finance", "senior-leader", chat, api_name="/answer")
        turn = after[len(chat):]
        return _text(turn[0]), _text(turn[1]), "".join(_text(m) for m in turn[2:])

    for blank in EMPTY:
        assert "Write an answer first" in _refused(lambda: answer(blank))
    assert f"That answer is {len(HUGE):,} characters" in _refused(lambda: answer(HUGE))
    assert "no words in it" in _refused(lambda: answer(EMOJI))
    assert services.attempts.list(user="Ola") == []  # nothing refused was saved

    shown, reply, panel = answer(HTML_ANSWER)
    assert "<script" not in shown.lower() and html.escape("<script>") in shown  # shown as typed, escaped
    assert "<script" not in panel.lower() and "<img" not in panel.lower()
    assert reply.startswith("**Score ")

    _, _, panel = answer(WELSH)
    assert NOT_ENGLISH in panel
    _, reply, panel = answer(BROKEN_APP)
    assert reply.startswith("**Score ") and 'class="pb-dims"' in panel
    assert len(services.attempts.list(user="Ola")) == 3


def _text(message: dict) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return "\n".join(part.get("text", "") for part in content if isinstance(part, dict))
