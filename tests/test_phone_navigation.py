"""Navigation that fits a phone (issue 22 item 2): every room of the role is a visible tab at 375 px
(no "..." menu), the question stays pinned above the chat, and a new reply opens at its score rather
than its tail; at 1400 px too."""

from __future__ import annotations

import pytest

from conftest import STRONG, sign_in
from pages import screenshot

pytestmark = [pytest.mark.server, pytest.mark.browser]
PASSWORD = "rehearse-2026"
ROOMS = ["Practice", "Mock interview", "My progress", "Evidence", "Team story", "Readiness", "Library"]
IN_LOG = """(sel) => { const log = document.querySelector('#practice-chat [role=log]'); const el = sel();
  const a = log.getBoundingClientRect(), b = el.getBoundingClientRect();
  return b.top >= a.top - 2 && b.top < a.bottom && b.top >= -2 && b.top < window.innerHeight; }"""  # 2 px: sub-pixel layout


@pytest.fixture(scope="module")
def url(tmp_path_factory, sample_store, embedder):
    with sample_store.served(tmp_path_factory.mktemp("phone") / "data", embedder, PASSWORD, [("lee", "lead", "")]) as (_, address):
        yield address


def visible_in_chat(page, js_element: str) -> bool:
    return page.evaluate(IN_LOG.replace("sel()", f"({js_element})"), None)


@pytest.mark.parametrize("width,height", [(375, 800), (1400, 900)])
def test_rooms_in_sight_question_pinned_reply_at_its_score(url, new_page, width, height):
    page = new_page(viewport={"width": width, "height": height})
    sign_in(page, url, "lee", PASSWORD)
    page.locator("#practice-chat [data-testid='bot']").first.wait_for(timeout=60_000)
    page.get_by_role("tab", name="Library").wait_for(timeout=30_000)  # the lead's room is set on load
    for room in ROOMS:
        tab = page.get_by_role("tab", name=room, exact=True)
        box = tab.bounding_box()
        assert tab.is_visible() and box and 0 <= box["x"] and box["x"] + box["width"] <= width, (room, box)
    assert page.get_by_role("button", name="More tabs").count() == 0 or not page.get_by_role("button", name="More tabs").is_visible()

    question = "document.querySelector('#practice-chat .message-row')"
    for turn in (1, 2):
        box = page.locator("#practice-answer textarea")
        box.fill(STRONG)
        box.press("Enter")
        page.wait_for_function(
            "(n) => (document.querySelector('#practice-chat').innerText.match(/Score \\d+\\/100/g) || []).length >= n",
            arg=turn, timeout=90_000,
        )
        newest = "[...document.querySelectorAll('#practice-chat .message-row')].filter(r => /Score \\d+\\/100/.test(r.innerText)).pop()"
        # The page scrolls the new reply to its score once it has drawn it: wait for that rather
        # than a fixed time (a loaded machine took longer than half a second).
        try:
            page.wait_for_function(IN_LOG.replace("sel()", f"({newest})"), timeout=10_000)
        except Exception:
            pass
        where = page.evaluate(f"""() => {{ const log = document.querySelector('#practice-chat [role=log]');
            const r = ({newest}).getBoundingClientRect(), a = log.getBoundingClientRect();
            return {{reply: Math.round(r.top), log: [Math.round(a.top), Math.round(a.bottom)], page: Math.round(scrollY),
                     scroll: Math.round(log.scrollTop), height: innerHeight}}; }}""")
        assert visible_in_chat(page, newest), f"reply {turn} does not open at its score: {where}"
        assert visible_in_chat(page, question), ("the question scrolled away", page.evaluate(
            "() => [document.querySelector('#practice-chat [role=log]').getBoundingClientRect().toJSON(), "
            "document.querySelector('#practice-chat .message-row').getBoundingClientRect().toJSON(), window.scrollY]"))
    # The pinned question spans the chat, so no reply scrolling under it shows beside it.
    spans = page.evaluate("""() => { const log = document.querySelector('#practice-chat [role=log]').getBoundingClientRect();
        const q = document.querySelector('#practice-chat .message-row').getBoundingClientRect();
        return [q.left - log.left, log.right - q.right]; }""")
    assert all(abs(x) <= 2 for x in spans), spans
    screenshot(page, f"phone-practice-reply-{width}")
    page.locator("#practice-chat [role=log]").evaluate("(log) => log.scrollTop = log.scrollHeight")
    page.wait_for_timeout(200)
    assert visible_in_chat(page, question), "the question is not pinned at the chat's tail"
