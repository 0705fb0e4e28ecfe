"""`prep-bot bench`: how fast and how big, against the physical limit and the obvious alternative.

Every target is a ratio against a baseline measured in the same run (this machine is shared and
noisy); absolute times are shown but not relied on. One run, in a throwaway data dir:

1. ingest the sample library, timed against a plain ``SentenceTransformer.encode`` of the same
   passage texts (measured before and after; the mean is the limit), then re-ingest it unchanged;
2. hybrid search against LangChain's ``Chroma.similarity_search`` on the same store: time per
   query and recall@5 on the labelled questions;
3. coach turns on the sample library; spoken answers (espeak-ng speech of the labelled answers):
   transcription time against the audio's length (real-time factor), and a spoken coach turn
   (transcribe + coach) against the typed turn on the same words;
4. grow the store with synthetic passages to ``scale / 10`` and ``scale`` (100k by default) and
   time search and coach turns at both sizes;
5. start ``prep-bot serve`` on the large store: cold start to the first page and peak resident
   memory after a practice turn, against a bare Gradio app started the same way.
"""

from __future__ import annotations

import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from prep_bot.infra.config import REPO_ROOT, Settings
from prep_bot.evals.evaluation import _norm, default_answer_set, default_retrieval_set, load_answer_set, load_retrieval_set
from prep_bot.evals.cli_timing import cli_commands
from prep_bot.evals.serving import serve_footprint
from prep_bot.evals.synthetic import Synthesizer, grow

SAMPLE_LIBRARY = REPO_ROOT / "knowledge" / "evidence"
TARGETS = {
    "ingest_vs_encode": ">= 0.8",
    "search_cli_s": "<= 3",
    "coach_cli_s": "<= 3",
    "reingest_fraction": "<= 0.05",
    "search_p95_growth": "<= 3",
    "search_index_p95_growth": "<= 3",
    "hybrid_vs_plain_time": "<= 2",
    "serve_peak_rss_mib": "< 2048",
    "transcription_rtf": "<= 0.15",
}
SPOKEN_ANSWERS = 8  # answers read aloud for the voice figures


@dataclass
class Timing:
    median_s: float
    p95_s: float
    n: int

    @classmethod
    def of(cls, seconds: list[float]) -> Timing:
        ordered = sorted(seconds)
        return cls(statistics.median(ordered), ordered[max(0, int(round(0.95 * len(ordered))) - 1)], len(ordered))


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


# -- 1. ingest ------------------------------------------------------------------------------------
def ingest_throughput(services, services_for: Callable, texts: list[str], library: Path = SAMPLE_LIBRARY, runs: int = 3) -> dict:
    """The whole ingest pipeline on an empty store against a bare encode of the same passage
    texts (``texts``, what an untimed ingest of ``library`` stored) by the same engine (the
    limit: every stored text embedded once), ``runs`` times (each on an empty store; the last one
    fills ``services``' store). The engine is loaded, its ONNX copy written and the store opened
    first: both sides start warm. The untimed ingest that found the texts also labelled the
    library's figures, whose measure phrases the engine then keeps in memory: figure labelling
    is not in the timed runs."""
    store, embedder = services.store, services.embedder
    store.collection  # noqa: B018 - open Chroma before timing
    embedder.load(export=True)
    services.ingestor.refit()  # the tagger's training vectors, embedded once, are not ingest work

    def encode() -> None:
        embedder.encode(texts)

    ratios, ingest_times, encode_times = [], [], []
    for run in range(runs):
        with _scratch(services, services_for) if run < runs - 1 else nullcontext(services) as target:
            encode_before = _timed(encode)
            start = time.perf_counter()
            report = target.ingestor.ingest([library])
            ingest_s = time.perf_counter() - start
            encode_after = _timed(encode)
        if report.failed or report.chunks != len(texts):
            raise RuntimeError(f"sample ingest went wrong: {report.summary()}")
        encode_s = (encode_before + encode_after) / 2
        ratios.append(encode_s / ingest_s)
        ingest_times.append(ingest_s)
        encode_times.append(encode_s)
    reingest_s = _timed(lambda: services.ingestor.ingest([library]))
    ingest_s, encode_s = statistics.median(ingest_times), statistics.median(encode_times)
    return {
        "passages": len(texts),
        "engine": embedder.backend,
        "runs": runs,
        "ingest_s": round(ingest_s, 3),
        "encode_s": round(encode_s, 3),
        "ingest_per_s": round(len(texts) / ingest_s, 2),
        "encode_per_s": round(len(texts) / encode_s, 2),
        "ingest_vs_encode": round(statistics.median(ratios), 3),
        "ingest_vs_encode_min": round(min(ratios), 3),
        "ingest_vs_encode_max": round(max(ratios), 3),
        "reingest_s": round(reingest_s, 3),
        "reingest_fraction": round(reingest_s / ingest_s, 4),
    }


class _scratch:
    """A throwaway store sharing the model (services built by ``services_for``), removed on exit."""

    def __init__(self, services, services_for: Callable) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="prep-bot-bench-scratch-"))
        self.services = services_for(Settings(data_dir=self.folder, chroma_url=None), embedder=services.embedder)

    def __enter__(self):
        return self.services

    def __exit__(self, *exc) -> None:
        self.services.close()
        shutil.rmtree(self.folder, ignore_errors=True)


# -- 2. hybrid against plain LangChain --------------------------------------------------------------
def hybrid_vs_plain(services, k: int = 5) -> dict:
    """Hybrid search against ``Chroma.similarity_search`` through LangChain on the same collection
    and the same model. Both embed every query afresh (the cache is emptied before each)."""
    questions = load_retrieval_set(default_retrieval_set())
    store, embedder = services.store, services.embedder
    plain = store.langchain_vectorstore()
    store.search(questions[0].question, k=k)  # warm both paths
    plain.similarity_search(questions[0].question, k=k)
    hybrid_t, plain_t, hybrid_hits, plain_hits = [], [], 0, 0
    for q in questions:
        target = _norm(q.must_contain)
        embedder.clear_cache()
        start = time.perf_counter()
        hits = store.search(q.question, k=k)
        hybrid_t.append(time.perf_counter() - start)
        hybrid_hits += any(target in _norm(h.passage.text) for h in hits)
        embedder.clear_cache()
        start = time.perf_counter()
        docs = plain.similarity_search(q.question, k=k)
        plain_t.append(time.perf_counter() - start)
        plain_hits += any(target in _norm(d.page_content) for d in docs)
    h, p = Timing.of(hybrid_t), Timing.of(plain_t)
    return {
        "questions": len(questions),
        "hybrid_median_ms": round(h.median_s * 1000, 2),
        "plain_median_ms": round(p.median_s * 1000, 2),
        "hybrid_vs_plain_time": round(h.median_s / p.median_s, 3),
        "hybrid_recall5": round(hybrid_hits / len(questions), 3),
        "plain_recall5": round(plain_hits / len(questions), 3),
    }


# -- 3. coach turns -----------------------------------------------------------------------------------
def coach_turns(services, turns: int = 200, seed: int = 7) -> dict:
    """Coach turns (retrieve + score + claim check + data points) over answers from the
    labelled set. The embedding cache is emptied before each turn: every answer in a
    rehearsal week is new, so nothing cached from an earlier turn counts."""
    data = load_answer_set(default_answer_set())
    items = [(p["qs"], p["question"], p[k]) for p in data["pairs"] for k in ("strong", "weak")]
    items += [(p["qs"], p["question"], p["answer"]) for p in data["planted"]]
    rng = random.Random(seed)
    coach = services.coach
    coach.coach(*items[0])  # warm: model, indexes, caches of the question texts
    times = []
    for _ in range(turns):
        qs, question, answer = items[rng.randrange(len(items))]
        services.embedder.clear_cache()
        times.append(_timed(lambda: coach.coach(qs, question, answer)))
    t = Timing.of(times)
    return {"turns": turns, "coach_median_s": round(t.median_s, 4), "coach_p95_s": round(t.p95_s, 4), "times": times}


def spoken_turns(services, answers: int = SPOKEN_ANSWERS) -> dict:
    """Spoken answers: espeak-ng reads labelled answers aloud; each is transcribed (real-time
    factor: transcription seconds per second of audio) and coached (a spoken turn), against a
    typed turn on the same words. Empty when espeak-ng is not installed."""
    from prep_bot.evals.speech import synthesise

    if shutil.which("espeak-ng") is None:
        return {}
    data = load_answer_set(default_answer_set())
    items = [(p["qs"], p["question"], p[k]) for p in data["pairs"] for k in ("strong", "weak")][:answers]
    transcriber, coach = services.transcriber, services.coach
    load_s = _timed(lambda: transcriber.model)
    audio_s = work_s = 0.0
    spoken, typed = [], []
    with tempfile.TemporaryDirectory(prefix="prep-bot-bench-voice-") as folder:
        for n, (qs, question, answer) in enumerate(items):
            wav = synthesise(answer, Path(folder) / f"answer{n}.wav")
            started = time.perf_counter()
            transcript = transcriber.transcribe(wav)
            services.embedder.clear_cache()
            coach.coach(qs, question, transcript.text)
            spoken.append(time.perf_counter() - started)
            audio_s += transcript.duration_s
            work_s += transcript.seconds_taken
            services.embedder.clear_cache()
            typed.append(_timed(lambda: coach.coach(qs, question, transcript.text)))
    return {
        "spoken_answers": len(items), "speech_model_load_s": round(load_s, 2),
        "transcription_rtf": round(work_s / audio_s, 3), "spoken_audio_s": round(audio_s / len(items), 1),
        "spoken_turn_median_s": round(statistics.median(spoken), 3), "typed_turn_median_s": round(statistics.median(typed), 3),
        "spoken_vs_typed_turn": round(statistics.median(spoken) / statistics.median(typed), 2),
    }


# -- 4. searching a grown store (the synthetic passages are made in evals/synthetic.py) ---------------
def search_latency(services, rounds: int = 2) -> dict:
    """Hybrid search as a user meets it (query embedded afresh), over the labelled questions
    with and without their statement filter, and the same with the query vector given (the
    stores' own share)."""
    store, embedder = services.store, services.embedder
    labelled = load_retrieval_set(default_retrieval_set())
    queries = [(q.question, None) for q in labelled] + [(q.question, q.qs) for q in labelled if q.qs]
    vectors = {text: embedder.encode([text])[0] for text, _ in queries}
    store.search(queries[0][0], k=5)  # warm
    full, index_only = [], []
    for round_ in range(rounds):
        for i, (text, qs) in enumerate(queries):
            pair = [
                (full, lambda: store.search(text, k=5, qs=qs)),
                (index_only, lambda: store.search(text, k=5, qs=qs, vector=vectors[text])),
            ]
            for times, work in pair if (i + round_) % 2 == 0 else pair[::-1]:  # neither always warms the other
                embedder.clear_cache()
                times.append(_timed(work))
    f, i = Timing.of(full), Timing.of(index_only)
    return {
        "passages": store.catalog.passage_count(),
        "queries": len(full),
        "median_ms": round(f.median_s * 1000, 2),
        "p95_ms": round(f.p95_s * 1000, 2),
        "index_median_ms": round(i.median_s * 1000, 2),
        "index_p95_ms": round(i.p95_s * 1000, 2),
    }


# -- 5. serving (the cold start and footprint of `prep-bot serve` are measured in evals/serving.py) ----
def cli_start() -> dict:
    """`prep-bot --help` against `python -c "import click"` (the floor for a click CLI)."""
    cli = [sys.executable, "-c", "from prep_bot.cli.main import main; main()", "--help"]
    floor = [sys.executable, "-c", "import click"]

    def best(command: list[str]) -> float:
        return min(_timed(lambda: subprocess.run(command, check=True, capture_output=True)) for _ in range(3))

    cli_s, floor_s = best(cli), best(floor)
    return {"cli_help_s": round(cli_s, 3), "python_click_s": round(floor_s, 3), "cli_vs_floor": round(cli_s / floor_s, 2)}


# -- the run ------------------------------------------------------------------------------------------------
def run(
    scale: int = 100_000, turns: int = 200, large_turns: int = 50, embedder=None, keep: Path | None = None,
    services_for: Callable | None = None, ingest_runs: int = 3, cli_rounds: int = 3, spoken_answers: int = SPOKEN_ANSWERS,
) -> dict:
    """Every measurement, in a temporary data dir (or ``keep``), as one flat dict. ``services_for``
    builds a store's services from its settings (the command passes the composition root's).
    ``cli_rounds`` 0 leaves the fresh-shell commands out."""
    if services_for is None:
        raise ValueError("the benchmark needs services_for, the function that builds a store's services")
    if scale < 1000:
        raise ValueError("--scale must be at least 1000 passages")
    small = max(300, scale // 10)
    if keep and Path(keep).exists() and any(Path(keep).iterdir()):
        raise ValueError(f"--keep {keep} is not empty: the benchmark builds its stores from nothing")
    workdir = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="prep-bot-bench-"))
    began = time.perf_counter()
    try:
        services = services_for(Settings(data_dir=workdir / "store", chroma_url=None), embedder=embedder)
        result: dict = {
            "date": date.today().isoformat(),
            "machine": _machine(),
            "load_start": _load_average(),
            "torch_threads": services.embedder.threads,
            "embed_batch_size": services.embedder.batch_size,
        }
        _say("loading the model")
        services.embedder.load(export=True)
        _say("CLI start")
        result.update(cli_start())
        _say("ingest of the sample library against a bare encode")
        # An untimed ingest into a store of its own finds the texts ingest embeds; closed, the same
        # store is then the one the fresh-shell commands open (not open in this process).
        with _scratch(services, services_for) as sample:
            sample.ingestor.ingest([SAMPLE_LIBRARY])
            texts = [row[1] for row in sample.store.catalog.iter_index_rows()]
            sample.close()
            result.update(_prefixed("ingest", ingest_throughput(services, services_for, texts, runs=ingest_runs)))
            result["ingest_vs_encode"] = result.pop("ingest_ingest_vs_encode")
            result["reingest_fraction"] = result.pop("ingest_reingest_fraction")
            result["ingest_vs_encode_min"] = result.pop("ingest_ingest_vs_encode_min")
            result["ingest_vs_encode_max"] = result.pop("ingest_ingest_vs_encode_max")
            if cli_rounds:
                _say("search and coach in a fresh shell: ONNX against torch")
                result.update(cli_commands(sample.settings.data_dir, rounds=cli_rounds))
        _say("hybrid against plain LangChain Chroma")
        result.update(hybrid_vs_plain(services))
        _say(f"{turns} coach turns on the sample library")
        sample_coach = coach_turns(services, turns)
        result.update({"coach_median_s": sample_coach["coach_median_s"], "coach_p95_s": sample_coach["coach_p95_s"], "coach_turns": turns})
        _say("spoken answers: transcription and spoken coach turns")
        result.update(spoken_turns(services, spoken_answers))
        _say("embedding the sentences synthetic passages are made from")
        synth = Synthesizer(services)
        points = []
        for size in (small, scale):
            _say(f"growing the store to {size:,} passages")
            grow_s = grow(services, synth, size)
            _say(f"searching {size:,} passages")
            latency = search_latency(services)
            latency["grow_s"] = round(grow_s, 1)
            points.append(latency)
        result["small_passages"], result["large_passages"] = points[0]["passages"], points[1]["passages"]
        result["search_median_ms_10k"], result["search_p95_ms_10k"] = points[0]["median_ms"], points[0]["p95_ms"]
        result["search_median_ms_100k"], result["search_p95_ms_100k"] = points[1]["median_ms"], points[1]["p95_ms"]
        result["search_index_p95_ms_10k"], result["search_index_p95_ms_100k"] = points[0]["index_p95_ms"], points[1]["index_p95_ms"]
        result["search_p95_growth"] = round(points[1]["p95_ms"] / points[0]["p95_ms"], 2)
        result["search_index_p95_growth"] = round(points[1]["index_p95_ms"] / points[0]["index_p95_ms"], 2)
        result["grow_s"] = round(points[0]["grow_s"] + points[1]["grow_s"], 1)
        _say(f"{large_turns} coach turns at {scale:,} passages")
        large = coach_turns(services, large_turns)
        result["coach_turns_100k"] = large_turns
        result["coach_median_s_100k"], result["coach_p95_s_100k"] = large["coach_median_s"], large["coach_p95_s"]
        # The same turns (same seed, so the same answers in the same order) on both stores.
        same = sample_coach["times"][:large_turns]
        result["coach_100k_vs_sample"] = round(large["coach_median_s"] / statistics.median(same), 3)
        result["hybrid_vs_plain_time_100k"] = hybrid_vs_plain(services)["hybrid_vs_plain_time"]
        services.close()
        _say(f"`prep-bot serve` on {scale:,} passages against a bare Gradio app")
        result.update(serve_footprint(workdir / "store"))
        result["load_end"] = _load_average()
        result["bench_s"] = round(time.perf_counter() - began, 1)
        return result
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


def _prefixed(prefix: str, values: dict) -> dict:
    return {f"{prefix}_{k}": v for k, v in values.items()}


def _load(r: dict) -> str:
    if "load_start" not in r:
        return ""
    return f", load average {r['load_start']:.1f} at start and {r.get('load_end', r['load_start']):.1f} at end"


def _load_average() -> float:
    try:
        return round(os.getloadavg()[0], 1)
    except OSError:
        return float("nan")


def _machine() -> str:
    cores = os.cpu_count() or 0
    try:
        mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        memory = f", {mem / 1048576:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        memory = ""
    return f"{platform.machine()}, {cores} cores{memory}, {platform.system()} {platform.release().split('-')[0]}, Python {platform.python_version()}"


def verdict(key: str, value: float) -> str:
    rule = TARGETS.get(key)
    if rule is None:
        return ""
    op, limit = rule.split()
    ok = {">=": value >= float(limit), "<=": value <= float(limit), "<": value < float(limit)}[op]
    return f"{'met' if ok else 'MISSED'} (target {rule})"


def format_table(r: dict) -> str:
    """The one table `make bench` prints (and the README holds)."""
    small, large = f"{r['small_passages']:,}", f"{r['large_passages']:,}"
    rows = [
        ("Ingest / bare encode (throughput)", f"{r['ingest_vs_encode']:.2f}",
         f"{r['ingest_ingest_per_s']:.1f} vs {r['ingest_encode_per_s']:.1f} passages/s ({r['ingest_engine']}); "
         f"{r['ingest_vs_encode_min']:.2f}-{r['ingest_vs_encode_max']:.2f} over {r['ingest_runs']} runs",
         verdict("ingest_vs_encode", r["ingest_vs_encode"])),
        ("Re-ingest unchanged / first ingest", f"{r['reingest_fraction']:.3f}",
         f"{r['ingest_reingest_s'] * 1000:.0f} ms vs {r['ingest_ingest_s']:.1f} s", verdict("reingest_fraction", r["reingest_fraction"])),
        (f"Search p95 {large} / {small}", f"{r['search_p95_growth']:.2f}",
         f"p95 {r['search_p95_ms_10k']:.0f} -> {r['search_p95_ms_100k']:.0f} ms (median {r['search_median_ms_10k']:.0f} -> {r['search_median_ms_100k']:.0f})",
         verdict("search_p95_growth", r["search_p95_growth"])),
        ("  same, query vector given", f"{r['search_index_p95_growth']:.2f}",
         f"p95 {r['search_index_p95_ms_10k']:.1f} -> {r['search_index_p95_ms_100k']:.1f} ms",
         verdict("search_index_p95_growth", r["search_index_p95_growth"])),
        ("Hybrid / plain LangChain Chroma (time)", f"{r['hybrid_vs_plain_time']:.2f}",
         f"{r['hybrid_median_ms']:.0f} vs {r['plain_median_ms']:.0f} ms median; at {large}: {r['hybrid_vs_plain_time_100k']:.2f}",
         verdict("hybrid_vs_plain_time", r["hybrid_vs_plain_time"])),
        ("Recall@5 hybrid / plain", f"{r['hybrid_recall5'] / max(r['plain_recall5'], 1e-9):.2f}",
         f"{r['hybrid_recall5']:.3f} vs {r['plain_recall5']:.3f} on {r['questions']} questions",
         "met (hybrid higher)" if r["hybrid_recall5"] > r["plain_recall5"] else "MISSED (hybrid not higher)"),
        ("Coach turn / one hybrid search (sample)", f"{r['coach_median_s'] * 1000 / max(r['hybrid_median_ms'], 1e-9):.1f}",
         f"median {r['coach_median_s'] * 1000:.0f} ms, p95 {r['coach_p95_s'] * 1000:.0f} ms over {r['coach_turns']} turns", ""),
        (f"Coach turn at {large} / sample (same turns)", f"{r['coach_100k_vs_sample']:.2f}",
         f"median {r['coach_median_s_100k'] * 1000:.0f} ms, p95 {r['coach_p95_s_100k'] * 1000:.0f} ms over {r['coach_turns_100k']} turns", ""),
        (f"Serve peak memory at {large} / bare Gradio", f"{r['serve_peak_rss_mib'] / r['bare_gradio_rss_mib']:.2f}",
         f"{r['serve_peak_rss_mib']:.0f} MiB vs {r['bare_gradio_rss_mib']:.0f} MiB", verdict("serve_peak_rss_mib", r["serve_peak_rss_mib"])),
        ("Serve cold start / bare Gradio", f"{r['serve_vs_bare_start']:.2f}",
         f"{r['serve_cold_start_s']:.1f} s vs {r['bare_gradio_start_s']:.1f} s to the first page", ""),
        *voice_rows(r),
        ("CLI start / python + click", f"{r['cli_vs_floor']:.2f}", f"{r['cli_help_s']:.2f} s vs {r['python_click_s']:.2f} s", ""),
        *cli_rows(r),
    ]
    width = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        f"prep-bot bench, {r['date']}, {r['machine']}{_load(r)}, threads {r['torch_threads']}, "
        f"batches of {r.get('embed_batch_size', '-')}, {r['bench_s'] / 60:.1f} min",
        f"{'measure':<{width[0]}}  {'ratio':>{width[1]}}  {'figures':<{width[2]}}  target",
    ]
    lines += [f"{a:<{width[0]}}  {b:>{width[1]}}  {c:<{width[2]}}  {d}".rstrip() for a, b, c, d in rows]
    return "\n".join(lines)


def cli_rows(r: dict) -> list[tuple[str, str, str, str]]:
    if "search_cli_s" not in r:
        return [("`prep-bot search` and `coach`, fresh shell", "-", "not measured (--cli-rounds 0)", "")]
    return [
        (f"`prep-bot {name}`, fresh shell: ONNX / torch", f"{r[f'{name}_cli_vs_torch']:.2f}",
         f"{r[f'{name}_cli_s']:.2f} s vs {r[f'{name}_cli_torch_s']:.2f} s (median of {r['cli_rounds']})",
         verdict(f"{name}_cli_s", r[f"{name}_cli_s"]))
        for name in ("search", "coach") if f"{name}_cli_s" in r
    ]


def voice_rows(r: dict) -> list[tuple[str, str, str, str]]:
    if "transcription_rtf" not in r:
        return [("Transcription / audio length", "-", "not measured: espeak-ng is not installed", "")]
    return [
        ("Transcription / audio length (RTF)", f"{r['transcription_rtf']:.3f}",
         f"{r['spoken_answers']} answers of {r['spoken_audio_s']:.0f} s on average; model load {r['speech_model_load_s']:.1f} s",
         verdict("transcription_rtf", r["transcription_rtf"])),
        ("Spoken coach turn / typed turn (same words)", f"{r['spoken_vs_typed_turn']:.2f}",
         f"median {r['spoken_turn_median_s']:.2f} s vs {r['typed_turn_median_s']:.2f} s", ""),
    ]


def format_markdown(r: dict) -> str:
    """The same table as Markdown, for the README."""
    lines = format_table(r).splitlines()
    header, body = lines[0], lines[2:]
    out = [f"*{header}*", "", "| measure | ratio | figures | target |", "|---|---:|---|---|"]
    for line in body:
        parts = re.split(r"\s{2,}", line.strip(), maxsplit=3)
        parts += [""] * (4 - len(parts))
        out.append("| " + " | ".join(parts) + " |")
    return "\n".join(out)


def to_json(r: dict) -> str:
    return json.dumps(r, indent=2, sort_keys=True)
