"""Shared fixtures: real components throughout (the bundled model, Chroma in a temp dir, the real
CLI, a real Gradio server, Debian's chromium). Everything slow is built once and shared; what a
test may change, it gets its own copy of.

Fixtures (R = read-only: never ingest, remove, tag, add users or attempts through it)
---------------------------------------------------------------------------------------------
embedder               session   the bundled all-MiniLM-L6-v2, loaded once. Share it through the
                                 real seam: ``Services(settings, embedder=embedder)``, or
                                 ``services_with(embedder, **settings)``.
sample_services    R   session   Services on the sample library (knowledge/evidence), ingested once
                                 per run. Attempts or accounts of your own beside it: a settings
                                 field, ``services_with(embedder, data_dir=..., database_url=...)``.
sample_store       R   session   the finished sample store on disk: ``.path`` (never open it) and
                                 ``.copy(to) -> Path``, a private data dir (4.4 MiB, a few ms).
                                 Module-scoped fixtures use ``.copy`` / ``.services``.
make_sample_services   function  factory: ``make_sample_services(**settings) -> Services`` on a fresh
                                 private copy of the sample store, writable; closed after the test.
make_services          function  factory: ``make_services(data_dir=None, **settings) -> Services`` on
                                 an empty data dir; closed after the test.
invoke                 session   ``invoke(*args, data_dir=None, env=None, input=None, own_model=False)``:
                                 `prep-bot ARGS` run in this process through Click's CliRunner with
                                 the loaded model (``own_model``: the command builds its own, as a
                                 process would); returns a CompletedProcess (returncode, stdout,
                                 stderr; an unexpected exception is a traceback in stderr, code 1).
                                 Only for what a process alone proves (the installed entry point's
                                 exit code, signals, environment and working directory, imports),
                                 run the process: tests/processes.py (PREP_BOT, serving, ...).
browser                session   one headless Debian chromium through Playwright (skips the test
                                 when chromium is not installed).
new_page               function  factory: ``new_page(viewport=None) -> Page`` in a fresh browser
                                 context (no shared cookies); closed after the test.
sign_in(page, url, name, password)  helper: open the app and sign in through its login form.
served_app(services)   context manager: the app in-process on a free port; yields its URL. Share
                                 one per module when the tests only read.
chroma_server(path)    context manager: a real `chroma run`; yields (port, process).
evidence_dir           function  an empty folder for evidence files.

Markers: ``slow`` (durability: crash, load, replicas, bench, workers), ``server``, ``browser``.
``pytest -m "not slow"`` is the fast set; ``make test`` runs everything.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import time
import traceback
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

import prep_bot  # noqa: F401 - sets the offline / no-telemetry environment first
from prep_bot.infra.config import REPO_ROOT, Settings
from prep_bot.infra.embeddings import Embedder
from prep_bot.services import Services

SAMPLE_LIBRARY = REPO_ROOT / "knowledge" / "evidence"
FIXTURES = Path(__file__).parent / "fixtures"

# Outcome first, a figure the evidence states (97% of enquiries: action taken, risk reduced or
# removed), a person's story, what staff did and what still needs to improve.
STRONG = (
    "When Mrs B raised a concern about her son taking her money, I asked her at the start what she wanted to happen. "
    "She told us she wanted to stay in her own home and feel safe. We worked with her advocate and the bank, and as a "
    "result she is back in control of her money and says she feels safe again. Across the service 97% of enquiries "
    "said action was taken and the risk was reduced or removed. We still need to get better at recording what people "
    "wanted, so we are auditing that every quarter."
)


def pytest_collection_modifyitems(config, items):
    """The durability tests (marked ``slow``) first, in their files' order: with two workers
    (`make test`) the longest files start at once instead of leaving one worker busy at the end.
    The order is the same in every worker, as pytest-xdist requires."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """No test touches the user's store: the default data dir is a fresh temp dir."""
    monkeypatch.setenv("PREP_BOT_DATA_DIR", str(tmp_path_factory.mktemp("default-data")))
    monkeypatch.delenv("PREP_BOT_COUNCIL", raising=False)  # tests that need a home council set it
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # `serve` runs one app process in tests unless a test asks for more (tests/test_workers.py).
    monkeypatch.setenv("PREP_BOT_WORKERS", "1")


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real bundled all-MiniLM-L6-v2, loaded once for the whole run (its ONNX copy, written
    from the bundled model first when this machine has none, as ingest and serve do)."""
    model = Embedder()
    model.load(export=True)
    return model


def services_with(embedder: Embedder, **settings) -> Services:
    """Services on the given settings, sharing the already loaded model."""
    return Services(Settings(**settings), embedder=embedder)


def council_library(tmp_path_factory, embedder: Embedder, name: str, files: dict[str, str]) -> Services:
    """Services on a fresh data dir holding only ``files`` (file name: text, a manifest among
    them), ingested without a failure: one council's evidence for a module's tests."""
    folder = tmp_path_factory.mktemp(f"{name}-evidence")
    for file, text in files.items():
        (folder / file).write_text(text, encoding="utf-8")
    services = services_with(embedder, data_dir=tmp_path_factory.mktemp(f"{name}-store"))
    report = services.ingestor.ingest([folder])
    assert not report.failed, report.failed
    return services


@pytest.fixture
def make_services(tmp_path, embedder):
    """Build services on a fresh data dir (sharing the loaded model)."""
    created: list[Services] = []

    def make(data_dir: Path | None = None, **settings) -> Services:
        services = services_with(embedder, data_dir=data_dir or tmp_path / f"data{len(created)}", **settings)
        created.append(services)
        return services

    yield make
    for services in created:
        services.close()


@dataclass(frozen=True)
class SampleStore:
    """The sample library ingested into a data dir, then closed: Chroma's files, the catalog,
    the BM25 index. Nothing opens ``path`` itself; every user works on a copy."""

    path: Path

    def copy(self, to: Path) -> Path:
        """A private data dir holding the finished sample store (``to`` must not exist yet)."""
        shutil.copytree(self.path, to)
        return to

    def services(self, to: Path, embedder: Embedder, **settings) -> Services:
        """Services on a fresh copy at ``to`` (the caller closes them)."""
        return services_with(embedder, data_dir=self.copy(to), **settings)

    @contextmanager
    def served(self, to: Path, embedder: Embedder, password: str, accounts: list[tuple[str, str, str]]):
        """A fresh copy at ``to`` with these accounts ((name, role, team), all with ``password``),
        its app served in-process; yields (services, url) and closes both after."""
        services = self.services(to, embedder)
        try:
            for name, role, team in accounts:
                services.users.add(name, password, role=role, team=team)
            with served_app(services) as url:
                yield services, url
        finally:
            services.close()


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory, embedder) -> SampleStore:
    """The bundled sample library, ingested once for the whole run and closed (see SampleStore):
    under pytest-xdist the first worker to need it builds it in the run's own temp folder, and
    the others wait for it and share it (it is never written after)."""
    base = tmp_path_factory.getbasetemp()  # a worker's own folder, inside the run's under xdist
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    data_dir, done = root / "sample-store" / "data", root / "sample-store" / ".built"
    with open(root / "sample-store.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            shutil.rmtree(data_dir, ignore_errors=True)  # what a worker that failed half way left
            services = services_with(embedder, data_dir=data_dir)
            try:
                report = services.ingestor.ingest([SAMPLE_LIBRARY])
                assert not report.failed, report.failed
            finally:
                services.close()  # the catalog, the cache and Chroma's files written out and let go of
            done.touch()
    return SampleStore(data_dir)


@pytest.fixture(scope="session")
def sample_services(tmp_path_factory, sample_store, embedder) -> Services:
    """The bundled sample library, ingested once (a copy of ``sample_store``); read-only for tests."""
    services = sample_store.services(tmp_path_factory.mktemp("sample-services") / "data", embedder)
    yield services
    services.close()


@pytest.fixture
def make_sample_services(tmp_path, sample_store, embedder):
    """Factory: Services on a fresh private copy of the sample store, which the test may change."""
    created: list[Services] = []

    def make(**settings) -> Services:
        services = sample_store.services(tmp_path / f"sample{len(created)}", embedder, **settings)
        created.append(services)
        return services

    yield make
    for services in created:
        services.close()


class Invoke:
    """`prep-bot ARGS` in this process: Click's CliRunner on the real command group, with every
    command's services built around the already loaded model (the ``Wiring`` seam of the CLI)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def __call__(self, *args: str, data_dir: Path | None = None, env: dict | None = None, input: str | None = None,
                 own_model: bool = False, timeout: float | None = None) -> subprocess.CompletedProcess:  # noqa: ARG002
        """``own_model``: the command builds its own embedder from the settings, unloaded (a test
        that proves a command never needs the model points PREP_BOT_MODEL_PATH nowhere)."""
        from click.testing import CliRunner

        from prep_bot.cli.common import Wiring
        from prep_bot.cli.main import main

        argv = [str(a) for a in args] + (["--data-dir", str(data_dir)] if data_dir is not None else [])
        built: list[Services] = []

        def build(settings: Settings) -> Services:
            built.append(Services(settings) if own_model else Services(settings, embedder=self.embedder))
            return built[-1]

        try:
            with _as_a_fresh_process():
                result = CliRunner(capture="fd").invoke(
                    main, argv, input=input, env=_overrides(env), obj=Wiring(build=build)
                )
        finally:
            for services in built:
                services.close()
        stderr = result.stderr
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            stderr += "".join(traceback.format_exception(result.exception))  # as the process would print it
        return subprocess.CompletedProcess(["prep-bot", *argv], result.exit_code, result.stdout, stderr)


@contextmanager
def _as_a_fresh_process():
    """What a new `prep-bot` process starts with, for the length of one command: no logging
    handlers (so the command's own ``logging.basicConfig`` writes its warnings to the captured
    stderr) and Python's default warning filters, warnings printed to stderr."""
    import logging
    import warnings

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    for handler in handlers:
        root.removeHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.resetwarnings()
            warnings.simplefilter("default")
            for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
                warnings.filterwarnings("ignore", category=category)
            warnings.showwarning = warnings._showwarning_orig  # to sys.stderr, as a process prints them
            yield
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
            handler.close()
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)


def _overrides(env: dict | None) -> dict[str, str | None] | None:
    """A whole environment (as subprocess.run takes it) as CliRunner's overrides of os.environ:
    what differs, and None for what it leaves out."""
    if env is None:
        return None
    changed: dict[str, str | None] = {k: v for k, v in env.items() if os.environ.get(k) != v}
    changed.update({k: None for k in os.environ if k not in env})
    return changed


@pytest.fixture(scope="session")
def invoke(embedder) -> Invoke:
    """Run `prep-bot ARGS` in-process with the loaded model; see Invoke."""
    return Invoke(embedder)


@pytest.fixture
def evidence_dir(tmp_path) -> Path:
    """An empty folder to write evidence files into."""
    folder = tmp_path / "evidence"
    folder.mkdir()
    return folder


CHROMIUM = Path("/usr/bin/chromium")
# Debian's chromium, headless, with nothing that reaches beyond this machine.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


def launch_chromium(playwright):
    """Start Debian's chromium through Playwright (no browser download)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole run; tests open their own contexts (``new_page``)."""
    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def new_page(browser):
    """Factory: ``new_page(viewport=None, **context_options)``, a page in a fresh browser context
    (its own cookies and storage); every context is closed after the test."""
    contexts = []

    def make(viewport: dict | None = None, **options):
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 720}, **options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


SIGNED_IN = "() => (document.querySelector('#signed-in')?.innerText || '').includes('Signed in as')"


def sign_in(page, url: str | None, name: str, password: str, *, wait: bool = True, timeout: float = 60_000) -> None:
    """Open ``url`` (None: the page as it is) and sign in through the app's sign-in page; with
    ``wait``, until the page says who is signed in."""
    if url is not None:
        page.goto(url, wait_until="domcontentloaded")
    page.get_by_label("username").fill(name, timeout=timeout)
    page.get_by_label("password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if wait:
        page.wait_for_function(SIGNED_IN, timeout=timeout)


def settled(page, selector: str, quiet_ms: int = 500, timeout: float = 30_000) -> None:
    """Wait until nothing in ``selector`` has changed for ``quiet_ms`` and no event shows its
    progress there (the page has finished drawing what the last events sent)."""
    page.evaluate(
        """(sel) => { window.__pbChanged = Date.now();
        new MutationObserver(() => { window.__pbChanged = Date.now(); })
          .observe(document.querySelector(sel), {subtree: true, childList: true, characterData: true, attributes: true}); }""",
        selector,
    )
    page.wait_for_function(
        """([sel, quiet]) => Date.now() - window.__pbChanged > quiet
            && !/(^|\\n)(processing|queue:)/.test(document.querySelector(sel).innerText)""",
        arg=[selector, quiet_ms], timeout=timeout,
    )


@contextmanager
def served_app(services):
    """The app launched in-process on a free loopback port; yields its URL, closes it after."""
    from prep_bot.ui.app import launch

    port = free_port()
    app = launch(services, "127.0.0.1", port, block=False)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()


@contextmanager
def chroma_server(path: Path, timeout: float = 60.0):
    """A real `chroma run` on 127.0.0.1 storing in ``path``; yields (port, process); always
    terminated. Its output goes to chroma-server.log beside ``path``."""
    port = free_port()
    log = open(path.parent / "chroma-server.log", "wb")
    proc = subprocess.Popen(
        [str(REPO_ROOT / ".venv" / "bin" / "chroma"), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)],
        env=dict(os.environ, ANONYMIZED_TELEMETRY="False"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"chroma server exited early with code {proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"chroma server on port {port} did not answer within {timeout:.0f} s") from None
                time.sleep(0.25)
        yield port, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
        log.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_sample(name: str, to: Path) -> Path:
    target = to / name
    shutil.copy(SAMPLE_LIBRARY / name, target)
    return target


def cli_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PREP_BOT_DATA_DIR"] = str(data_dir)
    return env
