"""Shared fixtures: real components throughout (the bundled model, Chroma in a temp dir)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
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
    services = Services(Settings(**settings))
    services.__dict__["embedder"] = embedder  # cached_property slot: reuse the loaded model
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


@pytest.fixture(scope="session")
def sample_services(tmp_path_factory, embedder) -> Services:
    """The bundled sample library, ingested once into its own store (read-only for tests)."""
    services = services_with(embedder, data_dir=tmp_path_factory.mktemp("sample-store"))
    report = services.ingestor.ingest([SAMPLE_LIBRARY])
    assert not report.failed, report.failed
    return services


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
