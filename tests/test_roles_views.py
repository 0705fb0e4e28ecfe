"""Each role's view through the running app, signed in with gradio_client: staff see their own
progress only, managers their team's story, leads the readiness heatmap; refusals are made by
the server. The browser test takes a screenshot of the heatmap for a person to check."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import served_app, sign_in

pytestmark = pytest.mark.server
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
PASSWORDS = {"sam": "sam-password-1", "kim": "kim-password-1", "mo": "mo-password-1", "sue": "sue-password-1", "lee": "lee-password-1"}
ACCOUNTS = [("sam", "staff", "Front door"), ("kim", "staff", "Front door"), ("mo", "manager", "Front door"),
            ("sue", "staff", "Hospital"), ("lee", "lead", "")]


@pytest.fixture(scope="module")
def served(tmp_path_factory, sample_store, embedder):
    """The sample library (a copy of its own), five accounts, planted attempts, the app served."""
    root = tmp_path_factory.mktemp("roles")
    services = sample_store.services(root / "data", embedder)
    for name, role, team in ACCOUNTS:
        services.users.add(name, PASSWORDS[name], role=role, team=team)

    def practise(user, team, qs, question, answer):
        fb = services.coach.coach(qs, question, answer)
        services.attempts.add(user=user, team=team, audience="frontline", qs=qs, question_id="q", question=question,
                              answer=answer, score=fb.score, dimensions={d.name: d.score for d in fb.dimensions},
                              claims=[{"text": c.text, "status": c.status} for c in fb.claims])

    # Planted conflicting answers in one team: sam and kim disagree on the same measure.
    practise("sam", "Front door", "assessing-needs", "How quickly are assessments done?",
             "90.6% of assessments are completed within 28 days, and we call people weekly while they wait.")
    practise("kim", "Front door", "assessing-needs", "How fast do you assess people?",
             "We complete 75% of assessments within 28 days; people who wait get a weekly call.")
    practise("sue", "Hospital", "care-provision", "How do you support discharge?", "We work with the wards every day.")
    try:
        with served_app(services) as url:
            yield services, url
    finally:
        services.close()


def client(url, name):
    from gradio_client import Client

    return Client(url, auth=(name, PASSWORDS[name]), verbose=False)


def refused(call, *words):
    with pytest.raises(Exception) as raised:
        call()
    message = str(raised.value)
    assert "Traceback" not in message
    for word in words:
        assert word in message.lower(), message
    return message


def test_staff_cannot_see_team_story_or_readiness(served):
    _, url = served
    sam = client(url, "sam")
    refused(lambda: sam.predict("Front door", "", "", api_name="/team_story"), "manager")
    refused(lambda: sam.predict("", "", api_name="/readiness"), "lead")


def test_manager_sees_own_team_story_with_conflicts_and_exports(served):
    _, url = served
    mo = client(url, "mo")
    html, files = mo.predict("", "", "", api_name="/team_story")
    assert "Team story: Front door" in html
    assert "team members disagree" in html and "90.6%" in html and "75%" in html
    assert "contradicts the evidence" in html
    names = sorted(Path(f).name for f in files)
    assert names == ["team-story-front-door.html", "team-story-front-door.md"]
    md = Path(sorted(files)[1] if files[1].endswith(".md") else files[0]).read_text()
    assert "## Consistency" in md
    refused(lambda: mo.predict("Hospital", "", "", api_name="/team_story"), "own team")


def test_lead_sees_readiness_heatmap_and_any_team(served):
    _, url = served
    lee = client(url, "lee")
    heatmap, details, files = lee.predict("", "", api_name="/readiness")
    assert heatmap.count('<tr><th scope="row">') == 9 and "readiness = 40" in heatmap
    assert "without strong evidence" in details
    assert sorted(Path(f).suffix for f in files) == [".csv", ".html", ".md"]
    html, _ = lee.predict("Hospital", "", "", api_name="/team_story")
    assert "Team story: Hospital" in html


@pytest.mark.browser
def test_heatmap_screenshot(served, new_page):
    _, url = served
    page = new_page(viewport={"width": 1400, "height": 1100})
    sign_in(page, url, "lee", PASSWORDS["lee"])
    page.get_by_role("tab", name="Readiness").click(timeout=30_000)
    # Opening the tab shows the report; nothing to press (a new lead met an empty page).
    page.wait_for_selector("#readiness-heatmap table.pb-heatmap", timeout=90_000)
    assert page.locator("#readiness-heatmap tbody tr").count() == 9
    # The arithmetic is folded under the scores, in words a lead reads.
    assert "cosine" not in page.locator("#readiness-heatmap").inner_text().lower()
    assert not page.get_by_text("readiness = 40").first.is_visible()
    page.wait_for_selector("#readiness-files", state="visible", timeout=30_000)  # then the files, to download
    assert page.locator("#readiness-files a").count() >= 3
    SCREENSHOTS.mkdir(exist_ok=True)
    page.locator("#readiness-heatmap").screenshot(path=str(SCREENSHOTS / "readiness-heatmap.png"))


def test_my_progress_chart_weakest_and_untried(served):

    _, url = served
    sam = client(url, "sam")
    chart, summary = sam.predict("", "", "", api_name="/my_progress")
    data = chart["value"]["data"] if isinstance(chart, dict) and "value" in chart else chart["data"]
    assert len(data) == 1  # sam's one attempt, not kim's or sue's
    assert "Weakest dimensions" in summary and "Questions not yet tried" in summary
    assert "Assessing needs: 14" in summary  # the seeded attempt was a custom question, not one of the 14
    refused(lambda: sam.predict("sue", "", "", api_name="/my_progress"), "own")
