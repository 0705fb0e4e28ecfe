"""`prep-bot serve --workers N`: real app processes behind Debian's haproxy, a Chroma server over
the data dir, and the supervisor that starts, restarts and stops them (all real subprocesses)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import CHROMIUM, STRONG, free_port, sign_in
from prep_bot.infra.config import Settings
from prep_bot.evals.loadtest import process_tree_cpu
from prep_bot.services import Services
from prep_bot.infra.workers import (
    NO_HAPROXY, STOP_DEADLINES_S, STOP_SIGNALS, WORKER_COOKIE, Supervisor, _Child, _Stop, find_haproxy, haproxy_config,
)
from processes import PREP_BOT, _tail, env_for

pytestmark = [pytest.mark.server, pytest.mark.slow]
needs_haproxy = pytest.mark.skipif(find_haproxy() is None, reason="haproxy is not installed (apt-get install haproxy)")

# A made-up council's carers plan: its place name is in no other text, so a search finds only it.
CARERS_PLAN = (
    "Carers plan for Heronsgate. Unpaid carers in Heronsgate told us they wanted a break they could book "
    "themselves. We opened a carers hub in the library and 214 carers used it in its first year. "
    "Carers said they felt listened to, and waits for a carer's assessment fell from 61 days to 19 days."
)
PASSWORDS = {"lee": "lee's long passphrase", "sam": "sam's long passphrase"}


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = env_for(data_dir)
    env.pop("PREP_BOT_WORKERS", None)  # as a person runs it: the default is one worker per core
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)  # this checkout's prep_bot
    env.update(extra)
    return env


@contextmanager
def serve(data_dir: Path, log_path: Path, *args: str, env: dict | None = None, timeout: float = 400):
    """`prep-bot serve` in its own session, as from a terminal (Ctrl-C at its default, whatever
    this test run was started with); yields (url, process) once the supervisor says it is ready.
    Whatever is still running afterwards is killed."""
    port = free_port()
    log = open(log_path, "wb")
    with terminal_signals():
        proc = subprocess.Popen([str(PREP_BOT), "serve", "--port", str(port), "--data-dir", str(data_dir), *args],
                                env=env or _env(data_dir), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    tree: set[int] = set()
    try:
        deadline = time.monotonic() + timeout
        while "Ready: " not in log_path.read_text(errors="replace") and "prep-bot on" not in _single(log_path):
            assert proc.poll() is None, f"serve exited with {proc.returncode}:\n{_tail(log_path)}"
            assert time.monotonic() < deadline, f"serve was not ready within {timeout:.0f} s:\n{_tail(log_path)}"
            time.sleep(0.5)
        tree = set(process_tree_cpu(proc.pid))
        yield f"http://127.0.0.1:{port}/", proc
    finally:
        tree |= set(process_tree_cpu(proc.pid))
        for pid in tree:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait(timeout=30)
        log.close()


@contextmanager
def terminal_signals():
    """Children started inside get SIGINT at its default, as a shell gives a command run in the
    foreground of a terminal. A test run started in the background (`make test &` in a script,
    nohup, some CI runners) has SIGINT ignored, and an ignored signal stays ignored in every
    process it starts: their "Ctrl-C" would then reach a server that, rightly, ignores it. A
    signal this process handles is reset to its default in a child, so handling SIGINT here
    for the moment of the fork is enough (no preexec_fn in a process with threads)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _single(log_path: Path) -> str:
    """The log of a one-process serve once Gradio answers (it prints its URL then)."""
    text = log_path.read_text(errors="replace")
    return text if "Running on local URL" in text else ""


def children(pid: int) -> dict[str, int]:
    """The supervisor's own children by role: haproxy, chroma, and w1, w2... by the ports haproxy
    sends them to. Only processes the supervisor started count: a worker's own children (the
    isolated reader of an upload, or a fork of the worker that has not yet run its program and
    so still shows the worker's command line) and a fork of the supervisor about to start a
    child are not the supervisor's workers. A worker on a port haproxy does not know fails."""
    found: dict[str, int] = {}
    worker_ports: dict[int, str] = {}
    argv: dict[int, list[bytes]] = {}
    for p in process_tree_cpu(pid):
        try:
            parent = int(Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[1])
            args = Path(f"/proc/{p}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # ended meanwhile
        if parent == pid and args[0]:  # a zombie has no command line
            argv[p] = args
    for p, args in argv.items():
        if args[0].endswith(b"haproxy"):
            found["haproxy"] = p
            config = Path(args[args.index(b"-f") + 1].decode()).read_text()
            worker_ports = {int(port): name for name, port in re.findall(r"server (w\d+) 127\.0\.0\.1:(\d+)", config)}
        elif b"run" in args and any(a.endswith(b"/chroma") or a == b"chroma" for a in args):
            found["chroma"] = p
    for p, args in argv.items():
        if args[1:4] == [b"-m", b"prep_bot.cli", b"serve"]:  # the supervisor's worker command
            port = int(args[args.index(b"--port") + 1])
            assert port in worker_ports, f"worker {p} serves port {port}, not one of haproxy's {sorted(worker_ports)}: {args}"
            found[worker_ports[port]] = p
    return found


def port_of(pid: int) -> int:
    args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    return int(args[args.index(b"--port") + 1])


def gone(pids, timeout: float = 30) -> set[int]:
    """The pids still running after ``timeout`` seconds (zombies count as gone)."""
    deadline = time.monotonic() + timeout
    while True:
        alive = set()
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z":
                alive.add(pid)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.25)


def describe(pids, roles: dict[int, str]) -> str:
    """Each pid with its role and its state in /proc (what it waits in), for a failure message."""
    out = []
    for pid in sorted(pids):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            wchan = Path(f"/proc/{pid}/wchan").read_text()
        except OSError:
            stat, wchan = "gone", ""
        out.append(f"{roles.get(pid, 'process')} {pid} {stat} {wchan}".strip())
    return "; ".join(out)


def search(url: str, query: str, **client_kwargs) -> str:
    from gradio_client import Client

    return Client(url, verbose=False, **client_kwargs).predict(query, "All", "All", "All", 3, api_name="/search")


# -- the proxy's configuration ---------------------------------------------------------------------
@needs_haproxy
def test_the_generated_configuration_is_valid_for_haproxy(tmp_path):
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy_config("127.0.0.1", free_port(), [free_port(), free_port()]))
    checked = subprocess.run([find_haproxy(), "-c", "-f", str(config)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr + checked.stdout
    text = config.read_text()
    assert f"cookie {WORKER_COOKIE} insert indirect nocache" in text
    assert "server w1 127.0.0.1:" in text and "server w2 127.0.0.1:" in text and "check" in text


def test_without_haproxy_serve_says_so_and_serves_one_process(tmp_path):
    data = tmp_path / "data"
    env = _env(data, PREP_BOT_HAPROXY=str(tmp_path / "no-haproxy-here"))
    with serve(data, tmp_path / "serve.log", "--workers", "2", env=env) as (url, proc):
        assert process_tree_cpu(proc.pid).keys() == {proc.pid}  # one process: no proxy, no children
        with urllib.request.urlopen(url + "config", timeout=10) as response:
            assert response.status == 200
    lines = (tmp_path / "serve.log").read_text().splitlines()
    assert NO_HAPROXY in lines
    assert "Workers: 1 app process (--workers N runs N behind haproxy)." in lines


# -- N workers, no accounts: the load test's clients, the shared library, a worker killed ----------
@needs_haproxy
def test_workers_share_the_library_keep_sessions_and_survive_a_killed_worker(tmp_path):
    from gradio_client import Client, handle_file

    data = tmp_path / "data"
    cores = os.cpu_count() or 1
    args = () if cores > 1 else ("--workers", "2")  # the default is one worker per core
    with serve(data, tmp_path / "serve.log", *args) as (url, proc):
        workers = max(cores, 2)
        log = (tmp_path / "serve.log").read_text()
        assert f"Workers: {workers} app processes behind haproxy" in log
        kids = children(proc.pid)
        assert {"haproxy", "chroma"} <= kids.keys() and {f"w{i}" for i in range(1, workers + 1)} <= kids.keys()

        # Simulated users through the proxy: spread over the workers, every turn stored, no
        # session lost (a request reaching another worker fails: the session is in one's memory).
        done = subprocess.run([str(PREP_BOT), "loadtest", "--url", url, "--users", "6", "--turns", "2", "--think", "0.2",
                               "--server-pid", str(proc.pid), "--timeout", "240", "--json"],
                              capture_output=True, text=True, env=_env(data), timeout=400)
        result = json.loads(done.stdout)
        assert done.returncode == 0 and result["errors"] == 0, (result["error_samples"], done.stderr[-2000:])
        assert result["turns_completed"] == result["attempts_stored"] == 12
        assert len(result["users_per_worker"]) == 2 and sum(result["users_per_worker"].values()) == 6
        assert result["server_cpu_per_turn_s"] > 0 and result["cpu_limit_turns_per_s"] > 0

        # Uploaded through one worker, searchable through the other (one catalog, one Chroma server).
        plan = tmp_path / "heronsgate-carers-plan.txt"
        plan.write_text(CARERS_PLAN, encoding="utf-8")
        w1, w2 = (f"http://127.0.0.1:{port_of(kids[w])}/" for w in ("w1", "w2"))
        table, _ = Client(w1, verbose=False).predict([handle_file(str(plan))], api_name="/add_documents")
        assert "1 added" in table, table[:500]
        assert "Heronsgate" in search(w2, "carers hub Heronsgate")
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_port = port_of(kids["chroma"])
        chroma = chromadb.HttpClient(host="127.0.0.1", port=chroma_port, settings=ChromaSettings(anonymized_telemetry=False))
        services = Services(Settings(data_dir=data))
        try:
            passages = services.store.catalog.passage_count()
        finally:
            services.close()
        assert passages > 0 and chroma.get_collection("evidence").count() == passages

        # A worker killed: the proxy sends new sessions to the other at once, and the
        # supervisor starts it again on its port.
        os.kill(kids["w1"], signal.SIGKILL)
        for _ in range(3):
            assert "Heronsgate" in search(url, "carers hub Heronsgate")
        deadline = time.monotonic() + 240
        while children(proc.pid).get("w1") in (None, kids["w1"]):
            assert time.monotonic() < deadline, _tail(tmp_path / "serve.log")
            time.sleep(0.5)
        assert "Worker w1 (pid %d) exited with code -9; restarting it." % kids["w1"] in (tmp_path / "serve.log").read_text()
        while True:  # back in the proxy once it answers its health check
            try:
                if "Heronsgate" in search(url, "carers hub Heronsgate", httpx_kwargs={"cookies": {WORKER_COOKIE: "w1"}}):
                    break
            except Exception:  # noqa: BLE001 - still loading, or not yet checked by haproxy
                pass
            assert time.monotonic() < deadline, _tail(tmp_path / "serve.log")
            time.sleep(1)

        # The supervisor killed outright: its children end with it (no orphans).
        tree = set(process_tree_cpu(proc.pid)) - {proc.pid}
        assert set(children(proc.pid).values()) <= tree and len(tree) >= workers + 2
        proc.kill()
        proc.wait(timeout=30)
        assert not gone(tree), "children outlived a killed supervisor"


# -- N workers with sign-in: a real browser, signed-in sessions, Ctrl-C ---------------------------
@needs_haproxy
@pytest.mark.browser
def test_sign_in_through_the_proxy_and_ctrl_c_stops_everything(tmp_path, request):
    from gradio_client import Client

    data = tmp_path / "data"
    services = Services(Settings(data_dir=data))
    try:
        services.users.add("lee", PASSWORDS["lee"], role="lead")
        services.users.add("sam", PASSWORDS["sam"], role="staff", team="Front door")
    finally:
        services.close()
    with serve(data, tmp_path / "serve.log", "--workers", "2", env=_env(data, PYTHONFAULTHANDLER="1")) as (url, proc):
        tree = set(process_tree_cpu(proc.pid))
        if CHROMIUM.exists():  # the API sessions below are checked either way
            page = request.getfixturevalue("new_page")(viewport={"width": 1300, "height": 900})
            sign_in(page, url, "sam", PASSWORDS["sam"])
            assert "Signed in as sam (staff, Front door)" in page.locator("#signed-in").inner_text()
            assert {c["name"] for c in page.context.cookies()} >= {WORKER_COOKIE}
            page.context.close()

        # Signed-in API sessions: a sign-in token lives in one worker's memory, so every call
        # of a session must reach the worker that signed it in.
        sessions = [Client(url, auth=("sam", PASSWORDS["sam"]), verbose=False) for _ in range(4)]
        assert {s.cookies[WORKER_COOKIE] for s in sessions} == {"w1", "w2"}
        for session in sessions:
            chat, _panel, _reply = session.predict("", "frontline", "safeguarding", False, api_name="/ask")
            chat, _box = session.predict(STRONG, "", "", "frontline", chat, api_name="/answer")
            assert "Saved to your practice history" in json.dumps(chat)
        table = sessions[0].predict("", "", "", api_name="/my_attempts")
        assert len(table["data"] if isinstance(table, dict) else table) == 4
        for session in sessions:
            session.close()

        tree |= set(process_tree_cpu(proc.pid))  # with any worker restarted meanwhile
        roles = {pid: role for role, pid in children(proc.pid).items()} | {proc.pid: "supervisor"}
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in the terminal it runs in
        began = time.monotonic()
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            state = describe(tree, roles)
            os.kill(proc.pid, signal.SIGABRT)  # with PYTHONFAULTHANDLER, its threads' stacks go to the log
            proc.wait(timeout=30)
            pytest.fail(f"serve --workers 2 still running 60 s after Ctrl-C: {state}\n{_tail(tmp_path / 'serve.log', 80)}")
        took = time.monotonic() - began
        assert code == 0, _tail(tmp_path / "serve.log")
        left = gone(tree, timeout=1)
        assert not left, f"{describe(left, roles)} outlived Ctrl-C"
        print(f"serve --workers 2 and its children stopped {took:.1f} s after Ctrl-C")
    assert "Stopping the workers." in (tmp_path / "serve.log").read_text()


# -- the supervisor's stop, on small real processes ------------------------------------------------
STUBBORN = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(120)"
POLITE = "import time; print('up', flush=True); time.sleep(120)"


def test_stop_asks_in_order_then_kills_what_is_left(tmp_path):
    """SIGTERM to each group in turn; a child that ignores it is killed at its group's deadline,
    and says so; the groups after it still get their SIGTERM; nothing is left running."""
    import sys

    said: list[str] = []
    supervisor = Supervisor(Settings(data_dir=tmp_path / "data"), "127.0.0.1", free_port(), 2, "haproxy",
                            echo=lambda line, err=False: said.append(line))
    try:
        def child(name: str, code: str) -> _Child:
            started = _Child(name, [sys.executable, "-c", code], "", stdout=subprocess.PIPE, env=dict(os.environ))
            started.start()
            assert started.proc.stdout.readline() == b"up\n"  # its handlers are set: the test is fair
            return started

        supervisor.proxy = child("haproxy", POLITE)
        supervisor.workers = [child("Worker w1", POLITE), child("Worker w2", STUBBORN)]
        supervisor.chroma = child("Chroma server", POLITE)
        began = time.monotonic()
        supervisor.stop_all()
        took = time.monotonic() - began
        codes = {c.name: c.proc.returncode for c in (supervisor.proxy, *supervisor.workers, supervisor.chroma)}
        assert codes == {"haproxy": -signal.SIGTERM, "Worker w1": -signal.SIGTERM, "Worker w2": -signal.SIGKILL,
                         "Chroma server": -signal.SIGTERM}
        workers_deadline = STOP_DEADLINES_S[1]
        assert said == [f"Worker w2 (pid {supervisor.workers[1].pid}) did not stop within {workers_deadline:.0f} s; killing it."]
        assert took >= workers_deadline  # the stubborn one had its time
        print(f"stop_all took {took:.1f} s with one child ignoring SIGTERM")
    finally:
        for c in (supervisor.proxy, *supervisor.workers, supervisor.chroma):
            if c is not None and c.proc is not None and c.proc.poll() is None:
                c.proc.kill()
                c.proc.wait()
        shutil.rmtree(supervisor.workdir, ignore_errors=True)


def test_ctrl_c_is_the_supervisors_unless_it_was_started_ignoring_it(tmp_path):
    """Ctrl-C and SIGHUP stop the supervisor through its own handler (not Python's default, which
    exists only when SIGINT was not ignored at start); started with them ignored (a background
    job, nohup), it leaves them ignored, and SIGTERM still stops it."""
    supervisor = Supervisor(Settings(data_dir=tmp_path / "data"), "127.0.0.1", free_port(), 2, "haproxy")
    saved = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        assert set(supervisor._catch_stop_signals()) == {signal.SIGTERM}
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN and signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
        with pytest.raises(_Stop):
            signal.raise_signal(signal.SIGTERM)

        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        assert set(supervisor._catch_stop_signals()) == set(STOP_SIGNALS)
        for s in STOP_SIGNALS:
            with pytest.raises(_Stop):
                signal.raise_signal(s)
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
        shutil.rmtree(supervisor.workdir, ignore_errors=True)
