"""The serving figures of `prep-bot bench`: `prep-bot serve` started cold on a store, to its
first page and its peak resident memory after a practice turn, against a bare Gradio app."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from prep_bot.evals.evaluation import default_answer_set, load_answer_set
from prep_bot.evals.loadtest import process_tree_cpu


_BARE_APP = """
import sys, gradio as gr
with gr.Blocks() as demo:
    gr.Textbox(label="hello")
demo.launch(server_name="127.0.0.1", server_port=int(sys.argv[1]), ssr_mode=False, quiet=True)
"""


def serve_footprint(data_dir: Path, timeout: float = 300.0) -> dict:
    """Cold start of `prep-bot serve` on ``data_dir`` to its first page and its peak resident
    memory after a practice turn and an evidence search; a bare Gradio app started the same way
    is the baseline."""
    env = dict(os.environ, PREP_BOT_DATA_DIR=str(data_dir), GRADIO_ANALYTICS_ENABLED="False",
               ANONYMIZED_TELEMETRY="False", HF_HUB_OFFLINE="1")
    env.pop("PREP_BOT_CHROMA_URL", None)
    cli = [sys.executable, "-c", "from prep_bot.cli.main import main; main()"]
    bare_runs = []

    def bare() -> None:  # before and after serve, so neither side always finds a warm disk cache
        port = _free_port()
        run = _start_and_wait([sys.executable, "-c", _BARE_APP, str(port)], env, port, timeout)
        bare_runs.append((run["start_s"], _peak_rss_mib(run["proc"])))
        _stop(run)

    bare()
    serve_port = _free_port()
    served = _start_and_wait([*cli, "serve", "--host", "127.0.0.1", "--port", str(serve_port)], env, serve_port, timeout)
    try:
        start_rss = _peak_rss_mib(served["proc"])
        _practice_turn(f"http://127.0.0.1:{serve_port}/")
        peak = _peak_rss_mib(served["proc"])
    finally:
        _stop(served)
    bare()
    bare_start = statistics.mean(t for t, _ in bare_runs)
    bare_rss = max(r for _, r in bare_runs)
    return {
        "serve_cold_start_s": round(served["start_s"], 2),
        "bare_gradio_start_s": round(bare_start, 2),
        "serve_vs_bare_start": round(served["start_s"] / bare_start, 2),
        "serve_rss_at_start_mib": start_rss,
        "serve_peak_rss_mib": peak,
        "bare_gradio_rss_mib": bare_rss,
    }


def _practice_turn(url: str) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False)
    data = load_answer_set(default_answer_set())
    pair = data["pairs"][0]
    client.predict("Bench", "frontline", pair["qs"], True, api_name="/ask")
    client.predict(pair["strong"], "Bench", "", "frontline", [], api_name="/answer")
    client.predict("what do we know about carers", "All", "All", "All", 5, api_name="/evidence")


def _start_and_wait(command: list[str], env: dict, port: int, timeout: float) -> dict:
    log = tempfile.TemporaryFile()
    start = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = start + timeout
    while True:
        if proc.poll() is not None:
            log.seek(0)
            tail = log.read().decode(errors="replace")[-2000:]
            log.close()
            raise RuntimeError(f"{' '.join(command[:3])} exited with {proc.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                if page.status == 200:
                    break
        except OSError:
            pass
        if time.perf_counter() > deadline:
            _stop({"proc": proc, "log": log})
            raise RuntimeError(f"nothing answered on port {port} within {timeout:.0f} s")
        time.sleep(0.05)
    return {"proc": proc, "start_s": time.perf_counter() - start, "log": log}


def _peak_rss_mib(proc: subprocess.Popen) -> float:
    """VmHWM (the most resident memory a process has had, Linux) summed over the process and
    every process under it: with more than one worker `serve` is a supervisor whose app
    processes, haproxy and Chroma server are its children, and the supervisor alone is small."""
    peaks = [_vm_hwm_kib(pid) for pid in process_tree_cpu(proc.pid)]  # the pids of the tree
    found = [kib for kib in peaks if kib is not None]
    return round(sum(found) / 1024, 1) if found else float("nan")


def _vm_hwm_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:  # gone since it was listed
        pass
    return None


def _stop(run: dict) -> None:
    """Stop a process started by _start_and_wait and close its log."""
    proc = run["proc"]
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    run["log"].close()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
