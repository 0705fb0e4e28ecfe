"""Tag corrections from the passage itself, and the council of uploaded files (issue 22 item 10): a
lead presses "Correct tags" on an evidence card, the form has that passage (no id to copy), and the
correction is stored; staff get no such button; the upload form takes the files' council."""

from __future__ import annotations

import pytest

from conftest import sign_in
from pages import screenshot

pytestmark = [pytest.mark.server, pytest.mark.browser]
PASSWORD = "rehearse-2026"
QUERY = "How long do people wait for care at home after reablement?"


@pytest.fixture(scope="module")
def served(tmp_path_factory, sample_store, embedder):
    accounts = [("lee", "lead", ""), ("sam", "staff", "Front door")]
    with sample_store.served(tmp_path_factory.mktemp("tags") / "data", embedder, PASSWORD, accounts) as (services, address):
        yield services, address


def search(page, url, name):
    sign_in(page, url, name, PASSWORD)
    page.get_by_role("tab", name="Evidence").click()
    page.get_by_label("Search the evidence").fill(QUERY)
    page.get_by_role("button", name="Search", exact=True).click()
    page.locator("#evidence-results article").first.wait_for(timeout=60_000)


def test_a_lead_corrects_tags_from_the_card(served, new_page):
    services, url = served
    page = new_page(viewport={"width": 1400, "height": 900})
    search(page, url, "lee")
    card = page.locator("#evidence-results article").nth(1)
    passage_id = card.get_attribute("data-passage")
    assert "id " not in card.inner_text() and passage_id not in card.inner_text()  # nothing to copy
    card.get_by_role("button", name="Correct tags").click()
    page.wait_for_function("() => (document.querySelector('#correct-chosen')?.innerText || '').startsWith('Chosen: ')",
                           timeout=10_000)
    page.get_by_label("Quality statements", exact=True).click()
    page.get_by_role("option", name="9. Learning, improvement and innovation").click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Save correction").click()
    page.get_by_text("Saved: this passage is now tagged Learning, improvement and innovation").wait_for(timeout=30_000)
    stored = next(p for p in services.store.passages() if p.id == passage_id)
    assert stored.quality_statements == ["learning-improvement"], stored.quality_statements
    screenshot(page, "tags-corrected-1400")


def test_staff_get_no_correct_tags_button(served, new_page):
    _, url = served
    page = new_page(viewport={"width": 375, "height": 900})
    search(page, url, "sam")
    assert page.locator("#evidence-results .pb-correct").count() == 0
    assert not page.locator("#correct-tags").is_visible()


def test_the_upload_form_names_the_council(served, new_page, tmp_path):
    services, url = served
    note = tmp_path / "harbour-house-notes.txt"
    note.write_text("Harbour House respite review\n\nCarers told us the new respite beds at Harbour House gave them a "
                    "real break: 41 carers used them in the first quarter.\n", encoding="utf-8")
    page = new_page(viewport={"width": 1400, "height": 900})
    sign_in(page, url, "lee", PASSWORD)
    page.get_by_role("tab", name="Library").click()
    page.locator("#library-upload input[type=file]").set_input_files(str(note))
    page.get_by_label("Council these files are about").fill("Wintermere Borough Council")
    page.get_by_role("button", name="Add to the library").click()
    page.get_by_text("1 added, 0 not added").wait_for(timeout=120_000)
    doc = next(d for d in services.store.documents() if d.source.endswith("harbour-house-notes.txt"))
    assert doc.council == "Wintermere Borough Council"
    page.wait_for_function("() => (document.querySelector('#library-documents')?.innerText || '').includes('Wintermere Borough Council')",
                           timeout=30_000)
    screenshot(page, "library-council-1400")
