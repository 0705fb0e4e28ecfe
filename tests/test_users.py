"""Accounts and roles: the user store (Argon2 hashes in the attempts database), what each role may
see, the `prep-bot users` commands run as subprocesses, and `prep-bot serve` refusing to listen
beyond this machine while nobody can sign in."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from conftest import cli_env, free_port
from prep_bot.practice.attempts import AttemptLog
from prep_bot.errors import PrepBotError
from prep_bot.people.accounts import (
    AccessDenied,
    Identity,
    LoginRequired,
    UserError,
    UserStore,
    check_bind,
    is_loopback,
)
from prep_bot.app.policy import Policy
from prep_bot.app.progress import visible_attempts as attempts_seen

REPO = Path(__file__).resolve().parent.parent
PREP_BOT = REPO / ".venv" / "bin" / "prep-bot"
ADD_HINT = "prep-bot users add NAME --role lead --team TEAM"
SAM_PW = "sam's long password"


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "attempts.sqlite"


@pytest.fixture
def log(db):
    attempts = AttemptLog(f"sqlite:///{db}")
    yield attempts
    attempts.close()


@pytest.fixture
def store(log) -> UserStore:
    return UserStore(log)


def _attempt(log: AttemptLog, user: str, team: str, question: str = "Q?", score: int = 50):
    return log.add(user=user, team=team, audience="frontline", qs="safeguarding", question_id="q1",
                   question=question, answer="A.", score=score, dimensions={"outcome": score})


# -- the store -----------------------------------------------------------------------------------
def test_password_is_stored_as_an_argon2_hash_never_in_plain(store, log, db):
    user = store.add("sam", SAM_PW, role="staff", team="Front door")
    assert (user.name, user.role, user.team) == ("sam", "staff", "Front door")
    _attempt(log, "sam", "Front door")
    log.close()  # checkpoint the WAL, so every byte written is in the one file

    con = sqlite3.connect(db)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"users", "attempts"} <= tables  # one database for both
    (stored,) = con.execute("SELECT password_hash FROM users WHERE name = 'sam'").fetchone()
    con.close()
    assert stored.startswith("$argon2id$"), stored
    assert SAM_PW not in stored
    assert PasswordHasher().verify(stored, SAM_PW)
    for path in db.parent.iterdir():
        assert SAM_PW.encode() not in path.read_bytes(), path  # not in the database, its WAL or anywhere beside

    assert not hasattr(user, "password_hash")
    assert set(user.to_dict()) == {"name", "role", "team", "created_at"}


def test_verify_accepts_the_right_password_only(store):
    store.add("  sam ", SAM_PW, role="staff", team=" Front door ")
    assert [u.name for u in store.list()] == ["sam"]  # name and team trimmed
    assert store.get("sam").team == "Front door"
    assert store.verify("sam", SAM_PW).name == "sam"
    assert store.verify(" SAM ", SAM_PW).name == "sam"  # the name, as signed in, is trimmed and case-blind
    assert store.verify("sam", SAM_PW + "x") is None
    assert store.verify("sam", SAM_PW.upper()) is None
    assert store.verify("sam", "") is None
    assert store.verify("nobody", SAM_PW) is None
    assert store.verify("", SAM_PW) is None
    assert store.verify(None, None) is None


def test_add_refuses_duplicates_and_weak_input_with_clear_messages(store):
    store.add("sam", SAM_PW, role="staff", team="Front door")
    cases = [
        (("sam", "another password", "staff", "Front door"), "already exists"),
        ((" SAM ", "another password", "manager", "Hospital"), "already exists"),
        (("ann", "", "staff", "Front door"), "password is required"),
        (("ann", "short12", "staff", "Front door"), "at least 8 characters"),
        (("ann", "long enough", "admin", "Front door"), "unknown role"),
        (("ann", "long enough", "staff", "  "), "needs a team"),
        (("ann", "long enough", "manager", ""), "needs a team"),
        (("   ", "long enough", "staff", "Front door"), "needs a name"),
        (("anonymous", "long enough", "staff", "Front door"), "choose another name"),
        (("a\nb", "long enough", "staff", "Front door"), "control characters"),
    ]
    for (name, password, role, team), message in cases:
        with pytest.raises(UserError) as raised:
            store.add(name, password, role=role, team=team)
        assert message in str(raised.value), (name, str(raised.value))
    assert store.count() == 1
    lead = store.add("lee", "long enough", role="lead")  # a lead needs no team
    assert (lead.role, lead.team) == ("lead", "")
    assert store.count() == 2


def test_remove_with_erase_attempts_erases_only_that_persons_attempts(store, log):
    store.add("sam", SAM_PW, role="staff", team="Front door")
    store.add("sue", "sue's password", role="staff", team="Hospital")
    for _ in range(3):
        _attempt(log, "sam", "Front door")
    _attempt(log, "sue", "Hospital")
    _attempt(log, "sammy", "Front door")  # a similar name is someone else

    user, erased = store.remove(" SAM ", erase_attempts=True)
    assert (user.name, erased) == ("sam", 3)
    assert store.get("sam") is None and store.verify("sam", SAM_PW) is None
    assert log.list(user="sam") == []
    assert [a.user for a in log.list()] == ["sue", "sammy"]

    user, erased = store.remove("sue")
    assert (user.name, erased) == ("sue", 0)
    assert [a.user for a in log.list()] == ["sue", "sammy"]  # kept unless asked
    assert store.count() == 0
    with pytest.raises(UserError, match="no user named 'sue'"):
        store.remove("sue")


# -- what each role may see ----------------------------------------------------------------------
@pytest.fixture
def team_store(store, log):
    store.add("sam", SAM_PW, role="staff", team="Front door")
    store.add("mo", "mo's password", role="manager", team="Front door")
    store.add("sue", "sue's password", role="staff", team="Hospital")
    store.add("lee", "lee's password", role="lead")
    _attempt(log, "sam", "Front door", "sam 1")
    _attempt(log, "sam", "Front door", "sam 2")
    _attempt(log, "mo", "Front door", "mo 1")
    _attempt(log, "sue", "Hospital", "sue 1")
    _attempt(log, "lee", "", "lee 1")
    return store


def visible_attempts(identity, log, user=None, team=None, *, users):
    """The one rule (prep_bot/app): the permission policy over the user store."""
    return attempts_seen(Policy(users), log, identity, person=user, team=team)


def _who(store: UserStore, name: str) -> Identity:
    return Identity.of(store.get(name))


def _questions(attempts) -> list[str]:
    return [a.question for a in attempts]


def test_staff_see_their_own_attempts_only(team_store, log):
    sam = _who(team_store, "sam")
    assert _questions(visible_attempts(sam, log, users=team_store)) == ["sam 1", "sam 2"]
    assert _questions(visible_attempts(sam, log, user="SAM", users=team_store)) == ["sam 1", "sam 2"]
    for ask in ({"user": "sue"}, {"user": "mo"}, {"team": "Hospital"}, {"team": "Front door"}):
        with pytest.raises(AccessDenied) as raised:
            visible_attempts(sam, log, users=team_store, **ask)
        assert "their own attempts only" in str(raised.value)
        assert isinstance(raised.value, PermissionError) and isinstance(raised.value, PrepBotError)


def test_managers_see_their_team_only(team_store, log):
    mo = _who(team_store, "mo")
    assert _questions(visible_attempts(mo, log, users=team_store)) == ["sam 1", "sam 2", "mo 1"]
    assert _questions(visible_attempts(mo, log, user="sam", users=team_store)) == ["sam 1", "sam 2"]
    assert _questions(visible_attempts(mo, log, team="Front door", users=team_store)) == ["sam 1", "sam 2", "mo 1"]
    for ask in ({"user": "sue"}, {"user": "lee"}, {"user": "nobody"}, {"team": "Hospital"}):
        with pytest.raises(AccessDenied, match="Front door"):
            visible_attempts(mo, log, users=team_store, **ask)


def test_leads_and_local_mode_see_everyone(team_store, log):
    lee = _who(team_store, "lee")
    assert len(visible_attempts(lee, log, users=team_store)) == 5
    assert _questions(visible_attempts(lee, log, user="Sue", users=team_store)) == ["sue 1"]
    assert _questions(visible_attempts(lee, log, team="Hospital", users=team_store)) == ["sue 1"]
    local = Identity.local(" Kim ", "")
    assert (local.name, local.authenticated) == ("Kim", False)
    assert len(visible_attempts(local, log, users=team_store)) == 5


# -- serving beyond this machine -----------------------------------------------------------------
def test_check_bind_allows_loopback_and_needs_users_for_anything_else():
    for host in ("127.0.0.1", "127.8.9.10", "localhost", "LocalHost", "::1", "[::1]"):
        assert is_loopback(host), host
        check_bind(host, has_users=False)
    for host in ("0.0.0.0", "::", "192.168.1.10", "10.0.0.5", "example.org", "", None, "::ffff:127.0.0.1"):
        assert not is_loopback(host), host
        with pytest.raises(LoginRequired) as raised:
            check_bind(host, has_users=False)
        assert ADD_HINT in str(raised.value)
        check_bind(host, has_users=True)  # with accounts, everyone signs in: allowed


# -- the command line ----------------------------------------------------------------------------
@pytest.fixture
def cli(invoke):
    """`prep-bot ARGS --data-dir DATA_DIR` in this process (Click's runner answers the prompts; a
    real process reading a piped password in a session without a terminal is proven by
    tests/test_accounts_readme.py, from the README's own commands)."""

    def cli(*args: str, data_dir: Path, input: str | None = None, env: dict | None = None,
            own_model: bool = False) -> subprocess.CompletedProcess:
        return invoke(*args, data_dir=data_dir, input=input, env=env or cli_env(data_dir), own_model=own_model)

    return cli


def _store_at(data_dir: Path) -> tuple[UserStore, AttemptLog]:
    log = AttemptLog(f"sqlite:///{data_dir / 'attempts.sqlite'}")
    return UserStore(log), log


def test_cli_users_add_list_and_remove(tmp_path, cli):
    data = tmp_path / "data"
    secret = tmp_path / "sam.pw"
    secret.write_text("correct horse battery\n", encoding="utf-8")
    result = cli("users", "add", " Sam Smith ", "--role", "staff", "--team", "Front door", "--password-file", str(secret), data_dir=data)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Added Sam Smith (staff, team Front door) to {data / 'attempts.sqlite'}."  # says where
    assert "correct horse" not in result.stdout + result.stderr

    short = tmp_path / "short.pw"
    short.write_text("abc123\n", encoding="utf-8")
    lead_pw = tmp_path / "lee.pw"
    lead_pw.write_text("the lead's passphrase", encoding="utf-8")
    refusals = [
        (("users", "add", "sam smith", "--role", "lead", "--password-file", str(lead_pw)), "already exists"),
        (("users", "add", "Ann", "--role", "staff", "--team", "Hospital", "--password-file", str(short)), "at least 8 characters"),
        (("users", "add", "Ann", "--role", "staff", "--password-file", str(lead_pw)), "needs a team"),
        (("users", "add", "Ann", "--role", "admin", "--team", "X", "--password-file", str(lead_pw)), "admin"),
        (("users", "remove", "nobody"), "no user named 'nobody'"),
    ]
    for args, message in refusals:
        refused = cli(*args, data_dir=data)
        assert refused.returncode != 0, args
        assert message in refused.stderr, (args, refused.stderr)
        assert "Traceback" not in refused.stderr
    assert cli("users", "add", "Lee", "--role", "lead", "--password-file", str(lead_pw), data_dir=data).returncode == 0

    listed = cli("users", "list", "--json", data_dir=data)
    assert listed.returncode == 0, listed.stderr
    people = json.loads(listed.stdout)
    assert [(p["name"], p["role"], p["team"]) for p in people] == [("Lee", "lead", ""), ("Sam Smith", "staff", "Front door")]
    assert all(set(p) == {"name", "role", "team", "created_at"} for p in people)
    assert "argon2" not in listed.stdout and "hash" not in listed.stdout
    text = cli("users", "list", data_dir=data)
    assert "Sam Smith" in text.stdout and "Front door" in text.stdout and "2 users" in text.stdout
    assert "argon2" not in text.stdout

    users, log = _store_at(data)
    try:
        assert users.verify("Sam Smith", "correct horse battery").name == "Sam Smith"  # the line, not its newline
        assert users.verify("Lee", "the lead's passphrase").role == "lead"
        _attempt(log, "Sam Smith", "Front door")
        _attempt(log, "Sam Smith", "Front door")
        _attempt(log, "Lee", "")
    finally:
        log.close()

    removed = cli("users", "remove", "sam smith", "--erase-attempts", data_dir=data)
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.strip() == f"Removed Sam Smith from {data / 'attempts.sqlite'}; erased 2 attempts."
    removed = cli("users", "remove", "Lee", data_dir=data)
    assert removed.returncode == 0, removed.stderr
    assert "kept their 1 attempt" in removed.stdout

    users, log = _store_at(data)
    try:
        assert users.count() == 0
        assert [a.user for a in log.list()] == ["Lee"]
    finally:
        log.close()


def test_cli_users_add_prompts_for_the_password_twice(tmp_path, cli):
    data = tmp_path / "data"
    result = cli("users", "add", "mo", "--role", "manager", "--team", "Front door", data_dir=data,
                 input="a managers password\na managers password\n")
    assert result.returncode == 0, result.stderr
    assert f"Added mo (manager, team Front door) to {data / 'attempts.sqlite'}." in result.stdout
    assert "a managers password" not in result.stdout  # hidden, not echoed

    no_team = cli("users", "add", "sue", "--role", "staff", data_dir=data, input="")
    assert no_team.returncode != 0 and "needs a team" in no_team.stderr
    assert "Password" not in no_team.stdout + no_team.stderr  # refused before asking

    mismatch = cli("users", "add", "sue", "--role", "staff", "--team", "Hospital", data_dir=data,
                   input="first password\nsecond password\n")
    assert mismatch.returncode != 0
    assert "do not match" in mismatch.stdout + mismatch.stderr

    users, log = _store_at(data)
    try:
        assert users.verify("mo", "a managers password").role == "manager"
        assert users.get("sue") is None
    finally:
        log.close()


def test_serve_refuses_a_network_host_without_users(tmp_path, cli):
    data = tmp_path / "data"
    # No model where the settings point: a serve that went on to load one would fail on that
    # instead (or serve); refused first, it never gets there.
    env = cli_env(data) | {"PREP_BOT_MODEL_PATH": str(tmp_path / "no-model")}
    for host in ("0.0.0.0", "::"):
        result = cli("serve", "--host", host, "--port", str(free_port()), data_dir=data, env=env, own_model=True)
        assert result.returncode != 0
        assert ADD_HINT in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr  # one line, no traceback
        assert "prep-bot on http" not in result.stdout


@pytest.mark.server
def test_serve_with_a_user_asks_everyone_to_sign_in(tmp_path, cli):
    """The real `prep-bot serve`, on 127.0.0.1 only (tests never listen beyond loopback)."""
    from gradio_client import Client

    data = tmp_path / "data"
    secret = tmp_path / "lee.pw"
    secret.write_text("the lead's passphrase\n", encoding="utf-8")
    assert cli("users", "add", "lee", "--role", "lead", "--password-file", str(secret), data_dir=data).returncode == 0
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen(
        [str(PREP_BOT), "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env(data),
    )
    try:
        deadline = time.monotonic() + 180
        status, body = None, ""
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(url + "config", timeout=5) as response:
                    status, body = response.status, response.read().decode()
            except urllib.error.HTTPError as e:
                status, body = e.code, e.read().decode()
            except OSError:
                time.sleep(0.5)
                continue
            break
        assert proc.poll() is None, proc.communicate()
        assert status == 401, (status, body)  # nothing without signing in
        assert "prep-bot users add" in json.loads(body)["detail"]["auth_message"]

        with pytest.raises(Exception):
            Client(url, auth=("lee", "not the passphrase"), verbose=False)
        client = Client(url, auth=("lee", "the lead's passphrase"), verbose=False)
        assert "Signed in as <b>lee (lead)</b>" in client.predict(api_name="/whoami")
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
