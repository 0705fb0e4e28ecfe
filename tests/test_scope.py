"""Our council and elsewhere, dates on every citation, a lead's corrections, the glossary and
challenge questions: evidence that tells the truth in a library holding several councils."""

from __future__ import annotations

import json
import random

import pytest

from conftest import cli_env, copy_sample
from prep_bot.infra.config import REPO_ROOT
from prep_bot.framework.questions import CHALLENGE_PREFIX
from prep_bot.practice.questions import challenge_questions
from prep_bot.evidence.store import ELSEWHERE

MIXED = REPO_ROOT / "eval" / "mixed"
HOME = "Stockton on Tees"
GOVERNANCE = "stockton-2025-cqc-assessment-governance-management-sustainability.txt"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, sample_store, embedder):
    """The sample library (a copy) plus four other councils' reports added to it (council and
    date from their text)."""
    folder = tmp_path_factory.mktemp("mixed")
    services = sample_store.services(folder / "data", embedder, council=HOME)
    report = services.ingestor.ingest([MIXED])
    assert not report.failed, report.failed
    assert report.count("added") == len(list(MIXED.glob("*.txt"))), report.results
    yield services
    services.close()


def test_documents_carry_council_and_date(mixed):
    docs = {d.doc_id: d for d in mixed.store.documents()}
    assert docs["wrexley-2025-cqc-assessment"].council == "Wrexley City Council"
    assert docs["wrexley-2025-cqc-assessment"].date == "2025-03-14"
    assert docs["harnby-2024-peer-challenge"].date == "2024-06"
    assert docs["saltby-2023-self-assessment"].date == "2023-11"
    assert docs["stockton-2015-lga-personalisation-peer-challenge"].date == "2015-12"  # from the manifest
    dated = [d.doc_id for d in docs.values() if mixed.store.is_dated(d)]
    assert "stockton-2015-lga-personalisation-peer-challenge" in dated
    assert "stockton-2025-cqc-assessment-care-provision-integration-continuity" not in dated


def test_search_keeps_to_the_home_council_unless_asked(mixed):
    question = "How long did people wait for home care or a care home place?"
    home = mixed.store.search(question, k=8)
    assert home and all(h.passage.council.startswith("Stockton") for h in home)
    everywhere = mixed.store.search(question, k=8, council="all")
    assert {h.passage.council for h in everywhere} - {h.passage.council for h in home}  # others come in
    elsewhere = mixed.store.search(question, k=5, council=ELSEWHERE)
    assert elsewhere and not any(h.passage.council.startswith("Stockton") for h in elsewhere)
    only = mixed.store.search(question, k=5, council="eastmere")
    assert only and all(h.passage.council == "Eastmere County Council" for h in only)
    with pytest.raises(ValueError):
        mixed.store.search(question, council="County Council")  # names no council


def test_coach_and_claim_check_use_only_home_evidence(mixed):
    feedback = mixed.coach.coach(
        "care-provision", "How long do people wait for a care home place?",
        "In June 2024 one person waited 76 days for residential support, and we now review every wait weekly.",
    )
    cited = [h.passage.council for h in feedback.evidence] + [c.evidence.passage.council for c in feedback.claims if c.evidence]
    assert cited and all(c.startswith("Stockton") for c in cited)


def test_readiness_counts_only_home_evidence(mixed, make_sample_services):
    alone = make_sample_services(council=HOME)  # the sample library alone
    mine = {r.qs: r.evidence_passages for r in mixed.insights.readiness(attempts=[])}
    assert mine == {r.qs: r.evidence_passages for r in alone.insights.readiness(attempts=[])}


def test_json_contract_and_cli_scope(mixed, invoke):
    env = cli_env(mixed.settings.data_dir) | {"PREP_BOT_COUNCIL": HOME}

    def run(*args):
        done = invoke(*args, "--json", env=env)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    hits = run("search", "waiting for a care home place", "--k", "5")
    for h in hits:
        assert {"id", "date", "council", "tag_confidence", "tag_source"} <= set(h)
        assert h["council"].startswith("Stockton") and h["tag_source"] in ("heading", "content", "lead")
        assert 0 <= h["tag_confidence"] <= 1 and len(h["date"]) in (7, 10)
    wide = run("search", "waiting for a care home place", "--k", "10", "--council", "all")
    assert any(not h["council"].startswith("Stockton") for h in wide)
    chunks = run("chunks", "--council", "Wrexley")
    assert chunks and {c["council"] for c in chunks} == {"Wrexley City Council"}
    docs = run("docs")
    assert {"date", "council"} <= set(docs[0])


def test_newer_evidence_ranks_first_unless_a_year_is_asked(mixed):
    general = mixed.store.search("direct payments choice and control", k=5)
    asked = mixed.store.search("What did people say about direct payments in 2015?", k=5)
    assert any(h.passage.date.startswith("2015") for h in asked[:2])
    assert not general[0].passage.date.startswith("2015") or len({h.passage.date for h in general}) == 1


def test_lead_correction_survives_reingest_and_new_version(make_services, evidence_dir, tmp_path, invoke):
    services = make_services()
    path = copy_sample(GOVERNANCE, evidence_dir)
    services.ingestor.ingest([path])
    target = next(p for p in services.store.passages() if "dashboards" in p.text)
    assert target.quality_statements[0] == "governance"
    env = cli_env(services.settings.data_dir)
    done = invoke("tag", target.id, "--qs", "learning-improvement,governance", "--polarity", "strength", "--by", "Lead One",
                  env=env)
    assert done.returncode == 0, done.stderr
    assert "learning-improvement" in done.stdout and "catalog.sqlite" in done.stdout

    def current():
        return next(p for p in services.store.passages() if p.text == target.text)

    fixed = current()
    assert fixed.quality_statements == ["learning-improvement", "governance"] and fixed.polarity == "strength"
    assert fixed.tag_source == "lead" and fixed.tag_confidence == 1.0
    correction = services.store.catalog.corrections()[0]
    assert correction.by == "Lead One" and correction.at
    # the filter follows it at once
    hits = services.store.search("data dashboards real-time oversight", k=3, qs="learning-improvement")
    assert any(h.passage.text == target.text for h in hits)
    # re-ingest (same file, changed pipeline fingerprint is not needed: remove and add again)
    services.store.remove_document(fixed.doc_id)
    services.ingestor.ingest([path])
    assert current().quality_statements[0] == "learning-improvement"
    # a new version of the file that still holds the passage
    path.write_text(path.read_text(encoding="utf-8") + "\nA new closing paragraph added in the revised version of this page.\n",
                    encoding="utf-8")
    report = services.ingestor.ingest([path])
    assert report.count("replaced") == 1
    again = current()
    assert again.quality_statements[0] == "learning-improvement" and again.tag_source == "lead"


def test_correction_refuses_bad_input(make_services, evidence_dir):
    from prep_bot.evidence.corrections import correct
    from prep_bot.errors import UnknownPassageError

    services = make_services()
    services.ingestor.ingest([copy_sample(GOVERNANCE, evidence_dir)])
    pid = services.store.passages()[0].id
    with pytest.raises(UnknownPassageError):
        correct(services.store, services.framework, "no-such-passage", ["governance"], None, "lead")
    for bad in ([], ["nonsense"], ["governance", "safeguarding", "care-provision", "equity-in-experience"]):
        with pytest.raises(ValueError):
            correct(services.store, services.framework, pid, bad, None, "lead")
    assert services.store.catalog.corrections() == []


def test_glossary_expands_queries_and_explains_terms(sample_services):
    glossary = sample_services.glossary
    assert "Better Care Fund" in glossary.expand("pooled health and care budget")
    assert "Deprivation of Liberty Safeguards" in glossary.expand("How long is the DoLS wait?")
    assert glossary.expand("not a term here") == "not a term here"
    assert "OT" not in [t.term for t, _ in glossary.found("this is not ot")]  # acronyms need capitals
    hits = sample_services.store.search("pooled health and care budget", k=5)
    assert any("better care fund" in h.passage.text.lower() for h in hits)
    assert [t.term for t in glossary.explain("The BCF plan was agreed with the ICB.")][:2] == ["BCF", "ICB"]


def test_challenge_questions_are_rare_recent_home_and_aimed(mixed):
    pool = challenge_questions(mixed.store.passages(polarity="improvement"), mixed.settings.stale_years)
    assert pool
    by_id = {p.id: p for p in mixed.store.passages(council="all")}
    for q in pool:
        p = by_id[q.passage_id]
        assert p.council.startswith("Stockton") and not mixed.store.is_dated(p)  # home, within the threshold
        assert q.audience != "any"
    assert len({q.audience for q in pool}) >= 2
    rng = random.Random(7)
    asked: list[str] = []
    for _ in range(200):
        q = mixed.questions.pick(None, audience="frontline", extra=pool, rng=rng, recent=asked)
        assert q.audience in ("frontline", "any")
        asked.append(q.id)
    flags = [a.startswith(CHALLENGE_PREFIX) for a in asked]
    assert 0 < sum(flags) <= len(flags) / 4
    assert all(sum(flags[i : i + 4]) <= 1 for i in range(len(flags) - 3))


def test_challenge_audience_follows_the_finding():
    from prep_bot.practice.questions import audience_for

    assert audience_for("governance", "Leaders should set out a clearer financial strategy and budget plan.") == "senior-leader"
    assert audience_for("assessing-needs", "Case files did not always record the person's own words in assessments.") == "frontline"
    assert audience_for("partnerships-communities", "Partners in the NHS and the voluntary sector wanted earlier involvement.") == "partner"


@pytest.mark.server
def test_practice_shows_what_cqc_found_elsewhere(mixed):
    from gradio_client import Client

    from conftest import served_app

    with served_app(mixed) as url:
        client = Client(url, verbose=False)
        _, panel, _ = client.predict("Ola", "senior-leader", "care-provision", False, api_name="/ask")
    assert 'id="practice-elsewhere"' in panel and "What CQC found elsewhere" in panel
    named = {c for c in ("Wrexley City Council", "Eastmere County Council") if c in panel}
    assert named and "Stockton" not in panel  # other councils' CQC findings only
