"""Practice attempts are stored durably and read back per user, team and statement."""

import sqlite3

from prep_bot.practice.attempts import AttemptLog


def _add(log, user="Ana", team="Front door", qs="safeguarding", score=50):
    return log.add(user=user, team=team, audience="frontline", qs=qs, question_id="q1", question="Q?",
                   answer="A.", score=score, dimensions={"outcome": score}, claims=[{"text": "97%", "status": "supported"}])


def test_store_and_read_back(tmp_path):
    log = AttemptLog(f"sqlite:///{tmp_path / 'a.sqlite'}")
    first = _add(log, score=40)
    _add(log, score=60)
    _add(log, user="Bo", team="Hospital", qs="governance", score=70)
    ana = log.list(user="Ana")
    assert [a.score for a in ana] == [40, 60]
    assert ana[0].id == first.id and ana[0].dimensions == {"outcome": 40} and ana[0].claims[0]["status"] == "supported"
    assert ana[0].created_at is not None
    assert [a.user for a in log.list(team="Hospital")] == ["Bo"]
    assert log.mean_by_qs(user="Ana") == {"safeguarding": 50.0}
    assert log.count() == 3
    assert log.delete_user("Ana") == 2 and log.count() == 1
    log.close()


def test_survives_reopening_and_uses_wal(tmp_path):
    path = tmp_path / "attempts.sqlite"
    log = AttemptLog(f"sqlite:///{path}")
    _add(log)
    log.close()
    assert AttemptLog(f"sqlite:///{path}").count() == 1
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_database_url_setting_moves_the_log(make_services, tmp_path):
    elsewhere = tmp_path / "elsewhere" / "practice.db"
    elsewhere.parent.mkdir()
    services = make_services(database_url=f"sqlite:///{elsewhere}")
    _add(services.attempts)
    assert elsewhere.exists() and not (services.settings.data_dir / "attempts.sqlite").exists()
    default = make_services()
    _add(default.attempts)
    assert (default.settings.data_dir / "attempts.sqlite").exists()
