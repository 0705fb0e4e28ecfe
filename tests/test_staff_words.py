"""Staff and managers see words, not internals (issue 22 item 7): no markdown symbols, passage ids,
similarity numbers or Gradio's API footer on their pages; one name per feature ("Search the
evidence", "Ask a question"); and without a language model, Ask answers with the whole key
sentences of the best passages, their figures kept, each cited with its document and date."""

from __future__ import annotations

import re

import pytest

from conftest import STRONG, sign_in
from pages import screenshot
from prep_bot.evidence.key_sentences import key_sentences

PASSWORD = "rehearse-2026"
WAIT = "How long do people wait for care at home after reablement?"
# Internals a member of staff should never read: a similarity figure, a passage id, markdown.
INTERNALS = [
    re.compile(r"match \d\.\d\d"), re.compile(r"cosine similarity"), re.compile(r"\bid [\w.-]+:[0-9a-f]{8}"),
    re.compile(r"[\w-]+:[0-9a-f]{8}e?\d*:\d{5}"), re.compile(r"\*\*|\*'|'\*|(?<!\w)_[A-Z]"),
    re.compile(r"Use via API|Built with Gradio"),
]


def internals(text: str) -> list[str]:
    return [m.group(0) for pattern in INTERNALS for m in [pattern.search(text)] if m]


# -- units ------------------------------------------------------------------------------------------
def test_key_sentences_are_whole_and_keep_the_figure():
    text = (
        "However, it was generally observed by the peer team that there could be a greater more defined "
        "*'Home First'* model that has a stronger focus on how services can be shaped to respond quickly to avoid "
        "hospital admission. It was also noted that pathways could be clearer. Some staff cited delays as long as "
        "17 weeks for care at home services to start, following reablement."
    )
    chosen = key_sentences(text, WAIT, limit=1)
    assert chosen == ["Some staff cited delays as long as 17 weeks for care at home services to start, following reablement."]
    assert all(s.endswith(".") for s in key_sentences(text, WAIT))  # never cut mid-sentence


def test_evidence_cards_show_no_score_no_id_no_markdown(sample_services):
    from prep_bot.ui.render import evidence_cards

    hits = sample_services.store.search("Home First model hospital discharge", k=5)
    html = evidence_cards(hits, sample_services.framework, sample_services.store)
    from pages import inspect

    _, text = inspect(html)
    assert internals(text) == [], internals(text)
    assert all(f'data-passage="{h.passage.id}"' in html for h in hits)  # kept for the lead's Correct tags


# -- in the browser -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def url(tmp_path_factory, sample_store, embedder):
    accounts = [("sam", "staff", "Front door"), ("mo", "manager", "Front door")]
    with sample_store.served(tmp_path_factory.mktemp("words") / "data", embedder, PASSWORD, accounts) as (_, address):
        yield address


def visible_text(page) -> str:
    return page.evaluate("() => document.body.innerText")


@pytest.mark.browser
@pytest.mark.parametrize("who,width", [("sam", 1400), ("mo", 375)])
def test_staff_and_managers_read_words(url, new_page, who, width):
    page = new_page(viewport={"width": width, "height": 900})
    sign_in(page, url, who, PASSWORD)
    page.locator("#practice-chat [data-testid='bot']").first.wait_for(timeout=60_000)
    box = page.locator("#practice-answer textarea")
    box.fill(STRONG)
    box.press("Enter")
    page.wait_for_function("() => /Score \\d+\\/100/.test(document.querySelector('#practice-chat').innerText)", timeout=90_000)
    page.locator("#practice-chat").get_by_text("Evidence and figures you could use").last.click()
    page.locator("#practice-chat article").first.wait_for(timeout=10_000)
    assert internals(visible_text(page)) == [], internals(visible_text(page))
    screenshot(page, f"words-practice-{who}-{width}")

    page.get_by_role("tab", name="Evidence").click()
    page.get_by_label("Search the evidence").fill(WAIT)
    page.get_by_role("button", name="Search", exact=True).click()
    page.locator("#evidence-results article").first.wait_for(timeout=60_000)
    page.locator("#ask-question textarea").fill(WAIT)
    page.locator("#ask-send").click()
    page.wait_for_function("() => /\\[1\\]/.test(document.querySelector('#ask-chat').innerText)", timeout=60_000)
    shown = visible_text(page)
    assert internals(shown) == [], internals(shown)
    assert shown.count("Ask the evidence") == 0  # one name per feature: Search, and Ask a question
    answer = page.locator("#ask-chat [data-testid='bot']").last.inner_text()
    assert "17 weeks" in answer, answer  # the key figure, not cut off
    assert "…" not in answer, answer  # whole sentences
    assert re.search(r"\[\d\] “[^”]+\.” \(.+\((\w+ )?\d{4}\)", answer), answer  # cited and dated
    screenshot(page, f"words-evidence-{who}-{width}")
    if who == "mo":  # the manager's Team story says how a message counts as said in words, not as a cosine
        page.get_by_role("tab", name="Team story").click()
        page.get_by_role("button", name="Show team story").click()
        page.get_by_text("Key messages and who said them").first.wait_for(timeout=120_000)
        shown = visible_text(page)
        assert internals(shown) == [], internals(shown)
        screenshot(page, f"words-team-story-{who}-{width}")
