"""Coaching as a conversation, and the cases users met that broke trust in the coach, each
reproduced: a reply to the coach's own follow-up scored as a fresh answer; a reason praising a gap,
a plan and a date beside a low score; a wrong figure praised as the strength; an answer hiding a
weakness the evidence names. Attempts keep their turns."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from prep_bot.cli.main import main
from prep_bot.infra import migrations
from prep_bot.practice.attempts import AttemptLog

QUESTION = "How do you know your assessments are strengths-based?"
FIRST = (
    "We rebuilt the assessment form around the person's own words and what they can still do. A man with a learning "
    "disability kept his allotment job because his plan used his brother and the allotment group instead of a day "
    "centre. To be honest our recording still too often starts from what people cannot do, so we re-audit files "
    "every quarter."
)
# A short, fitting answer to the follow-up "How do you know?"
REPLY = "Our last audit in March found strengths recorded in 58% of files, up from 31% a year before, and we want most files there by December."


@pytest.fixture(scope="module")
def coach(sample_services):
    return sample_services.coach


def test_a_reply_to_the_follow_up_is_coached_with_its_answer(coach):
    alone = coach.coach("assessing-needs", QUESTION, REPLY)
    first = coach.coach("assessing-needs", QUESTION, FIRST)
    both = coach.coach("assessing-needs", QUESTION, REPLY, earlier=[FIRST])
    # Alone, the reply looks like a thin answer (users saw 15/100 and "lead with what is
    # different for one person"); with what it follows, it completes a good answer.
    assert alone.score < 40
    assert both.turns == 2 and both.score >= coach.rubric.good and both.score > first.score
    added = {a.name: a for a in both.added}
    assert "data" in added and added["data"].after > added["data"].before and REPLY[:30] in added["data"].quote
    assert both.reply.added.startswith("What your follow-up added: data and comparators")
    assert both.reply.change.name != "outcome"  # the person's outcome was in the first answer
    d = json.loads(json.dumps(both.to_dict()))
    assert d["turns"] == 2 and d["score"] == both.score and d["added"][0]["name"]


def test_cli_earlier_coaches_the_whole_answer(sample_services, monkeypatch, coach):
    monkeypatch.setenv("PREP_BOT_DATA_DIR", str(sample_services.settings.data_dir))
    done = CliRunner().invoke(main, ["coach", "--qs", "assessing-needs", "--question", QUESTION, "--answer", REPLY,
                                     "--earlier", FIRST, "--json"])
    assert done.exit_code == 0, done.output
    d = json.loads(done.output)
    assert d["turns"] == 2 and d["score"] == coach.coach("assessing-needs", QUESTION, REPLY, earlier=[FIRST]).score
    text = CliRunner().invoke(main, ["coach", "--qs", "assessing-needs", "--question", QUESTION, "--answer", REPLY,
                                     "--earlier", FIRST])
    assert "for the whole answer (2 turns)" in text.output and "What your follow-up added" in text.output


def test_a_gap_with_a_plan_and_a_date_is_praised_and_scored_alike(coach):
    # Users saw "Honest about what needs to improve and says what is being done" beside 40, then
    # "Change one thing" asked for exactly that.
    fb = coach.coach(
        "assessing-needs", "How long do people wait for an assessment, and what are you doing about it?",
        "Most people are assessed within four weeks, but people waiting for an occupational therapy assessment wait "
        "around nine weeks, which is too long. We are piloting a trusted assessor role by March so simple equipment "
        "can be ordered at the first visit, and we will report the wait to members every month.",
    )
    learning = next(d for d in fb.dimensions if d.name == "learning")
    assert learning.score >= coach.rubric.good, learning
    assert learning.reason.startswith("Owns ") and "says what is being done" in learning.reason
    assert fb.reply.change.name != "learning"
    assert fb.follow_up != coach.rubric.dimension("learning").probe


INVENTED = (
    "Reablement works here: 99% of people are still at home 91 days after leaving hospital into reablement, "
    "against an England average of 82.4%. A woman who came home after a fall was making her own lunch again "
    "within a month. Carers are well supported too: 80% of carers said they were satisfied with their support, "
    "compared with 36.83% across England in the June 2024 survey. The gap is home care after reablement, where "
    "some people wait weeks, so we are putting those waits on the dashboard this year."
)


def test_a_wrong_figure_is_never_praised_and_keeps_the_score_below_good(coach):
    wrong = coach.coach("care-provision", "What difference does your support make for people?", INVENTED)
    right = coach.coach("care-provision", "What difference does your support make for people?",
                        INVENTED.replace("99%", "94%").replace("80% of carers", "47.83% of carers"))
    contradicted = {c.text for c in wrong.claims if c.status == "contradicted"}
    assert {"99%", "80%"} <= contradicted, [(c.text, c.status) for c in wrong.claims]
    good = coach.rubric.good
    assert wrong.score < good <= right.score, (wrong.score, right.score)
    r = wrong.reply
    assert r.change.name == "data" and "99%" in r.change.advice and "94%" in r.change.advice
    if r.strength:
        assert r.strength.name != "data" and "99%" not in r.strength.reason and "80%" not in r.strength.reason
    assert not any("99%" in d.reason for d in wrong.dimensions if d.score >= good)


# -- honest beats hiding ------------------------------------------------------------------------------
REPORT = """Eastwold County Council adult social care peer challenge

Published May 2024

Quality Statement Eight: Governance, management and sustainability

Strengths

Leaders are visible and staff said they could raise concerns with their managers. The council's dashboards give
managers a timely view of waiting lists, and members receive quarterly reports.

Areas for consideration

Communication from senior leaders does not always reach front-line staff, and some teams said they first heard
about changes from colleagues in other teams. The council should make sure that messages about change reach every
team, and check that they have.
"""
MANIFEST = """documents:
  - file: eastwold-peer-challenge.txt
    title: Eastwold peer challenge
    date: "2024-05"
    doc_type: peer-challenge
"""
ASKED = "How do leaders keep front-line staff informed about what is changing?"
HIDING = (
    "Leaders are very visible here and the director holds a live session every month. Communication from the "
    "leadership team reaches everyone on the front line, so every team hears about changes first-hand."
)
OWNING = (
    "Leaders are very visible here and the director holds a live session every month. But messages from senior "
    "leaders don't always reach the front line, and some teams heard about changes from colleagues first. The "
    "director now sends a weekly note to every team, and we will ask in the spring survey whether people feel informed."
)
ELSEWHERE = (
    "We ring everyone on the waiting list each week, and a woman told us the calls meant she had not been "
    "forgotten. Her husband's falls were picked up on one of those calls and a sensor was fitted that week."
)


@pytest.fixture(scope="module")
def eastwold(tmp_path_factory, embedder):
    from conftest import council_library

    services = council_library(tmp_path_factory, embedder, "eastwold", {"eastwold-peer-challenge.txt": REPORT, "manifest.yaml": MANIFEST})
    assert any("Communication from senior leaders" in p.text for p in services.store.passages(polarity="improvement"))
    yield services
    services.close()


def test_hiding_a_known_weakness_is_told_with_the_evidence_and_its_date(eastwold):
    coach = eastwold.coach
    hiding = coach.coach("governance", ASKED, HIDING)
    owning = coach.coach("governance", ASKED, OWNING)
    note = hiding.reply.honesty_note
    assert note and "Communication from senior leaders does not always reach front-line staff" in note and "(May 2024)" in note
    hid, owned = (next(d for d in fb.dimensions if d.name == "learning") for fb in (hiding, owning))
    assert hid.score < coach.rubric.band_min("fair")
    assert "Says the opposite of the evidence" in hid.reason
    assert hiding.reply.change.name == "learning" and "Don't hide it" in hiding.reply.change.advice
    assert not owning.reply.honesty_note and owned.score >= coach.rubric.good
    assert owning.score > hiding.score + 15
    assert [f["kind"] for f in hiding.to_dict()["honesty"]][:1] == ["claims"]
    # The change to make already quotes the evidence: the reply says it once (users saw it twice).
    assert note not in hiding.reply.notes_beyond_change()
    from prep_bot.ui.practice import coach_message

    assert coach_message(hiding, None).count("Communication from senior leaders does not always reach") == 1


def test_an_answer_about_something_else_raises_no_alarm(eastwold):
    fb = eastwold.coach.coach("governance", ASKED, ELSEWHERE)
    assert not fb.reply.honesty_note and not [f for f in fb.findings if f.kind == "claims"]


# -- attempts keep their turns --------------------------------------------------------------------------
def test_an_attempt_keeps_its_turns(tmp_path):
    log = AttemptLog(f"sqlite:///{tmp_path / 'attempts.sqlite'}")
    try:
        first = log.add(user="ann", team="east", audience="frontline", qs="assessing-needs", question_id="q1",
                        question=QUESTION, answer=FIRST, score=55, dimensions={"outcome": 90, "data": 0})
        assert first.turns is None and first.answers == [FIRST]
        both = log.add_turn(first.id, question="How do you know?", answer=REPLY, score=78,
                            dimensions={"outcome": 90, "data": 76}, feedback={"score": 78, "turns": 2})
        assert both.id == first.id and both.score == 78 and both.dimensions["data"] == 76
        assert both.answers == [FIRST, REPLY] and both.turns[1]["question"] == "How do you know?"
        assert both.answer == f"{FIRST}\n\n{REPLY}"
        assert log.count() == 1 and log.get(first.id).feedback["turns"] == 2
        assert log.add_turn(9999, question="?", answer="x", score=1, dimensions={}) is None
    finally:
        log.close()


def test_a_database_from_before_turns_upgrades(tmp_path):
    """An attempts database at accounts_0002 (attempts without turns) opens, gains the column,
    and its attempts read as one turn each."""
    path = tmp_path / "attempts.sqlite"
    from alembic import command

    from prep_bot.infra.database import make_engine

    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            config = migrations._config(migrations.ACCOUNTS)
            config.attributes["connection"] = connection
            command.upgrade(config, "accounts_0002")
            connection.commit()
    finally:
        engine.dispose()
    with sqlite3.connect(path) as db:
        assert "turns" not in {row[1] for row in db.execute("PRAGMA table_info(attempts)")}
        db.execute(
            "INSERT INTO attempts (user, team, audience, qs, question_id, question, answer, score, dimensions, claims, created_at) "
            "VALUES ('ann', '', 'frontline', 'safeguarding', 'q', 'Q?', 'An old answer.', 40, '{}', '[]', '2024-01-01 00:00:00')"
        )
    log = AttemptLog(f"sqlite:///{path}")
    try:
        old = log.list()[0]
        assert old.turns is None and old.answers == ["An old answer."] and old.score == 40
        again = log.add_turn(old.id, question="How do you know?", answer="We audit it.", score=50, dimensions={})
        assert again.answers == ["An old answer.", "We audit it."]
    finally:
        log.close()
    with sqlite3.connect(path) as db:
        assert "turns" in {row[1] for row in db.execute("PRAGMA table_info(attempts)")}


def test_a_follow_up_that_answers_nothing_new_is_not_asked_the_same_probe_again(coach):
    first = coach.coach("assessing-needs", QUESTION, FIRST)
    again = coach.coach("assessing-needs", QUESTION, "We just try our best with it really.", earlier=[FIRST])
    # The one change can stand, but asking the same probe again leaves the person going in circles.
    assert again.turns == 2 and again.follow_up != first.follow_up
