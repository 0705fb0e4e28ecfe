"""Sessions belong to an account (issue 20 item 7): a sign-in is bound to the account's id and
session version, so removing the account, or changing its role, team or password, ends every
session of it, and a name re-added after a removal is a new account that no old session reaches.
Sessions also end when idle too long and after PREP_BOT_SESSION_HOURS."""

from __future__ import annotations

import httpx
import pytest

from conftest import served_app
from prep_bot.people.sessions import Sessions

PASSWORD = "a long enough password"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_session_ends_with_its_account_and_with_any_change_to_it(make_services):
    users = make_services().users
    clock = Clock()
    sessions = Sessions(users, hours=8, idle_minutes=60, clock=clock)

    # The finding: a staff session, the account removed and the same name re-added as a lead.
    users.add("Kim", PASSWORD, "staff", "Front door")
    sessions["staff-session"] = "Kim"
    assert sessions.get("staff-session") == "Kim"
    users.remove("Kim")
    assert sessions.get("staff-session") is None  # removed: ended at once
    sessions["was-never-valid"] = "Kim"  # signing in as a name that no longer exists records nothing
    assert sessions.get("was-never-valid") is None
    users.add("kim", PASSWORD, "lead")
    assert sessions.get("staff-session") is None and "staff-session" not in sessions

    for change in ({"role": "manager", "team": "Front door"}, {"team": "Hospital"}, {"password": "another long password"}):
        sessions["lead-session"] = "kim"
        assert sessions.get("lead-session") == "kim"
        users.change("kim", **change)
        assert sessions.get("lead-session") is None, change
    # A fresh sign-in after the change works, under the account's name as stored.
    sessions["fresh"] = "KIM"
    assert sessions.get("fresh") == "kim"


def test_a_session_ends_when_idle_too_long_and_at_its_time_limit(make_services):
    users = make_services().users
    users.add("Ade", PASSWORD, "staff", "Front door")
    clock = Clock()
    sessions = Sessions(users, hours=2, idle_minutes=30, clock=clock)

    sessions["idle"] = "Ade"
    clock.now += 29 * 60
    assert sessions.get("idle") == "Ade"  # used within 30 minutes: still on, and the idle clock restarts
    clock.now += 29 * 60
    assert sessions.get("idle") == "Ade"
    clock.now += 31 * 60
    assert sessions.get("idle") is None

    sessions["busy"] = "Ade"
    for _ in range(5):  # used every 20 minutes: never idle, but 2 hours is the limit
        clock.now += 20 * 60
        assert sessions.get("busy") == "Ade"
    clock.now += 25 * 60  # 125 minutes in, 25 since last used
    assert sessions.get("busy") is None


def _signed_in(url: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    response = client.post("login", data={"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client


def _whoami(client: httpx.Client) -> tuple[int, str]:
    response = client.post("gradio_api/call/whoami", json={"data": []})
    if response.status_code != 200:
        return response.status_code, response.text
    event = client.get(f"gradio_api/call/whoami/{response.json()['event_id']}")
    return event.status_code, event.text


@pytest.mark.server
def test_the_served_app_ends_sessions_of_a_removed_or_changed_account(make_services, invoke):
    services = make_services(session_hours=3)
    services.users.add("kim", PASSWORD, "staff", "Front door")
    services.users.add("lee", PASSWORD, "lead")
    services.attempts.add(user="lee", team="", audience="frontline", qs="governance", question_id="governance-seed",
                          question="lee's own question", answer="seed", score=40, dimensions={})
    with served_app(services) as url:
        kim = _signed_in(url, "kim")
        cookie = next(c for c in kim.cookies.jar)
        assert cookie.expires is not None and 3 * 3600 - 120 <= cookie.expires - __import__("time").time() <= 3 * 3600
        status, text = _whoami(kim)
        assert status == 200 and "kim (staff, Front door)" in text

        # Removed, and the same name re-added as a lead: the old staff session is not the lead.
        services.users.remove("kim")
        services.users.add("kim", PASSWORD, "lead")
        assert _whoami(kim)[0] == 401
        refused = kim.post("gradio_api/call/my_attempts", json={"data": ["lee"]})
        assert refused.status_code == 401 and "lee's own question" not in refused.text

        # A role change on the command line ends the session the new lead signed in with.
        kim = _signed_in(url, "kim")
        assert "kim (lead)" in _whoami(kim)[1]
        changed = invoke("users", "change", "kim", "--role", "staff", "--team", "Front door", data_dir=services.settings.data_dir)
        assert changed.returncode == 0, changed.stderr
        assert "every session signed in as kim has ended" in changed.stdout
        assert _whoami(kim)[0] == 401
        again = _signed_in(url, "kim")
        assert "kim (staff, Front door)" in _whoami(again)[1]

        # Sign-out ends the session on the server too: the cookie kept by someone else is no use.
        stolen = dict(again.cookies)
        again.get("logout")
        replay = httpx.Client(base_url=url, cookies=stolen)
        assert _whoami(replay)[0] == 401
