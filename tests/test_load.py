"""Load: `prep-bot loadtest` drives simulated users practising at once against a real
`prep-bot serve` (a subprocess over the sample library); every turn must be answered and
every attempt stored. `make loadtest` runs the full 50 users x 10 turns."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import free_port
from prep_bot.evals.loadtest import default_answers_file, load_answers, percentile
from processes import PREP_BOT, env_for, serving

pytestmark = pytest.mark.slow  # durability: `pytest -m "not slow"` leaves it out

USERS, TURNS = 10, 3


def _loadtest(*args: str, env: dict, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([str(PREP_BOT), "loadtest", *args], capture_output=True, text=True, env=env, timeout=timeout)


@pytest.mark.server
def test_users_practising_at_once_are_all_answered_and_stored(tmp_path, sample_store):
    from prep_bot.practice.attempts import AttemptLog

    data_dir = sample_store.copy(tmp_path / "data")  # the sample library, a copy of its own
    log_path = tmp_path / "serve.log"
    with serving(data_dir, log_path) as (url, proc):
        done = _loadtest("--url", url, "--users", str(USERS), "--turns", str(TURNS), "--timeout", "600", "--json",
                         env=env_for(data_dir))
        assert proc.poll() is None, "the server died under load"
        result = json.loads(done.stdout)
        assert done.returncode == 0, (result, done.stderr)
        assert result["errors"] == 0, result["error_samples"]
        assert not result["timed_out"]
        assert result["turns_completed"] == result["attempts_stored"] == USERS * TURNS
        assert 0 < result["answer_median_s"] <= result["turn_median_s"] <= result["turn_p95_s"]

        # The database the server writes agrees: each user's turns, under their own name.
        attempts_log = AttemptLog(f"sqlite:///{data_dir / 'attempts.sqlite'}")
        try:
            attempts = [a for a in attempts_log.list() if a.user.startswith(result["user_prefix"])]
        finally:
            attempts_log.close()
    assert len(attempts) == USERS * TURNS
    by_user: dict[str, int] = {}
    for a in attempts:
        by_user[a.user] = by_user.get(a.user, 0) + 1
    assert sorted(by_user.values()) == [TURNS] * USERS
    realistic = {answer for answers in load_answers(default_answers_file()).values() for answer in answers}
    assert all(a.answer in realistic and 0 <= a.score <= 100 and len(a.dimensions) == 6 for a in attempts)
    served_log = log_path.read_text(errors="replace")
    assert "Traceback" not in served_log and "database is locked" not in served_log, served_log[-3000:]


def test_loadtest_reports_a_server_that_is_not_there(tmp_path):
    nobody = f"http://127.0.0.1:{free_port()}/"  # a free port: nothing listens there
    done = _loadtest("--url", nobody, "--users", "3", "--turns", "2", "--timeout", "60", "--json",
                     env=env_for(tmp_path / "unused"), timeout=120)
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert result["errors"] == 3 and result["turns_completed"] == 0
    assert all(e.startswith("connect: ") for e in result["error_samples"])


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 0.5) == 50.0
    assert percentile([3.0], 0.95) == 3.0
    assert percentile([], 0.95) == 0.0
