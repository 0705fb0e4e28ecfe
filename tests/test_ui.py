"""The Gradio app served for real on 127.0.0.1: its API through gradio_client, its page in Chromium."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from conftest import chroma_server, copy_sample, free_port, served_app, services_with

pytestmark = pytest.mark.server

REPO = Path(__file__).resolve().parent.parent
GOVERNANCE = "stockton-2025-cqc-assessment-governance-management-sustainability.txt"
GOVERNANCE_ID = "stockton-2025-cqc-assessment-governance-management-sustainability"
HOSTILE_ID = "safeguarding-practice-review"
SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
# The "Safeguarding" heading names the quality statement, so the passage's tag does not hang on content scoring.
HOSTILE_TEXT = f"""Safeguarding practice review

Safeguarding

Section 42 safeguarding enquiries were completed by the adult safeguarding team, and the Safeguarding Adults Board \
reviewed Making Safeguarding Personal outcomes for people who had experienced abuse or neglect. A resident typed \
{SCRIPT} into the feedback form and a partner pasted {IMG} into the board minutes.
"""
QUERY = "section 42 safeguarding enquiries and the Safeguarding Adults Board"


@pytest.fixture(scope="module")
def served(tmp_path_factory, embedder):
    """The app launched in-process on a free port, over a store holding a hostile document; once
    for the module (its tests only read)."""
    root = tmp_path_factory.mktemp("ui")
    evidence_dir = root / "evidence"
    evidence_dir.mkdir()
    copy_sample(GOVERNANCE, evidence_dir)
    (evidence_dir / f"{HOSTILE_ID}.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    services = services_with(embedder, data_dir=root / "data")
    try:
        report = services.ingestor.ingest([evidence_dir])
        assert report.count("added") == 2, report.results
        with served_app(services) as url:
            yield services, url
    finally:
        services.close()


def _articles(page_html: str) -> list[str]:
    return re.findall(r"<article\b.*?</article>", page_html, flags=re.S)


def test_search_api_escapes_evidence_and_filters(served):
    from gradio_client import Client

    services, url = served
    client = Client(url, verbose=False)

    result = client.predict(QUERY, "All", "All", "All", 5, api_name="/search")
    assert isinstance(result, str)
    cards = _articles(result)
    assert 1 <= len(cards) <= 5
    assert f'data-doc="{HOSTILE_ID}"' in cards[0]
    # the passage text is shown, with the hostile markup escaped, never as live HTML
    assert "Section 42 safeguarding enquiries were completed" in result
    assert html.escape(SCRIPT) in result  # &lt;script&gt;window.__pwned=1&lt;/script&gt;
    assert "&lt;script&gt;" in result and "&lt;img src=x onerror=" in result
    assert "<script" not in result.lower()
    assert "<img" not in result.lower()
    assert "<footer>Safeguarding practice review (undated) · Safeguarding</footer>" in cards[0]  # the citation, no date known

    # Both documents answer an unfiltered question about risks and leadership...
    unfiltered = client.predict("risks, safeguarding referrals and leaders", "All", "All", "All", 10, api_name="/search")
    assert {f'data-doc="{GOVERNANCE_ID}"', f'data-doc="{HOSTILE_ID}"'} <= set(re.findall(r'data-doc="[^"]+"', unfiltered))
    # ...but with the Safeguarding quality statement only passages tagged with it come back.
    title = html.escape(services.framework.qs("safeguarding").title)
    filtered = client.predict("risks, safeguarding referrals and leaders", "safeguarding", "All", "All", 10, api_name="/search")
    filtered_cards = _articles(filtered)
    assert filtered_cards
    tagged = {p.text for p in services.store.passages() if "safeguarding" in p.quality_statements}
    for card in filtered_cards:
        assert f'<span class="pb-chip">{title}</span>' in card, card
        quoted = html.unescape(re.search(r"<blockquote>(.*?)</blockquote>", card, flags=re.S).group(1))
        assert quoted in tagged
    # the filter really removed something: unfiltered, some cards are not about safeguarding
    assert any(f'<span class="pb-chip">{title}</span>' not in card for card in _articles(unfiltered))

    documents = client.predict(api_name="/documents")
    rows = documents["data"] if isinstance(documents, dict) else documents
    listed = {row[-1]: row for row in rows}  # title, date, council, type, passages, id
    assert set(listed) == {GOVERNANCE_ID, HOSTILE_ID}
    assert listed[HOSTILE_ID][0] == "Safeguarding practice review"
    assert int(listed[GOVERNANCE_ID][4]) == services.store.catalog.document(GOVERNANCE_ID).chunks
    assert listed[GOVERNANCE_ID][3] == "CQC assessment"  # the kind of document in words, not its slug


def test_empty_query_is_refused_with_a_hint(served):
    from gradio_client import Client

    _, url = served
    client = Client(url, verbose=False)
    for blank in ("", "   "):
        with pytest.raises(Exception) as raised:
            client.predict(blank, "All", "All", "All", 5, api_name="/search")
        assert "Type a question" in str(raised.value)
    with pytest.raises(Exception) as raised:
        client.predict("carers " * 400, "All", "All", "All", 5, api_name="/search")
    assert "too long" in str(raised.value) and "2,000 characters" in str(raised.value)
    # the app is still serving after the refusals
    assert _articles(client.predict(QUERY, "All", "All", "All", 3, api_name="/search"))


@pytest.mark.browser
def test_browser_search_shows_cards_and_runs_no_evidence_script(served, new_page):
    _, url = served
    dialogs: list[str] = []
    page = new_page(viewport={"width": 1280, "height": 1000})
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("tab", name="Evidence").click(timeout=30_000)
    box = page.get_by_label("Search the evidence")
    box.wait_for(timeout=30_000)
    box.fill(QUERY)
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_selector("#evidence-results article", timeout=30_000)

    cards = page.locator("#evidence-results article")
    assert cards.count() >= 1
    first = cards.first
    assert first.get_attribute("data-doc") == HOSTILE_ID
    shown = first.locator("blockquote").inner_text()
    assert SCRIPT in shown and "onerror" in shown  # displayed as text, verbatim
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("#evidence-results script").count() == 0
    assert page.locator("#evidence-results img").count() == 0
    page.wait_for_timeout(300)  # give any injected handler a moment to fire
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == []

    shots = REPO / "screenshots"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / "evidence-search.png"), full_page=True)
    assert (shots / "evidence-search.png").stat().st_size > 10_000



def test_store_going_away_is_explained_in_the_app(make_services, evidence_dir, tmp_path):
    from gradio_client import Client

    from prep_bot.ui.app import launch

    copy_sample(GOVERNANCE, evidence_dir)
    with chroma_server(tmp_path / "chroma-server") as (chroma_port, proc):
        services = make_services(chroma_url=f"http://127.0.0.1:{chroma_port}")
        assert services.ingestor.ingest([evidence_dir]).count("added") == 1
        port = free_port()
        app = launch(services, "127.0.0.1", port, block=False)
        try:
            client = Client(f"http://127.0.0.1:{port}/", verbose=False)
            assert _articles(client.predict("corporate risk register", "All", "All", "All", 3, api_name="/search"))
            proc.terminate()  # the Chroma server stops while the app keeps serving
            proc.wait(timeout=15)
            with pytest.raises(Exception) as raised:
                client.predict("corporate risk register", "All", "All", "All", 3, api_name="/search")
            assert "Chroma" in str(raised.value), str(raised.value)
        finally:
            app.close()
