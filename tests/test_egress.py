"""Nothing leaves the machine: prompts for a loopback model never go through a proxy named in the
environment, never follow a redirect, and only a literal loopback address or ``localhost`` is
accepted; `prep-bot serve` starts and answers with proxy variables set. A trap listener on
another loopback port stands in for the proxy and for the redirect target: it must see 0
connections. The model is the scripted local server (tests/llm_server.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import httpx
import pytest

from conftest import cli_env, free_port
from llm_server import FakeLLM
from prep_bot.llm.advisor import Advisor
from prep_bot.llm.client import ChatModel, LLMError, endpoint_from, is_loopback
from prep_bot.infra.config import Settings
from prep_bot.infra.egress import bypass_proxy_for
from test_cli import PREP_BOT

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


class Trap:
    """A TCP listener on loopback that counts every connection made to it (and answers none)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.connections = 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def __enter__(self) -> "Trap":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def trap():
    with Trap() as t:
        yield t


@pytest.fixture(scope="module")
def llm():
    with FakeLLM() as server:
        yield server


@pytest.fixture
def proxied(monkeypatch, trap):
    """Every proxy variable, in both cases, pointing at the trap; no exceptions listed."""
    for name in PROXY_VARIABLES:
        monkeypatch.setenv(name, trap.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    return trap


def advisor(services, url: str) -> Advisor:
    settings = Settings(data_dir=services.settings.data_dir, llm_url=url, llm_model=FakeLLM.model)
    return Advisor(settings, services.store, services.framework, services.coach.claims)


def test_only_literal_loopback_or_localhost_is_this_machine(tmp_path):
    for host in ("127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_loopback(host), host
    for host in ("models.localhost", "localhost.", "localhost.localdomain", "127.1", "0x7f000001", "0.0.0.0",
                 "::ffff:127.0.0.1", "10.0.0.5", ""):
        assert not is_loopback(host), host
    with pytest.raises(LLMError, match="not on this machine"):
        endpoint_from(Settings(data_dir=tmp_path, llm_url="http://models.localhost:11434/v1"))


def test_a_proxy_in_the_environment_gets_nothing(sample_services, llm, proxied):
    # The trap works: a client that honours the environment is sent to it.
    with pytest.raises(httpx.HTTPError):
        httpx.get(llm.url("good") + "/models", timeout=5)
    assert proxied.connections >= 1
    caught = proxied.connections
    feedback = sample_services.coach.coach("assessing-needs", "How long do people wait?", "People wait less now.")
    helped = advisor(sample_services, llm.url("good")).coach_help(feedback, "People wait less now.")
    assert helped.error == "" and helped.stronger_answer, helped
    answer = advisor(sample_services, llm.url("good")).ask("How long do people wait for an assessment?")
    assert answer.llm and answer.notice == ""
    checked = ChatModel(endpoint_from(Settings(data_dir=sample_services.settings.data_dir, llm_url=llm.url("good"),
                                               llm_model=FakeLLM.model))).check()
    assert checked["has_model"]
    time.sleep(0.5)
    assert proxied.connections == caught  # 0 connections from prep-bot


def test_a_redirect_from_the_model_server_is_not_followed(sample_services, llm, trap):
    llm.redirects["moved"] = trap.url + "/v1"
    answer = advisor(sample_services, llm.url("moved")).ask("How long do people wait for an assessment?")
    assert not answer.llm and "redirected the request (HTTP 307)" in answer.notice and "never follows" in answer.notice
    with pytest.raises(LLMError, match="redirected"):
        ChatModel(endpoint_from(Settings(data_dir=sample_services.settings.data_dir, llm_url=llm.url("moved"),
                                         llm_model=FakeLLM.model))).check()
    time.sleep(0.5)
    assert trap.connections == 0


def test_a_dot_localhost_name_is_refused_before_any_lookup(sample_services):
    looked_up: list[str] = []

    def audit(event, args):
        if event == "socket.getaddrinfo":
            looked_up.append(str(args[0]))

    sys.addaudithook(audit)
    answer = advisor(sample_services, "http://models.localhost:11434/v1").ask("How long do people wait?")
    assert not answer.llm and "not on this machine" in answer.notice
    assert not any("localhost" in host for host in looked_up), looked_up


def test_loopback_is_added_to_no_proxy_keeping_what_was_there(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "intranet.council.test")
    monkeypatch.delenv("no_proxy", raising=False)
    merged = bypass_proxy_for("0.0.0.0", "http://127.0.0.1:8000")
    assert merged.split(",") == ["intranet.council.test", "localhost", "127.0.0.1", "::1"]
    assert os.environ["no_proxy"] == merged
    assert "prep.council.test" in bypass_proxy_for("prep.council.test")


def test_serve_starts_and_answers_with_proxy_variables_set(tmp_path, trap):
    """A real `prep-bot serve` whose environment sends everything to the trap: Gradio's own
    start-up checks reach the app directly, the page answers, and the trap sees nothing."""
    port = free_port()
    env = cli_env(tmp_path / "data")
    for name in PROXY_VARIABLES:
        env[name] = trap.url
    env.pop("NO_PROXY", None)
    env.pop("no_proxy", None)
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([str(PREP_BOT), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            deadline = time.monotonic() + 300
            status = None
            while time.monotonic() < deadline:
                assert proc.poll() is None, Path(log_path).read_text(errors="replace")[-3000:]
                try:
                    with direct.open(f"http://127.0.0.1:{port}/config", timeout=5) as response:
                        status = response.status
                        break
                except OSError:
                    time.sleep(0.5)
            assert status == 200, Path(log_path).read_text(errors="replace")[-3000:]
            with direct.open(f"http://127.0.0.1:{port}/", timeout=10) as page:
                assert page.status == 200 and b"<html" in page.read(2000).lower()
            time.sleep(2)  # Gradio's own checks run just after it starts listening
            assert proc.poll() is None, Path(log_path).read_text(errors="replace")[-3000:]
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
    assert trap.connections == 0
    assert "Couldn't start the app" not in log_path.read_text(errors="replace")
