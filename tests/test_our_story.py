"""The "Our story" room (leads): a lead opens a statement's story (a draft from the evidence at
first), edits it and approves it, each save a new version with who and when; staff and managers
are refused at the use case and through the page's API; the Team story's grid then uses the
agreed story (and says plainly when none is approved); the study card shows each signed-in role
its own card. On the sample library, served in this process with accounts."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import sign_in, served_app
from pages import inspect
from prep_bot.app.policy import Action
from prep_bot.people.identity import AccessDenied, Identity
from prep_bot.story.model import StoryError

PASSWORD = "rehearse-2026"
ACCOUNTS = [("Lee Lead", "lead", ""), ("Mo Manager", "manager", "Front door"), ("Sam Staff", "staff", "Front door")]
SHOTS = Path(os.environ.get("PREP_BOT_STORY_SHOTS", "/tmp/shots/story23"))
SAM_SAYS = ("We keep people safe by asking them at the start what outcome they want, and people tell us they feel "
            "safe afterwards. Roles between teams in section 42 enquiries are still duplicated.")


@pytest.fixture(scope="module")
def council(tmp_path_factory, sample_store, embedder):
    services = sample_store.services(tmp_path_factory.mktemp("our-story") / "data", embedder)
    for name, role, team in ACCOUNTS:
        services.users.add(name, PASSWORD, role=role, team=team)
    services.attempts.add(user="Sam Staff", team="Front door", audience="frontline", qs="safeguarding", question_id="q",
                          question="How do you keep people safe?", answer=SAM_SAYS, score=60, dimensions={})
    services.attempts.add(user="Sam Staff", team="Front door", audience="frontline", qs="care-provision", question_id="q2",
                          question="How do you commission care?", answer="We work with local providers.", score=40,
                          dimensions={})  # a statement no story is approved on
    yield services
    services.close()


@pytest.fixture(scope="module")
def url(council):
    with served_app(council) as served:
        yield served


def who(services, name: str) -> Identity:
    return Identity.of(services.users.get(name))


def completed(story: dict) -> dict:
    """A drafted story with what only a lead can write filled in."""
    for item in story["improvements"]:
        item["action"] = item["action"] or "A monthly audit by team managers"
        item["how_we_know"] = item["how_we_know"] or "The quarterly audit shows it"
    return story


def test_a_lead_approves_and_a_new_version_keeps_who_and_when_staff_and_managers_are_refused(council):
    agreed = council.agreed_story
    lee, mo, sam = (who(council, n) for n, _, _ in ACCOUNTS)
    room = agreed.room(lee, "governance")
    assert room.drafted and room.latest is None and room.story.strengths  # a draft from the evidence, not saved
    for person in (mo, sam):
        with pytest.raises(AccessDenied, match="only a lead can change the agreed story"):
            agreed.room(person, "governance")
        with pytest.raises(AccessDenied, match=f"{person.name} is {person.role}"):
            agreed.save(person, "governance", completed(room.story.to_dict()), approve=True)
    assert council.stories.history("governance") == []  # nothing saved by a refusal
    before = datetime.now(timezone.utc)
    first = agreed.save(lee, "governance", completed(room.story.to_dict()), approve=True)
    assert first.version.version == 1 and first.version.approved and first.version.by == "Lee Lead"
    assert before - timedelta(seconds=1) <= first.version.at <= datetime.now(timezone.utc)
    edited = first.room.story.to_dict()
    edited["strengths"][0]["message"] = "Leaders know their services and act on what people tell them."
    second = agreed.save(lee, "governance", edited, approve=True)
    assert second.version.version == 2 and second.room.current.version == 2
    assert [v.version for v, _ in second.room.history] == [2, 1]  # newest first
    assert "+1 strength" in second.room.history[0][1] and "-1 strength" in second.room.history[0][1]
    assert council.stories.get(first.version.id).story.strengths[0].message != edited["strengths"][0]["message"]
    assert agreed.save(lee, "governance", edited, approve=True).version is None  # no change: nothing saved
    assert len(council.stories.history("governance")) == 2
    local = Identity.local("Jo", "")  # no accounts: the person at the keyboard may
    assert council.policy.may(local, Action.AGREE_STORY)
    with pytest.raises(StoryError, match="Your name"):  # but a version must say who saved it
        agreed.save(Identity.local("", ""), "governance", {**edited, "note": "unsigned"})


def client(url: str, name: str):
    from gradio_client import Client

    return Client(url, auth=(name, PASSWORD), verbose=False)


def refused(call, *words: str) -> None:
    with pytest.raises(Exception) as raised:
        call()
    message = str(raised.value)
    assert "Traceback" not in message
    for word in words:
        assert word in message, message


def as_table(rows) -> dict:
    rows = rows["data"] if isinstance(rows, dict) else rows
    return {"headers": [str(n) for n in range(len(rows[0]))] if rows else [], "data": rows}


@pytest.mark.server
def test_the_page_api_refuses_staff_and_managers_and_saves_a_leads_approval(council, url):
    lee, mo, sam = (client(url, n) for n, _, _ in ACCOUNTS)
    status, strengths, improvements, figures, questions, _, history, _ = lee.predict("safeguarding", "", "", api_name="/story")
    assert "No story yet" in status and "No versions saved yet" in history
    improvements = as_table(improvements)
    for row in improvements["data"][:-1]:  # the last row is the empty one to type into
        row[1], row[2] = row[1] or "One safeguarding pathway agreed with the locality teams", row[2] or "Fewer hand-offs in the audit"
    inputs = ("safeguarding", as_table(strengths), improvements, as_table(figures), questions, "Agreed at the board")
    for person, name in ((mo, "Mo Manager is manager"), (sam, "Sam Staff is staff")):
        refused(lambda: person.predict("safeguarding", "", "", api_name="/story"), name, "only a lead")
        refused(lambda: person.predict(*inputs, "", "", api_name="/story_approve"), name, "only a lead")
        refused(lambda: person.predict(*inputs, "", "", api_name="/story_save"), "only a lead")
    assert council.stories.history("safeguarding") == []
    status, *_, history, message = lee.predict(*inputs, "", "", api_name="/story_approve")
    found, text = inspect(status)
    assert found == [] and text.startswith("Approved: version 1, by Lee Lead on ")
    assert "Approved as version 1 by Lee Lead" in message and "Version 1 · approved · Lee Lead" in inspect(history)[1]
    saved = council.stories.current("safeguarding")
    assert saved.by == "Lee Lead" and saved.story.note == "Agreed at the board"
    assert all(i.action and i.how_we_know for i in saved.story.improvements)


@pytest.mark.server
def test_the_team_story_uses_the_agreed_story_and_says_when_none_is_approved(council, url):
    mo = client(url, "Mo Manager")
    html, _ = mo.predict("", "", "", api_name="/team_story")
    _, text = inspect(html)
    if council.stories.current("safeguarding") is None:  # run alone: approve it here, as a lead would
        assert "No agreed story yet: no lead has approved" in text
        room = council.agreed_story.room(who(council, "Lee Lead"), "safeguarding")
        council.agreed_story.save(who(council, "Lee Lead"), "safeguarding", completed(room.story.to_dict()), approve=True)
        html, _ = mo.predict("", "", "", api_name="/team_story")
        _, text = inspect(html)
    agreed = council.stories.current("safeguarding").story
    assert "No agreed story yet" not in text
    assert "No approved story on Care provision, integration and continuity: the rows for it are the evidence's own" in text
    for item in agreed.messages:
        assert item.message in text  # the grid's rows are the agreed messages
    assert f"agreed story, version {council.stories.current('safeguarding').version} (Lee Lead," in text
    assert "Sam Staff" in text


@pytest.mark.server
def test_the_study_card_fits_each_signed_in_role(council, url):
    """Staff get the lines and what is being done; managers also how the council will know."""
    lee = who(council, "Lee Lead")
    if council.stories.current("safeguarding") is None:
        room = council.agreed_story.room(lee, "safeguarding")
        council.agreed_story.save(lee, "safeguarding", completed(room.story.to_dict()), approve=True)
    version = council.stories.current("safeguarding")
    cards = {}
    for name in ("Sam Staff", "Mo Manager"):
        person = client(url, name)
        person.predict("", "frontline", "safeguarding", False, api_name="/ask")
        found, cards[name] = inspect(person.predict("", api_name="/study_card"))
        assert found == [] and f"Agreed story, version {version.version} · approved by Lee Lead" in cards[name]
        assert version.story.strengths[0].message in cards[name]
    assert "What we are doing" in cards["Sam Staff"] and "How we will know" not in cards["Sam Staff"]
    assert "How we will know: " + version.story.improvements[0].how_we_know in cards["Mo Manager"]
    assert len([f for f in version.story.figures if f.value in cards["Mo Manager"]]) == len(version.story.figures)


# -- the room in a browser ------------------------------------------------------------------------
def overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def edit_cell(page, table: str, row: int, column: int, text: str) -> None:
    cell = page.locator(f"#{table} [role=gridcell][data-row='{row}']").nth(column)
    cell.scroll_into_view_if_needed()
    cell.dblclick()
    box = page.locator(f"#{table} textarea[aria-label='Edit cell']")
    box.wait_for(timeout=5_000)
    box.fill(text)
    box.press("Enter")
    page.wait_for_function(
        "([sel, t]) => [...document.querySelectorAll(sel)].some((c) => c.innerText.includes(t))",
        arg=[f"#{table} [role=gridcell][data-row='{row}']", text[:30]], timeout=5_000,
    )


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.server
@pytest.mark.browser
def test_a_lead_edits_and_approves_in_the_room_at_1400_and_375(council, url, new_page):
    """The lead writes what is being done and how they will know (the draft cannot say), approves;
    then on a phone changes a strength and approves again: two versions, newest first."""
    page = new_page(viewport={"width": 1400, "height": 900})
    sign_in(page, url, "Lee Lead", PASSWORD)
    page.locator("#pb-tabs [role=tablist] button[role=tab]", has_text="Our story").click()
    status = page.locator("#story-status .pb-story-status")
    status.wait_for(timeout=60_000)
    assert status.inner_text().startswith("No story yet")  # the first statement: assessing needs
    rows = page.locator("#story-improvements [role=gridcell]").count() // 4 - 1  # the last is the empty one
    assert rows >= 1
    for row in range(rows):
        cells = page.locator(f"#story-improvements [role=gridcell][data-row='{row}']")
        if not cells.nth(1).inner_text().strip():
            edit_cell(page, "story-improvements", row, 1, f"Named worker and timescale for each person waiting ({row + 1})")
        if not cells.nth(2).inner_text().strip():
            edit_cell(page, "story-improvements", row, 2, f"The monthly waiting-list audit ({row + 1})")
    page.locator("#story-note textarea").fill("Agreed at the leadership meeting")
    shot(page, "our-story-editing-1400")
    page.locator("#story-approve").click()
    page.wait_for_function("() => (document.querySelector('#story-message')?.innerText || '').includes('Approved as version 1')",
                           timeout=60_000)
    assert status.inner_text().startswith("Approved: version 1, by Lee Lead on ")
    assert overflow(page) <= 0
    shot(page, "our-story-approved-1400")
    saved = council.stories.current("assessing-needs")
    assert saved.by == "Lee Lead" and saved.story.note == "Agreed at the leadership meeting"
    assert all(i.action and i.how_we_know for i in saved.story.improvements)
    assert any("waiting-list audit" in i.how_we_know for i in saved.story.improvements)  # what the lead typed

    page.set_viewport_size({"width": 375, "height": 800})
    page.wait_for_timeout(400)
    assert overflow(page) <= 0, "the room overflows at 375 px"
    edit_cell(page, "story-strengths", 0, 0, "We assess people quickly and ask first what matters to them.")
    page.locator("#story-approve").click()
    page.wait_for_function("() => (document.querySelector('#story-message')?.innerText || '').includes('Approved as version 2')",
                           timeout=60_000)
    assert status.inner_text().startswith("Approved: version 2, by Lee Lead")
    page.locator("#story-history-box").get_by_text("Version history").click()
    history = page.locator("#story-history")
    history.wait_for(state="visible", timeout=5_000)
    lines = history.inner_text()
    assert lines.index("Version 2") < lines.index("Version 1") and "+1 strength" in lines
    assert overflow(page) <= 0
    shot(page, "our-story-approved-375")
    current = council.stories.current("assessing-needs")
    assert current.version == 2 and current.story.strengths[0].message == "We assess people quickly and ask first what matters to them."
