"""`prep-bot serve --workers N`: N app processes behind Debian's haproxy on one address.

Gradio keeps sessions, queues and sign-in tokens in the memory of one process, so haproxy
inserts a cookie naming the worker and sends every later request of that browser (or
gradio_client, which keeps the cookies of its first response) to the same worker. Each worker
is a plain `prep-bot serve --workers 1` on a free loopback port over the same data dir; with
an embedded Chroma store, a `chroma run` server over the data dir's Chroma folder is started
for them, so vectors written by one worker are searchable through all. The supervisor starts
them, restarts a worker (or the Chroma server) that dies, and stops them all on Ctrl-C or
SIGTERM; should the supervisor itself be killed, Linux ends its children with it.

Stopping takes at most STOP_BUDGET_S: haproxy first (no new requests), then the workers, then
the Chroma server, each asked with SIGTERM, and killed if still running at its group's deadline. Ctrl-C and SIGHUP are the supervisor's own signals to stop, unless it was started
with them ignored (a background job of a script, `nohup`): then, as any program, it leaves them
ignored and stops on SIGTERM.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import click

WORKER_COOKIE = "prep_bot_worker"  # haproxy's stickiness cookie; its value names the worker (w1, w2, ...)
NO_HAPROXY = "haproxy is not installed (apt-get install haproxy); serving with one process."
HEALTH_PATH = "/robots.txt"  # answered by Gradio without sign-in, cheaply
READY_TIMEOUT_S = 600.0  # a worker loads the model and indexes before it answers
STOP_BUDGET_S = 10.0  # from Ctrl-C to every child gone
# haproxy, the workers and the Chroma server are killed if still running this long after the stop
# began (each group is asked in turn; the Chroma server takes a few seconds to shut down cleanly).
STOP_DEADLINES_S = (2.0, 6.0, 8.0)
POLL_S = 0.5
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def default_workers() -> int:
    """The default number of app processes: one per core."""
    return os.cpu_count() or 1


def find_haproxy() -> str | None:
    """The haproxy executable: $PREP_BOT_HAPROXY when set, else found on the PATH or in /usr/sbin
    (where Debian puts it, not always on a user's PATH); None when there is none."""
    named = os.environ.get("PREP_BOT_HAPROXY")
    if named is not None:
        return named if named and os.access(named, os.X_OK) else None
    return shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")


def haproxy_config(host: str, port: int, worker_ports: list[int]) -> str:
    """The haproxy configuration: one front address, sticky by cookie, health-checked workers."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    servers = "\n".join(
        f"    server w{i} 127.0.0.1:{p} check cookie w{i}" for i, p in enumerate(worker_ports, start=1)
    )
    return f"""\
# Written by prep-bot serve --workers {len(worker_ports)}; regenerated at every start.
global
    nbthread 1

# The workers are on loopback and no name is ever looked up: an empty "default" resolvers
# section keeps haproxy from opening a socket to the system's DNS server at start.
resolvers default

defaults
    mode http
    option forwardfor
    option redispatch
    retries 2
    timeout connect 5s
    timeout client 10m
    timeout server 10m
    timeout tunnel 1h
    timeout http-request 30s
    timeout http-keep-alive 60s
    timeout queue 60s

frontend prep_bot
    bind {bind}
    default_backend workers

backend workers
    balance roundrobin
    cookie {WORKER_COOKIE} insert indirect nocache httponly attr "SameSite=Lax"
    # A script that keeps no cookies (plain HTTP on /gradio_api/call/...) posts a call, then reads
    # its result in a second request: keep such clients on one worker by their address.
    stick-table type ip size 100k expire 30m
    stick on src if {{ path_beg /gradio_api/ }} !{{ req.cook({WORKER_COOKIE}) -m found }}
    option httpchk
    http-check send meth GET uri {HEALTH_PATH}
    http-check expect status 200
    default-server inter 2s fastinter 500ms downinter 1s rise 1 fall 2
{servers}
"""


def _die_with_parent(parent: int):
    """For Popen's preexec_fn: end the child when the supervisor dies, even by SIGKILL. The
    child starts with SIGTERM at its default (an ignored signal would survive exec), so both
    the supervisor's stop and the parent-death signal end it."""

    def preexec() -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # held by the supervisor while it forks
        if sys.platform.startswith("linux"):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the supervisor died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _port_in_use(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


class _Stop(Exception):
    """Ctrl-C, SIGTERM or SIGHUP: stop everything."""


@dataclass
class _Child:
    name: str
    argv: list[str]
    ready_url: str
    port: int = 0
    stdout: object = subprocess.DEVNULL
    proc: subprocess.Popen | None = None
    started: float = 0.0
    restarts: int = 0
    next_start: float = 0.0
    env: dict = field(default_factory=dict)

    def start(self) -> None:
        # A stop signal arriving while the child is being started waits until it is recorded
        # (else a child started but not yet known would be left out of the stop).
        held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            self.proc = subprocess.Popen(
                self.argv, env=self.env, stdin=subprocess.DEVNULL, stdout=self.stdout,
                start_new_session=True,  # Ctrl-C reaches the supervisor alone; it stops the children in order
                preexec_fn=_die_with_parent(os.getpid()),
            )
            self.started = time.monotonic()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def exited(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()


class Supervisor:
    """Start the Chroma server (when needed), N workers and haproxy; keep them running."""

    def __init__(self, settings, host: str, port: int, workers: int, haproxy: str, echo=click.echo) -> None:
        self.settings = settings
        self.host, self.port, self.count = host, port, workers
        self.haproxy_bin = haproxy
        self.echo = echo
        self.workdir = Path(tempfile.mkdtemp(prefix="prep-bot-workers-"))
        self.chroma: _Child | None = None
        self.workers: list[_Child] = []
        self.proxy: _Child | None = None
        self.chroma_url = settings.chroma_url

    # -- building the children -----------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PREP_BOT_DATA_DIR"] = str(self.settings.data_dir)
        env.pop("PREP_BOT_WORKERS", None)
        env["PREP_BOT_FRONT_PORT"] = str(self.port)  # pages come from haproxy's address: the workers' own origin
        if self.chroma_url:
            env["PREP_BOT_CHROMA_URL"] = self.chroma_url
        # The workers run the very prep_bot this process runs (a checkout, or the installed one).
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        return env

    def _chroma_child(self) -> _Child:
        port = _free_port()
        chroma = Path(sys.executable).parent / "chroma"
        argv = [str(chroma) if chroma.exists() else "chroma", "run", "--host", "127.0.0.1", "--port", str(port),
                "--path", str(self.settings.chroma_path)]
        log = open(self.workdir / "chroma.log", "ab")  # noqa: SIM115 - closed with the workdir
        env = dict(os.environ, ANONYMIZED_TELEMETRY="False")
        self.chroma_url = f"http://127.0.0.1:{port}"
        return _Child("Chroma server", argv, f"{self.chroma_url}/api/v2/heartbeat", stdout=log, env=env)

    def _worker(self, i: int, env: dict[str, str]) -> _Child:
        port = _free_port()
        argv = [sys.executable, "-m", "prep_bot.cli", "serve", "--workers", "1", "--host", "127.0.0.1",
                "--port", str(port), "--data-dir", str(self.settings.data_dir)]
        # Worker output: errors reach the supervisor's stderr; the banner and Gradio's own lines
        # (which name the worker's private port) are not shown.
        return _Child(f"Worker w{i}", argv, f"http://127.0.0.1:{port}{HEALTH_PATH}", port=port, env=env)

    # -- running -------------------------------------------------------------------------------
    def run(self) -> int:
        """Serve until Ctrl-C or SIGTERM; returns the exit code."""
        if _port_in_use(self.host, self.port):
            self.echo(f"Port {self.port} on {self.host} is in use; stop what uses it or choose another --port.", err=True)
            return 1
        previous = self._catch_stop_signals()
        try:
            return self._run()
        except (KeyboardInterrupt, _Stop):
            self.echo("Stopping the workers.")
            return 0
        finally:
            for s in previous:  # a second Ctrl-C must not cut the stop short
                signal.signal(s, signal.SIG_IGN)
            try:
                self.stop_all()
            finally:
                for s, handler in previous.items():
                    signal.signal(s, handler)
                shutil.rmtree(self.workdir, ignore_errors=True)

    def _catch_stop_signals(self) -> dict:
        """Stop on Ctrl-C, SIGTERM and SIGHUP; returns the handlers they had. Python turns Ctrl-C
        into KeyboardInterrupt only when SIGINT was not ignored at start; the supervisor does not
        rely on that: it handles the signals itself, and leaves SIGINT and SIGHUP ignored when
        they were (a background job, `nohup`), as any program should."""
        previous = {}
        for s in STOP_SIGNALS:
            current = signal.getsignal(s)
            if current == signal.SIG_IGN and s != signal.SIGTERM:
                continue
            previous[s] = signal.signal(s, self._on_signal)
        return previous

    def _on_signal(self, signum, frame) -> None:  # noqa: ARG002
        raise _Stop()

    def _run(self) -> int:
        if not self.chroma_url:
            self.chroma = self._chroma_child()
            self.chroma.start()
            if not self._wait_ready([self.chroma], 120.0):
                self.echo(f"The Chroma server did not start:\n{self._tail('chroma.log')}", err=True)
                return 1
        env = self._env()
        self.workers = [self._worker(i, env) for i in range(1, self.count + 1)]
        for worker in self.workers:
            worker.start()
        if not self._wait_ready(self.workers, READY_TIMEOUT_S):
            self.echo("A worker did not start (its error is above); stopping.", err=True)
            return 1
        config = self.workdir / "haproxy.cfg"
        config.write_text(haproxy_config(self.host, self.port, [w.port for w in self.workers]))
        # -q: haproxy would warn at every start that the (deliberately) empty resolvers have no server.
        self.proxy = _Child("haproxy", [self.haproxy_bin, "-db", "-q", "-f", str(config)], "", env=dict(os.environ))
        self.proxy.start()
        if not self._wait_listening():
            self.echo(f"haproxy did not start (exit code {self.proxy.exited()}); stopping.", err=True)
            return 1
        pids = ", ".join(str(w.pid) for w in self.workers)
        self.echo(f"Ready: {self.count} workers (pids {pids}) behind haproxy on {self.host}:{self.port}.")
        sys.stdout.flush()
        return self._watch()

    def _wait_ready(self, children: list[_Child], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        waiting = list(children)
        while waiting:
            for child in list(waiting):
                if child.exited() is not None:
                    return False
                if _answers(child.ready_url):
                    waiting.remove(child)
            if waiting:
                if time.monotonic() > deadline:
                    return False
                time.sleep(POLL_S)
        return True

    def _wait_listening(self, timeout: float = 20.0) -> bool:
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proxy.exited() is None:
            try:
                with socket.create_connection((host, self.port), timeout=1):
                    return True
            except OSError:
                time.sleep(0.1)
        return False

    def _watch(self) -> int:
        while True:
            code = self.proxy.exited()
            if code is not None:
                self.echo(f"haproxy stopped (exit code {code}); stopping the workers.", err=True)
                return 1
            now = time.monotonic()
            for child in ([self.chroma] if self.chroma else []) + self.workers:
                code = child.exited()
                if code is None:
                    continue
                if child.next_start == 0.0:
                    # Quick deaths back off (up to 30 s), so a broken worker does not spin.
                    quick = now - child.started < 30
                    child.restarts = child.restarts + 1 if quick else 0
                    child.next_start = now + (min(30.0, 2.0 ** child.restarts) if quick else 0.0)
                    self.echo(f"{child.name} (pid {child.pid}) exited with code {code}; restarting it.", err=True)
                if now >= child.next_start:
                    child.next_start = 0.0
                    child.start()
            time.sleep(POLL_S)

    def stop_all(self) -> None:
        """Stop haproxy first (no new requests), then the workers, then the Chroma server: each
        group gets SIGTERM, and what still runs at the group's deadline (STOP_DEADLINES_S after
        the start) is killed, so everything is gone within STOP_BUDGET_S."""
        began = time.monotonic()
        groups = ([self.proxy], self.workers, [self.chroma])
        killed: list[_Child] = []
        for group, deadline in zip(groups, STOP_DEADLINES_S):
            children = [c for c in group if c is not None and c.proc is not None]
            for child in children:
                child.stop()
            for child in children:
                _wait(child, began + deadline)
            for child in children:
                if child.exited() is None:
                    self.echo(f"{child.name} (pid {child.pid}) did not stop within {deadline:.0f} s; killing it.", err=True)
                    child.kill()
                    killed.append(child)
        for child in killed:
            _wait(child, began + STOP_BUDGET_S)
        if self.chroma is not None and hasattr(self.chroma.stdout, "close"):
            self.chroma.stdout.close()

    def _tail(self, name: str, lines: int = 20) -> str:
        try:
            return "\n".join((self.workdir / name).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _wait(child: _Child, deadline: float) -> None:
    """Wait for ``child`` to end, until ``deadline`` (time.monotonic) at the latest."""
    try:
        child.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        pass


def run_workers(settings, host: str, port: int, workers: int, haproxy: str) -> int:
    """Serve ``workers`` app processes behind haproxy on ``host:port`` until stopped."""
    return Supervisor(settings, host, port, workers, haproxy).run()
