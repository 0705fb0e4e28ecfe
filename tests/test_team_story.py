"""The team story a manager can act on: consistency first, then which key messages each member
said, then each statement folded; the same order in Markdown; escaped; the readiness report
still rendered; every printable page fits a 375 px phone."""

from __future__ import annotations

import re

import pytest

from conftest import services_with
from pages import IMG, SCRIPT, inspect
from test_insights import add  # a coached answer saved as an attempt
from prep_bot.practice.briefing import briefing_html
from prep_bot.practice.report import readiness_html, team_story_html, team_story_markdown

OFF_TOPIC = "Our team meeting is on Tuesdays and we share the rota by email before the weekend."


@pytest.fixture
def team(sample_services, embedder, tmp_path):
    """The sample library with a fresh attempt log of its own (a settings field: the attempts'
    database): kim repeats a key message of assessing needs and states 75%, sam answers off the
    point and states 90.6% (the evidence's figure)."""
    services = services_with(embedder, data_dir=sample_services.settings.data_dir,
                             database_url=f"sqlite:///{tmp_path / 'team.sqlite'}")
    try:
        message = services.insights.team_story("Front door", [])["statements"][0]["key_messages"][0]
        said = services.store.passage(message["passage_id"]).text[:700]
        add(services, "kim", "Front door", "assessing-needs", "What are you proud of?", said)
        add(services, "kim", "Front door", "assessing-needs", "How fast do you assess people?",
            "We complete 75% of assessments within 28 days; people who wait get a weekly call.")
        add(services, "sam", "Front door", "assessing-needs", "How quickly are assessments done?",
            "Most assessments are quick: 90.6% are completed within 28 days, and we call people weekly while they wait.")
        add(services, "sam", "Front door", "assessing-needs", "What happens in your team?", OFF_TOPIC)
        story = services.insights.team_story("Front door", services.attempts.list(team="Front door"))
        yield services, story, message
    finally:
        services.close()


def test_story_data_names_members_and_who_said_each_message(team):
    _, story, message = team
    assert story["members"] == ["kim", "sam"] and story["attempts"] == 4
    needs = next(s for s in story["statements"] if s["qs"] == "assessing-needs")
    assert needs["practised_by"] == ["kim", "sam"]
    planted = next(m for m in needs["key_messages"] if m["passage_id"] == message["passage_id"])
    assert planted["said_by"] == ["kim"] and planted["mentioned"]
    assert all("sam" not in m["said_by"] for m in needs["key_messages"])  # sam's answers miss them all
    safe = next(s for s in story["statements"] if s["qs"] == "safeguarding")
    assert safe["practised_by"] == [] and all(m["said_by"] == [] for m in safe["key_messages"])
    disagree = next(c for c in story["conflicts"] if c["kind"] == "team members disagree")
    assert {disagree["first"]["who"], disagree["second"]["who"]} == {"kim", "sam"}
    assert disagree["first"]["statement"] == "Assessing needs" and disagree["first"]["when"]
    wrong = next(c for c in story["conflicts"] if c["kind"] == "contradicts the evidence")
    assert wrong["first"]["who"] == "kim" and wrong["second"]["figure"] == "90.6%"
    assert wrong["second"]["when"] == "August 2024" and "August 2024" in wrong["second"]["citation"]


def test_page_puts_consistency_before_the_grid(team):
    _, story, message = team
    for html in (team_story_html(story), team_story_html(story, standalone=True)):
        found, text = inspect(html)
        assert found == []
        consistency, grid, detail = (html.index(f'id="{i}"') for i in ("pb-consistency", "pb-grid", "pb-statements"))
        assert consistency < grid < detail
        section = html[consistency:grid]
        assert "team members disagree" in section and "90.6%" in section and "75%" in section
        assert "contradicts the evidence" in section and "Preparation for Assurance Peer Challenge Report (August 2024" in section
        assert html.count('<details class="pb-statement"') == 9
        # The planted message's row: kim said it, sam answered on the statement without it.
        row = next(r for r in re.findall(r"<tr><th scope=\"row\">.*?</tr>", html, re.S) if message["message"] in inspect(r)[1])
        assert 'class="pb-said" title="kim said it"' in row and 'class="pb-unsaid" title="sam did not say it"' in row
        # Statements nobody practised are named in one line, not as rows of dashes.
        assert "No practice yet on: " in html and "Safe pathways, systems and transitions" in html.split("No practice yet on: ")[1].split("</p>")[0]
    page = team_story_html(story, standalone=True)
    assert page.startswith("<!doctype html>") and "<title>Team story: Front door</title>" in page
    assert "<html" not in team_story_html(story) and "<style>" in team_story_html(story)


def test_markdown_follows_the_same_order(team):
    _, story, _ = team
    md = team_story_markdown(story)
    heads = [line for line in md.splitlines() if line.startswith("## ")]
    assert heads[:3] == ["## Consistency", "## Key messages and who said them", "## Assessing needs"]
    assert "| Quality statement | Key message | kim | sam |" in md
    grid_row = next(line for line in md.splitlines() if line.startswith("| Assessing needs |") and "| said |" in line)
    assert grid_row.endswith("| said | not said |")


def test_hostile_names_answers_and_evidence_are_escaped(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("hostile-story")
    folder = root / "evidence"
    folder.mkdir()
    (folder / "note.txt").write_text(
        f"Safeguarding review {SCRIPT} {IMG}\n\nSafeguarding\n\nAreas for consideration\n\n"
        f"Section 42 enquiries took too long {SCRIPT}: 57% were closed on time, below the England average of 72% {IMG}.\n\n"
        f"Strengths\n\nPeople told us they felt safe {IMG} and were listened to by the safeguarding team.\n",
        encoding="utf-8",
    )
    services = services_with(embedder, data_dir=root / "data")
    try:
        services.ingestor.ingest([folder])
        member = f"Rex {IMG}"
        add(services, member, "Team", "safeguarding", f"Why {SCRIPT}?",
            f"We close 80% of section 42 enquiries on time, as our monthly audit of every case file shows {SCRIPT}.")
        add(services, "ann", "Team", "safeguarding", "How quickly?",
            "We close 65% of section 42 enquiries on time, as our monthly audit of every case file shows.")
        story = services.insights.team_story("Team", services.attempts.list(team="Team"))
        assert any(c["kind"] == "team members disagree" for c in story["conflicts"])
        pages = {
            "fragment": team_story_html(story), "page": team_story_html(story, standalone=True),
            "readiness": readiness_html(services.insights.readiness()),
            "briefing": briefing_html(services.store, services.framework, services.rubric, services.questions),
        }
        for name, html in pages.items():
            found, text = inspect(html)
            assert found == [], (name, found)
            assert SCRIPT not in html and IMG not in html, name
            assert f"Safeguarding review {SCRIPT} {IMG}" in text, name  # the document title, as typed
        for name in ("fragment", "page"):
            _, text = inspect(pages[name])
            assert member in text and f"every case file shows {SCRIPT}" in text
        from markdown_it import MarkdownIt  # as a Markdown viewer renders it (raw HTML allowed)

        found, text = inspect(MarkdownIt("commonmark").enable("table").render(team_story_markdown(story)))
        assert found == [] and member in text and SCRIPT in text
    finally:
        services.close()


def test_readiness_report_still_rendered(sample_services, tmp_path, invoke):
    rows = sample_services.insights.readiness(attempts=[])
    html = readiness_html(rows)
    assert html.count('<tr><th scope="row">') == 9 and "readiness = 40" in html
    assert html.count('<section class="pb-statement">') == 9 and "Weakest first" in html
    found, text = inspect(html)
    assert found == [] and "Questions the evidence cannot yet answer" in text
    out = tmp_path / "r.html"
    done = invoke("report", "--out", str(out), data_dir=sample_services.settings.data_dir)
    assert done.returncode == 0, done.stderr
    assert "pb-heatmap" in out.read_text() and 'class="pb-table-wrap"' in out.read_text()


@pytest.mark.browser
def test_pages_fit_a_phone_and_print_on_a4(team, tmp_path, new_page):
    services, story, _ = team
    pages = {
        "readiness": readiness_html(services.insights.readiness()),
        "team-story": team_story_html(story, standalone=True),
        "briefing": briefing_html(services.store, services.framework, services.rubric, services.questions),
    }
    page = new_page(viewport={"width": 375, "height": 800})
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        page.goto(path.as_uri())
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{name} is {width} px wide at 375 px"
        # Wide tables scroll inside their wrapper instead of widening the page.
        for table in page.locator("table").all():
            assert table.evaluate("t => t.closest('.pb-table-wrap') !== null"), name
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 2, name
