"""Nothing lost on reload (issue 22 item 5): where each account is in the Practice room and in a
mock interview is kept in the shared database, per account, and comes back from a fresh set of
services on the same data dir (as another worker, or the server after a restart, would read it).
Real parts: the migrated SQLite database, the question bank, the use cases and the policy."""

from __future__ import annotations

import json
import threading

from conftest import services_with
from postgres import pg_url, postgres_server  # noqa: F401 - fixtures
from prep_bot.infra import migrations
from prep_bot.infra.config import Settings
from prep_bot.infra.database import make_engine
from prep_bot.app.practice import MIX
from prep_bot.people.identity import Identity
from prep_bot.practice.working import MAX_PART_CHARS, WorkingState

PASSWORD = "a long enough password"
SAM = Identity("sam", "staff", "Front door", True)
ALI = Identity("ali", "staff", "Front door", True)


def test_practice_and_interview_come_back_for_their_own_account_only(tmp_path, embedder):
    data_dir = tmp_path / "data"
    first = services_with(embedder, data_dir=data_dir)
    try:
        first.users.add("sam", PASSWORD, "staff", "Front door")
        first.users.add("ali", PASSWORD, "staff", "Front door")
        drawn = first.practice.draw(SAM, "frontline", MIX)
        shown = [
            {"role": "assistant", "content": f"**Question** {drawn.question.text}"},
            {"role": "user", "content": "We asked Mrs B what mattered to her first."},
            {"role": "assistant", "content": "**Score 61/100**", "metadata": None},
        ]
        first.practice.keep(SAM, drawn.session, shown, "frontline", MIX)
        panel_questions = first.interview.start(SAM, "frontline", 3)
        panel = {"ids": [q.id for q in panel_questions], "index": 1, "limit": 120.0, "started": 1_700_000_000.5,
                 "audience": "frontline", "results": [{"qs": panel_questions[0].qs, "score": 58, "attempt_id": 7}]}
        first.interview.keep(SAM, panel)
        assert first.practice.resume(ALI) is None and first.interview.resume(ALI) is None
    finally:
        first.close()

    again = services_with(embedder, data_dir=data_dir)  # another worker, or the server restarted
    try:
        resumed = again.practice.resume(SAM)
        assert resumed is not None
        assert resumed.drawn.question.id == drawn.question.id
        assert resumed.drawn.session.question_id == drawn.question.id and resumed.drawn.session.asked == [drawn.question.id]
        assert resumed.shown == shown and (resumed.audience, resumed.choice) == ("frontline", MIX)
        state, question = again.interview.resume(SAM)
        assert state == panel and question.id == panel["ids"][1]
        assert again.practice.resume(ALI) is None and again.interview.resume(ALI) is None

        # A later turn keeps the choices made before when the room does not send them again.
        again.practice.keep(SAM, resumed.drawn.session, [*shown, {"role": "assistant", "content": "Let's try again."}])
        assert again.practice.resume(SAM).choice == MIX and len(again.practice.resume(SAM).shown) == 4

        # A panel that has ended is forgotten (its answers are in My progress).
        again.interview.keep(SAM, {**panel, "index": 3})
        assert again.interview.resume(SAM) is None
        assert again.practice.resume(SAM) is not None  # the Practice room's state is its own
    finally:
        again.close()


def test_nameless_local_practice_keeps_nothing(make_services):
    services = make_services()
    local = Identity.local("", "")
    drawn = services.practice.draw(local, "frontline", MIX)
    services.practice.keep(local, drawn.session, [{"role": "assistant", "content": "q"}], "frontline", MIX)
    assert services.practice.resume(local) is None
    assert services.working.load(local.name, "practice") is None


def test_the_store_keys_by_account_and_clears(make_services):
    working: WorkingState = make_services().working
    assert working.save("Sam", "practice", {"a": 1})
    assert working.load(" sam", "practice") == {"a": 1}  # one account, however the name is typed
    assert working.load("ali", "practice") is None
    assert working.save("sam", "interview", {"b": 2}) and working.load("sam", "practice") == {"a": 1}
    working.clear("sam", "practice")
    assert working.load("sam", "practice") is None and working.load("sam", "interview") == {"b": 2}
    assert not working.save("sam", "practice", {"x": "y" * (MAX_PART_CHARS + 1)})  # too large: refused, not cut
    working.clear("sam")
    assert working.load("sam", "interview") is None


def test_a_very_long_conversation_keeps_its_question_and_latest_turns(make_services):
    services = make_services()
    drawn = services.practice.draw(SAM, "frontline", MIX)
    shown = [{"role": "assistant", "content": "the question"}] + [
        {"role": "user", "content": f"turn {n} " + "x" * 100_000} for n in range(15)
    ]
    services.practice.keep(SAM, drawn.session, shown, "frontline", MIX)
    kept = services.practice.resume(SAM).shown
    assert kept[0]["content"] == "the question" and kept[-1]["content"].startswith("turn 14 ")
    assert 1 < len(kept) < len(shown) and len(json.dumps(kept)) <= 1_000_000


def test_removing_an_account_forgets_where_it_was(make_services):
    services = make_services()
    services.users.add("sam", PASSWORD, "staff", "Front door")
    drawn = services.practice.draw(SAM, "frontline", MIX)
    services.practice.keep(SAM, drawn.session, [{"role": "assistant", "content": "the question"}], "frontline", MIX)
    services.working.save("ali", "practice", {"kept": True})
    services.users.remove("sam")
    services.users.add("sam", PASSWORD, "staff", "Front door")  # someone new given the same name
    assert services.practice.resume(SAM) is None
    assert services.working.load("ali", "practice") == {"kept": True}


def test_workers_writing_at_once_on_postgres_each_keep_their_state(pg_url, tmp_path):
    """Several workers (each its own engine) writing accounts' first rows at the same moment on a
    real Postgres: a worker whose insert loses the race updates the row instead; none fails."""
    migrations.migrate(Settings(data_dir=tmp_path / "migrate", database_url=pg_url))
    engines = [make_engine(pg_url) for _ in range(4)]
    start, failures = threading.Barrier(len(engines)), []

    def write(n: int) -> None:
        working = WorkingState(engines[n])
        start.wait()
        try:
            for account in range(20):
                assert working.save(f"user{account}", "practice", {"by": n, "account": account})
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(len(engines))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert not failures, failures
        working = WorkingState(engines[0])
        for account in range(20):
            kept = working.load(f"user{account}", "practice")
            assert kept["account"] == account and kept["by"] in range(len(engines))
    finally:
        for engine in engines:
            engine.dispose()
