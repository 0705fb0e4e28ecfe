"""Nothing kept in the browser (issue 20 item 4): Gradio's run history is off, so an answer, a
team's story or an export never lands in localStorage or sessionStorage, and sign-out tells the
browser to clear the site's storage besides. Read in a real Chromium, as the next person at a
shared council PC could."""

from __future__ import annotations

import pytest

from conftest import STRONG, served_app, sign_in

pytestmark = [pytest.mark.server, pytest.mark.browser]

PASSWORD = "a long enough password"
TEAM_ANSWER = "We rebuilt the front door triage rota after the Harbourside review so nobody waits past noon."

STORAGE = """() => {
  const dump = (s) => Object.fromEntries(Array.from({length: s.length}, (_, i) => [s.key(i), s.getItem(s.key(i))]));
  return {local: dump(window.localStorage), session: dump(window.sessionStorage)};
}"""


def _held(storage: dict) -> str:
    return "\n".join(f"{k}={v}" for area in storage.values() for k, v in area.items())


def test_answers_and_stories_are_not_kept_in_browser_storage(make_sample_services, new_page):
    services = make_sample_services()
    services.users.add("lee", PASSWORD, "lead", "Front door")
    services.users.add("sam", PASSWORD, "staff", "Front door")
    services.attempts.add(user="sam", team="Front door", audience="frontline", qs="safeguarding", question_id="safeguarding-seed",
                          question="How do you make safeguarding personal?", answer=TEAM_ANSWER, score=60, dimensions={})
    with served_app(services) as url:
        page = new_page(viewport={"width": 1300, "height": 900})
        sign_in(page, url, "lee", PASSWORD)
        page.locator("#practice-chat [data-testid='bot']").first.wait_for(timeout=60_000)
        page.locator("#practice-answer textarea").fill(STRONG)
        page.locator("#practice-send").click()
        page.wait_for_function("() => /Score \\d+\\/100/.test(document.querySelector('#practice-chat').innerText)", timeout=60_000)
        page.get_by_role("tab", name="Team story").click()
        page.wait_for_function("() => document.body.innerText.includes('Front door')", timeout=60_000)
        page.get_by_role("tab", name="My progress").click()
        page.wait_for_timeout(2_000)  # the tab's calls answered (and, were run history on, saved)
        assert len(services.attempts.list(user="lee")) == 1

        while_signed_in = page.evaluate(STORAGE)
        held = _held(while_signed_in)
        assert STRONG[:60] not in held and TEAM_ANSWER[:40] not in held, held[:2000]
        assert "Score " not in held and "/100" not in held

        page.locator("#signed-in a").click()  # sign out
        page.get_by_label("username").wait_for(timeout=30_000)
        after = page.evaluate(STORAGE)
        held = _held(after)
        assert STRONG[:60] not in held and TEAM_ANSWER[:40] not in held and "Score " not in held, held[:2000]
        assert not after["session"], after["session"]
