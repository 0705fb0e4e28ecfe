"""My progress charts that read right (issue 22 item 6): each attempt a point on an axis scaled to
the attempts' own time span (a single sitting is not drawn on hours of empty future); someone with
no attempts gets "No practice yet" and no chart, never the previous person's."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from conftest import served_app, sign_in
from pages import screenshot

pytestmark = [pytest.mark.server, pytest.mark.browser]
PASSWORD = "rehearse-2026"
KIM_DAYS = ["2026-10-06 09:00:00", "2026-10-20 10:00:00", "2026-11-03 11:00:00"]
POINTS_JS = "() => document.querySelectorAll('#my-chart svg g.mark-symbol.role-mark path').length"
X_LABELS_JS = """() => Array.from(document.querySelectorAll('#my-chart svg g[class*="role-axis"]'))
    .filter(g => (g.getAttribute('aria-label') || '').startsWith('X-axis'))
    .flatMap(g => Array.from(g.querySelectorAll('g[class*="role-axis-label"] text')).map(t => t.textContent))"""


@pytest.fixture(scope="module")
def served(tmp_path_factory, embedder):
    from conftest import services_with

    services = services_with(embedder, data_dir=tmp_path_factory.mktemp("charts") / "data")
    for name, role in (("mo", "manager"), ("kim", "staff"), ("sam", "staff"), ("tim", "staff")):
        services.users.add(name, PASSWORD, role=role, team="Front door")
    for n, (qs, score) in enumerate((("safeguarding", 35), ("assessing-needs", 55), ("safeguarding", 68))):
        services.attempts.add(user="kim", team="Front door", audience="frontline", qs=qs, question_id=f"kim-{n}",
                              question=f"Kim's question {n + 1}", answer="An answer.", score=score, dimensions={"outcome": score})
    with services.attempts.engine.begin() as db:
        for n, day in enumerate(KIM_DAYS, 1):
            db.execute(text("UPDATE attempts SET created_at = :day WHERE question = :q"), {"day": day, "q": f"Kim's question {n}"})
    for n, qs in enumerate(("safeguarding", "governance")):  # sam: one sitting, just now
        services.attempts.add(user="sam", team="Front door", audience="frontline", qs=qs, question_id=f"sam-{n}",
                              question=f"Sam's question {n + 1}", answer="An answer.", score=50 + n, dimensions={"outcome": 50})
    try:
        with served_app(services) as address:
            yield services, address
    finally:
        services.close()


def idle(page) -> None:
    """Until no part of the page says it is processing."""
    page.wait_for_function("() => !document.body.innerText.includes('processing')", timeout=30_000)


def show(page, person: str) -> None:
    page.get_by_label("Person (empty: you)").fill(person)
    page.get_by_role("button", name="Show", exact=True).click()


@pytest.mark.parametrize("width", [1400, 375])
def test_points_on_their_own_span_and_no_practice_yet(served, new_page, width):
    _, url = served
    page = new_page(viewport={"width": width, "height": 1000})
    sign_in(page, url, "mo", PASSWORD)
    page.get_by_role("tab", name="My progress").click()
    page.get_by_text("You have no saved answers").wait_for(timeout=30_000)  # the manager's own: none yet

    show(page, "sam")  # one sitting: two statements tried once each, both drawn as points
    page.wait_for_function(f"() => ({POINTS_JS})() === 2", timeout=30_000)
    labels = page.evaluate(X_LABELS_JS)
    now = datetime.now(timezone.utc)
    assert labels, labels
    for label in labels:  # "5 Dec 00:15": every tick within minutes of the sitting, none hours ahead
        tick = datetime.strptime(f"{now.year} {label}", "%Y %d %b %H:%M").replace(tzinfo=timezone.utc)
        assert abs(tick - now) < timedelta(minutes=30), labels
    idle(page)
    screenshot(page, f"progress-sitting-{width}")

    show(page, "kim")
    page.wait_for_function(f"() => ({POINTS_JS})() === 3", timeout=30_000)
    assert "No practice yet" not in page.locator("#my-summary").inner_text()

    show(page, "tim")  # no attempts: said so, and kim's chart is gone
    page.get_by_text("No practice yet.").wait_for(timeout=30_000)
    assert "tim has no saved answers" in page.locator("#my-summary").inner_text()
    page.locator("#my-chart").wait_for(state="hidden", timeout=10_000)
    idle(page)
    screenshot(page, f"progress-none-{width}")


def test_staff_without_practice_see_no_practice_yet(served, new_page):
    _, url = served
    page = new_page(viewport={"width": 1400, "height": 900})
    sign_in(page, url, "tim", PASSWORD)
    page.get_by_role("tab", name="My progress").click()
    page.get_by_text("No practice yet.").wait_for(timeout=30_000)
    assert "You have no saved answers" in page.locator("#my-summary").inner_text()
    assert not page.locator("#my-chart").is_visible()
