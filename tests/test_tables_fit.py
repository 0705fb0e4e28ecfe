"""Tables that lead with the number, in the app (issue 22 item 3): My progress's attempts and the
Readiness heatmap show their score in sight, and the Library its documents' titles,, with nothing to scroll sideways, at 1400 px, and are
a card per row at 375 px, the score first on each (a card of My progress opens its attempt)."""

from __future__ import annotations

import pytest

from conftest import served_app, sign_in
from pages import screenshot

pytestmark = [pytest.mark.server, pytest.mark.browser]
PASSWORD = "rehearse-2026"
SCORES = (35, 55, 68)
# Long questions: the table must wrap them, never push the score out of sight.
QUESTION = "Kim's question {n}: how do you make sure that people who draw on care and support, and their carers, " \
           "are kept informed while they wait for an assessment, and who checks that nobody is forgotten?"
# How far an element's content is wider than the element itself (0: nothing to scroll sideways).
SIDEWAYS = "(e) => e ? e.scrollWidth - e.clientWidth : -1"


@pytest.fixture(scope="module")
def served(tmp_path_factory, embedder):
    from conftest import services_with

    services = services_with(embedder, data_dir=tmp_path_factory.mktemp("tables") / "data")
    services.users.add("kim", PASSWORD, role="staff", team="Front door")
    services.users.add("lee", PASSWORD, role="lead", team="")
    for n, score in enumerate(SCORES, 1):
        services.attempts.add(user="kim", team="Front door", audience="frontline", qs="safeguarding", question_id=f"kim-{n}",
                              question=QUESTION.format(n=n), answer=f"Kim's answer {n}.", score=score, dimensions={"outcome": score})
    folder = tmp_path_factory.mktemp("tables-evidence")
    (folder / "front-door-review.md").write_text(
        "# Front door review, May 2025\n\nThe front door resolved 61% of contacts at first contact in 2024/25.\n",
        encoding="utf-8")
    services.ingestor.ingest([folder], council="Ashcombe Borough Council")
    try:
        with served_app(services) as address:
            yield address
    finally:
        services.close()


def in_sight(page, locator, width: int) -> None:
    box = locator.bounding_box()
    assert box and box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= width, box


def no_sideways_scroll(page, width: int, *selectors: str) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    for selector in selectors:
        assert page.eval_on_selector(selector, SIDEWAYS) <= 1, selector


@pytest.mark.parametrize("width", [1400, 375])
def test_my_progress_leads_with_the_score(served, new_page, width):
    page = new_page(viewport={"width": width, "height": 900})
    sign_in(page, served, "kim", PASSWORD)
    page.get_by_role("tab", name="My progress").click()
    if width == 1400:  # the table, score first, every column in its width
        page.wait_for_function("() => (document.querySelector('#my-attempts')?.innerText || '').includes(\"Kim's question 3\")",
                               timeout=30_000)
        for score in SCORES:
            in_sight(page, page.locator('#my-attempts [role="gridcell"]').filter(has_text=str(score)).first, width)
        no_sideways_scroll(page, width, "#my-attempts .virtual-table-viewport")
    else:  # a card per attempt, the score first on each; the table is not shown
        cards = page.locator("#my-attempts-cards tr[data-row]")
        cards.nth(2).wait_for(timeout=30_000)
        assert cards.count() == 3 and not page.locator("#my-attempts").is_visible()
        for n, score in enumerate(SCORES):
            first = cards.nth(n).locator("td").first
            assert first.get_attribute("data-label") == "Score" and first.inner_text().strip() == str(score)
            in_sight(page, first, width)
        no_sideways_scroll(page, width, "#my-attempts-cards")
        cards.nth(1).click()  # a card opens its attempt, as a row of the table does
        page.wait_for_function("() => (document.querySelector('#my-attempt')?.innerText || '').includes(\"Kim's answer 2\")",
                               timeout=30_000)
    screenshot(page, f"tables-my-progress-{width}")


@pytest.mark.parametrize("width", [1400, 375])
def test_readiness_leads_with_the_score(served, new_page, width):
    page = new_page(viewport={"width": width, "height": 900})
    sign_in(page, served, "lee", PASSWORD)
    page.get_by_role("tab", name="Readiness").click()
    page.wait_for_function("() => (document.querySelector('#readiness-heatmap')?.innerText || '').includes('Safeguarding')",
                           timeout=120_000)
    rows = page.locator("#readiness-heatmap tbody tr")
    rows.nth(8).wait_for(timeout=30_000)
    assert rows.count() == 9
    for n in range(9):  # each statement's readiness is its first figure, in sight
        first = rows.nth(n).locator("td").first
        assert first.get_attribute("data-label") == "Readiness"
        in_sight(page, first, width)
    no_sideways_scroll(page, width, "#readiness-heatmap .pb-table-wrap")
    if width == 375:  # a card per statement: its name above its figures
        assert page.evaluate("() => getComputedStyle(document.querySelector('#readiness-heatmap tbody tr')).display") == "block"
        assert not page.locator("#readiness-heatmap thead").is_visible()
    screenshot(page, f"tables-readiness-{width}")


@pytest.mark.parametrize("width", [1400, 375])
def test_the_library_leads_with_the_title(served, new_page, width):
    page = new_page(viewport={"width": width, "height": 900})
    sign_in(page, served, "lee", PASSWORD)
    page.get_by_role("tab", name="Library").click()
    if width == 1400:  # the table: title, date, council and type in its width
        page.wait_for_function("() => (document.querySelector('#library-documents')?.innerText || '').includes('Front door review')",
                               timeout=30_000)
        for text in ("Front door review", "Ashcombe Borough Council"):
            in_sight(page, page.locator('#library-documents [role="gridcell"]').filter(has_text=text).first, width)
        assert not page.locator("#library-cards").is_visible()
        no_sideways_scroll(page, width, "#library-documents .virtual-table-viewport")
    else:  # a card per document, its title first; the table (letters stacked a column wide) is not shown
        card = page.locator("#library-cards tbody tr").first
        card.wait_for(timeout=30_000)
        assert not page.locator("#library-documents").is_visible()
        title = card.locator("td").first
        assert "Front door review" in title.inner_text()
        in_sight(page, title, width)
        assert "Ashcombe Borough Council" in card.inner_text()
        no_sideways_scroll(page, width, "#library-cards")
    screenshot(page, f"tables-library-{width}")
