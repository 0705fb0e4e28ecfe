"""Each role's journey through its own room, in Debian's chromium against a real `prep-bot serve`
over the sample library: the tabs each role sees, staff practising and rereading, a manager's
team story leading with a planted disagreement, a lead's readiness and briefing pack, nothing
overflowing at 375 px, and an expected error that leaves no traceback in the server log."""

from __future__ import annotations

import re

import pytest

from conftest import SIGNED_IN, STRONG, sign_in
from processes import serving
from prep_bot.infra.config import REPO_ROOT

pytestmark = [pytest.mark.server, pytest.mark.browser]

SHOTS = REPO_ROOT / "screenshots"
PASSWORD = "rehearse-2026"
ACCOUNTS = [("Sam Staff", "staff", "Front door"), ("Kim Staff", "staff", "Front door"),
            ("Mo Manager", "manager", "Front door"), ("Lee Lead", "lead", "")]
ROOMS = {
    "staff": ["Practice", "Mock interview", "My progress", "Evidence"],
    "manager": ["Practice", "Mock interview", "My progress", "Evidence", "Team story"],
    "lead": ["Practice", "Mock interview", "My progress", "Evidence", "Team story", "Readiness", "Our story", "Library"],
}
# Two members of one team give different figures for the same measure.
SAM_SAYS = "Most assessments are quick: 90.6% are completed within 28 days, and we call people weekly while they wait."
KIM_SAYS = "We complete 75% of assessments within 28 days; people who wait get a weekly call."


@pytest.fixture(scope="module")
def server(tmp_path_factory, sample_store, embedder):
    """The sample library (a copy), four accounts and a planted disagreement in a data dir of its
    own, served by the real CLI in its own process (its log is read by the tests)."""
    root = tmp_path_factory.mktemp("rooms")
    data = root / "data"
    services = sample_store.services(data, embedder)
    try:
        for name, role, team in ACCOUNTS:
            services.users.add(name, PASSWORD, role=role, team=team)
        for who, said in (("Sam Staff", SAM_SAYS), ("Kim Staff", KIM_SAYS)):
            services.attempts.add(
                user=who, team="Front door", audience="frontline", qs="assessing-needs", question_id="assessing-needs-seed",
                question="How quickly are assessments done?", answer=said, score=55, dimensions={},
            )
    finally:
        services.close()
    log = root / "serve.log"
    with serving(data, log) as (url, _):
        yield url, log


def signed_in(browser, url: str, name: str, width: int = 1400):
    """A page in a context of its own (the test closes it), signed in, with a question waiting."""
    context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, url, name, PASSWORD, wait=False)
    page.locator("#practice-chat [data-testid='bot']").first.wait_for(timeout=60_000)  # a question is waiting
    page.wait_for_function(SIGNED_IN, timeout=30_000)
    return page


def tab_names(page) -> list[str]:
    page.wait_for_timeout(500)  # the room is set by a load event after the first question
    return [t.strip() for t in page.locator("#pb-tabs [role=tablist] button[role=tab]").all_inner_texts()]


def open_tab(page, name: str) -> None:
    page.locator("#pb-tabs [role=tablist] button[role=tab]", has_text=name).first.click()


def overflow(page) -> int:
    """How far the page is wider than the window (0: nothing runs off the screen)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("role", ["staff", "manager", "lead"])
def test_each_role_sees_its_room_and_nothing_overflows_at_375(server, browser, role):
    url, _ = server
    name = next(n for n, r, _ in ACCOUNTS if r == role)
    page = signed_in(browser, url, name)
    try:
        assert tab_names(page) == ROOMS[role]
        assert "Signed in as" in page.locator("#signed-in").inner_text() and role in page.locator("#signed-in").inner_text()
        for tab in ROOMS[role]:
            open_tab(page, tab)
            page.wait_for_timeout(400)
            if tab == "Library":
                assert page.get_by_role("button", name="Add to the library").is_visible()
            page.set_viewport_size({"width": 375, "height": 800})
            page.wait_for_timeout(300)
            assert overflow(page) <= 0, f"{tab} overflows at 375 px for {role}"
            page.set_viewport_size({"width": 1400, "height": 900})
    finally:
        page.context.close()


def test_staff_practise_two_turns_and_reread_one(server, browser):
    url, _ = server
    page = signed_in(browser, url, "Sam Staff")
    try:
        box = page.locator("#practice-answer textarea")
        for turn in (1, 2):
            box.fill(STRONG)
            box.press("Enter")
            page.wait_for_function(
                "(n) => (document.querySelector('#practice-chat').innerText.match(/Score \\d+\\/100/g) || []).length >= n",
                arg=turn, timeout=60_000,
            )
        chat = page.locator("#practice-chat").inner_text()
        assert len(re.findall(r"Score \d+/100", chat)) == 2 and chat.count("Follow-up:") == 2
        assert "for the whole answer (2 turns)" in chat  # the reply was coached with the answer it follows
        page.locator("#practice-chat").get_by_text("Score by dimension").last.click()
        page.locator("#practice-chat .pb-dims").last.wait_for(state="visible", timeout=5_000)
        shot(page, "practice-turn-1400")
        page.set_viewport_size({"width": 375, "height": 800})
        page.wait_for_timeout(400)
        assert overflow(page) <= 0
        shot(page, "practice-turn-375")
        page.set_viewport_size({"width": 1400, "height": 900})

        # My progress: no box to look at someone else; the seeded attempt and the new one, whose
        # two turns (the answer and the reply to its follow-up) are one attempt; reread in full.
        open_tab(page, "My progress")
        assert not page.get_by_label("Person (empty: you)").is_visible()
        dates = "() => (document.querySelector('#my-attempts')?.innerText.match(/\\d{4}-\\d\\d-\\d\\d/g) || []).length"
        page.wait_for_function(f"{dates} >= 2", timeout=60_000)
        assert page.evaluate(dates) == 2  # a reply to a follow-up is a turn, not an attempt of its own
        page.locator('#my-attempts [role="gridcell"]').filter(has_text=re.compile(r"\d{4}-\d\d-\d\d")).last.click()
        page.wait_for_function(
            "() => (document.querySelector('#my-attempt')?.innerText || '').includes('Follow-up')", timeout=30_000
        )
        reread = page.locator("#my-attempt").inner_text()
        assert reread.count("When Mrs B raised a concern") == 2  # both turns, as given
        assert re.search(r"\b\d{1,3}/100\b|Score", reread)
        shot(page, "my-progress-reread-1400")
    finally:
        page.context.close()


def test_an_expected_error_is_one_warning_and_no_traceback(server, browser):
    url, log = server
    page = signed_in(browser, url, "Kim Staff")
    try:
        page.locator("#practice-send").click()  # nothing typed
        toast = page.locator(".toast-body")
        toast.first.wait_for(timeout=15_000)
        page.wait_for_timeout(500)
        assert toast.count() == 1
        text = toast.first.inner_text()
        assert "Warning" in text and "Write an answer first" in text and "Error" not in text
        message = page.locator(".toast-message-text").all_inner_texts()
        assert len(message) == 1 and message[0][0].isupper()
        assert page.locator(".error").count() == 0  # no error badge laid over the page
        assert page.locator("#practice-chat [data-testid='bot']").count() >= 1  # the question is still there
    finally:
        page.context.close()
    served_log = log.read_text(errors="replace")
    assert "Traceback" not in served_log


def test_manager_reads_the_team_story_with_the_disagreement_first(server, browser):
    url, _ = server
    page = signed_in(browser, url, "Mo Manager")
    try:
        open_tab(page, "Team story")  # opens on the manager's own team
        story = page.locator("#team-story")
        page.wait_for_function(
            "() => (document.querySelector('#team-story')?.innerText || '').includes('Consistency')", timeout=120_000
        )
        headings = [h.strip() for h in story.locator("h3").all_inner_texts()]
        assert headings[:2] == ["Consistency", "Key messages and who said them"], headings
        first = story.locator(".pb-conflicts li").first
        text = first.inner_text()
        assert "team members disagree" in text and "Sam Staff" in text and "Kim Staff" in text
        assert "90.6%" in text and "75%" in text
        assert story.locator("details.pb-statement").count() >= 1  # each statement's detail, folded
        assert story.locator("details.pb-statement[open]").count() == 0
        shot(page, "team-story-1400")
        page.set_viewport_size({"width": 375, "height": 800})
        page.wait_for_timeout(400)
        assert overflow(page) <= 0
        shot(page, "team-story-375")
    finally:
        page.context.close()


def test_lead_opens_readiness_and_downloads_the_briefing_pack(server, browser, tmp_path):
    url, _ = server
    page = signed_in(browser, url, "Lee Lead")
    try:
        open_tab(page, "Readiness")
        page.wait_for_function(
            "() => (document.querySelector('#readiness-heatmap')?.innerText || '').includes('Safeguarding')", timeout=120_000
        )
        open_tab(page, "Evidence")
        page.get_by_text("Briefing pack: a printable page per quality statement").click()
        page.locator("#briefing-make").click()
        link = page.locator("#briefing-file a").first
        # The file, or a toast saying why there is none (a failed pack leaves the output empty):
        # said at once, not after a minute of waiting for a link that will never come.
        page.locator("#briefing-file a, .toast-body").first.wait_for(timeout=60_000)
        assert link.count(), page.locator(".toast-body").first.inner_text()
        with page.expect_download() as download:
            link.click()
        path = tmp_path / "briefing.html"
        download.value.save_as(path)
        pack = path.read_text(encoding="utf-8")
        for q in ("Safeguarding", "Care provision, integration and continuity", "Assessing needs"):
            assert q in pack
        assert "<script" not in pack.lower()
        for width in (1400, 375):
            view = page.context.new_page()
            view.set_viewport_size({"width": width, "height": 900})
            view.goto(path.as_uri())
            assert overflow(view) <= 0
            shot(view, f"briefing-pack-{width}")
            view.close()
    finally:
        page.context.close()
