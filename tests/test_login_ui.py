"""Sign-in and roles in the served app, on 127.0.0.1: with accounts, every call needs a sign-in,
the person and team come from the account (never from the boxes typed in the page), and who may
read whose practice is enforced on the server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from conftest import served_app, sign_in

pytestmark = pytest.mark.server


PASSWORDS = {"sam": "sam's password", "mo": "mo's password", "sue": "sue's password", "lee": "lee's password"}
ACCOUNTS = [("sam", "staff", "Front door"), ("mo", "manager", "Front door"), ("sue", "staff", "Hospital"), ("lee", "lead", "")]
ANSWER = (
    "When Mrs B raised a concern about her son taking her money, I asked her what she wanted to happen. "
    "She is back in control of her money and says she feels safe again. We still need to record what people wanted."
)


@pytest.fixture(scope="module")
def served(tmp_path_factory, sample_store, embedder):
    """The sample library in a store of its own (a copy), four accounts, each with earlier
    practice, and the app launched in-process on a free loopback port."""

    root = tmp_path_factory.mktemp("login-ui")
    services = sample_store.services(root / "data", embedder)
    for name, role, team in ACCOUNTS:
        services.users.add(name, PASSWORDS[name], role=role, team=team)
        services.attempts.add(
            user=name, team=team, audience="frontline", qs="governance", question_id="governance-seed",
            question=f"{name}'s earlier question", answer="seed", score=40, dimensions={},
        )
    try:
        with served_app(services) as url:
            yield services, url
    finally:
        services.close()


def signed_in(url: str, name: str):
    from gradio_client import Client

    return Client(url, auth=(name, PASSWORDS[name]), verbose=False)


def rows(table) -> list[list]:
    return table["data"] if isinstance(table, dict) else table


def questions(table) -> list[str]:
    return [row[3] for row in rows(table)]  # score, time, statement, question


def refused(call) -> str:
    with pytest.raises(Exception) as raised:
        call()
    message = str(raised.value)
    assert "Traceback" not in message and 'File "' not in message, message
    return message


def stored_questions(services, name: str) -> list[str]:
    return [a.question for a in services.attempts.list(user=name)]


# -- signing in ----------------------------------------------------------------------------------
def test_nothing_works_without_signing_in(served):
    from gradio_client import Client

    services, url = served
    assert "credentials" in refused(lambda: Client(url, verbose=False))
    refused(lambda: Client(url, auth=("sam", "wrong password"), verbose=False))
    refused(lambda: Client(url, auth=("nobody", PASSWORDS["sam"]), verbose=False))
    # The API itself answers 401, whichever endpoint is called directly.
    for path, data in (("config", None), ("gradio_api/info", None), ("gradio_api/call/my_attempts", {"data": ["sue"]})):
        request = urllib.request.Request(
            url + path, data=json.dumps(data).encode() if data else None, headers={"Content-Type": "application/json"}
        )
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=10)
        assert raised.value.code == 401, path
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(url + "config", timeout=10)
    assert "prep-bot users add" in json.loads(raised.value.read())["detail"]["auth_message"]


def test_the_page_says_who_is_signed_in(served):
    _, url = served
    assert "Signed in as <b>sam (staff, Front door)</b>" in signed_in(url, "sam").predict(api_name="/whoami")
    assert "Signed in as <b>lee (lead)</b>" in signed_in(url, "lee").predict(api_name="/whoami")


def test_the_banner_shows_a_name_with_markup_as_text(served):
    from gradio_client import Client

    services, url = served
    services.users.add("<i>Ann</i>", "ann's password", role="staff", team="Front & back")
    try:
        banner = Client(url, auth=("<i>Ann</i>", "ann's password"), verbose=False).predict(api_name="/whoami")
        assert "Signed in as <b>&lt;i&gt;Ann&lt;/i&gt; (staff, Front &amp; back)</b>" in banner
        assert "<i>" not in banner
    finally:
        services.users.remove("<i>Ann</i>")


# -- the person comes from the sign-in, not the boxes --------------------------------------------
def test_practice_answer_is_saved_under_the_signed_in_person(served):
    services, url = served
    client = signed_in(url, "sam")
    before = {name: len(services.attempts.list(user=name)) for name in PASSWORDS}
    chat, _, _ = client.predict("lee", "frontline", "safeguarding", False, api_name="/ask")
    chat, _ = client.predict(ANSWER, "lee", "Hospital", "frontline", chat, api_name="/answer")
    texts = [m["content"] if isinstance(m["content"], str) else " ".join(p.get("text", "") for p in m["content"]) for m in chat]
    assert any("Saved to your practice history" in t for t in texts) and any('class="pb-dims"' in t for t in texts)

    saved = services.attempts.list(user="sam")
    assert len(saved) == before["sam"] + 1
    last = saved[-1]
    assert (last.user, last.team, last.qs, last.answer) == ("sam", "Front door", "safeguarding", ANSWER)
    assert len(services.attempts.list(user="lee")) == before["lee"]  # the typed name was ignored
    assert services.attempts.list(team="Hospital", user="sam") == []  # and so was the typed team


def test_mock_answer_is_saved_under_the_signed_in_person(served):
    services, url = served
    client = signed_in(url, "sue")
    before = len(services.attempts.list(user="sue"))
    prompt, _, _, _ = client.predict("frontline", 3, 1, api_name="/mock_start")
    assert prompt.startswith("### Question 1 of 3")
    client.predict(ANSWER, "mo", "Front door", api_name="/mock_answer")
    saved = services.attempts.list(user="sue")
    assert len(saved) == before + 1
    assert (saved[-1].user, saved[-1].team, saved[-1].answer) == ("sue", "Hospital", ANSWER)
    assert services.attempts.list(user="mo", team="Front door")[-1].answer != ANSWER


# -- who may read whose practice -----------------------------------------------------------------
def test_staff_read_their_own_attempts_only(served):
    services, url = served
    client = signed_in(url, "sam")
    mine = client.predict(api_name="/my_attempts")
    assert questions(mine) == stored_questions(services, "sam")
    assert "sam's earlier question" in questions(mine)
    assert not any(q.startswith(("sue", "mo", "lee")) for q in questions(mine))
    assert list(mine["headers"]) == ["score", "time", "statement", "question"]
    first = rows(mine)[0]
    assert first[2] == "8. Governance, management and sustainability" and int(first[0]) == 40

    # Asking for someone else is refused by the server, whatever the page shows or hides.
    for other in ("sue", "mo", "lee"):
        assert "their own attempts only" in refused(lambda: client.predict(user=other, api_name="/my_attempts"))
    # Typing another name into the hidden "Your name" box changes nothing.
    assert questions(client.predict(None, "sue", "Hospital", api_name="/my_attempts")) == stored_questions(services, "sam")
    assert questions(client.predict(user="sam", api_name="/my_attempts")) == stored_questions(services, "sam")


def test_managers_read_their_team_but_not_others(served):
    services, url = served
    client = signed_in(url, "mo")
    assert questions(client.predict(user="sam", api_name="/my_attempts")) == stored_questions(services, "sam")
    assert questions(client.predict(api_name="/my_attempts")) == stored_questions(services, "mo")
    for other in ("sue", "lee", "nobody"):
        assert "own team (Front door)" in refused(lambda: client.predict(user=other, api_name="/my_attempts"))


def test_leads_read_everyones(served):
    services, url = served
    client = signed_in(url, "lee")
    for name in PASSWORDS:
        shown = questions(client.predict(user=name, api_name="/my_attempts"))
        assert shown == stored_questions(services, name) and f"{name}'s earlier question" in shown


def test_a_removed_account_is_refused_at_once(served):
    services, url = served
    services.users.add("tim", "tim's password", role="staff", team="Front door")
    from gradio_client import Client

    client = Client(url, auth=("tim", "tim's password"), verbose=False)
    assert client.predict(api_name="/my_attempts")["data"] == []
    chat, _, _ = client.predict("tim", "frontline", "safeguarding", False, api_name="/ask")
    services.users.remove("tim")  # while tim is still signed in: the session ends with the account
    assert "401" in refused(lambda: client.predict(api_name="/my_attempts"))
    assert "401" in refused(lambda: client.predict("tim", "frontline", "safeguarding", False, api_name="/ask"))
    assert "401" in refused(lambda: client.predict(ANSWER, "tim", "", "frontline", chat, api_name="/answer"))
    assert services.attempts.list(user="tim") == []


# -- in the browser -------------------------------------------------------------------------------
@pytest.mark.browser
def test_browser_sign_in_hides_the_name_boxes_and_signs_out(served, new_page):
    services, url = served
    page = new_page(viewport={"width": 1300, "height": 900})
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_label("username").wait_for(timeout=30_000)
    assert "prep-bot users add" in page.inner_text("body")  # what to do without an account
    page.get_by_label("username").fill("sam")
    page.get_by_label("password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("do not match an account").wait_for(timeout=10_000)

    sign_in(page, None, "sam", PASSWORDS["sam"])
    assert "Signed in as sam (staff, Front door)" in page.locator("#signed-in").inner_text()
    assert page.get_by_label("Your name").count() == 0 or not page.get_by_label("Your name").is_visible()
    assert page.get_by_label("Team", exact=True).count() == 0 or not page.get_by_label("Team", exact=True).is_visible()

    page.get_by_role("tab", name="My progress").click()
    page.wait_for_function(
        "() => (document.querySelector('#my-attempts')?.innerText || '').includes(\"sam's earlier question\")",
        timeout=30_000,
    )
    shown = page.locator("#my-attempts").inner_text()
    assert "sue's earlier question" not in shown and "mo's earlier question" not in shown

    page.locator("#signed-in a").click()  # sign out, in this tab
    page.get_by_label("username").wait_for(timeout=30_000)
    assert len(page.context.pages) == 1


def test_only_a_lead_may_correct_tags(served):
    services, url = served
    passage = services.store.passages()[0]
    before = (list(passage.quality_statements), passage.tag_source)
    message = refused(lambda: signed_in(url, "sam").predict(passage.id, ["safeguarding"], "keep", api_name="/correct_tags"))
    assert "for leads" in message
    stored = services.store.passage(passage.id)
    assert (stored.quality_statements, stored.tag_source) == before and services.store.catalog.corrections() == []
    saved = signed_in(url, "lee").predict(passage.id, ["safeguarding", "governance"], "keep", api_name="/correct_tags")
    assert "Saved" in saved and "Safeguarding" in saved
    stored = services.store.passage(passage.id)
    assert stored.quality_statements == ["safeguarding", "governance"] and stored.tag_source == "lead"
    assert services.store.catalog.corrections()[0].by == "lee"
