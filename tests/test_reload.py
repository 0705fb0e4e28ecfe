"""Nothing lost on reload, and Back stays in the app (issue 22 item 5), in Debian's chromium
against the real app over the sample library: the question on screen and the conversation come
back after a reload (and in another browser signed in as the same account, so they are kept on
the server, not in this browser), a mock interview in progress comes back at the question it
was on, and Back goes from room to room without leaving for a blank page."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import SIGNED_IN, STRONG, settled, sign_in
from prep_bot.infra.config import Settings
from prep_bot.infra.workers import WORKER_COOKIE, find_haproxy
from prep_bot.services import Services
from test_workers import serve

pytestmark = [pytest.mark.server, pytest.mark.browser]

PASSWORD = "a long enough password"
WAIT = 60_000
FIRST_QUESTION = "() => document.querySelectorAll('#practice-chat [data-testid=bot]').length > 0"
SCORED = "() => /Score \\d+\\/100/.test(document.querySelector('#practice-chat').innerText)"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, sample_store, embedder):
    staff = [(name, "staff", "Front door") for name in ("sam", "kim", "pat")]
    with sample_store.served(tmp_path_factory.mktemp("reload") / "data", embedder, PASSWORD, staff) as (_, url):
        yield url


def _signed_in(new_page, url: str, name: str):
    page = new_page(viewport={"width": 1300, "height": 900})
    sign_in(page, url, name, PASSWORD)
    page.wait_for_function(FIRST_QUESTION, timeout=WAIT)
    return page


def _question(page) -> str:
    return page.locator("#practice-chat [data-testid='bot']").first.inner_text()


def _chat(page) -> str:
    return page.locator("#practice-chat").inner_text()


def test_the_question_and_conversation_come_back_after_a_reload(app_url, new_page):
    page = _signed_in(new_page, app_url, "sam")
    question = _question(page)
    page.locator("#practice-answer textarea").fill(STRONG)
    page.locator("#practice-send").click()
    page.wait_for_function(SCORED, timeout=WAIT)

    page.reload(wait_until="domcontentloaded")
    page.wait_for_function(SIGNED_IN, timeout=WAIT)
    page.wait_for_function(SCORED, timeout=WAIT)  # the coach's reply is back, not a fresh question
    # The restored conversation is drawn by the page's load events: a reply sent while they still
    # draw was lost once in three fresh-clone runs on 2026-12-07 (still in the box, never coached).
    settled(page, "#practice-chat", quiet_ms=1_000, timeout=WAIT)
    assert _question(page) == question
    assert STRONG[:80] in _chat(page)
    assert "Saved to your practice history" in _chat(page)
    # The conversation goes on where it was: the reply answers the coach's follow-up, one attempt.
    page.locator("#practice-answer textarea").fill("We check it at the weekly huddle and in the quarterly audit.")
    page.locator("#practice-send").click()
    try:
        page.wait_for_function("() => document.querySelector('#practice-chat').innerText.includes('(2 turns)')", timeout=WAIT)
    except PlaywrightTimeout:
        # Failed once in CI (2026-12-05, the run's 13th test, a minute into a loaded start) and not
        # in 8 runs here, alone, beside another test module or under three busy loops (the second
        # reply takes 0.2 s): say whether the reply was coached as a fresh answer, never sent
        # (still in the box), or never answered, and what the page said.
        raise AssertionError({"chat": _chat(page)[-400:], "box": page.locator("#practice-answer textarea").input_value(),
                              "toasts": page.locator(".toast-body").all_inner_texts()}) from None

    # Kept on the server for the account: another browser signed in as sam finds it too...
    elsewhere = _signed_in(new_page, app_url, "sam")
    elsewhere.wait_for_function(SCORED, timeout=WAIT)
    assert _question(elsewhere) == question and STRONG[:80] in _chat(elsewhere)
    # ...and someone else signed in gets a question of their own, not sam's conversation.
    other = _signed_in(new_page, app_url, "kim")
    assert STRONG[:80] not in _chat(other) and "Score " not in _chat(other)

    # A new question replaces the conversation, and that is what a reload brings back.
    page.locator("#practice-ask").click()
    page.wait_for_function("() => !/Score \\d+\\/100/.test(document.querySelector('#practice-chat').innerText)",
                           timeout=WAIT)
    page.wait_for_function(FIRST_QUESTION, timeout=WAIT)
    fresh = _question(page)
    page.reload(wait_until="domcontentloaded")
    page.wait_for_function(SIGNED_IN, timeout=WAIT)
    page.wait_for_function(FIRST_QUESTION, timeout=WAIT)
    assert _question(page) == fresh and STRONG[:80] not in _chat(page)


def test_a_mock_interview_in_progress_comes_back_after_a_reload(app_url, new_page):
    page = _signed_in(new_page, app_url, "pat")
    page.get_by_role("tab", name="Mock interview").click()
    page.get_by_role("button", name="Start mock interview").click()
    prompt = page.locator("#mock-question")
    prompt.get_by_text("Question 1 of 5").wait_for(timeout=WAIT)
    page.locator("#mock-answer textarea").fill(STRONG)
    page.locator("#mock-send").click()
    prompt.get_by_text("Question 2 of 5").wait_for(timeout=WAIT)
    asked = prompt.inner_text()
    page.wait_for_function("() => (document.querySelector('#mock-summary')?.innerText || '').trim().length > 0", timeout=WAIT)
    summary = page.locator("#mock-summary").inner_text()

    page.reload(wait_until="domcontentloaded")
    page.wait_for_function(SIGNED_IN, timeout=WAIT)
    page.get_by_role("tab", name="Mock interview").click()
    prompt = page.locator("#mock-question")
    prompt.get_by_text("Question 2 of 5").wait_for(timeout=WAIT)
    assert prompt.inner_text() == asked
    assert page.locator("#mock-summary").inner_text() == summary  # the score so far is back too
    page.wait_for_function("() => /Time on this question/.test(document.body.innerText)", timeout=WAIT)  # its clock runs
    assert page.locator("#mock-answer textarea").is_editable()

    page.locator("#mock-answer textarea").fill(STRONG)  # the interview goes on from where it was
    page.locator("#mock-send").click()
    prompt.get_by_text("Question 3 of 5").wait_for(timeout=WAIT)


def _selected(page) -> str:
    return page.locator("#pb-tabs button[role=tab][aria-selected=true]").first.inner_text().strip()


def test_back_goes_from_room_to_room_and_stays_in_the_app(app_url, new_page):
    page = _signed_in(new_page, app_url, "kim")
    page.locator("#practice-answer textarea").click()  # the person's first touch, in the first room
    page.go_back()  # Back before choosing any room: still the app, not the blank page before it
    assert page.url.startswith(app_url.rstrip("/")), page.url
    page.wait_for_function(SIGNED_IN, timeout=WAIT)
    assert _selected(page) == "Practice"

    page.get_by_role("tab", name="Mock interview").click()
    page.get_by_role("tab", name="My progress").click()
    assert _selected(page) == "My progress"

    page.go_back()
    page.wait_for_function("() => document.querySelector('#pb-tabs button[role=tab][aria-selected=true]')"
                           "?.innerText.trim() === 'Mock interview'", timeout=WAIT)
    page.go_back()
    page.wait_for_function("() => document.querySelector('#pb-tabs button[role=tab][aria-selected=true]')"
                           "?.innerText.trim() === 'Practice'", timeout=WAIT)
    page.go_back()  # from the first room: still the app, not the blank page before it
    assert page.url.startswith(app_url.rstrip("/")), page.url
    page.wait_for_function(SIGNED_IN, timeout=WAIT)
    assert _selected(page) == "Practice"


@pytest.mark.slow
@pytest.mark.skipif(find_haproxy() is None, reason="haproxy is not installed (apt-get install haproxy)")
def test_a_conversation_held_on_one_worker_comes_back_on_another(tmp_path, browser):
    """`serve --workers 2`: the state is in the shared database, not in a worker's memory, so a
    person whose worker changes (a restart, a worker that died) finds their conversation."""
    data = tmp_path / "data"
    services = Services(Settings(data_dir=data))
    try:
        services.users.add("sam", PASSWORD, "staff", "Front door")
    finally:
        services.close()
    with serve(data, tmp_path / "serve.log", "--workers", "2") as (url, _proc):
        pages = []
        for worker in ("w1", "w2"):
            context = browser.new_context(viewport={"width": 1300, "height": 900})
            context.add_cookies([{"name": WORKER_COOKIE, "value": worker, "url": url}])  # haproxy's choice of worker
            pages.append(context.new_page())
        try:
            first, second = pages
            sign_in(first, url, "sam", PASSWORD)
            first.wait_for_function(FIRST_QUESTION, timeout=WAIT)
            question = _question(first)
            first.locator("#practice-answer textarea").fill(STRONG)
            first.locator("#practice-send").click()
            first.wait_for_function(SCORED, timeout=WAIT)

            sign_in(second, url, "sam", PASSWORD)
            second.wait_for_function(SCORED, timeout=WAIT)
            assert _question(second) == question and STRONG[:80] in _chat(second)
            assert {c["value"] for p in pages for c in p.context.cookies() if c["name"] == WORKER_COOKIE} == {"w1", "w2"}
        finally:
            for page in pages:
                page.context.close()
