"""Readiness, unanswered questions, team story and consistency, and the report formats."""

from __future__ import annotations

import csv
import io

import pytest

from conftest import SAMPLE_LIBRARY, services_with
from prep_bot.practice.insights import WEAK_EVIDENCE, Insights
from prep_bot.practice.report import readiness_csv, readiness_html, readiness_markdown, team_story_html, team_story_markdown

GOVERNANCE_PAGE = "stockton-2025-cqc-assessment-governance-management-sustainability.txt"


def insights_for(services) -> Insights:
    return Insights(services.store, services.framework, services.questions, services.attempts, services.embedder)


def add(services, user, team, qs, question, answer):
    fb = services.coach.coach(qs, question, answer)
    return services.attempts.add(
        user=user, team=team, audience="frontline", qs=qs, question_id="q", question=question, answer=answer,
        score=fb.score, dimensions={d.name: d.score for d in fb.dimensions},
        claims=[{"text": c.text, "status": c.status} for c in fb.claims],
    )


def _spearman(a: list[float], b: list[float]) -> float:
    def ranks(xs):
        order = sorted(range(len(xs)), key=lambda i: xs[i])
        r = [0.0] * len(xs)
        for rank, i in enumerate(order):
            r[i] = rank
        return r

    ra, rb = ranks(a), ranks(b)
    n = len(a)
    return 1 - 6 * sum((x - y) ** 2 for x, y in zip(ra, rb)) / (n * (n * n - 1))


def test_one_statements_evidence_ranks_it_first(make_services):
    services = make_services()
    services.ingestor.ingest([SAMPLE_LIBRARY / GOVERNANCE_PAGE])
    rows = insights_for(services).readiness()
    ranked = sorted(rows, key=lambda r: -r.readiness)
    assert ranked[0].qs == "governance"
    assert ranked[0].readiness >= ranked[1].readiness + 20
    for r in rows:
        if r.qs != "governance":
            assert len(r.unanswered) >= r.questions - 2  # the others show their unanswered questions
            assert all(u.best_score < WEAK_EVIDENCE for u in r.unanswered)


def test_full_library_ordering_follows_the_evidence(sample_services):
    rows = insights_for(sample_services).readiness(attempts=[])
    assert _spearman([r.readiness for r in rows], [r.evidence_passages for r in rows]) >= 0.5
    by = {r.qs: r for r in rows}
    # The sample reports say least about transitions: it must not look ready.
    bottom = sorted(rows, key=lambda r: r.readiness)[:3]
    assert "safe-pathways" in {r.qs for r in bottom}
    assert by["assessing-needs"].readiness > by["safe-pathways"].readiness
    for r in rows:
        assert set(r.evidence_categories) == {"people's experience", "staff and leaders", "partners", "processes", "outcomes data"}
        assert 0 <= r.readiness <= 100


def test_practice_raises_readiness_and_addresses_improvements(make_services):
    services = make_services()
    services.ingestor.ingest([SAMPLE_LIBRARY / GOVERNANCE_PAGE])
    insights = insights_for(services)
    before = {r.qs: r for r in insights.readiness()}["governance"]
    for _ in range(3):
        add(services, "sam", "Front door", "governance", "How do leaders know about performance?",
            "Leaders review a monthly dashboard and we act on it: waits fell after we moved staff to the front door. "
            "We still need better data on self-funders, so we are building that this year.")
    after = {r.qs: r for r in insights.readiness()}["governance"]
    assert after.practice["attempts"] == 3 and after.readiness > before.readiness


def test_consistency_finds_disagreements_and_contradictions(sample_services, embedder, tmp_path):
    # The sample library with an attempt log of its own (a settings field: the attempts' database).
    team = services_with(embedder, data_dir=sample_services.settings.data_dir,
                         database_url=f"sqlite:///{tmp_path / 'team.sqlite'}")
    try:
        add(team, "sam", "Front door", "assessing-needs", "How quickly are assessments done?",
            "Most assessments are quick: 90.6% are completed within 28 days, and we call people weekly while they wait.")
        add(team, "kim", "Front door", "assessing-needs", "How fast do you assess people?",
            "We complete 75% of assessments within 28 days; people who wait get a weekly call.")
        add(team, "kim", "Front door", "safeguarding", "How do you know people are safer?",
            "One woman told us she felt safe again. We ask people what they want at the start.")
        story = insights_for(team).team_story("Front door", team.attempts.list(team="Front door"))
        disagree = [c for c in story["conflicts"] if c["kind"] == "team members disagree"]
        assert len(disagree) == 1
        assert {disagree[0]["first"]["figure"], disagree[0]["second"]["figure"]} == {"90.6%", "75%"}
        wrong = [c for c in story["conflicts"] if c["kind"] == "contradicts the evidence"]
        assert wrong and wrong[0]["first"]["who"] == "kim" and wrong[0]["second"]["figure"] == "90.6%"
        needs = next(s for s in story["statements"] if s["qs"] == "assessing-needs")
        assert needs["attempts"] == 2 and {"90.6%", "75%"} <= set(needs["figures_used"])
        assert needs["key_messages"] and any(not m["mentioned"] for m in needs["key_messages"])
        safe = next(s for s in story["statements"] if s["qs"] == "safeguarding")
        assert safe["examples_used"]  # "One woman told us ..."
        md, html = team_story_markdown(story), team_story_html(story)
        assert "Consistency" in md and "90.6%" in md and "75%" in md
        assert "<script" not in html and "Team story: Front door" in html
    finally:
        team.close()


def test_report_formats(sample_services):
    rows = insights_for(sample_services).readiness(attempts=[])
    html = readiness_html(rows)
    assert html.count('<tr><th scope="row">') == 9 and "pb-heatmap" in html and "readiness = 40" in html
    md = readiness_markdown(rows)
    assert sum(1 for line in md.splitlines() if line.startswith("| ") and "Readiness" not in line) == 9
    table = list(csv.DictReader(io.StringIO(readiness_csv(rows))))
    assert len(table) == 9 and {r["qs"] for r in table} == {r.qs for r in rows}
    assert all(0 <= int(r["readiness"]) <= 100 for r in table)


@pytest.mark.parametrize("hostile", ['<script>alert(1)</script>', '<img src=x onerror="alert(1)">'])
def test_report_escapes_document_text(make_services, evidence_dir, hostile):
    (evidence_dir / "note.txt").write_text(
        f"Safeguarding\n\nAreas for consideration\n\nSection 42 enquiries took too long {hostile} and people waited.\n"
    )
    services = make_services()
    services.ingestor.ingest([evidence_dir])
    html = readiness_html(insights_for(services).readiness())
    assert "<script>" not in html and "onerror=" not in html.replace("onerror=&quot;", "").replace("onerror=&#34;", "")


def test_cli_gaps_and_report(sample_services, tmp_path, invoke):
    import json

    from conftest import cli_env

    env = cli_env(sample_services.settings.data_dir)
    out = invoke("gaps", "--json", env=env)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) == 9
    for row in rows:
        assert {"qs", "title", "readiness", "evidence_passages", "strengths", "improvements", "data_points",
                "evidence_categories", "unanswered", "practice"} <= set(row)
        assert set(row["practice"]) == {"attempts", "mean_score"}
        assert all({"question_id", "text", "best_score"} <= set(u) for u in row["unanswered"])
    for name in ("r.html", "r.md", "r.csv"):
        done = invoke("report", "--out", str(tmp_path / name), env=env)
        assert done.returncode == 0, done.stderr
        assert (tmp_path / name).stat().st_size > 500
    assert "pb-heatmap" in (tmp_path / "r.html").read_text()
    bad = invoke("report", "--out", str(tmp_path / "r.pdf"), env=env)
    assert bad.returncode != 0 and ".html, .md or .csv" in bad.stderr


def test_readiness_details_count_in_words_a_lead_reads(sample_services):
    from dataclasses import replace

    from prep_bot.practice.report import readiness_details_html

    rows = insights_for(sample_services).readiness(attempts=[])
    one = replace(rows[0], unaddressed=rows[0].unaddressed[:1] or ["Carers wait too long for a break."])
    html = readiness_details_html([one])
    assert "1 area for improvement not yet addressed" in html and "1 areas" not in html


def test_the_heatmap_counts_strengths_and_areas_to_improve_rather_than_a_share(sample_services):
    """Every statement of a full library has both, so a share read 100% on every row and said
    nothing; the cell says how many of each."""
    from prep_bot.practice.report import heatmap_table

    rows = insights_for(sample_services).readiness(attempts=[])
    table = heatmap_table(rows)
    at = table["columns"].index("Strengths / to improve")
    for row, r in zip(table["rows"], rows):
        assert row["cells"][at]["text"] == f"{r.strengths} / {r.improvements}"
    assert len({row["cells"][at]["text"] for row in table["rows"]}) > 1


def test_a_key_message_is_the_sentence_that_says_what_its_label_says():
    from prep_bot.practice.insights import _lead

    finding = ("Risks to people on the waiting list were well managed by the duty team. However, waits for an "
               "occupational therapy assessment were too long and there was a backlog of reviews.")
    assert _lead(finding, polarity="improvement").startswith("However, waits")
    assert _lead(finding, polarity="strength").startswith("Risks to people")
    # A short form's full stop ends no sentence: the message is not cut at "e.g.".
    example = "Some reviews are late for people with complex needs, e.g. Care Act reviews for people in care homes."
    assert _lead(example, polarity="improvement") == example
