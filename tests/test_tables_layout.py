"""Tables that lead with the number (issue 22 item 3): the mock interview's "Question by question"
shows score, work on and time without sideways scrolling at 1400 px, and is a card per question at
375 px (drawn in chromium with the app's own CSS); My progress leads with the score at both widths."""

from __future__ import annotations

import pytest

from pages import screenshot
from prep_bot.ui.render import CSS, summary_table

pytestmark = pytest.mark.browser
LONG = ("Once you have agreed what support someone needs, how quickly can you get it in place, and how much real "
        "choice does the person have over who provides it and when?")


def summary_page(framework) -> str:
    rows = [
        {"qs": qs, "question": LONG, "score": 60 + n, "weakest": "Learning and next steps (honest about gaps)",
         "time": "1:05 (over time) · spoken, 140 words a minute"}
        for n, qs in enumerate(("assessing-needs", "safeguarding", "care-provision"))
    ]
    return f"<html><head><style>{CSS}</style></head><body><div style='padding:0 32px'>{summary_table(rows, framework)}</div></body></html>"


@pytest.mark.parametrize("width", [1400, 375])
def test_question_by_question_shows_its_key_columns(new_page, sample_services, width):
    page = new_page(viewport={"width": width, "height": 900})
    page.set_content(summary_page(sample_services.framework))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width  # no sideways scroll
    for label in ("Score", "Work on", "Time"):
        cells = page.locator(f".pb-by-question td[data-label='{label}']")
        assert cells.count() == 3
        for i in range(3):
            box = cells.nth(i).bounding_box()
            assert box and box["width"] > 0 and box["x"] + box["width"] <= width, (label, box)
    first = page.locator(".pb-by-question tbody tr").first
    if width == 375:  # a card: the row is a block, the score reads with its label
        assert page.evaluate("() => getComputedStyle(document.querySelector('.pb-by-question tr')).display") == "block"
        label = page.evaluate("() => getComputedStyle(document.querySelector('.pb-by-question td'), '::before').content")
        assert label == '"Score: "' and first.inner_text().startswith("60"), label
    screenshot(page, f"tables-mock-summary-{width}")
