"""Practice history through the served app, signed in with gradio_client: an answer given in
Practice is read back with its full feedback (``/attempt``), under the role rules; a finished
mock interview's questions are reread (``/mock_review``); the practice downloads as CSV and a
printable page. The browser test reads the chart's date axis and takes screenshots of My
progress at 1400 px and 375 px."""

from __future__ import annotations

import csv
import html
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from conftest import STRONG, copy_sample, served_app, services_with, sign_in

pytestmark = pytest.mark.server

SHOTS = Path(__file__).resolve().parent.parent / "screenshots"
PEER_CHALLENGE = "stockton-2024-lga-preparation-for-assurance-peer-challenge.txt"
PASSWORDS = {"sam": "sam-password-1", "kim": "kim-password-1", "mo": "mo-password-1", "sue": "sue-password-1", "lee": "lee-password-1"}
ACCOUNTS = [("sam", "staff", "Front door"), ("kim", "staff", "Front door"), ("mo", "manager", "Front door"),
            ("sue", "staff", "Hospital"), ("lee", "lead", "")]
KIM_DAYS = ["2026-11-03 10:15:00", "2026-11-10 11:40:00", "2026-11-24 09:05:00"]


@pytest.fixture(scope="module")
def served(tmp_path_factory, embedder):
    """One evidence report, five accounts, kim's earlier practice spread over three weeks (and
    saved before feedback was kept), and the app on a free loopback port."""
    root = tmp_path_factory.mktemp("history-ui")
    evidence = root / "evidence"
    evidence.mkdir()
    copy_sample(PEER_CHALLENGE, evidence)
    services = services_with(embedder, data_dir=root / "data")
    assert not services.ingestor.ingest([evidence]).failed
    for name, role, team in ACCOUNTS:
        services.users.add(name, PASSWORDS[name], role=role, team=team)
    for n, (qs, score) in enumerate((("safeguarding", 35), ("assessing-needs", 55), ("safeguarding", 68))):
        services.attempts.add(user="kim", team="Front door", audience="frontline", qs=qs, question_id=f"kim-{n}",
                              question=f"Kim's question {n + 1}", answer=f"Kim's answer {n + 1}", score=score,
                              dimensions={"outcome": score, "data": score - 10})
    with services.attempts.engine.begin() as db:
        for n, day in enumerate(KIM_DAYS, 1):
            db.execute(text("UPDATE attempts SET created_at = :day WHERE question = :q"), {"day": day, "q": f"Kim's question {n}"})
    try:
        with served_app(services) as url:
            yield services, url
    finally:
        services.close()


def client(url, name):
    from gradio_client import Client

    return Client(url, auth=(name, PASSWORDS[name]), verbose=False)


def refused(call, *words) -> str:
    with pytest.raises(Exception) as raised:
        call()
    message = str(raised.value)
    assert "Traceback" not in message, message
    for word in words:
        assert word in message, message
    return message


def plain(markup: str) -> str:
    """The text a reader sees in an HTML fragment (tags and the style block dropped, entities undone)."""
    markup = re.sub(r"<style>.*?</style>", "", markup, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def practise(sam) -> str:
    """Answer one Practice question as sam; returns the follow-up the chat showed."""
    chat, _, _ = sam.predict("", "frontline", "safeguarding", False, api_name="/ask")
    chat, _ = sam.predict(STRONG + " <b>bold</b>", "", "", "frontline", chat, api_name="/answer")
    said = [m for m in chat if m["role"] == "assistant" and not (m.get("metadata") or {}).get("title")][-1]
    reply = said["content"] if isinstance(said["content"], str) else said["content"][0]["text"]
    m = re.search(r"\*\*Follow-up:\*\* (.+?)\n\n_Saved", reply, flags=re.S)
    assert m, reply
    return html.unescape(re.sub(r"\\([\\`*_\[\]#|~])", r"\1", m.group(1)))


# -- 1. an answer read back with its feedback ----------------------------------------------------
def test_a_practice_answer_is_read_back_with_its_full_feedback(served):
    services, url = served
    sam = client(url, "sam")
    shown_follow_up = practise(sam)
    attempt = services.attempts.list(user="sam")[-1]
    assert attempt.feedback is not None and attempt.feedback["follow_up"] == shown_follow_up

    page = sam.predict(attempt.id, "", "", api_name="/attempt")
    seen = plain(page)
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page  # the answer is shown as typed, not as markup
    assert STRONG + " <b>bold</b>" in seen
    assert f"{attempt.score} /100" in seen
    for dimension in services.rubric.dimensions:
        stored = attempt.feedback["dimensions"][dimension.name]
        assert f"{dimension.label} {stored['score']} {plain(html.escape(stored['reason']))}" in seen
    assert "Claim check" in seen and "97%" in seen and "Supported" in seen  # STRONG quotes the evidence's 97%
    assert f"Follow-up: {shown_follow_up}" in seen
    for missed in attempt.feedback["reply"]["not_covered"]:
        assert missed in seen
    assert "Evidence you could cite" in seen and attempt.feedback["evidence"][0]["title"] in seen
    assert "Saved before prep-bot kept" not in seen


# -- 2. who may read it --------------------------------------------------------------------------
def test_reading_one_attempt_follows_the_roles(served):
    services, url = served
    sams = services.attempts.list(user="sam")
    if not sams:  # run alone: give sam an attempt first
        practise(client(url, "sam"))
        sams = services.attempts.list(user="sam")
    sam_id = sams[-1].id
    sue_id = services.attempts.add(user="sue", team="Hospital", audience="frontline", qs="safeguarding", question_id="s",
                                   question="Sue's question", answer="Sue's answer", score=50, dimensions={"outcome": 50}).id
    kim_id = services.attempts.list(user="kim")[0].id

    refused(lambda: client(url, "kim").predict(sam_id, "", "", api_name="/attempt"), "own attempts only")  # staff: not a teammate's
    refused(lambda: client(url, "sam").predict(sue_id, "", "", api_name="/attempt"), "own attempts only")
    mo = client(url, "mo")
    assert "Kim's answer 1" in plain(mo.predict(kim_id, "", "", api_name="/attempt"))  # a manager: their team's
    refused(lambda: mo.predict(sue_id, "", "", api_name="/attempt"), "own team (Front door)")
    lee = client(url, "lee")
    assert "Sue's answer" in plain(lee.predict(sue_id, "", "", api_name="/attempt"))  # a lead: anyone's
    refused(lambda: lee.predict(10_000, "", "", api_name="/attempt"), "no attempt number 10000")

    old = plain(mo.predict(kim_id, "", "", api_name="/attempt"))  # saved before feedback was kept
    labels = {d.name: d.label for d in services.rubric.dimensions}
    assert "35 /100" in old and f"{labels['outcome']} 35 {labels['data']} 25" in old
    assert "Saved before prep-bot kept the full feedback" in old


# -- 3. the mock interview, reread ---------------------------------------------------------------
def test_a_finished_mock_interview_can_be_reread_question_by_question(served):
    services, url = served
    sue = client(url, "sue")
    before = len(services.attempts.list(user="sue"))
    prompt, _, _, _ = sue.predict("frontline", 3, 1, api_name="/mock_start")
    answers = [STRONG, "We follow the procedure and fill in the forms.", f"Short {'<i>'}answer{'</i>'} three."]
    for n, answer in enumerate(answers, 1):
        assert f"Question {n} of 3" in prompt
        prompt, _, summary, _ = sue.predict(answer, "", "", api_name="/mock_answer")
    assert "Interview complete" in prompt and "read its full feedback" in prompt
    saved = services.attempts.list(user="sue")[before:]
    assert [a.answer for a in saved] == answers and all(a.feedback for a in saved)

    for attempt in saved:
        seen = plain(sue.predict(attempt.id, "", "", api_name="/mock_review"))
        assert attempt.answer in seen and attempt.question in seen
        assert f"Follow-up: {attempt.feedback['follow_up']}" in seen
        for dimension in services.rubric.dimensions:
            assert f"{dimension.label} {attempt.feedback['dimensions'][dimension.name]['score']}" in seen

    other = services.attempts.list(user="kim")[0].id  # not one of this interview's questions
    refused(lambda: sue.predict(other, "", "", api_name="/mock_review"), "this interview's questions")
    fresh = client(url, "sue")  # another session has no finished interview
    refused(lambda: fresh.predict(saved[0].id, "", "", api_name="/mock_review"), "this interview's questions")


# -- 4. the download -----------------------------------------------------------------------------
def test_download_my_practice_gives_csv_and_printable_page(served):
    services, url = served
    mo = client(url, "mo")
    files = mo.predict("kim", "", "", api_name="/my_practice_export")
    paths = sorted((Path(f) for f in files), key=lambda p: p.name)
    assert [p.name for p in paths] == ["practice-kim.csv", "practice-kim.html"]
    with paths[0].open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:7] == ["time (UTC)", "person", "statement", "audience", "question", "answer", "score"]
    assert [(r[0], r[1], r[4], r[6]) for r in rows[1:]] == [
        (day[:16], "kim", f"Kim's question {n}", str(score)) for n, (day, score) in enumerate(zip(KIM_DAYS, (35, 55, 68)), 1)]
    page = paths[1].read_text(encoding="utf-8")
    assert "Practice: kim" in page and page.count('<article class="pb-attempt"') == 3
    refused(lambda: client(url, "sam").predict("kim", "", "", api_name="/my_practice_export"), "own attempts only")


# -- 5. in a browser: the chart's dates, reopening an attempt, narrow screens ---------------------
def open_tab(page, name: str) -> None:
    """Click a tab; on a narrow screen Gradio folds the others into a "More tabs" menu."""
    page.get_by_role("tab", name="Practice").wait_for(timeout=30_000)
    tab = page.get_by_role("tab", name=name)
    if tab.count() and tab.first.is_visible():
        tab.first.click()
        return
    page.get_by_role("button", name="More tabs").click()
    page.locator(".overflow-dropdown button, .overflow-menu button").filter(has_text=name).filter(visible=True).first.click()


AXIS_LABELS_JS = """() => Array.from(document.querySelectorAll('#my-chart svg g[class*="role-axis"]'))
    .filter(g => (g.getAttribute('aria-label') || '').startsWith('X-axis'))
    .flatMap(g => Array.from(g.querySelectorAll('g[class*="role-axis-label"] text')).map(t => t.textContent))"""


@pytest.mark.browser
def test_my_progress_in_a_browser(served, new_page):
    services, url = served
    if not services.attempts.list(user="sam"):
        practise(client(url, "sam"))
    SHOTS.mkdir(exist_ok=True)
    for width, height in ((1400, 1300), (375, 2400)):
        page = new_page(viewport={"width": width, "height": height})
        sign_in(page, url, "mo", PASSWORDS["mo"])
        open_tab(page, "My progress")
        page.get_by_label("Person (empty: you)").fill("kim")
        page.get_by_role("button", name="Show", exact=True).click()
        # The table at a desk, its cards on a phone (the hidden table draws no rows).
        shown = "#my-attempts" if width == 1400 else "#my-attempts-cards"
        page.wait_for_function(f"() => (document.querySelector('{shown}')?.innerText || '').includes(\"Kim's question 3\")", timeout=30_000)
        # Read the labels in the same check that waits for them: the chart may redraw in between.
        weeks = page.wait_for_function(f"() => {{ const labels = ({AXIS_LABELS_JS})(); return labels.length ? labels : null; }}",
                                       timeout=30_000).json_value()
        assert weeks and all(re.fullmatch(r"\d{1,2} (Oct|Nov|Dec)", label) for label in weeks), weeks

        # A row of the table or a card: either opens the attempt.
        rows = '#my-attempts [role="gridcell"]' if width == 1400 else "#my-attempts-cards tr[data-row]"
        page.locator(rows).filter(has_text="Kim's question 3").first.click()
        page.wait_for_function("() => (document.querySelector('#my-attempt')?.innerText || '').includes(\"Kim's answer 3\")", timeout=30_000)
        overflow = page.evaluate("() => { const e = document.querySelector('#my-attempt'); return e.scrollWidth - e.clientWidth; }")
        assert overflow <= 1, overflow
        page.screenshot(path=str(SHOTS / f"my-progress-{width}.png"), full_page=True)

        if width == 1400:  # sam's one sitting: dates with times of day, never seconds (":53")
            page.get_by_label("Person (empty: you)").fill("sam")
            page.get_by_role("button", name="Show", exact=True).click()
            page.wait_for_function("() => (document.querySelector('#my-attempts')?.innerText || '').includes('Safeguarding')", timeout=30_000)
            sitting = page.wait_for_function(
                f"() => {{ const labels = ({AXIS_LABELS_JS})(); return labels.some(t => /\\d\\d:\\d\\d/.test(t)) ? labels : null; }}",
                timeout=30_000).json_value()
            today = datetime.now().strftime("%b")  # the browser and this test share the machine's clock
            assert all(re.fullmatch(rf"\d{{1,2}} ({today}|{(datetime.now() - timedelta(days=1)).strftime('%b')}) \d\d:\d\d", t) for t in sitting), sitting
            page.locator('#my-attempts [role="gridcell"]').filter(has_text="Safeguarding").last.click()
            page.wait_for_function("() => (document.querySelector('#my-attempt')?.innerText || '').includes('Follow-up')", timeout=30_000)
            page.locator("#my-attempt").screenshot(path=str(SHOTS / "my-progress-feedback-1400.png"))
        page.close()

    # The printable page fits a phone's width.
    files = client(url, "mo").predict("sam", "", "", api_name="/my_practice_export")  # with full feedback
    printable = next(Path(f) for f in files if f.endswith(".html"))
    page = new_page(viewport={"width": 375, "height": 800})
    page.goto(printable.as_uri())
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    assert "Follow-up" in page.inner_text("body")
    page.screenshot(path=str(SHOTS / "practice-export-375.png"), full_page=True)
    page.close()


@pytest.mark.browser
def test_mock_feedback_list_appears_when_the_panel_ends(served, new_page):
    _, url = served
    page = new_page(viewport={"width": 1400, "height": 1400})
    sign_in(page, url, "sue", PASSWORDS["sue"])
    open_tab(page, "Mock interview")
    page.get_by_text("when the last question is answered").wait_for(timeout=30_000)  # the page says when
    page.get_by_role("spinbutton", name="number input for Questions").fill("3")
    page.get_by_role("spinbutton", name="number input for Questions").press("Enter")
    page.get_by_role("button", name="Start mock interview").click()
    for n in range(1, 4):
        page.wait_for_function(f"() => (document.querySelector('#mock-question')?.innerText || '').includes('Question {n} of 3')", timeout=30_000)
        assert not page.locator("#mock-review-picker").is_visible()  # no full feedback mid-panel
        page.get_by_label("Your answer").filter(visible=True).first.fill(f"Answer {n}: {STRONG}")
        page.get_by_role("button", name="Submit answer").click()
    page.wait_for_function("() => (document.querySelector('#mock-question')?.innerText || '').includes('Interview complete')", timeout=60_000)
    picker = page.locator("#mock-review-picker input")
    picker.wait_for(state="visible", timeout=30_000)
    picker.click()
    page.get_by_role("option").filter(has_text="2. ").first.click()
    page.wait_for_function("() => (document.querySelector('#mock-review')?.innerText || '').includes('Answer 2:')", timeout=30_000)
    shown = page.locator("#mock-review").inner_text()
    assert "Follow-up" in shown and "Claim check" in shown
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "mock-review-1400.png"), full_page=True)
