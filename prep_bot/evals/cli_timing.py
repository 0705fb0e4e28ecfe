"""`prep-bot search` and `prep-bot coach` timed as a person meets them: each a new process of the
real entry point, with the ONNX engine and with torch (the benchmark's fresh-shell rows)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from prep_bot.evals.evaluation import default_answer_set, load_answer_set


def cli_commands(data_dir: Path, rounds: int = 3, names: tuple[str, ...] = ("search", "coach")) -> dict:
    """``prep-bot search`` and ``prep-bot coach`` (or those of ``names``) as a person types them,
    each a new process of the real entry point on the sample store: the ONNX engine (the default)
    against torch (PREP_BOT_EMBED_BACKEND=torch, how every command ran before), alternating,
    median of ``rounds``. Each command is run once first, so that both find the data dir's caches
    as a person's second command would."""
    pair = load_answer_set(default_answer_set())["pairs"][0]
    every = {
        "search": ["search", "how are carers supported after an assessment"],
        "coach": ["coach", "--qs", pair["qs"], "--question", pair["question"], "--answer", pair["strong"]],
    }
    commands = {name: every[name] for name in names}
    times: dict[str, list[float]] = {f"{name}_{engine}": [] for name in commands for engine in ("onnx", "torch")}
    for n in range(rounds + 1):
        for name, args in commands.items():
            engines = ("onnx", "torch") if n % 2 == 0 else ("torch", "onnx")
            for engine in engines:
                took = _run_cli(args, data_dir, engine)
                if n:  # the first round only warms the caches
                    times[f"{name}_{engine}"].append(took)
    out: dict = {"cli_rounds": rounds}
    for name in commands:
        onnx_s, torch_s = statistics.median(times[f"{name}_onnx"]), statistics.median(times[f"{name}_torch"])
        out[f"{name}_cli_s"] = round(onnx_s, 2)
        out[f"{name}_cli_torch_s"] = round(torch_s, 2)
        out[f"{name}_cli_vs_torch"] = round(onnx_s / torch_s, 3)
    return out


def _entry_point() -> list[str]:
    """The installed ``prep-bot`` script beside this Python, else the module."""
    script = Path(sys.executable).with_name("prep-bot")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "prep_bot.cli"]


def _run_cli(args: list[str], data_dir: Path, engine: str) -> float:
    env = dict(os.environ, PREP_BOT_DATA_DIR=str(data_dir), HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
               GRADIO_ANALYTICS_ENABLED="False", PREP_BOT_EMBED_BACKEND="auto" if engine == "onnx" else "torch")
    for name in ("PREP_BOT_CHROMA_URL", "PREP_BOT_LLM_URL", "PREP_BOT_DATABASE_URL"):
        env.pop(name, None)
    start = time.perf_counter()
    done = subprocess.run([*_entry_point(), *args], env=env, capture_output=True, text=True, timeout=300)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"prep-bot {args[0]} exited with {done.returncode}: {done.stderr[-1000:]}")
    return took
