"""The one permission policy (prep_bot/app/policy.py): its rules role by role, every use case
asking it first, and every endpoint of the served app asking it, for each role's room.

"Asks the policy" is observed, not assumed: every decision is logged on the
``prep_bot.app.policy`` logger, and each endpoint is called over Gradio's own HTTP queue (as the
page does, private endpoints included) while those records are collected."""

from __future__ import annotations

import ast
import inspect
import json
import logging
import secrets
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import free_port, services_with
from prep_bot.app.policy import Action, Policy
from prep_bot.app.progress import read_attempt, visible_attempts
from prep_bot.people.accounts import AccessDenied, Identity
from prep_bot.practice.attempts import AttemptLog
from prep_bot.people.accounts import UserStore

APP = Path(__file__).resolve().parent.parent / "prep_bot" / "app"
PASSWORD = "a long enough password"
# Two managers and a lead in one team: a manager sees the team's staff, never the other two.
ACCOUNTS = [("sam", "staff", "Front door"), ("kim", "staff", "Front door"), ("mo", "manager", "Front door"),
            ("ozzy", "manager", "Front door"), ("lena", "lead", "Front door"), ("sue", "staff", "Hospital"),
            ("lee", "lead", "")]
EVIDENCE = (
    "Carers Review\n\nThe quillmoor carers service assessed 312 carers this year; 84% said they had a break "
    "when they needed one. Waiting times for a carer's assessment are still too long and we plan to halve them.\n"
)


# -- recording the policy's decisions -----------------------------------------------------------
class Decisions(logging.Handler):
    """Every decision the policy logs, as its message."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[str] = []
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._lock:
            self.seen.append(record.getMessage())

    def take(self) -> list[str]:
        with self._lock:
            seen, self.seen = self.seen, []
        return seen


@contextmanager
def recorded():
    logger = logging.getLogger("prep_bot.app.policy")
    handler, level = Decisions(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


# -- the rules, role by role (no server) --------------------------------------------------------
@pytest.fixture(scope="module")
def people(tmp_path_factory):
    """The accounts and one attempt each (read only: shared by the module's tests)."""
    from argon2 import PasswordHasher

    log = AttemptLog(f"sqlite:///{tmp_path_factory.mktemp('people') / 'attempts.sqlite'}")
    users = UserStore(log, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))  # quick: no sign-in here
    for name, role, team in ACCOUNTS:
        users.add(name, PASSWORD, role=role, team=team)
    for name, _, team in ACCOUNTS:
        log.add(user=name, team=team, audience="frontline", qs="safeguarding", question_id="q", question=f"{name}'s question",
                answer=f"{name}'s answer", score=50, dimensions={"outcome": 50})
    yield Policy(users), log, {u.name: Identity.of(u) for u in users.list()}
    log.close()


def _authors(attempts) -> list[str]:
    return sorted(a.user for a in attempts)


def test_each_person_sees_their_own_attempts_and_what_their_role_adds(people):
    policy, log, who = people
    everyone = sorted(name for name, _, _ in ACCOUNTS)
    assert _authors(visible_attempts(policy, log, who["sam"])) == ["sam"]
    assert _authors(visible_attempts(policy, log, who["mo"])) == ["kim", "mo", "sam"]  # not ozzy's, not lena's
    assert _authors(visible_attempts(policy, log, who["mo"], team="Front door")) == ["kim", "mo", "sam"]
    assert _authors(visible_attempts(policy, log, who["lena"])) == everyone
    assert _authors(visible_attempts(policy, log, who["lee"], team="Front door")) == ["kim", "lena", "mo", "ozzy", "sam"]
    assert _authors(visible_attempts(policy, log, Identity.local("", ""))) == everyone  # no accounts: the keyboard's


@pytest.mark.parametrize("person", ["lena", "ozzy", "sue", "lee", "nobody"])
def test_a_manager_cannot_name_a_lead_another_manager_or_another_team(people, person):
    policy, log, who = people
    with pytest.raises(AccessDenied, match=r"own team \(Front door\)"):
        visible_attempts(policy, log, who["mo"], person=person)


def test_a_manager_cannot_open_a_leads_attempt_even_in_their_team(people):
    policy, log, who = people
    by_author = {a.user: a for a in log.list()}
    assert read_attempt(policy, log, who["mo"], by_author["kim"].id).user == "kim"
    for author in ("lena", "ozzy", "sue", "lee"):
        with pytest.raises(AccessDenied, match=r"own team \(Front door\)"):
            read_attempt(policy, log, who["mo"], by_author[author].id)
    with pytest.raises(AccessDenied, match="own attempts only"):
        read_attempt(policy, log, who["sam"], by_author["kim"].id)
    assert read_attempt(policy, log, who["lee"], by_author["lena"].id).user == "lena"


def test_staff_see_no_team_and_name_no_one_else(people):
    policy, log, who = people
    with pytest.raises(AccessDenied, match="their own attempts only"):
        visible_attempts(policy, log, who["sam"], team="Front door")
    with pytest.raises(AccessDenied, match="their own attempts only"):
        visible_attempts(policy, log, who["sam"], person="kim")
    assert not policy.may(who["sam"], Action.SEE_PERSON)  # no box to name someone else
    assert policy.may(who["mo"], Action.SEE_PERSON) and policy.may(who["lee"], Action.SEE_PERSON)


# Who may do each thing that takes no target: staff, manager, lead (local mode may do all).
ROOM = {
    Action.PRACTISE: (True, True, True), Action.SEE_ACCOUNT: (True, True, True),
    Action.SEARCH_EVIDENCE: (True, True, True), Action.MAKE_BRIEFING: (True, True, True),
    Action.READ_ATTEMPT: (True, True, True), Action.SEE_PERSON: (False, True, True), Action.SEE_TEAM: (False, True, True),
    Action.SEE_READINESS: (False, False, True), Action.LIST_LIBRARY: (False, False, True),
    Action.ADD_DOCUMENTS: (False, False, True), Action.REMOVE_DOCUMENTS: (False, False, True),
    Action.CORRECT_TAGS: (False, False, True), Action.MANAGE_ACCOUNTS: (False, False, True),
    Action.MOVE_STORE: (False, False, True), Action.AGREE_STORY: (False, False, True),
}


@pytest.mark.parametrize("action", [a for a in Action if a is not Action.CONTINUE_ATTEMPT])
def test_who_may_do_what(people, action):
    policy, _, who = people
    assert tuple(policy.may(who[n], action) for n in ("sam", "mo", "lee")) == ROOM[action]
    assert policy.may(Identity.local("", ""), action)
    if not ROOM[action][0]:
        with pytest.raises(AccessDenied) as refused:
            policy.ensure(who["sam"], action)
        assert str(refused.value) and "Traceback" not in str(refused.value)


def test_only_the_one_who_answered_adds_to_an_attempt(people):
    policy, log, who = people
    kims = next(a for a in log.list() if a.user == "kim")
    assert policy.may(who["kim"], Action.CONTINUE_ATTEMPT, kims)
    for other in ("sam", "mo", "lee"):  # a lead reads it, but adds nothing to it
        assert not policy.may(who[other], Action.CONTINUE_ATTEMPT, kims)


def test_a_request_is_the_signed_in_account_or_the_local_person_while_no_account_exists(people, tmp_path):
    policy, _, _ = people
    assert policy.identify("SAM") == Identity("sam", "staff", "Front door", True)
    with pytest.raises(AccessDenied, match="no longer exists"):
        policy.identify("gone")
    with pytest.raises(AccessDenied, match="restart `prep-bot serve`"):
        policy.identify(None, "Kim", "Front door")  # accounts exist: a typed name is not trusted
    empty = AttemptLog(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    try:
        assert Policy(UserStore(empty)).identify(None, " Kim ", "Front door") == Identity("Kim", "lead", "Front door", False)
    finally:
        empty.close()


def test_every_decision_is_logged_without_content(people):
    policy, log, who = people
    with recorded() as decisions:
        policy.may(who["sam"], Action.LIST_LIBRARY)
        policy.readable(who["mo"], log.list())
    seen = decisions.take()
    assert seen[0] == "policy: sam (staff) list the library: no"
    assert seen[1].startswith("policy: mo (manager) read an attempt: 3 of 7")
    assert not any("answer" in line or "question" in line for line in seen)


# -- every use case asks first ------------------------------------------------------------------
def _use_cases() -> list[tuple[str, ast.ClassDef]]:
    """Every public class of prep_bot/app with a constructor (plain result dataclasses have none)."""
    found = []
    for path in sorted(APP.glob("*.py")):
        if path.name in ("__init__.py", "policy.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [(path.stem, node) for node in tree.body if isinstance(node, ast.ClassDef) and not node.name.startswith("_")
                  and any(isinstance(f, ast.FunctionDef) and f.name == "__init__" for f in node.body)]
    return found


def _asks_policy(statement: ast.stmt) -> bool:
    """Whether a statement calls a method of ``self.policy``."""
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Attribute)
        and n.func.value.attr == "policy" and isinstance(n.func.value.value, ast.Name) and n.func.value.value.id == "self"
        for n in ast.walk(statement)
    )


def test_the_use_cases_are_found():
    names = {cls.name for _, cls in _use_cases()}
    assert {"Practice", "MockInterview", "Progress", "TeamStory", "Readiness", "Library", "Evidence", "Accounts",
            "StoreTransfer", "AgreedStory"} <= names


def test_every_use_case_asks_the_policy_before_anything_else():
    """Each public method's first statement (after its docstring) asks the policy, as
    datasette's views start with ensure_permission: one without it fails here."""
    missing = []
    for module, cls in _use_cases():
        for method in cls.body:
            if not isinstance(method, ast.FunctionDef) or method.name.startswith("_"):
                continue
            body = method.body[1:] if ast.get_docstring(method) else method.body
            if not body or not _asks_policy(body[0]):
                missing.append(f"app/{module}.py {cls.name}.{method.name} (line {method.lineno})")
    assert not missing, "these use cases do not ask the policy first: " + ", ".join(missing)


def test_the_check_finds_a_use_case_that_does_not_ask():
    tree = ast.parse("class Sneaky:\n    def __init__(self, policy): self.policy = policy\n"
                     "    def peek(self, who):\n        '''Read.'''\n        return self.store.passages()\n")
    method = tree.body[0].body[1]
    assert not _asks_policy(method.body[1])


def test_each_use_case_is_built_by_the_composition_root_with_the_policy():
    root = (APP.parent / "services.py").read_text(encoding="utf-8")
    for _, cls in _use_cases():
        assert f"{cls.name}(self.policy" in root, f"services.py does not build {cls.name} with the policy"


# -- every endpoint of the served app asks ------------------------------------------------------
def reaches_data(fn) -> bool:
    """Whether a callback can reach the services or a use case: through its closure, defaults,
    the globals it names, or what it wraps (functions are followed, other objects are not)."""
    from prep_bot.services import Services

    seen: set[int] = set()
    todo = [fn]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, Services) or type(obj).__module__.startswith("prep_bot.app"):
            return True
        if inspect.ismethod(obj):
            todo += [obj.__self__, obj.__func__]
        elif inspect.isfunction(obj):
            todo += [c.cell_contents for c in obj.__closure__ or () if _filled(c)]
            todo += list(obj.__defaults__ or ()) + list((obj.__kwdefaults__ or {}).values())
            todo += [obj.__globals__[n] for n in _names(obj.__code__) if n in obj.__globals__]
            if hasattr(obj, "__wrapped__"):
                todo.append(obj.__wrapped__)
    return False


def _filled(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018
        return True
    except ValueError:
        return False


def _names(code) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if inspect.iscode(const):
            names |= _names(const)
    return names


class Caller:
    """Calls any of an app's functions by its number over Gradio's HTTP queue, signed in as
    one person, with the inputs the page starts with (as the page itself does)."""

    def __init__(self, url: str, name: str | None) -> None:
        import httpx

        self.url = url
        self.http = httpx.Client(timeout=300)
        if name is not None:
            signed = self.http.post(f"{url}login", data={"username": name, "password": PASSWORD})
            assert signed.status_code == 200, signed.text
        config = self.http.get(f"{url}config").json()
        self.values = {c["id"]: c.get("props", {}).get("value") for c in config["components"]}
        self.inputs = {d["id"]: d["inputs"] for d in config["dependencies"]}
        self.session = secrets.token_hex(8)

    def call(self, fn_index: int) -> dict:
        """The final message of one call (its ``success`` says whether it was refused)."""
        body = {"data": [self.values.get(i) for i in self.inputs[fn_index]], "fn_index": fn_index,
                "session_hash": self.session, "event_data": None, "trigger_id": None}
        joined = self.http.post(f"{self.url}gradio_api/queue/join", json=body)
        assert joined.status_code == 200, joined.text
        event = joined.json()["event_id"]
        with self.http.stream("GET", f"{self.url}gradio_api/queue/data", params={"session_hash": self.session}) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("event_id") == event and message.get("msg") == "process_completed":
                    return message
        raise AssertionError(f"function {fn_index} never completed")

    def close(self) -> None:
        self.http.close()


def unasked(app, url: str, name: str | None) -> tuple[list[str], int]:
    """Every function of ``app`` that can reach data but made no policy decision when called
    by ``name`` (a name and number each), and how many were checked."""
    caller = Caller(url, name)
    missing, checked = [], 0
    try:
        with recorded() as decisions:
            for fn_index, block_fn in sorted(app.fns.items()):
                if block_fn.fn is None or not reaches_data(block_fn.fn):
                    continue
                checked += 1
                decisions.take()
                caller.call(fn_index)
                if not decisions.take():
                    missing.append(f"{block_fn.api_name or block_fn.name} (#{fn_index})")
    finally:
        caller.close()
    return missing, checked


@pytest.fixture(scope="module")
def served(tmp_path_factory, embedder):
    from prep_bot.ui.app import launch

    root = tmp_path_factory.mktemp("policy")
    (root / "evidence").mkdir()
    (root / "evidence" / "carers-review.txt").write_text(EVIDENCE, encoding="utf-8")
    services = services_with(embedder, data_dir=root / "data")
    assert not services.ingestor.ingest([root / "evidence"]).failed
    for name, role, team in ACCOUNTS:
        services.users.add(name, PASSWORD, role=role, team=team)
        services.attempts.add(user=name, team=team, audience="frontline", qs="assessing-needs", question_id="q",
                              question=f"What did {name} say?", answer=f"The answer {name} gave.", score=60,
                              dimensions={"outcome": 60})
    port = free_port()
    app = launch(services, "127.0.0.1", port, block=False)
    try:
        yield services, app, f"http://127.0.0.1:{port}/"
    finally:
        app.close()
        services.close()


@pytest.mark.server
@pytest.mark.parametrize("name", ["sam", "mo", "lee"])
def test_every_endpoint_asks_the_policy(served, name):
    """Every function of the served app that can reach the services or a use case, public API
    and private page events alike, makes a policy decision when called in this person's room."""
    _, app, url = served
    missing, checked = unasked(app, url, name)
    assert checked >= 25, f"only {checked} functions reach data: the enumeration is not reading the app"
    assert not missing, f"these endpoints never asked the policy for {name}: {', '.join(missing)}"


@pytest.mark.server
def test_every_endpoint_asks_the_policy_without_accounts(tmp_path, embedder):
    """The single-user app (no accounts, loopback only) is built without sign-in: its functions
    ask the policy too, for the person at the keyboard."""
    from prep_bot.ui.app import launch

    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "carers-review.txt").write_text(EVIDENCE, encoding="utf-8")
    services = services_with(embedder, data_dir=tmp_path / "data")
    assert not services.ingestor.ingest([tmp_path / "evidence"]).failed
    port = free_port()
    app = launch(services, "127.0.0.1", port, block=False)
    try:
        missing, checked = unasked(app, f"http://127.0.0.1:{port}/", None)
    finally:
        app.close()
        services.close()
    assert checked >= 25 and not missing, missing


@pytest.mark.server
def test_the_endpoint_check_finds_an_endpoint_that_does_not_ask(tmp_path, embedder):
    """A new endpoint reading attempts without the policy is caught (the check can fail)."""
    import gradio as gr

    from prep_bot.ui.app import build_app

    services = services_with(embedder, data_dir=tmp_path / "data")
    services.users.add("lee", PASSWORD, role="lead")
    app = build_app(services, login=True)
    with app:
        gr.Button(visible=False).click(lambda: services.attempts.count(), None, gr.Number(visible=False), api_name="peek")
    port = free_port()
    app.queue().launch(auth=[("lee", PASSWORD)], server_name="127.0.0.1", server_port=port, prevent_thread_lock=True,
                       quiet=True, ssr_mode=False)
    try:
        missing, _ = unasked(app, f"http://127.0.0.1:{port}/", "lee")
    finally:
        app.close()
        services.close()
    assert len(missing) == 1 and missing[0].startswith("peek"), missing


# -- the rules through the served app, as each person meets them -------------------------------
def client(url: str, name: str):
    from gradio_client import Client

    return Client(url, auth=(name, PASSWORD), verbose=False)


def rows(table) -> list[list]:
    """A table's rows as gradio_client returns them (a dict with "data", or the rows)."""
    return table["data"] if isinstance(table, dict) else table


def refused(call, *words: str) -> str:
    with pytest.raises(Exception) as raised:
        call()
    message = str(raised.value)
    assert "Traceback" not in message
    for word in words:
        assert word in message.lower(), message
    return message


@pytest.mark.server
def test_staff_cannot_list_or_change_the_library_nor_read_others(served):
    services, _, url = served
    sam = client(url, "sam")
    refused(lambda: sam.predict(api_name="/documents"), "for leads")
    refused(lambda: sam.predict("x", ["safeguarding"], "keep", api_name="/correct_tags"), "for leads")
    refused(lambda: sam.predict("", "", api_name="/readiness"), "for leads")
    refused(lambda: sam.predict("Front door", "", "", api_name="/team_story"), "manager")
    refused(lambda: sam.predict("kim", "", "", api_name="/my_attempts"), "own attempts only")
    kims = services.attempts.list(user="kim")[0]
    refused(lambda: sam.predict(kims.id, "", "", api_name="/attempt"), "own attempts only")
    own = sam.predict("", "", "", api_name="/my_attempts")
    assert [row[3] for row in rows(own)] == ["What did sam say?"]  # score, time, statement, question


@pytest.mark.server
def test_a_manager_reads_their_staff_but_not_the_lead_or_manager_in_their_team(served):
    services, _, url = served
    mo = client(url, "mo")
    refused(lambda: mo.predict(api_name="/documents"), "for leads")
    kim = mo.predict("kim", "", "", api_name="/my_attempts")
    assert [row[3] for row in rows(kim)] == ["What did kim say?"]
    for other in ("lena", "ozzy"):
        refused(lambda: mo.predict(other, "", "", api_name="/my_attempts"), "own team (front door)")
        theirs = services.attempts.list(user=other)[0]
        refused(lambda: mo.predict(theirs.id, "", "", api_name="/attempt"), "own team (front door)")
    html, _ = mo.predict("", "", "", api_name="/team_story")
    assert "Team story: Front door" in html
    assert "3 team members with practice, 3 practice answers" in html and "lena" not in html and "ozzy" not in html
    assert services.team_story.story(Identity.of(services.users.get("mo"))).story["members"] == ["kim", "mo", "sam"]


@pytest.mark.server
def test_a_lead_lists_the_library_and_reads_anyone(served):
    services, _, url = served
    lee = client(url, "lee")
    listed = lee.predict(api_name="/documents")
    assert [row[-1] for row in rows(listed)] == ["carers-review"]  # the id is the last column
    lenas = services.attempts.list(user="lena")[0]
    assert "The answer lena gave." in lee.predict(lenas.id, "", "", api_name="/attempt")
    html, _ = lee.predict("Front door", "", "", api_name="/team_story")
    assert "5 team members with practice, 5 practice answers" in html


@pytest.mark.server
def test_the_page_itself_carries_no_library_listing(served):
    """The page's configuration goes to everyone signed in: it must not hold the documents."""
    import httpx

    _, _, url = served
    with httpx.Client(timeout=60) as http:
        http.post(f"{url}login", data={"username": "sam", "password": PASSWORD})
        config = http.get(f"{url}config").text
    assert "carers-review" not in config and "Carers Review" not in config
