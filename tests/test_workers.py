"""`prep-bot serve --workers N`: real app processes behind Debian's haproxy, a Chroma server over
the data dir, and the supervisor that starts, restarts and stops them (all real subprocesses)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import CHROMIUM, STRONG, free_port, launch_chromium
from prep_bot.infra.config import Settings
from prep_bot.evals.loadtest import process_tree_cpu
from prep_bot.services import Services
from prep_bot.infra.workers import NO_HAPROXY, WORKER_COOKIE, find_haproxy, haproxy_config
from processes import PREP_BOT, _tail, env_for

pytestmark = pytest.mark.server
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
    """`prep-bot serve` in its own session (as from a terminal); yields (url, process) once the
    supervisor says it is ready. Whatever is still running afterwards is killed."""
    port = free_port()
    log = open(log_path, "wb")
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


def _single(log_path: Path) -> str:
    """The log of a one-process serve once Gradio answers (it prints its URL then)."""
    text = log_path.read_text(errors="replace")
    return text if "Running on local URL" in text else ""


def children(pid: int) -> dict[str, int]:
    """The supervisor's children by role: haproxy, chroma, and w1, w2... by their ports."""
    found: dict[str, int] = {}
    worker_ports: dict[int, str] = {}
    argv = {p: Path(f"/proc/{p}/cmdline").read_bytes().split(b"\0") for p in process_tree_cpu(pid) if p != pid}
    for p, args in argv.items():
        if args[0].endswith(b"haproxy"):
            found["haproxy"] = p
            config = Path(args[args.index(b"-f") + 1].decode()).read_text()
            worker_ports = {int(port): name for name, port in re.findall(r"server (w\d+) 127\.0\.0\.1:(\d+)", config)}
        elif b"run" in args and any(a.endswith(b"/chroma") or a == b"chroma" for a in args):
            found["chroma"] = p
    for p, args in argv.items():
        if b"prep_bot.cli" in args:
            found[worker_ports[int(args[args.index(b"--port") + 1])]] = p
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
def test_sign_in_through_the_proxy_and_ctrl_c_stops_everything(tmp_path):
    from gradio_client import Client

    data = tmp_path / "data"
    services = Services(Settings(data_dir=data))
    try:
        services.users.add("lee", PASSWORDS["lee"], role="lead")
        services.users.add("sam", PASSWORDS["sam"], role="staff", team="Front door")
    finally:
        services.close()
    with serve(data, tmp_path / "serve.log", "--workers", "2") as (url, proc):
        tree = set(process_tree_cpu(proc.pid))
        if CHROMIUM.exists():
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                browser = launch_chromium(p)
                try:
                    page = browser.new_page(viewport={"width": 1300, "height": 900})
                    page.goto(url, wait_until="domcontentloaded")
                    page.get_by_label("username").fill("sam")
                    page.get_by_label("password").fill(PASSWORDS["sam"])
                    page.get_by_role("button", name="Login").click()
                    page.wait_for_function(
                        "() => (document.querySelector('#signed-in')?.innerText || '').includes('Signed in as')",
                        timeout=60_000,
                    )
                    assert "Signed in as sam (staff, Front door)" in page.locator("#signed-in").inner_text()
                    assert {c["name"] for c in page.context.cookies()} >= {WORKER_COOKIE}
                finally:
                    browser.close()

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

        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in the terminal it runs in
        assert proc.wait(timeout=60) == 0
        assert not gone(tree), "a child outlived Ctrl-C"
    assert "Stopping the workers." in (tmp_path / "serve.log").read_text()
