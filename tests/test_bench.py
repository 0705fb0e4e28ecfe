"""The benchmark runs end to end at a small scale and reports every figure the README table
needs; the filtered dense search it measures finds what Chroma's own filter finds."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import cli_env
from prep_bot.evals.bench import Synthesizer, cli_rows, format_markdown, format_table, grow
from prep_bot.evals.cli_timing import cli_commands
from prep_bot.evals.evaluation import default_retrieval_set, load_retrieval_set
from prep_bot.evidence.store import _where
from prep_bot.framework.vocab import QS_SLUGS

pytestmark = pytest.mark.slow  # durability: `pytest -m "not slow"` leaves it out

KEYS = {
    "ingest_vs_encode", "reingest_fraction", "search_p95_ms_10k", "search_p95_ms_100k", "search_p95_growth",
    "hybrid_vs_plain_time", "hybrid_recall5", "plain_recall5", "coach_median_s", "coach_p95_s",
    "serve_peak_rss_mib", "serve_cold_start_s", "transcription_rtf", "spoken_turn_median_s", "spoken_vs_typed_turn",
    "ingest_vs_encode_min", "ingest_vs_encode_max",
}


@pytest.mark.server
def test_bench_cli_small_scale(tmp_path):
    run = subprocess.run(
        [sys.executable, "-c", "from prep_bot.cli.main import main; main()", "bench", "--scale", "1000", "--turns", "5",
         "--ingest-runs", "1", "--cli-rounds", "0",
         "--spoken-answers", "2", "--json"],
        env=cli_env(tmp_path / "untouched"), capture_output=True, text=True, timeout=1500,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout)
    assert KEYS <= set(result)
    assert (result["small_passages"], result["large_passages"]) == (300, 1000)
    assert result["ingest_passages"] > 100
    assert 0 < result["ingest_vs_encode_min"] <= result["ingest_vs_encode"] <= result["ingest_vs_encode_max"] < 5
    assert result["ingest_runs"] == 1 and result["ingest_engine"] == "onnx"
    # The fresh-shell commands are left out here (tests/test_fast_cli.py runs the same commands in
    # a fresh shell with each engine, and test_the_fresh_shell_commands_are_timed times them).
    assert not any(key.endswith("_cli_s") for key in result)
    assert 0 <= result["reingest_fraction"] < 0.5
    assert result["hybrid_recall5"] > result["plain_recall5"] > 0
    assert result["serve_peak_rss_mib"] > result["bare_gradio_rss_mib"] > 0
    assert 0 < result["transcription_rtf"] < 1 and result["spoken_vs_typed_turn"] > 1 and result["spoken_answers"] == 2
    assert "[bench" in run.stderr  # progress on stderr, figures on stdout
    assert not (tmp_path / "untouched").exists() or not any((tmp_path / "untouched").iterdir())
    table = format_table(result)
    assert "Ingest / bare encode" in table and "Serve peak memory" in table and "Transcription / audio length" in table
    assert "not measured (--cli-rounds 0)" in table
    assert format_markdown(result).count("\n|") >= 10


def test_the_fresh_shell_commands_are_timed(sample_store, tmp_path):
    """The benchmark's fresh-shell rows: the real entry point in a new process with each engine
    (`search` alone here; the commands' answers and imports are checked in test_fast_cli.py)."""
    data = sample_store.copy(tmp_path / "data")
    timed = cli_commands(data, rounds=1, names=("search",))
    assert timed["cli_rounds"] == 1 and timed["search_cli_s"] > 0 and timed["search_cli_torch_s"] > 0
    # The ratio is of the unrounded times; each time shown is rounded to 0.01 s.
    onnx_s, torch_s = timed["search_cli_s"], timed["search_cli_torch_s"]
    low, high = (onnx_s - 0.005) / (torch_s + 0.005), (onnx_s + 0.005) / (torch_s - 0.005)
    assert low - 0.0005 <= timed["search_cli_vs_torch"] <= high + 0.0005
    rows = cli_rows(timed)
    assert [row[0] for row in rows] == ["`prep-bot search`, fresh shell: ONNX / torch"]


def test_filtered_dense_search_matches_chromas_filter(make_sample_services):
    """At a few thousand passages a statement filter reads neighbours unfiltered and filters
    them in memory; its ranking must be the one Chroma's own (slower) filter gives."""
    services = make_sample_services()  # the sample library, a copy of its own
    grow(services, Synthesizer(services), 3000)
    store = services.store
    snap = store.lexical.snapshot()
    questions = load_retrieval_set(default_retrieval_set())[:12]
    shared, total = [], 0
    for q in questions:
        vector = services.embedder.encode([q.question])[0]
        for qs in QS_SLUGS:
            fast = list(store._dense(vector, 5, 50, snap, store.lexical.mask(qs, snap=snap), _where(qs, None, None)))
            exact = list(store._dense_filtered(vector, 50, snap, _where(qs, None, None)))
            assert len(fast) >= min(5, len(exact))  # at least k (5) whenever that many exist
            top = min(10, len(fast))
            same = len(set(fast[:top]) & set(exact[:top]))
            # HNSW is approximate either way, and its graph is not built the same way twice: a
            # passage or two of ten may differ in one search, but a wrong filter or ranking would
            # differ in most of them.
            assert same >= top - 2, (q.id, qs, same, top)
            shared.append(same)
            total += top
    assert len(shared) == len(questions) * len(QS_SLUGS)
    assert sum(shared) / total >= 0.97, sum(shared) / total
