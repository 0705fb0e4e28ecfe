"""Benchmarks that print figures. Every target is a ratio against a baseline measured in the
same run (this machine is shared and noisy); absolute times are shown but not relied on."""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass

from prep_bot.evaluation import default_answer_set, load_answer_set


@dataclass
class Timing:
    median_s: float
    p95_s: float
    n: int

    @classmethod
    def of(cls, seconds: list[float]) -> Timing:
        ordered = sorted(seconds)
        return cls(statistics.median(ordered), ordered[max(0, int(round(0.95 * len(ordered))) - 1)], len(ordered))


def coach_turns(services, turns: int = 200, seed: int = 7) -> dict:
    """A coach turn (retrieve + score + claim check + data points) over answers from the
    labelled set, against a plain hybrid search of the same question in the same run. The
    embedding cache is emptied before each turn, so repeated answers are not flattered."""
    data = load_answer_set(default_answer_set())
    items = [(p["qs"], p["question"], p[k]) for p in data["pairs"] for k in ("strong", "weak")]
    items += [(p["qs"], p["question"], p["answer"]) for p in data["planted"]]
    rng = random.Random(seed)
    coach, store = services.coach, services.store
    coach.coach(*items[0])  # warm: model, indexes, caches of the question texts
    coach_times, search_times = [], []
    for i in range(turns):
        qs, question, answer = items[rng.randrange(len(items))]
        # Every answer in a rehearsal week is new: nothing cached from an earlier turn counts.
        services.embedder.clear_cache()
        start = time.perf_counter()
        store.search(f"{question} {answer}", k=5, qs=qs)
        search_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        coach.coach(qs, question, answer)
        coach_times.append(time.perf_counter() - start)
    c, s = Timing.of(coach_times), Timing.of(search_times)
    return {
        "coach_median_s": round(c.median_s, 4),
        "coach_p95_s": round(c.p95_s, 4),
        "search_median_s": round(s.median_s, 4),
        "coach_vs_search": round(c.median_s / s.median_s, 2),
        "turns": turns,
    }


def format_coach(r: dict) -> str:
    return "\n".join([
        f"Coach turn over {r['turns']} turns on the sample library (retrieve + score + claim check + data points)",
        f"  coach turn      median {r['coach_median_s'] * 1000:7.1f} ms   p95 {r['coach_p95_s'] * 1000:7.1f} ms",
        f"  hybrid search   median {r['search_median_s'] * 1000:7.1f} ms   (baseline, same run)",
        f"  coach / search  {r['coach_vs_search']:.1f}x",
    ])
