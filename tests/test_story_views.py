"""The agreed story where managers and leads look: the Team story's grid becomes agreed messages
x team members (each answer judged against the version current when it was given), the
briefing pack prints the agreed story, and readiness marks statements with no approved story."""

from __future__ import annotations

import pytest

from pages import inspect
from prep_bot.practice.attempts import AttemptLog
from prep_bot.practice.briefing import briefing, briefing_html
from prep_bot.practice.report import readiness_html, readiness_markdown, team_story_html, team_story_markdown
from prep_bot.story.model import APPROVED, AgreedFigure, Improvement, Story, Strength
from test_story import COUNCIL, LIBRARY  # noqa: F401 - the same invented council
from conftest import services_with

STORY = Story(
    qs="safeguarding",
    strengths=(
        Strength("People say they feel safe after a safeguarding enquiry, and enquiries start without delay."),
        Strength("Practitioners ask each person at the start what outcome they want from the enquiry."),
    ),
    improvements=(Improvement(
        "Roles in section 42 enquiries are duplicated between teams, and we are setting one clear pathway.",
        "One safeguarding pathway agreed with the locality teams, piloted from April 2026",
        "Fewer hand-offs per enquiry in the quarterly audit",
    ),),
    figures=(AgreedFigure("people who use services who say they feel safe", "91.5%", "England average 70.1%", "2025/26",
                          "Wexcombe adult social care performance report", "2026-03"),),
    questions=("How do you make safeguarding personal?",),
    status=APPROVED,
)
KIM = ("People tell us they feel safe after an enquiry, and we start enquiries straight away without any delay. "
       "We also have duplication between teams on section 42 enquiries, so we are agreeing one pathway.")
SAM = "Our team meeting is on Tuesdays and the rota goes out by email."
LOU = KIM  # said before any story was agreed: not counted


@pytest.fixture(scope="module")
def council(tmp_path_factory, embedder):
    data = tmp_path_factory.mktemp("views")
    services = services_with(embedder, data_dir=data, council=COUNCIL)
    assert services.ingestor.ingest([LIBRARY]).ingested == 2
    yield services
    services.close()


def save(services, user: str, answer: str, qs: str = "safeguarding"):
    question = "How do you keep people safe?"
    fb = services.coach.coach(qs, question, answer)
    return services.attempts.add(
        user=user, team="Hub", audience="frontline", qs=qs, question_id="q", question=question, answer=answer,
        score=fb.score, dimensions={d.name: d.score for d in fb.dimensions},
        claims=[{"text": c.text, "status": c.status} for c in fb.claims], feedback=fb.to_dict(),
    )


@pytest.fixture(scope="module")
def team(council):
    lou = save(council, "lou", LOU)  # before the story
    assert lou.story_version is None
    council.stories.save(STORY, "Lee")
    save(council, "kim", KIM)
    save(council, "sam", SAM)
    return council.insights.team_story("Hub", council.attempts.list(team="Hub"))


def test_the_grid_is_agreed_messages_by_members(team):
    safe = next(s for s in team["statements"] if s["qs"] == "safeguarding")
    assert safe["agreed"] and [m["message"] for m in safe["key_messages"]] == [m.message for m in STORY.messages]
    assert all(m["agreed"] and m["citation"].startswith("agreed story, version 1 (Lee,") for m in safe["key_messages"])
    first, second, third = safe["key_messages"]
    assert first["said_by"] == ["kim"] and third["said_by"] == ["kim"]  # kim carried the first and the gap
    assert second["said_by"] == []
    assert all(m["judged_by"] == ["kim", "sam"] for m in safe["key_messages"])  # lou answered before the story
    assert third["action"].startswith("One safeguarding pathway")
    needs = next(s for s in team["statements"] if s["qs"] == "assessing-needs")
    assert not needs["agreed"] and all(not m.get("agreed") for m in needs["key_messages"])  # the evidence's own


def test_the_page_and_markdown_show_the_agreed_grid(team):
    found, text = inspect(team_story_html(team))
    assert found == []
    assert "Agreed Strength People say they feel safe" in text
    row = next(line for line in team_story_markdown(team).splitlines() if "Practitioners ask each person" in line)
    assert row.startswith("| Safeguarding | Agreed strength:")
    assert row.endswith("| not said | – | not said |")  # kim, lou, sam in name order: lou was never judged
    first = next(line for line in team_story_markdown(team).splitlines() if "People say they feel safe" in line)
    assert first.endswith("| said | – | not said |")


def test_the_briefing_pack_prints_the_agreed_story(team, council):
    pack = briefing(council.store, council.framework, council.rubric, council.questions, qs="safeguarding",
                    stories=council.stories)
    story = pack["statements"][0]["story"]
    assert story["version"] == 1 and story["by"] == "Lee"
    assert story["figures"][0]["value"] == "91.5%" and story["figures"][0]["date"] == "March 2026"
    found, text = inspect(briefing_html(council.store, council.framework, council.rubric, council.questions, qs="safeguarding", stories=council.stories))
    assert found == []
    assert "Our agreed story" in text and "Version 1, approved by Lee" in text
    for m in STORY.messages:
        assert m.message in text
    assert "What we are doing: One safeguarding pathway agreed" in text
    assert "91.5% people who use services who say they feel safe (2025/26) England average 70.1%" in text
    _, other = inspect(briefing_html(council.store, council.framework, council.rubric, council.questions, qs="assessing-needs", stories=council.stories))
    assert "No agreed story yet" in other and "Our agreed story" not in other


def test_readiness_marks_statements_with_no_approved_story(team, council):
    rows = council.insights.readiness()
    marked = {r.qs: r.agreed_story for r in rows}
    assert marked["safeguarding"]["version"] == 1 and marked["safeguarding"]["by"] == "Lee"
    assert all(v is None for qs, v in marked.items() if qs != "safeguarding")
    found, text = inspect(readiness_html(rows))
    assert found == []
    assert text.count("No approved story:") == 8 and "Agreed story: version 1, approved by Lee" in text
    md = readiness_markdown(rows)
    assert "| agreed story v1 |" in md and md.count("| no approved story |") == 8
    assert next(r for r in rows if r.qs == "safeguarding").to_dict()["agreed_story"]["version"] == 1


def test_study_cards_fit_the_role_and_escape_what_they_show(team, council):
    from prep_bot.story.card import cards_html, study_card

    version = council.stories.current("safeguarding")
    staff = study_card(version, "Safeguarding", "staff", council.questions)
    manager = study_card(version, "Safeguarding", "manager", council.questions)
    assert staff["say"] == [s.message for s in STORY.strengths]
    assert staff["honest"][0]["action"].startswith("One safeguarding pathway") and not staff["honest"][0]["how_we_know"]
    assert manager["honest"][0]["how_we_know"] == "Fewer hand-offs per enquiry in the quarterly audit"
    assert staff["questions"][0] == "How do you make safeguarding personal?"  # the council's own first
    frontline = {q.text for q in council.questions.select(qs="safeguarding", audience="frontline")}
    assert set(staff["questions"][1:]) <= frontline
    hostile = {**staff, "say": ["<img src=x onerror=alert(1)> we are <b>great</b>"]}
    found, text = inspect(cards_html([hostile], ["Assessing needs"]))
    assert found == [] and "<img src=x onerror=alert(1)> we are <b>great</b>" in text
    assert "Assessing needs: no agreed story yet" in text


def test_practice_shows_the_agreed_story_of_the_question_being_asked(council, embedder, tmp_path):
    """Practice: after each question, the study card of its statement (escaped), or a plain line
    when the statement has no approved story."""
    import dataclasses
    import shutil

    from gradio_client import Client

    from conftest import served_app

    copy = tmp_path / "data"
    shutil.copytree(council.settings.data_dir, copy)
    services = services_with(embedder, data_dir=copy, council=COUNCIL)
    hostile = "<img src=x onerror=alert(1)> we assess <b>quickly</b>"
    try:
        services.stories.save(dataclasses.replace(STORY, qs="assessing-needs", strengths=(Strength(hostile),)), "Lee")
        with served_app(services) as url:
            client = Client(url, verbose=False)
            client.predict("Kim", "frontline", "assessing-needs", False, api_name="/ask")
            found, text = inspect(client.predict("Kim", api_name="/study_card"))
            assert found == [] and hostile in text
            assert "Assessing needs" in text and "approved by Lee" in text and "Say this" in text
            assert "One safeguarding pathway" in text  # what is being done about the area to improve
            assert "91.5% people who use services who say they feel safe" in text
            client.predict("Kim", "frontline", "care-provision", False, api_name="/ask")
            found, text = inspect(client.predict("Kim", api_name="/study_card"))
            assert found == [] and "no agreed story yet" in text and "Say this" not in text
    finally:
        services.close()
