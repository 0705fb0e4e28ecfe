"""Controls that do what they say (issue 22 item 4): a new "I am" or quality statement asks a
matching question at once; the chat's bin starts a new question, which the next answer is scored
against; a finished mock interview locks its answer box, recorder and Submit; plurals are right;
on a phone the chat's own buttons leave the question clear."""

from __future__ import annotations

import pytest

from conftest import STRONG, settled, sign_in
from pages import screenshot
from prep_bot.ui.render import plural, summary_table

PASSWORD = "rehearse-2026"


def test_plurals():
    assert plural(1, "question") == "1 question" and plural(3, "question") == "3 questions"


def test_a_one_question_summary_says_one_question(sample_services):
    rows = [{"qs": "safeguarding", "question": "Q?", "score": 60, "weakest": "Outcome", "time": "0:30"}]
    html = summary_table(rows, sample_services.framework)
    assert "across 1 question<" in html and "1 questions" not in html


@pytest.fixture(scope="module")
def served(tmp_path_factory, sample_store, embedder):
    with sample_store.served(tmp_path_factory.mktemp("controls") / "data", embedder, PASSWORD,
                             [("sam", "staff", "Front door")]) as (services, address):
        yield services, address


def first_question(page) -> str:
    return page.locator("#practice-chat [data-testid='bot']").first.inner_text()


def choose(page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option).click()


# Every question the chat shows, in order, from the moment it is installed.
WATCH_QUESTIONS = """() => { window.__pbQuestions = [];
  const note = () => { const m = document.querySelector('#practice-chat [data-testid=bot]');
    const text = m ? m.innerText : '';
    const seen = window.__pbQuestions;
    if (text && seen[seen.length - 1] !== text) seen.push(text); };
  note(); new MutationObserver(note).observe(document.body, {subtree: true, childList: true, characterData: true}); }"""


def questions_shown(page) -> list[str]:
    return page.evaluate("() => window.__pbQuestions")


def asks_one_question(page, act, shown: str | None = None) -> str:
    """Do ``act``; then exactly one new question is shown (matching the regular expression
    ``shown``), once the page has settled."""
    before = len(questions_shown(page))
    act()
    page.wait_for_function(
        "([n, shown]) => window.__pbQuestions.length > n && new RegExp(shown).test(window.__pbQuestions.at(-1))",
        arg=[before, shown or "."], timeout=30_000,
    )
    settled(page, "#practice-chat")
    new = questions_shown(page)[before:]
    assert len(new) == 1, [q[:80] for q in new]  # one question per change, not one that flashes past
    return new[0]


@pytest.mark.browser
def test_practice_controls_ask_the_question_they_show(served, new_page):
    services, url = served
    page = new_page(viewport={"width": 1400, "height": 900})
    sign_in(page, url, "sam", PASSWORD)
    page.locator("#practice-chat [data-testid='bot']").first.wait_for(timeout=60_000)
    settled(page, "#practice-chat")
    assert "For frontline staff" in first_question(page) or "For everyone" in first_question(page)
    page.evaluate(WATCH_QUESTIONS)

    asks_one_question(page, lambda: choose(page, "I am", "Senior leader"), "For (senior leaders|everyone)")
    # Opening a list and closing it without a choice changes nothing, so asks nothing.
    page.get_by_label("Quality statement", exact=True).click()
    page.get_by_role("option", name="7. Safeguarding").wait_for()
    page.keyboard.press("Escape")
    page.locator("#practice-answer textarea").click()
    settled(page, "#practice-chat", quiet_ms=1_000)
    assert len(questions_shown(page)) == 2, [q[:80] for q in questions_shown(page)]
    asks_one_question(page, lambda: choose(page, "Quality statement", "7. Safeguarding"), "^Safeguarding")
    assert page.locator("#practice-chat [data-testid='bot']").count() == 1  # one question on screen, not a pile

    # The bin: a new question, and the answer is scored against the question on screen.
    before = first_question(page)
    after = asks_one_question(page, lambda: page.locator("#practice-chat button[aria-label='Clear']").click(), "^Safeguarding")
    assert after != before
    shown = first_question(page)
    assert "on its way" not in page.locator("#practice-chat").inner_text()
    box = page.locator("#practice-answer textarea")
    box.fill(STRONG)
    box.press("Enter")
    page.wait_for_function("() => /Score \\d+\\/100/.test(document.querySelector('#practice-chat').innerText)", timeout=90_000)
    saved = services.attempts.list(user="sam")[-1]
    assert saved.question in shown, (saved.question, shown)
    screenshot(page, "controls-practice-1400")


@pytest.mark.browser
def test_the_mock_interview_shows_its_answer_box_only_while_a_question_waits(served, new_page):
    _, url = served
    page = new_page(viewport={"width": 1400, "height": 900})
    sign_in(page, url, "sam", PASSWORD)
    page.get_by_role("tab", name="Mock interview").click()
    page.get_by_role("button", name="Start mock interview").wait_for(timeout=30_000)
    # Before the start there is no question, so nothing to answer.
    assert not page.locator("#mock-answer textarea").is_visible()
    assert not page.locator("#mock-send").is_visible()
    page.get_by_role("button", name="Start mock interview").click()
    page.get_by_text("Question 1 of 5").wait_for(timeout=30_000)
    answer = page.locator("#mock-answer textarea")
    assert answer.is_editable()
    for n in range(1, 6):
        answer.fill(STRONG)
        page.locator("#mock-send").click()
        expected = "Interview complete" if n == 5 else f"Question {n + 1} of 5"
        page.get_by_text(expected).wait_for(timeout=90_000)
    page.locator("#mock-answer textarea").wait_for(state="hidden", timeout=30_000)
    assert not page.locator("#mock-send").is_visible()
    summary = page.locator("#mock-summary").inner_text()
    assert "across 5 questions" in summary
    screenshot(page, "controls-mock-finished-1400")
    # A new start unlocks them.
    page.get_by_role("button", name="Start mock interview").click()
    page.get_by_text("Question 1 of 5").wait_for(timeout=30_000)
    page.locator("#mock-answer textarea").wait_for(state="visible", timeout=30_000)
    assert page.locator("#mock-answer textarea").is_editable() and page.locator("#mock-send").is_visible()


@pytest.mark.browser
def test_on_a_phone_the_chats_buttons_leave_the_question_clear(served, new_page):
    """At 375 px the chat's share, bin and copy buttons sat over the question's first line."""
    _, url = served
    page = new_page(viewport={"width": 375, "height": 812})
    sign_in(page, url, "sam", PASSWORD)
    question = page.locator("#practice-chat [data-testid='bot']").first
    question.wait_for(timeout=60_000)
    settled(page, "#practice-chat")
    buttons = page.locator("#practice-chat button[aria-label='Clear']").bounding_box()
    assert question.bounding_box()["y"] >= buttons["y"] + buttons["height"], (question.bounding_box(), buttons)
