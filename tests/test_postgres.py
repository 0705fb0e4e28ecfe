"""Shared state in a real Postgres (tests/postgres.py starts one): accounts, attempts and the
document catalog there; the writer lock as an advisory lock across processes; two "machines"
(Services with different data dirs) on one Postgres and one Chroma server sharing a library;
an ingest killed mid-write leaves the catalog and the Chroma server consistent."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import SAMPLE_LIBRARY, chroma_server, copy_sample
from postgres import pg_url, postgres_server  # noqa: F401 - fixtures
from processes import PREP_BOT, env_for
from prep_bot.infra import migrations
from prep_bot.evidence.catalog import Catalog
from prep_bot.infra.config import Settings
from prep_bot.infra.migrations import SchemaError

SAMPLE = "stockton-2025-cqc-assessment-governance-management-sustainability.txt"
OTHER = "stockton-2015-lga-personalisation-peer-challenge.txt"


def migrated(url: str, tmp_path: Path) -> str:
    steps = migrations.migrate(Settings(data_dir=tmp_path / "migrate", database_url=url))
    assert [(s.before, s.after) for s in steps] == [(None, "accounts_0007"), (None, "catalog_0002")]
    return url


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    with chroma_server(tmp_path_factory.mktemp("chroma") / "server") as (port, _):
        yield f"http://127.0.0.1:{port}"


def test_accounts_attempts_and_catalog_live_in_postgres(pg_url, make_services, evidence_dir, tmp_path):
    with pytest.raises(SchemaError, match="run `prep-bot migrate` first"):  # a server database is never changed on open
        make_services(database_url=pg_url).attempts  # noqa: B018
    migrated(pg_url, tmp_path)
    services = make_services(database_url=pg_url)
    services.users.add("Lena Lead", "a long password", role="lead", team="Front door")
    services.attempts.add(user="Lena Lead", team="Front door", audience="frontline", qs="safeguarding", question_id="q1",
                          question="Q?", answer="A.", score=61, dimensions={"outcome": 61}, feedback={"reply": "ok"})
    copy_sample(SAMPLE, evidence_dir)
    report = services.ingestor.ingest([evidence_dir])
    assert report.count("added") == 1 and not report.failed
    doc = report.results[0].doc_id
    passage = services.store.passages(doc)[3]
    from prep_bot.evidence.corrections import correct

    correct(services.store, services.framework, passage.id, ["governance"], "improvement", "Lena Lead")
    data_dir = services.settings.data_dir
    assert not (data_dir / "catalog.sqlite").exists() and not (data_dir / "attempts.sqlite").exists()

    # A second process-worth of objects on the same database sees all of it.
    other = make_services(database_url=pg_url)
    assert other.users.verify("lena lead", "a long password").name == "Lena Lead"
    [attempt] = other.attempts.list(user="Lena Lead")
    assert (attempt.score, attempt.feedback) == (61, {"reply": "ok"})
    catalog = other.store.catalog
    assert [d.doc_id for d in catalog.documents()] == [doc]
    assert catalog.find_by_sha(catalog.documents()[0].sha256).doc_id == doc
    assert catalog.passage_count() == report.chunks
    assert [(c.quality_statements, c.polarity, c.by) for c in catalog.corrections()] == [(["governance"], "improvement", "Lena Lead")]
    assert catalog.passages([passage.id])[passage.id].polarity == "improvement"
    assert passage.id in {p.id for p in catalog.iter_passages(doc, polarity="improvement")}
    assert (passage.id, "governance") in catalog.labelled_passages()
    assert catalog.generation == services.store.catalog.generation >= 2
    hits = other.store.search("corporate risk register", k=3)
    assert hits and all(h.passage.doc_id == doc for h in hits)
    services.store.remove_document(doc)
    assert other.store.documents() == [] and other.store.search("corporate risk register", k=3) == []


LOCK_HOLDER = textwrap.dedent("""
    import sys, time
    import prep_bot
    from prep_bot.infra.config import Settings
    from prep_bot.evidence.store import EvidenceStore
    store = EvidenceStore(Settings(data_dir=sys.argv[1], database_url=sys.argv[2]), embedder=None)
    mode = sys.argv[3]
    if mode == "try":
        with store.writing(wait=False) as mine:
            print("held" if mine else "busy", flush=True)
    elif mode == "wait":
        with store.writing() as mine:
            print(f"got {time.time()}", flush=True)
    else:  # hold until killed
        with store.writing() as mine:
            print("holding", flush=True)
            time.sleep(600)
""")


def test_the_writer_lock_is_one_advisory_lock_for_every_process(pg_url, make_services, tmp_path):
    migrated(pg_url, tmp_path)
    script = tmp_path / "lock.py"
    script.write_text(LOCK_HOLDER, encoding="utf-8")

    def run(mode: str, data_dir: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, str(script), data_dir, pg_url, mode], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env_for(tmp_path))

    store = make_services(database_url=pg_url).store
    with store.writing() as mine:
        assert mine
        with store.writing(wait=False) as again:  # reentrant in the holder
            assert again
        tried = run("try", str(tmp_path / "machine-2"))  # another data dir: not the same file lock
        assert tried.communicate(timeout=60)[0].strip() == "busy"
        waiting = run("wait", str(tmp_path / "machine-2"))
        time.sleep(2.0)
        assert waiting.poll() is None, waiting.communicate()  # still waiting for the lock
        released = time.time()
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    assert float(out.split()[1]) >= released  # it got the lock only once this process let it go

    # A process killed while holding the lock loses it with its connection.
    holder = run("hold", str(tmp_path / "machine-3"))
    try:
        assert holder.stdout.readline().strip() == "holding"
        with store.writing(wait=False) as mine:
            assert not mine
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=30)
    deadline = time.monotonic() + 10
    while True:
        with store.writing(wait=False) as mine:
            if mine:
                break
        assert time.monotonic() < deadline, "the killed holder's lock was never released"
        time.sleep(0.1)


@pytest.mark.server
def test_two_machines_share_one_library_through_postgres_and_a_chroma_server(pg_url, chroma_url, make_services, tmp_path,
                                                                            invoke):
    from prep_bot.evidence.uploads import UPLOADS, add_uploads

    migrated(pg_url, tmp_path)
    shared = {"database_url": pg_url, "chroma_url": chroma_url, "collection": "two_machines"}
    one = make_services(data_dir=tmp_path / "machine-1", **shared)
    two = make_services(data_dir=tmp_path / "machine-2", **shared)
    assert two.store.search("corporate risk register", k=3) == []  # machine 2 has built its (empty) index

    incoming = tmp_path / "incoming"
    incoming.mkdir()
    [result] = add_uploads(one.ingestor, one.settings.data_dir, [copy_sample(SAMPLE, incoming)])
    assert result.status == "added", result
    uploaded = time.monotonic()
    hits = two.store.search("corporate risk register", k=3)
    seen_after = time.monotonic() - uploaded
    assert hits and all(h.passage.doc_id == result.doc_id for h in hits)  # the very next search finds it
    print(f"\nan upload on machine 1 was found by a search on machine 2 {seen_after:.2f} s later")
    # Each machine keeps its own BM25 index, in its own data dir.
    assert (two.settings.data_dir / "bm25" / "ids.json").exists()
    assert two.store.lexical.generation == one.store.catalog.generation
    # The upload is kept as a row every machine can read, not as a file on machine 1.
    assert two.store.catalog.upload(SAMPLE) == (SAMPLE_LIBRARY / SAMPLE).read_bytes()
    assert not (one.settings.data_dir / UPLOADS / SAMPLE).exists()

    two.ingestor.ingest([copy_sample(OTHER, tmp_path)])  # machine 2 writes too; a third removes
    assert {d.source for d in one.store.documents()} == {SAMPLE, OTHER}

    assert two.store.catalog.has_upload(SAMPLE)
    removed = invoke("remove", result.doc_id, data_dir=tmp_path / "machine-3",
                     env=env_for(tmp_path / "machine-3") | {"PREP_BOT_DATABASE_URL": pg_url, "PREP_BOT_CHROMA_URL": chroma_url,
                                                            "PREP_BOT_COLLECTION": "two_machines"})
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.strip().startswith(f"Removed {result.doc_id} (") and "and its uploaded copy from postgresql" in removed.stdout
    assert all(h.passage.doc_id != result.doc_id for h in two.store.search("corporate risk register", k=10))
    assert two.store.catalog.upload(SAMPLE) is None and two.store.catalog.upload_names() == []


@pytest.mark.server
def test_uploads_are_not_kept_when_told_not_to(pg_url, chroma_url, make_services, tmp_path):
    from prep_bot.evidence.uploads import UPLOADS, add_uploads

    migrated(pg_url, tmp_path)
    services = make_services(database_url=pg_url, chroma_url=chroma_url, collection="not_kept", keep_uploads=False)
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    [result] = add_uploads(services.ingestor, services.settings.data_dir, [copy_sample(SAMPLE, incoming)])
    assert result.status == "added" and result.passages > 0
    assert services.store.catalog.upload_names() == []
    assert list((services.settings.data_dir / UPLOADS).iterdir()) == []


# -- a killed ingest over Postgres + a Chroma server ---------------------------------------------
N_FILES = 10


def _library(folder: Path) -> list[str]:
    from test_crash import write_library

    names = write_library(folder)
    for name in names[N_FILES:]:
        (folder / name).unlink()
    return names[:N_FILES]


@pytest.mark.server
def test_ingest_killed_mid_write_leaves_postgres_and_the_chroma_server_consistent(
    pg_url, chroma_url, make_services, embedder, tmp_path
):
    library = tmp_path / "library"
    files = _library(library)
    reference = make_services(data_dir=tmp_path / "reference")  # an uninterrupted run, local SQLite + Chroma
    assert not reference.ingestor.ingest([library]).failed
    expected = {d.doc_id: (d.sha256, [p.id for p in reference.store.passages(d.doc_id)]) for d in reference.store.documents()}

    migrated(pg_url, tmp_path)
    shared = {"database_url": pg_url, "chroma_url": chroma_url, "collection": "killed"}
    data_dir = tmp_path / "machine-1"
    env = env_for(data_dir) | {"PREP_BOT_DATABASE_URL": pg_url, "PREP_BOT_CHROMA_URL": chroma_url,
                                "PREP_BOT_COLLECTION": "killed"}
    catalog = Catalog(pg_url)
    rng = random.Random(13)
    commits = rng.randint(2, N_FILES - 3)
    proc = subprocess.Popen([str(PREP_BOT), "ingest", str(library), "--data-dir", str(data_dir), "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    drained: list[bytes] = []
    drains = [threading.Thread(target=lambda s=s: drained.append(s.read()), daemon=True) for s in (proc.stdout, proc.stderr)]
    for drain in drains:
        drain.start()
    try:
        deadline = time.monotonic() + 300
        seen = []
        while len(seen) < commits:
            assert proc.poll() is None, f"ingest ended before the kill point: {b''.join(drained)!r}"
            assert time.monotonic() < deadline, "ingest made no progress"
            seen += [time.monotonic()] * (catalog.generation - len(seen))
            time.sleep(0.01)
        gap = max(0.01, seen[-1] - seen[-2])
        time.sleep(rng.random() * gap)  # anywhere before the next commit is due
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=60)
        for drain in drains:
            drain.join(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    catalog.close()

    services = make_services(data_dir=tmp_path / "machine-2", **shared)  # another machine looks
    store = services.store

    def check() -> set[str]:
        owned: set[str] = set()
        for info in store.documents():
            ids = [p.id for p in store.passages(info.doc_id)]
            assert (info.sha256, ids) == expected[info.doc_id], info.doc_id  # complete, never half
            assert info.chunks == len(ids)
            owned |= set(ids)
        got = store.collection.get(ids=sorted(owned), include=["embeddings"]) if owned else {"ids": [], "embeddings": []}
        assert set(got["ids"]) == owned  # every committed passage has its vector on the server
        for vector in got["embeddings"]:
            assert abs(float(np.linalg.norm(np.asarray(vector))) - 1.0) < 1e-3
        for mode in ("hybrid", "dense", "bm25"):
            for query in ("carers assessment waiting times", "safeguarding enquiries"):
                assert {h.passage.id for h in store.search(query, k=10, mode=mode)} <= owned
        return owned

    owned = check()
    committed = len(store.documents())
    assert commits <= committed < N_FILES, (commits, committed)  # really killed mid-way
    orphans = set(store.collection.get(include=[])["ids"]) - owned
    print(f"\nkilled after {committed}/{N_FILES} commits; {len(orphans)} orphan vectors on the Chroma server")

    report = services.ingestor.ingest([library])  # the re-run, on the other machine, finishes the job
    assert sorted(r.status for r in report.results) == sorted(["unchanged"] * committed + ["added"] * (N_FILES - committed))
    owned = check()
    assert {d.doc_id for d in store.documents()} == set(expected) and len(files) == N_FILES
    assert set(store.collection.get(include=[])["ids"]) == owned  # the re-run removed the orphans
    shutil.rmtree(data_dir, ignore_errors=True)
