"""Crashes. A `prep-bot ingest` of a large library is killed with SIGKILL at random points;
afterwards every document the catalog names is complete in the catalog, in Chroma (with its
vector) and in BM25, search shows nothing else, and a re-run finishes the job with exactly
what an uninterrupted run stores. A practice attempt the page said was saved is still there
after `prep-bot serve` is killed the moment the answer came back.

Real parts only: the CLI and the server as subprocesses, the bundled model, Chroma on disk."""

from __future__ import annotations

import random
import re
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import SAMPLE_LIBRARY, STRONG, services_with
from processes import PREP_BOT, env_for, serving

pytestmark = pytest.mark.slow  # durability: `pytest -m "not slow"` leaves it out

N_FILES = 40
LIBRARY_SEED = 2026
EDIT_EVERY = 3  # the replace runs change every third file
QUERIES = (
    "carers assessment waiting times",
    "safeguarding enquiries and the adults board",
    "hospital discharge and reablement",
    "direct payments and personal budgets",
    "workforce recruitment and retention of social workers",
    "budget pressures and the medium term financial plan",
)


# -- a large library made from the sample reports -------------------------------------------------
def _sentences() -> list[str]:
    found: list[str] = []
    for path in sorted(SAMPLE_LIBRARY.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for sentence in re.split(r"(?<=[.!?])\s+", line.strip()):
                if 60 <= len(sentence) <= 400 and sentence[0].isupper():
                    found.append(sentence)
    return sorted(set(found))


def _paragraphs(rng: random.Random, sentences: list[str], n: int) -> str:
    chosen = rng.sample(sentences, n)
    return "\n\n".join(" ".join(chosen[i : i + 3]) for i in range(0, n, 3))


def write_library(folder: Path, seed: int = LIBRARY_SEED) -> list[str]:
    """N_FILES evidence notes of reshuffled sample sentences, under the headings the chunker
    knows; returns their file names."""
    folder.mkdir(parents=True)
    rng = random.Random(seed)
    sentences = _sentences()
    names = []
    for i in range(N_FILES):
        name = f"note-{i:02d}.txt"
        body = (
            f"Evidence note {i:02d}\n\n"
            f"Strengths\n\n{_paragraphs(rng, sentences, 9)}\n\n"
            f"Areas for consideration\n\n{_paragraphs(rng, sentences, 9)}\n"
        )
        (folder / name).write_text(body, encoding="utf-8")
        names.append(name)
    return names


def edit_library(folder: Path, seed: int = LIBRARY_SEED + 1) -> list[str]:
    """Every EDIT_EVERY-th note gets a new section; returns the edited file names."""
    rng = random.Random(seed)
    sentences = _sentences()
    edited = []
    for i in range(0, N_FILES, EDIT_EVERY):
        path = folder / f"note-{i:02d}.txt"
        path.write_text(path.read_text(encoding="utf-8") + f"\nNext steps\n\n{_paragraphs(rng, sentences, 6)}\n", encoding="utf-8")
        edited.append(path.name)
    return edited


def _versions(data_dir: Path) -> tuple[dict[str, str], dict[tuple[str, str], list[str]]]:
    """({doc_id: sha256}, {(doc_id, sha256): passage ids in order}) of a finished store."""
    db = sqlite3.connect(data_dir / "catalog.sqlite")
    try:
        shas = dict(db.execute("SELECT doc_id, sha256 FROM documents"))
        ids: dict[tuple[str, str], list[str]] = {}
        for pid, doc_id in db.execute("SELECT id, doc_id FROM passages ORDER BY doc_id, position"):
            ids.setdefault((doc_id, shas[doc_id]), []).append(pid)
    finally:
        db.close()
    return shas, ids


class Reference:
    """What uninterrupted runs store: v1 of the library into an empty store (by the CLI, in this
    process) and v2 (a third of the files edited) on top of it."""

    def __init__(self, root: Path, embedder, invoke) -> None:
        self.v1, self.v2 = root / "library-v1", root / "library-v2"
        self.files = write_library(self.v1)
        shutil.copytree(self.v1, self.v2)
        self.edited = edit_library(self.v2)
        self.store_v1 = root / "reference-v1"
        done = invoke("ingest", str(self.v1), "--quiet", data_dir=self.store_v1, env=env_for(self.store_v1))
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"{N_FILES} added, 0 replaced, 0 unchanged, 0 failed"), done.stdout
        self.docs_v1, self.ids = _versions(self.store_v1)
        # v2 on a copy of the finished v1 store (written by a command that has finished and closed it).
        store_v2 = root / "reference-v2"
        shutil.copytree(self.store_v1, store_v2)
        services = services_with(embedder, data_dir=store_v2)
        try:
            report = services.ingestor.ingest([self.v2])
            assert {r.path.name for r in report.results if r.status == "replaced"} == set(self.edited)
            assert report.count("unchanged") == N_FILES - len(self.edited) and not report.failed
        finally:
            services.store.catalog.close()
        self.docs_v2, ids_v2 = _versions(store_v2)
        self.ids.update(ids_v2)
        self.passages_v1 = sum(len(self.ids[d, s]) for d, s in self.docs_v1.items())
        self.passages_v2 = sum(len(self.ids[d, s]) for d, s in self.docs_v2.items())
        assert self.passages_v1 >= 2 * N_FILES, "the library should make several passages per file"


@pytest.fixture(scope="module")
def reference(tmp_path_factory, embedder, invoke) -> Reference:
    return Reference(tmp_path_factory.mktemp("crash-library"), embedder, invoke)


# -- killing an ingest ----------------------------------------------------------------------------
def _generation(catalog: Path) -> int | None:
    """The catalog's commit counter, read only (never creating the file), or None before the
    ingest has created it."""
    try:
        db = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True, timeout=5)
        try:
            return db.execute("SELECT value FROM state WHERE key='generation'").fetchone()[0]
        finally:
            db.close()
    except (sqlite3.Error, TypeError):
        return None  # not created yet


def ingest_and_kill(folder: Path, data_dir: Path, commits: int, fraction: float, timeout: float = 600) -> dict:
    """Run `prep-bot ingest` and SIGKILL it ``fraction`` of the time between two commits after
    the catalog has committed ``commits`` documents (watched through the catalog's generation).
    With ``commits`` 0, kill ``fraction`` seconds after the ingest opened the store (it opens
    Chroma first, then loads the model and reads, chunks and embeds the files)."""
    catalog = data_dir / "catalog.sqlite"
    start_generation = _generation(catalog) if catalog.exists() else 0
    assert start_generation is not None
    proc = subprocess.Popen(
        [str(PREP_BOT), "ingest", str(folder), "--data-dir", str(data_dir), "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_for(data_dir),
    )
    output: list[bytes] = []
    drains = [threading.Thread(target=lambda s=s: output.append(s.read()), daemon=True) for s in (proc.stdout, proc.stderr)]
    for drain in drains:
        drain.start()
    seen: list[float] = []  # when each commit was first seen
    try:
        deadline = time.monotonic() + timeout
        while commits == 0 and not (data_dir / "chroma").exists():
            assert proc.poll() is None, f"ingest ended before the kill point: {b''.join(output)!r}"
            assert time.monotonic() < deadline, "ingest never opened the store"
            time.sleep(0.01)
        while len(seen) < commits:
            assert proc.poll() is None, f"ingest ended before the kill point: {b''.join(output)!r}"
            assert time.monotonic() < deadline, "ingest made no progress"
            done = (_generation(catalog) or start_generation) - start_generation
            seen += [time.monotonic()] * (done - len(seen))
            time.sleep(0.01)
        gap = 1.0 if commits == 0 else (seen[-1] - seen[-2]) if seen[-1] > seen[-2] else 0.01
        time.sleep(fraction * gap)  # the random point
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=60)
        for drain in drains:
            drain.join(timeout=10)
    assert proc.returncode == -signal.SIGKILL, f"the ingest was not killed mid-way: {b''.join(output)!r}"
    return {"commits_seen": len(seen), "delay_s": round(fraction * gap, 3)}


# -- what must hold after any crash ---------------------------------------------------------------
def assert_consistent(services, reference: Reference, embedder, rng: random.Random,
                      stored_again: frozenset[str] = frozenset()) -> tuple[dict[str, str], int]:
    """Every catalog document is one complete version, in the catalog, in Chroma with its
    vector, and in BM25; search returns only catalog passages. Returns ({doc_id: sha256},
    the number of vectors no catalog entry owns). ``stored_again``: documents a resumed ingest
    stored; their passages are whole, but may be joined otherwise than in a run that was never
    stopped, since the tagger learns from what the store holds when it is fitted."""
    store = services.store
    docs = store.documents()
    live: dict[str, str] = {}
    catalog_ids: list[str] = []
    for info in docs:
        ids = [p.id for p in store.passages(info.doc_id)]
        # No half-written document: exactly the passages a finished run stores for this version.
        assert (info.doc_id, info.sha256) in reference.ids, f"{info.doc_id} is at a version no finished run stored"
        if info.doc_id in stored_again:
            expected = reference.ids[info.doc_id, info.sha256][0].rsplit(":", 1)[0]
            assert ids and ids == [f"{expected}:{n:05d}" for n in range(len(ids))], info.doc_id
        else:
            assert ids == reference.ids[info.doc_id, info.sha256], info.doc_id
        assert info.chunks == len(ids), info.doc_id
        assert [p.position for p in store.passages(info.doc_id)] == list(range(info.chunks))
        live[info.doc_id] = info.sha256
        catalog_ids += ids
    assert len(set(catalog_ids)) == len(catalog_ids) == store.catalog.passage_count()

    # Chroma holds every catalog passage, with a unit vector and the right version.
    got = store.collection.get(ids=catalog_ids, include=["embeddings", "metadatas"]) if catalog_ids else {"ids": []}
    assert set(got["ids"]) == set(catalog_ids)
    vectors = {}
    for pid, vector, meta in zip(got["ids"], got.get("embeddings", []), got.get("metadatas", [])):
        vector = np.asarray(vector, dtype=np.float32)
        assert vector.shape == (384,) and np.isfinite(vector).all(), pid
        assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3, pid
        assert meta["sha256"] == live[meta["doc_id"]] and pid.startswith(meta["doc_id"] + ":"), pid
        vectors[pid] = vector
    # ...and the vectors are the passages' own: re-embedded, they match; queried, they are found.
    embed_text = {pid: text for pid, text, _ in store.catalog.iter_index_rows()}
    for pid in rng.sample(catalog_ids, min(12, len(catalog_ids))):
        fresh = embedder.encode([embed_text[pid]])[0]
        assert float(fresh @ vectors[pid]) > 0.99, pid
        nearest = store.collection.query(query_embeddings=[vectors[pid]], n_results=3, include=[])["ids"][0]
        assert pid in nearest, (pid, nearest)

    # Anything else in Chroma is a version an interrupted write left: never shown, removable.
    everything = set(store.collection.get(include=[])["ids"])
    orphans = everything - set(catalog_ids)
    known = {pid for ids in reference.ids.values() for pid in ids}
    assert orphans <= known, sorted(orphans - known)[:5]

    # BM25 holds exactly the catalog's passages.
    store.lexical.ensure_current(store.catalog)
    assert len(store.lexical.ids) == len(catalog_ids) and set(store.lexical.ids) == set(catalog_ids)

    # Search, in every mode and with filters, returns only passages the catalog owns.
    owned = set(catalog_ids)
    for query in QUERIES:
        for mode in ("hybrid", "dense", "bm25"):
            for filters in ({}, {"polarity": "improvement"}, {"qs": "safeguarding"}):
                hits = store.search(query, k=10, mode=mode, **filters)
                assert {h.passage.id for h in hits} <= owned, (query, mode, filters)
        if owned:
            assert store.search(query, k=5), query
    return live, len(orphans)


# -- the runs -------------------------------------------------------------------------------------
RUNS = [  # (what the store holds before the ingest, when it is killed, seed of the kill point)
    ("empty", "storing", 11),
    ("empty", "reading and embedding", 29),
    ("v1", "storing", 37),
]


@pytest.mark.parametrize(("before", "when", "seed"), RUNS, ids=[f"{b}-{w.split()[0]}-{s}" for b, w, s in RUNS])
def test_ingest_killed_at_a_random_point_leaves_a_consistent_store(before, when, seed, reference, make_services, embedder, tmp_path):
    """`before` v1: the store holds v1 complete and the killed ingest is of v2 (a third of the
    files edited), so documents are being replaced."""
    rng = random.Random(seed)
    data_dir = tmp_path / "store"
    if before == "empty":
        folder, final, work = reference.v1, reference.docs_v1, N_FILES
    else:
        shutil.copytree(reference.store_v1, data_dir)  # a finished v1 store, as the CLI left it
        folder, final, work = reference.v2, reference.docs_v2, len(reference.edited)
    if when == "storing":
        # After commit k, anywhere before the next one is due: writing the next document's
        # vectors, committing it, deleting a replaced version's vectors, or starting a file.
        killed = ingest_and_kill(folder, data_dir, rng.randint(2, work - 4), rng.random())
    else:  # a random point while the model loads and files are read, chunked and embedded
        killed = ingest_and_kill(folder, data_dir, 0, rng.uniform(1.0, 6.0))

    services = make_services(data_dir=data_dir)
    crashed, orphans = assert_consistent(services, reference, embedder, rng)
    committed = sum(crashed.get(d) == final[d] for d in final)
    assert killed["commits_seen"] <= committed < len(final), (killed, committed)  # really killed mid-way
    print(f"\n{before} store, killed while {when} ({killed['delay_s']} s after commit {killed['commits_seen']}): "
          f"{committed}/{len(final)} documents at their final version, {orphans} orphan vectors")
    if before != "empty":  # every document is whole: the old version or the new, never a mix
        assert set(crashed) == set(final)
        assert all(sha in (reference.docs_v1[d], reference.docs_v2[d]) for d, sha in crashed.items())

    # Re-running the ingest finishes the job: every document at its final version, whole, nothing more.
    report = services.ingestor.ingest([folder])
    expected = {}
    for name in reference.files:
        doc_id = name.removesuffix(".txt")
        was = crashed.get(doc_id)
        expected[name] = "unchanged" if was == final[doc_id] else ("added" if was is None else "replaced")
    assert {r.path.name: r.status for r in report.results} == expected
    assert dict((d.doc_id, d.sha256) for d in services.store.documents()) == final
    again = frozenset(r.path.name.removesuffix(".txt") for r in report.results if r.status in ("added", "replaced"))
    after, orphans = assert_consistent(services, reference, embedder, rng, again)
    assert after == final and orphans == 0
    passages = sum(d.chunks for d in services.store.documents())
    assert services.store.catalog.passage_count() == passages
    assert services.store.reconcile() == 0  # the re-run's own reconcile already removed the orphans
    assert set(services.store.collection.get(include=[])["ids"]) == services.store.catalog.passage_ids()
    assert services.store.collection.count() == passages


# -- the BM25 index shared by processes -----------------------------------------------------------
BM25_WORKER = """
import json, random, sys, time
from pathlib import Path
import prep_bot  # offline settings first
from prep_bot.evidence.catalog import Catalog
from prep_bot.evidence.passage import DocumentInfo, Passage
from prep_bot.evidence.lexical import LexicalIndex

data, role, seconds = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
catalog = Catalog(data / "catalog.sqlite")
rng = random.Random(role)
rounds, problems = 0, []
end = time.monotonic() + seconds
while time.monotonic() < end:
    rounds += 1
    if role == "ingest":  # commit a new version of a document, of a new length
        doc, n = f"doc-{rng.randint(0, 3)}", rng.randint(1, 40)
        sha = f"{rounds:012d}"
        passages = [
            Passage(id=f"{doc}:{sha}:{i:05d}", text=f"carers word{i}", doc_id=doc, title=doc, source=doc + ".txt",
                    page=None, section="", quality_statements=["safeguarding"], polarity="strength", position=i)
            for i in range(n)
        ]
        catalog.put_document(DocumentInfo(doc_id=doc, title=doc, source=doc + ".txt", doc_type="other", sha256=sha),
                             passages, [p.text for p in passages])
    index = LexicalIndex(data / "bm25")  # as a new process would: load from disk, or rebuild and save
    try:
        before = catalog.generation
        index.ensure_current(catalog)
        live = catalog.passage_ids()
        current = before == catalog.generation  # nothing committed meanwhile: live is what the index must hold
        found = index.search("carers", n=max(1, len(index)))
        if len(found) != len(index) or len(index.mask(polarity="strength")) != len(index):
            problems.append(f"index parts disagree: {len(index)} ids, {len(found)} matches")
        elif current and set(index.ids) != live:
            problems.append(f"generation {before}: index ids are not the catalog's")
    except Exception as e:
        problems.append(f"{type(e).__name__}: {e}")
print(json.dumps({"role": role, "rounds": rounds, "problems": problems[:5], "count": len(problems)}))
"""


def test_processes_sharing_the_bm25_index_never_see_a_mixed_one(tmp_path):
    """An ingest committing documents while a server rebuilds its index: both save the index
    on disk, and neither ever loads one whose parts come from different saves."""
    import json
    import sys

    script = tmp_path / "bm25_worker.py"
    script.write_text(BM25_WORKER, encoding="utf-8")
    data_dir = tmp_path / "store"
    data_dir.mkdir()
    procs = [
        subprocess.Popen([sys.executable, str(script), str(data_dir), role, "8"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env_for(data_dir))
        for role in ("ingest", "server", "server-2")
    ]
    results = []
    try:
        for proc in procs:
            out, err = proc.communicate(timeout=180)
            assert proc.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
    assert all(r["rounds"] >= 10 for r in results), results  # they really ran side by side
    assert [r["count"] for r in results] == [0, 0, 0], results


# -- a saved attempt survives the server being killed --------------------------------------------


def _reply(chat: list) -> str:
    """The coach's reply: the last message without a title (the folded detail has one)."""
    content = [m for m in chat if not (m.get("metadata") or {}).get("title")][-1]["content"]
    return content if isinstance(content, str) else " ".join(p.get("text", "") for p in content if isinstance(p, dict))


@pytest.mark.server
def test_saved_attempt_survives_the_server_being_killed(tmp_path, sample_store):
    from gradio_client import Client

    from prep_bot.practice.attempts import AttemptLog

    data_dir = sample_store.copy(tmp_path / "data")  # the sample library, a copy of its own
    name, team = "Priya Crash", "Front door"
    with serving(data_dir, tmp_path / "serve.log") as (url, proc):
        client = Client(url, verbose=False, download_files=False)
        try:
            chat, _, _ = client.predict(name, "frontline", "safeguarding", False, api_name="/ask")
            chat, _ = client.predict(STRONG, name, team, "frontline", chat, api_name="/answer")
            proc.send_signal(signal.SIGKILL)  # the moment the page said it was saved
            proc.wait(timeout=60)
        finally:
            client.close()
    assert proc.returncode == -signal.SIGKILL
    reply = _reply(chat)
    assert "Saved to your practice history" in reply
    score = int(re.search(r"\*\*Score (\d+)/100\*\*", reply).group(1))

    # The attempt is in the database the dead server left, which is in WAL mode.
    db = data_dir / "attempts.sqlite"
    raw = sqlite3.connect(db)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()
    log = AttemptLog(f"sqlite:///{db}")
    try:
        with log.engine.connect() as connection:  # every AttemptLog connection syncs each commit in full
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        [attempt] = log.list(user=name)
        assert (attempt.score, attempt.answer, attempt.team, attempt.qs) == (score, STRONG, team, "safeguarding")
    finally:
        log.close()

    # A restarted server shows it in My progress.
    with serving(data_dir, tmp_path / "serve.log") as (url, _):
        client = Client(url, verbose=False, download_files=False)
        try:
            table = client.predict("", name, "", api_name="/my_attempts")
        finally:
            client.close()
    rows = table["data"] if isinstance(table, dict) else table
    assert [(row[3], int(row[0])) for row in rows] == [(attempt.question, score)]  # score, time, statement, question
