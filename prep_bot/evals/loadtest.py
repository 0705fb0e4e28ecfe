"""Load test: many simulated members of staff rehearsing at once against a running
`prep-bot serve`, through the same API the page uses (gradio_client, one session per user).

Each user has a distinct name and does ``turns`` practice turns: ask for a question on a
quality statement, then answer it with a realistic answer for that statement from the
labelled set (eval/answers.yaml: strong, weak and planted-figure answers). Afterwards every
user's saved attempts are read back through the server's ``/my_attempts`` API and compared
with the scores the chat showed, so "stored" means stored and readable, not just answered.

Bounded: no new turn starts after ``timeout`` seconds, and no call waits past it. Only the
client runs here; the server is whatever ``url`` points at (the model is never loaded). Given
the server's process id, the CPU its process tree used over the run is read from /proc, so the
report sets the turns served per second against what the machine's cores could serve.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from prep_bot.framework.vocab import AUDIENCES

SCORE = re.compile(r"\*\*Score (\d+)/100\*\*")
SAVED = "Saved to your practice history"
VERIFY_GRACE_S = 120.0  # reading attempts back may run this long past the turn deadline


@dataclass
class Turn:
    qs: str
    score: int
    ask_s: float
    answer_s: float


@dataclass
class UserRun:
    name: str
    turns: list[Turn] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stored: int = 0
    timed_out: bool = False
    worker: str = ""  # the worker haproxy's cookie pinned this user to ("" with one process)


def default_answers_file() -> Path:
    from prep_bot.infra.config import REPO_ROOT

    return REPO_ROOT / "eval" / "answers.yaml"


def load_answers(path: Path) -> dict[str, list[str]]:
    """Realistic answers by quality statement: both answers of every pair and the planted ones."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    by_qs: dict[str, list[str]] = {}
    for pair in data.get("pairs", []):
        for kind in ("strong", "weak"):
            if pair.get(kind):
                by_qs.setdefault(pair["qs"], []).append(str(pair[kind]).strip())
    for item in data.get("planted", []):
        if item.get("answer"):
            by_qs.setdefault(item["qs"], []).append(str(item["answer"]).strip())
    if not by_qs:
        raise ValueError(f"{path} holds no answers (expected `pairs` and `planted`)")
    return by_qs


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (0 when there are no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered), int(round(share * len(ordered)))) - 1)]


def _text(message: dict) -> str:
    content = message.get("content") if isinstance(message, dict) else message
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content or "")


def process_tree_cpu(root: int) -> dict[int, float]:
    """CPU seconds (user + system, with reaped children's) of ``root`` and every process below
    it, by pid, read from /proc (Linux); empty when ``root`` is not running."""
    tick = os.sysconf("SC_CLK_TCK")
    parent: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        pid = int(entry)
        parent[pid] = int(fields[1])
        cpu[pid] = sum(int(v) for v in fields[11:15]) / tick  # utime stime cutime cstime
    tree, frontier = {root} & set(cpu), [root]
    while frontier:
        below = [pid for pid, ppid in parent.items() if ppid in frontier and pid not in tree]
        tree.update(below)
        frontier = below
    return {pid: cpu[pid] for pid in tree}


def _cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two readings: processes started meanwhile count from zero."""
    return sum(max(0.0, seconds - before.get(pid, 0.0)) for pid, seconds in after.items())


def _role(pid: int) -> str:
    """What a server process is, for the CPU split: haproxy, the Chroma server, or the app."""
    try:
        argv = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
    except OSError:
        return "app"
    if argv[0].endswith(b"haproxy"):
        return "haproxy"
    if b"run" in argv and any(a.endswith(b"chroma") for a in argv):
        return "chroma server"
    return "app"


def _cpu_split(before: dict[int, float], after: dict[int, float]) -> dict[str, float]:
    split: Counter = Counter()
    for pid, seconds in after.items():
        split[_role(pid)] += max(0.0, seconds - before.get(pid, 0.0))
    return {role: round(seconds, 1) for role, seconds in sorted(split.items())}


def _brief(error: BaseException) -> str:
    first = (str(error).strip().splitlines() or [""])[0][:200]
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


def wait_for_server(url: str, wait_s: float) -> None:
    """Poll ``url`` until it answers (the server may still be loading the model)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + wait_s
    while True:
        try:
            with urllib.request.urlopen(url.rstrip("/") + "/config", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() >= deadline:
            raise TimeoutError(f"no prep-bot server answered at {url} within {wait_s:.0f} s")
        time.sleep(0.5)


class _Runner:
    def __init__(self, url: str, answers: dict[str, list[str]], turns: int, deadline: float, seed: int,
                 think: float = 0.0) -> None:
        self.url = url
        self.think = think
        self.answers = answers
        self.slugs = sorted(answers)
        self.turns = turns
        self.deadline = deadline
        self.seed = seed

    def _call(self, client, *args, api_name: str, deadline: float):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the load test's time limit was reached")
        job = client.submit(*args, api_name=api_name)
        try:
            return job.result(timeout=remaining)
        except TimeoutError:
            job.cancel()
            raise TimeoutError(f"{api_name} did not answer before the load test's time limit") from None

    def user(self, run: UserRun, index: int, start: threading.Barrier) -> None:
        from gradio_client import Client

        rng = random.Random(self.seed * 100_003 + index)
        team = f"Load team {index % 5 + 1}"
        audience = AUDIENCES[index % len(AUDIENCES)]
        try:
            # Plain http has no certificates to verify; building httpx's verifying TLS context for
            # every request would cost the simulated users more CPU than the server spends on them.
            client = Client(self.url, verbose=False, download_files=False, ssl_verify=not self.url.startswith("http://"))
        except Exception as e:  # noqa: BLE001 - anything that stops a user is a reported error
            run.errors.append(f"connect: {_brief(e)}")
            start.abort()
            return
        from prep_bot.infra.workers import WORKER_COOKIE

        run.worker = client.cookies.get(WORKER_COOKIE, "")
        try:
            try:
                start.wait(timeout=max(1.0, self.deadline - time.monotonic()))
            except threading.BrokenBarrierError:
                pass  # another user could not connect: go anyway, it is reported
            for turn in range(self.turns):
                if turn and self.think > 0:  # a person reads the feedback before the next question
                    time.sleep(max(0.0, min(rng.uniform(0.5, 1.5) * self.think, self.deadline - time.monotonic())))
                if time.monotonic() >= self.deadline:
                    run.timed_out = True
                    break
                qs = rng.choice(self.slugs)
                try:
                    began = time.perf_counter()
                    chat, _panel, _reply = self._call(
                        client, run.name, audience, qs, rng.random() < 0.3, api_name="/ask", deadline=self.deadline
                    )
                    asked = time.perf_counter()
                    if not chat or chat[-1].get("role") != "assistant":
                        raise RuntimeError("no question was asked")
                    answer = rng.choice(self.answers[qs])
                    chat, _box = self._call(
                        client, answer, run.name, team, audience, chat, api_name="/answer", deadline=self.deadline
                    )
                    done = time.perf_counter()
                    # The coach's reply is the last message without a title (those fold beneath it).
                    replies = [m for m in chat or [] if m.get("role") == "assistant" and not (m.get("metadata") or {}).get("title")]
                    reply = _text(replies[-1]) if replies else ""
                    score = SCORE.search(reply)
                    if not score or SAVED not in reply:
                        raise RuntimeError("the coach's reply has no score or was not saved")
                    run.turns.append(Turn(qs, int(score.group(1)), asked - began, done - asked))
                except TimeoutError as e:
                    run.errors.append(_brief(e))
                    run.timed_out = True
                    break
                except Exception as e:  # noqa: BLE001 - gradio_client raises many types
                    run.errors.append(_brief(e))
            self.verify(client, run)
        finally:
            client.close()

    def verify(self, client, run: UserRun) -> None:
        """Read the user's attempts back through the API and match them to the turns."""
        if not run.turns:
            return
        try:
            table = self._call(client, "", run.name, "", api_name="/my_attempts", deadline=self.deadline + VERIFY_GRACE_S)
        except Exception as e:  # noqa: BLE001
            run.errors.append(f"reading attempts back: {_brief(e)}")
            return
        rows = table.get("data", []) if isinstance(table, dict) else table or []
        headers = [str(h).lower() for h in (table.get("headers") or [])] if isinstance(table, dict) else []
        at = headers.index("score") if "score" in headers else 0  # the table leads with the score
        try:
            saved = [int(row[at]) for row in rows]  # oldest first, as the turns were taken
        except (ValueError, TypeError, IndexError) as e:
            run.errors.append(f"reading attempts back: no score in the table ({_brief(e)})")
            return
        shown = [t.score for t in run.turns]
        if saved == shown:
            run.stored = len(saved)
        else:
            run.stored = sum((Counter(saved) & Counter(shown)).values())
            run.errors.append(f"{run.name}: the chat showed scores {shown} but the stored attempts say {saved}")


def run_load(
    url: str,
    users: int = 50,
    turns: int = 10,
    timeout: float = 900.0,
    seed: int = 7,
    answers_file: Path | None = None,
    wait: float = 0.0,
    think: float = 0.0,
    server_pid: int | None = None,
) -> dict:
    """Drive ``users`` concurrent users × ``turns`` practice turns against ``url``, each user
    pausing about ``think`` seconds between turns; return the counts and latencies, and the
    CPU the process tree of ``server_pid`` used (see ``format_result``)."""
    if users < 1 or turns < 1:
        raise ValueError("--users and --turns must be at least 1")
    if server_pid is not None and not process_tree_cpu(server_pid):
        raise ValueError(f"--server-pid {server_pid}: no such process on this machine")
    answers = load_answers(answers_file or default_answers_file())
    if wait > 0:
        wait_for_server(url, wait)
    run_id = uuid.uuid4().hex[:6]
    runs = [UserRun(f"load-{run_id}-{i:03d}") for i in range(users)]
    started = time.monotonic()
    deadline = started + timeout
    runner = _Runner(url, answers, turns, deadline, seed, think)
    barrier = threading.Barrier(users)
    threads = [
        threading.Thread(target=runner.user, args=(run, i, barrier), name=f"load-user-{i}", daemon=True)
        for i, run in enumerate(runs)
    ]
    server_before = process_tree_cpu(server_pid) if server_pid else {}
    client_before = time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline + VERIFY_GRACE_S + 30 - time.monotonic()))
    wall = time.monotonic() - started
    client_cpu = time.process_time() - client_before
    server_after = process_tree_cpu(server_pid) if server_pid else {}
    server_cpu = _cpu_used(server_before, server_after)
    stuck = sum(thread.is_alive() for thread in threads)

    all_turns = [t for r in runs for t in r.turns]
    errors = [e for r in runs for e in r.errors]
    if stuck:
        errors.append(f"{stuck} users still waiting for the server when the load test gave up")
    latency = [t.ask_s + t.answer_s for t in all_turns]
    answer_s = [t.answer_s for t in all_turns]
    ask_s = [t.ask_s for t in all_turns]
    turns_per_s = len(all_turns) / wall if wall else 0.0
    cores = os.cpu_count() or 1
    cpu_per_turn = server_cpu / len(all_turns) if server_cpu and all_turns else 0.0
    limit = cores / cpu_per_turn if cpu_per_turn else 0.0
    return {
        "url": url,
        "users": users,
        "turns_per_user": turns,
        "turns_planned": users * turns,
        "turns_completed": len(all_turns),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:10],
        "attempts_stored": sum(r.stored for r in runs),
        "timed_out": any(r.timed_out for r in runs) or stuck > 0,
        "turn_median_s": round(statistics.median(latency), 3) if latency else 0.0,
        "turn_p95_s": round(percentile(latency, 0.95), 3),
        "answer_median_s": round(statistics.median(answer_s), 3) if answer_s else 0.0,
        "answer_p95_s": round(percentile(answer_s, 0.95), 3),
        "ask_median_s": round(statistics.median(ask_s), 3) if ask_s else 0.0,
        "wall_s": round(wall, 1),
        "turns_per_s": round(turns_per_s, 2),
        "think_s": think,
        "p95_over_median": round(percentile(latency, 0.95) / statistics.median(latency), 2) if latency else 0.0,
        "users_per_worker": dict(sorted(Counter(r.worker for r in runs if r.worker).items())),
        "cores": cores,
        "server_cpu_s": round(server_cpu, 1),
        "server_cpu_split_s": _cpu_split(server_before, server_after) if server_pid else {},
        "server_cpu_per_turn_s": round(cpu_per_turn, 4),
        "cpu_limit_turns_per_s": round(limit, 2),
        "share_of_cpu_limit": round(turns_per_s / limit, 2) if limit else 0.0,
        "client_cpu_s": round(client_cpu, 1),
        "user_prefix": f"load-{run_id}-",
    }


def passed(result: dict) -> bool:
    return (
        result["errors"] == 0
        and not result["timed_out"]
        and result["turns_completed"] == result["turns_planned"]
        and result["attempts_stored"] == result["turns_completed"]
    )


def format_result(r: dict) -> str:
    lines = [
        f"Load test: {r['users']} users x {r['turns_per_user']} turns against {r['url']}"
        + (f", about {r['think_s']:g} s thinking between turns" if r["think_s"] else ""),
        f"  turns completed  {r['turns_completed']}/{r['turns_planned']} in {r['wall_s']:.1f} s "
        f"({r['turns_per_s']:.2f} turns/s){'  (time limit reached)' if r['timed_out'] else ''}",
        f"  errors           {r['errors']}",
        f"  attempts stored  {r['attempts_stored']}/{r['turns_completed']} (read back through /my_attempts)",
        f"  turn (ask + coached answer)  median {r['turn_median_s']:.2f} s   p95 {r['turn_p95_s']:.2f} s",
        f"  coached answer alone         median {r['answer_median_s']:.2f} s   p95 {r['answer_p95_s']:.2f} s",
        f"  ask alone                    median {r['ask_median_s']:.2f} s",
        f"  turn p95 / median            {r['p95_over_median']:.2f}",
    ]
    if r["users_per_worker"]:
        spread = ", ".join(f"{w} {n}" for w, n in r["users_per_worker"].items())
        lines.append(f"  users per worker             {spread}")
    if r["server_cpu_s"]:
        lines += [
            f"  server CPU                   {r['server_cpu_s']:.1f} s = {r['server_cpu_per_turn_s']:.3f} s per turn "
            f"(every process of the server; the load test itself used {r['client_cpu_s']:.1f} s)",
            "  server CPU by process         " + ", ".join(f"{k} {v:.1f} s" for k, v in r["server_cpu_split_s"].items()),
            f"  CPU limit                    {r['cores']} cores / {r['server_cpu_per_turn_s']:.3f} s = "
            f"{r['cpu_limit_turns_per_s']:.2f} turns/s; served {r['turns_per_s']:.2f} = "
            f"{r['share_of_cpu_limit']:.2f} of it",
        ]
    lines += [f"  error: {e}" for e in r["error_samples"]]
    lines.append("PASS" if passed(r) else "FAIL")
    return "\n".join(lines)
