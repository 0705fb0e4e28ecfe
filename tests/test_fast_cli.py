"""Fast CLI: commands that need no new embedding never load the model. `gaps` and `report` read
the question checks (or at least the question bank's vectors) from the data dir's disk cache,
and give the same answers as a fresh computation."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from conftest import STRONG, services_with
from prep_bot.infra.config import REPO_ROOT
from prep_bot.practice.insights import Insights
from prep_bot.infra.vector_cache import VectorCache

HEAVY = ("torch", "sentence_transformers", "transformers")
# Runs one command in-process, then says on stderr which heavy modules it imported.
PROBE = """
import json, sys
from prep_bot.cli.main import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    sys.stdout.flush()
    print("MODULES " + json.dumps(sorted(m for m in {heavy} + ("chromadb",) if m in sys.modules)), file=sys.stderr)
""".format(heavy=HEAVY)
NOTE = """Adult social care performance note

Safeguarding

Strengths

Every safeguarding concern was screened within one working day, and people told us they felt listened to.
"""


def probe(*args: str, data_dir: Path) -> tuple[subprocess.CompletedProcess, set[str]]:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), PREP_BOT_DATA_DIR=str(data_dir))
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env,
                          cwd=REPO_ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    return done, set(json.loads(line.removeprefix("MODULES ")))


def test_gaps_and_report_do_not_load_the_model(sample_services, embedder, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(sample_services.settings.data_dir, data)  # leave the shared store alone
    (data / "cache.sqlite").unlink(missing_ok=True)
    note = tmp_path / "note.txt"
    note.write_text(NOTE, encoding="utf-8")

    # Ingest embeds with the ONNX copy the session made (conftest), so it loads no torch either,
    # and leaves the question bank's vectors on disk.
    ingest, loaded = probe("ingest", str(note), "--quiet", data_dir=data)
    assert not loaded & set(HEAVY), loaded
    assert ingest.stdout.strip().endswith(f"; data dir {data}.")

    # The evidence changed since: the checks are redone, with the stored vectors, but no model.
    gaps, loaded = probe("gaps", "--json", data_dir=data)
    assert not loaded & set(HEAVY), loaded
    rows = json.loads(gaps.stdout)

    # The same as a fresh computation without any cache (the loaded model, this process).
    services = services_with(embedder, data_dir=data)
    try:
        fresh = Insights(services.store, services.framework, services.questions, services.attempts, embedder).readiness()
    finally:
        services.close()
    assert [r["qs"] for r in rows] == [r.qs for r in fresh]
    for row, want in zip(rows, fresh):
        expected = want.to_dict()
        for key in ("readiness", "evidence_passages", "strengths", "improvements", "data_points", "evidence_categories", "unanswered"):
            assert row[key] == expected[key], (row["qs"], key)

    # Nothing changed: the checks come from the cache, so not even the vector store is opened.
    out = tmp_path / "r.html"
    report, loaded = probe("report", "--out", str(out), data_dir=data)
    assert not loaded, loaded
    assert out.stat().st_size > 500 and str(data) in report.stdout


# What `search`, `coach` and `ask` must not import: torch and the libraries built on it, and the
# app's, the language model's and the dataframe stacks they have no use for.
NEEDLESS = (*HEAVY, "sklearn", "gradio", "langchain_core", "langchain_openai", "langchain_chroma", "openai", "pandas",
            "jinja2", "faster_whisper", "ctranslate2", "onnx")
COMMANDS = {
    "search": ["search", "how are carers supported", "--json"],
    "coach": ["coach", "--qs", "safeguarding", "--question", "How do you keep people safe?", "--answer", STRONG, "--json"],
    "ask": ["ask", "What did the peer challenge say about carers?", "--json"],
}


def test_search_coach_and_ask_start_without_torch(sample_services, embedder, tmp_path):
    """With the ONNX copy (the default once it exists), the commands a person types while
    rehearsing import no torch, nor anything else they do not use; their answers are the ones
    the torch engine gives."""
    data = tmp_path / "data"
    shutil.copytree(sample_services.settings.data_dir, data)
    probe_text = PROBE.replace(repr(HEAVY), repr(NEEDLESS))
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), PREP_BOT_DATA_DIR=str(data))
    out = {}

    def run(args: list[str]) -> tuple[set[str], dict]:
        done = subprocess.run([sys.executable, "-c", probe_text, *args], capture_output=True, text=True, env=env,
                              cwd=REPO_ROOT, timeout=600)
        assert done.returncode == 0, done.stderr
        line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
        return set(json.loads(line.removeprefix("MODULES "))), json.loads(done.stdout)

    # The coach's sentence judgement ships trained (knowledge/sentences/models.npz): even the
    # first coach in a data dir loads no scikit-learn, let alone torch.
    for name, args in COMMANDS.items():
        loaded, out[name] = run(args)
        assert loaded == {"chromadb"}, (name, loaded)  # the vector store, and nothing heavy
    # The torch engine (the fallback, and how these commands ran before) gives the same answers.
    torch_env = dict(env, PREP_BOT_EMBED_BACKEND="torch")
    for name in ("search", "coach"):
        done = subprocess.run([sys.executable, "-c", PROBE, *COMMANDS[name]], capture_output=True, text=True,
                              env=torch_env, cwd=REPO_ROOT, timeout=600)
        assert done.returncode == 0, done.stderr
        assert "torch" in done.stderr.splitlines()[-1]
        again = json.loads(done.stdout)
        if name == "search":
            assert [h["id"] for h in again] == [h["id"] for h in out[name]]
        else:
            assert (again["score"], again["dimensions"]) == (out[name]["score"], out[name]["dimensions"])


def test_vector_cache_keeps_forgets_and_survives_damage(tmp_path):
    cache = VectorCache(tmp_path / "cache.sqlite", max_vectors=3)
    a, b = np.arange(4, dtype=np.float32), np.ones(4, dtype=np.float32)
    cache.put_vectors("m1", {"question one": a, "an answer": b})
    found = cache.vectors("m1", ["question one", "an answer", "never seen"])
    assert set(found) == {"question one", "an answer"} and np.array_equal(found["question one"], a)
    assert cache.vectors("m2", ["question one"]) == {}  # another model's vectors are another key
    assert cache.forget(["an answer"]) == 1  # an erased answer's vector goes
    assert set(cache.vectors("m1", ["question one", "an answer"])) == {"question one"}
    cache.put_vectors("m1", {f"t{i}": a for i in range(4)})
    assert len(cache.vectors("m1", ["question one", "t0", "t1", "t2", "t3"])) == 3  # the oldest went first
    cache.put_result("evidence:1", {"x": 1}, kind="evidence")
    cache.put_result("evidence:2", {"x": 2}, kind="evidence")
    assert cache.result("evidence:1") is None and cache.result("evidence:2") == {"x": 2}  # stale ones replaced
    cache.close()

    (tmp_path / "bad.sqlite").write_bytes(b"this is not a database" * 100)
    broken = VectorCache(tmp_path / "bad.sqlite")
    assert broken.vectors("m1", ["question one"]) == {}  # a miss, never an error
    broken.put_vectors("m1", {"question one": a})
    assert broken.result("evidence:1") is None
    broken.close()
