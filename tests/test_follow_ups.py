"""A follow-up answer says which attempt it follows (``follows``), where releases before kept a
"#probe" suffix on the question's id: stored attempts are migrated (accounts_0003), exports made
before are linked the same way on import, and nothing else of a stored attempt changes."""

from __future__ import annotations

import sqlalchemy as sa

from prep_bot.infra import migrations
from prep_bot.infra.database import make_engine
from prep_bot.practice.attempts import AttemptLog, linked_follow_ups

# (user, question_id) in the order they were saved, and what each follows once migrated.
SAVED = [
    ("sam", "q1"), ("sam", "q1#probe"), ("sam", "q1#probe"),  # a question, its follow-up, the follow-up's follow-up
    ("kim", "q2#probe"),  # nothing earlier to follow
    ("kim", "q1"), ("kim", "q1#probe"),  # follows kim's own answer, not sam's
    ("ana", "q1#probe"),  # typed under a new name without sign-in: follows the latest answer to q1
    ("sam", "q1"),  # a retry of the question: a fresh answer
]
FOLLOWS = [None, 1, 2, None, None, 5, 6, None]


def _at_0002(url: str) -> None:
    """An attempts database as the release before this one left it."""
    from alembic import command

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            config = migrations._config(migrations.ACCOUNTS)
            config.attributes["connection"] = connection
            command.upgrade(config, "accounts_0002")
            for n, (user, question_id) in enumerate(SAVED, 1):
                connection.execute(sa.text(
                    "INSERT INTO attempts (id, user, team, audience, qs, question_id, question, answer, score, dimensions, "
                    "claims, created_at, feedback) VALUES (:id, :user, '', 'frontline', 'safeguarding', :qid, :question, "
                    ":answer, 50, '{}', '[]', '2026-01-01 10:00:00', NULL)"),
                    {"id": n, "user": user, "qid": question_id, "question": f"question {n}", "answer": f"answer {n}"})
            connection.commit()
    finally:
        engine.dispose()


def test_stored_follow_ups_are_linked_to_what_they_follow(tmp_path):
    url = f"sqlite:///{tmp_path / 'attempts.sqlite'}"
    _at_0002(url)
    log = AttemptLog(url)  # a SQLite store upgrades itself on open
    try:
        attempts = log.list()
        assert [a.follows for a in attempts] == FOLLOWS
        assert [a.question_id for a in attempts] == [qid.removesuffix("#probe") for _, qid in SAVED]
        assert [(a.user, a.question, a.answer) for a in attempts] == [
            (user, f"question {n}", f"answer {n}") for n, (user, _) in enumerate(SAVED, 1)]
        assert [a.is_follow_up for a in attempts] == [f is not None for f in FOLLOWS]
    finally:
        log.close()
    engine = make_engine(url)
    try:
        assert migrations.check(engine, migrations.ACCOUNTS) == migrations.HEADS[migrations.ACCOUNTS]
    finally:
        engine.dispose()


def test_an_export_made_before_is_linked_the_same_way():
    rows = [{"id": n, "user": user, "question_id": qid} for n, (user, qid) in enumerate(SAVED, 1)]
    linked = list(linked_follow_ups(rows))
    assert [r.get("follows") for r in linked] == FOLLOWS
    assert all("#" not in r["question_id"] for r in linked)
    # an export that already has the column is left as it is
    assert list(linked_follow_ups([{"id": 9, "user": "sam", "question_id": "q1", "follows": 4}])) == [
        {"id": 9, "user": "sam", "question_id": "q1", "follows": 4}]


def test_a_new_follow_up_is_saved_with_what_it_follows(tmp_path):
    log = AttemptLog(f"sqlite:///{tmp_path / 'a.sqlite'}")
    try:
        first = log.add(user="sam", team="", audience="frontline", qs="safeguarding", question_id="q1", question="Q?",
                        answer="A.", score=60, dimensions={})
        second = log.add(user="sam", team="", audience="frontline", qs="safeguarding", question_id="q1",
                         question="How do you know?", answer="We asked.", score=55, dimensions={}, follows=first.id)
        assert log.get(second.id).follows == first.id and log.get(first.id).follows is None
    finally:
        log.close()
