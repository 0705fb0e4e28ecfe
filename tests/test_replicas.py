"""A whole council on real servers: a SQLite data dir (the sample library, a lead's correction, a
kept upload, accounts and attempts) exported and imported into a real Postgres and a real
`chroma run`, then two `prep-bot serve` replicas with data dirs of their own over it, started
with the commands and variables of deploy/systemd. People practise, upload and remove on one
replica and see it on the other; a replica killed mid-upload leaves the shared store consistent.

Run it against this checkout's code: ``PYTHONPATH=<checkout> pytest tests/test_replicas.py``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from conftest import STRONG, chroma_server, free_port, services_with
from deploy import command_for, env_file, unit_environment
from postgres import postgres_server  # noqa: F401 - fixture
from processes import PREP_BOT, env_for
from prep_bot.evidence.catalog import Catalog

pytestmark = [pytest.mark.server, pytest.mark.slow]

PASSWORDS = {"lee": "lee's long password", "sam": "sam's long password", "mo": "mo's long password"}
QUERIES = ("carers assessment waiting times", "safeguarding enquiries", "corporate risk register",
           "direct payments", "hospital discharge delays")
UPLOADED = "marigold-reablement-note.txt"
UPLOADED_TEXT = ("Marigold reablement pilot\n\nStrengths\n\nThe zephyrine reablement pilot helped 40 people "
                 "return home from hospital within a week, and most needed no ongoing care.\n")


@pytest.fixture(scope="module")
def cli(invoke):
    """`prep-bot ARGS` in this process, with ``env`` as its environment (the commands of the
    deploy units themselves, and every process killed on purpose, run as real processes)."""

    def cli(*args: str, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:  # noqa: ARG001
        return invoke(*args, env=env)

    return cli


def client(url: str, name: str):
    from gradio_client import Client

    return Client(url, auth=(name, PASSWORDS[name]), verbose=False)


def rows(table) -> list[list]:
    return table["data"] if isinstance(table, dict) else table


# -- the source: a local SQLite data dir ---------------------------------------------------------
@pytest.fixture(scope="module")
def source(tmp_path_factory, sample_store, embedder):
    from prep_bot.infra.config import remember_council
    from prep_bot.evidence.corrections import correct
    from prep_bot.evidence.uploads import add_uploads

    root = tmp_path_factory.mktemp("source")
    services = sample_store.services(root / "data", embedder)  # the sample library, a copy of its own
    home = services.store.documents()[0].council
    remember_council(services.settings.data_dir, home)
    incoming = root / "incoming"
    incoming.mkdir()
    (incoming / UPLOADED).write_text(UPLOADED_TEXT, encoding="utf-8")
    [kept] = add_uploads(services.ingestor, services.settings.data_dir, [incoming / UPLOADED])
    assert kept.status == "added"
    passage = services.store.passages(services.store.documents()[1].doc_id)[2]
    correct(services.store, services.framework, passage.id, ["governance"], "improvement", "lee")
    services.users.add("lee", PASSWORDS["lee"], role="lead")
    services.users.add("sam", PASSWORDS["sam"], role="staff", team="Front door")
    for user, team, score in (("sam", "Front door", 55), ("sam", "Front door", 71), ("lee", "", 64)):
        services.attempts.add(user=user, team=team, audience="frontline", qs="safeguarding", question_id="q1",
                              question=f"{user}'s earlier question", answer="An answer.", score=score,
                              dimensions={"outcome": score}, feedback={"reply": "ok"}, delivery={"wpm": 120})
    yield services, home, passage.id
    services.close()


# -- the target: Postgres + a Chroma server, set up with deploy/'s commands ------------------------
@pytest.fixture(scope="module")
def cluster(postgres_server, source, tmp_path_factory, cli):  # noqa: F811 - fixture
    """Postgres and `chroma run` started, `prep-bot migrate`, the source exported and imported,
    one more account added with the CLI; yields (env_for(data_dir), export folder, urls...)."""
    services, home, _ = source
    root = tmp_path_factory.mktemp("cluster")
    pg_url = postgres_server.new_database("replicas")
    with chroma_server(root / "chroma") as (chroma_port, _):
        values = {  # a test value for every variable the example environment file sets
            "PREP_BOT_DATABASE_URL": pg_url, "PREP_BOT_CHROMA_URL": f"http://127.0.0.1:{chroma_port}",
            "PREP_BOT_KEEP_UPLOADS": "true", "PREP_BOT_COUNCIL": home,
            "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "GRADIO_ANALYTICS_ENABLED": "False",
            # The address people open behind the proxy; http here, so the sign-in cookie also
            # travels to the replicas' own loopback addresses that the tests call.
            "PREP_BOT_PUBLIC_URL": "http://prep-bot.council.test/",
        }
        assert set(values) == set(env_file()), "deploy/systemd/prep-bot.env.example changed: give each variable a test value"

        def env(unit: str, instance: str = "") -> dict[str, str]:
            own = {k: v.replace("/var/lib/prep-bot", str(root)).replace("%i", instance)
                   for k, v in unit_environment(unit).items()}
            return env_for(Path(own["PREP_BOT_DATA_DIR"])) | values | own

        exported = root / "export"
        done = cli("export", "--out", str(exported), "--data-dir", str(services.settings.data_dir), env=env_for(services.settings.data_dir))
        assert done.returncode == 0, done.stderr
        migrate = env("prep-bot-migrate.service")
        done = subprocess.run(command_for("prep-bot-migrate.service", PREP_BOT), capture_output=True, text=True, env=migrate, timeout=300)
        assert done.returncode == 0, done.stderr
        started = time.monotonic()
        imported = cli("import", str(exported), env=migrate)
        took = time.monotonic() - started
        assert imported.returncode == 0, imported.stderr
        print(f"\nimport into Postgres + the Chroma server took {took:.1f} s: {imported.stdout.splitlines()[0]}")
        (root / "mo.txt").write_text(PASSWORDS["mo"] + "\n", encoding="utf-8")
        added = cli("users", "add", "mo", "--role", "manager", "--team", "Front door", "--password-file", str(root / "mo.txt"), env=migrate)
        assert added.returncode == 0, added.stderr
        yield {"env": env, "values": values, "export": exported, "import": imported, "root": root, "pg_url": pg_url}


@contextmanager
def replica(cluster, name: str):
    """`prep-bot serve` as deploy/systemd/prep-bot@.service runs it (the instance is the port)."""
    port = str(free_port())
    env = cluster["env"]("prep-bot@.service", port)
    log_path = cluster["root"] / f"replica-{name}.log"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(command_for("prep-bot@.service", PREP_BOT, port), env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 240
        while True:
            assert proc.poll() is None, log_path.read_text(errors="replace")[-3000:]
            try:
                urllib.request.urlopen(url + "config", timeout=5)
                break
            except urllib.error.HTTPError as e:
                if e.code == 401:  # up, sign-in on
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, log_path.read_text(errors="replace")[-3000:]
            time.sleep(0.5)
        yield url, proc, env
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=60)


@pytest.fixture(scope="module")
def replicas(cluster):
    with replica(cluster, "a") as a, replica(cluster, "b") as b:
        yield a, b


@pytest.fixture
def target(cluster, make_services, tmp_path):
    """prep-bot's services on the shared store, as one more machine would see it."""
    values = cluster["values"]
    return make_services(data_dir=tmp_path / "look", database_url=values["PREP_BOT_DATABASE_URL"],
                         chroma_url=values["PREP_BOT_CHROMA_URL"])  # no home council: as the source's services


# -- moving up: export, import ---------------------------------------------------------------------
def test_the_import_carries_every_count_and_refuses_twice(source, cluster, target, cli):
    from prep_bot.app.transfer import counts

    services, home, _ = source
    manifest = json.loads((cluster["export"] / "manifest.json").read_text(encoding="utf-8"))
    local = counts(services.settings, services.store, services.attempts)
    assert manifest["counts"] == local.__dict__ and local.uploads == 1 and local.attempts == 3 and local.corrections == 1
    assert manifest["home_council"] == home
    assert cluster["import"].stdout.startswith(f"Imported {local.describe()} from ")
    after = counts(target.settings, target.store, target.attempts)
    assert after.__dict__ == {**local.__dict__, "users": local.users + 1}  # and mo, added since
    # A second import into the now full store is refused in one line, changing nothing.
    again = cli("import", str(cluster["export"]), env=cluster["env"]("prep-bot-migrate.service"))
    assert again.returncode == 1 and len(again.stderr.strip().splitlines()) == 1, again.stderr
    assert "already holds 5 documents" in again.stderr and "import into an empty store" in again.stderr
    assert counts(target.settings, target.store, target.attempts).__dict__ == after.__dict__
    # A changed export is refused before anything is written.
    tampered = cluster["root"] / "tampered"
    subprocess.run(["cp", "-r", str(cluster["export"]), str(tampered)], check=True)
    with open(tampered / "attempts.jsonl", "a", encoding="utf-8") as f:
        f.write("{}\n")
    fresh = cluster["root"] / "fresh"
    done = cli("import", str(tampered), "--data-dir", str(fresh), env=env_for(fresh))
    assert done.returncode == 1 and "changed since the export" in done.stderr, done.stderr
    assert not fresh.exists()  # refused before anything was written


def test_the_imported_store_answers_the_same_searches_with_the_same_tags(source, cluster, target):
    services, _, corrected = source
    for query in QUERIES:
        for mode in ("hybrid", "dense"):
            here = [h.passage.id for h in services.store.search(query, k=5, mode=mode)]
            there = [h.passage.id for h in target.store.search(query, k=5, mode=mode)]
            assert here == there and here, (query, mode)
    tags = lambda s: {p.id: (p.quality_statements, p.polarity, p.tag_source, p.theme) for p in s.store.passages(council="all")}  # noqa: E731
    assert tags(target) == tags(services)
    assert tags(target)[corrected][:3] == (["governance"], "improvement", "lead")
    assert [c.to_dict() for c in target.store.catalog.corrections()] == [c.to_dict() for c in services.store.catalog.corrections()]
    # Vectors came across as stored (to float32 precision over the server's HTTP API).
    ids = sorted(tags(services))[:20]
    here, there = services.store.embeddings(ids), target.store.embeddings(ids)
    worst = max(float(np.abs(here[i] - there[i]).max()) for i in ids)
    assert worst < 1e-6, worst
    # The kept upload is a row every machine reads; the home council went with the import.
    assert target.store.catalog.upload(UPLOADED) == UPLOADED_TEXT.encode()
    assert (cluster["root"] / "migrate" / "home-council.txt").read_text(encoding="utf-8").strip() == source[1]


def test_the_shared_store_moves_back_to_a_local_data_dir(source, cluster, target, cli):
    from prep_bot.app.transfer import counts

    services, _, _ = source
    back, local = cluster["root"] / "back", cluster["root"] / "local-again"
    done = cli("export", "--out", str(back), "--quiet", env=cluster["env"]("prep-bot-migrate.service"))
    assert done.returncode == 0, done.stderr
    assert "from database postgresql+psycopg://postgres@" in done.stdout and "Chroma server" in done.stdout
    done = cli("import", str(back), "--data-dir", str(local), "--quiet", env=env_for(local))
    assert done.returncode == 0, done.stderr
    again = services_with(services.embedder, data_dir=local)
    try:
        assert counts(again.settings, again.store, again.attempts).__dict__ == counts(target.settings, target.store, target.attempts).__dict__
        assert (local / "uploads" / UPLOADED).read_text(encoding="utf-8") == UPLOADED_TEXT
        assert again.users.verify("mo", PASSWORDS["mo"]).role == "manager"
        for query in QUERIES[:3]:
            assert [h.passage.id for h in again.store.search(query, k=5)] == [h.passage.id for h in services.store.search(query, k=5)]
    finally:
        again.close()


def test_people_sign_in_with_the_same_passwords_and_see_their_attempts(source, replicas):
    services, _, _ = source
    (a, _, _), (b, _, _) = replicas
    for name in ("sam", "lee"):
        mine = rows(client(b, name).predict(api_name="/my_attempts"))
        assert len(mine) == len(services.attempts.list(user=name)) and mine, name
    from gradio_client import Client

    with pytest.raises(Exception):
        Client(a, auth=("sam", "not sam's password"), verbose=False)


# -- two replicas, one store --------------------------------------------------------------------
def test_practice_on_one_replica_is_seen_on_the_other(replicas, target):
    (a, _, _), (b, _, _) = replicas
    before = len(rows(client(b, "sam").predict(api_name="/my_attempts")))
    on_a = client(a, "sam")
    chat, _, _ = on_a.predict("sam", "frontline", "safeguarding", False, api_name="/ask")
    chat, _ = on_a.predict(STRONG, "sam", "", "frontline", chat, api_name="/answer")
    shown = rows(client(b, "sam").predict(api_name="/my_attempts"))
    assert len(shown) == before + 1
    assert shown[-1][3] == target.attempts.list(user="sam")[-1].question
    assert len(rows(client(b, "mo").predict(user="sam", api_name="/my_attempts"))) == before + 1  # his manager too


def test_an_upload_on_one_replica_is_searchable_on_the_other_and_removal_goes_everywhere(replicas, cluster, target, tmp_path, cli):
    from gradio_client import handle_file

    (a, _, env_a), (b, _, _) = replicas
    note = tmp_path / "quillon-day-centre.txt"
    note.write_text("Quillon day centre review\n\nStrengths\n\nThe quillonite day centre cut waiting lists for "
                    "day opportunities by half in a year.\n", encoding="utf-8")
    table, _ = client(a, "lee").predict([handle_file(str(note))], api_name="/add_documents")
    assert "1 added" in table, table
    uploaded = time.monotonic()
    on_b = client(b, "sam")

    def found() -> bool:
        cards = on_b.predict("quillonite day centre", "All", "All", "All", 3, api_name="/search")
        return "quillonite" in cards.split("</article>")[0]

    while not found():
        assert time.monotonic() - uploaded < 5.0, "the upload on replica A was not searchable on replica B within 5 s"
        time.sleep(0.2)
    seen = time.monotonic() - uploaded
    print(f"\nan upload on replica A was found through replica B {seen:.2f} s later")

    [doc_id] = [d.doc_id for d in target.store.documents() if d.source == note.name]
    done = cli("remove", doc_id, env=env_a)  # on replica A's machine
    assert done.returncode == 0 and "and its uploaded copy from postgresql" in done.stdout, done.stdout + done.stderr
    removed = time.monotonic()
    while found():
        assert time.monotonic() - removed < 5.0, "a removed document was still found on replica B after 5 s"
        time.sleep(0.2)


def test_a_replica_killed_mid_upload_leaves_the_shared_store_consistent(replicas, cluster, target, tmp_path):
    from gradio_client import handle_file

    from test_crash import write_library

    (a, proc_a, _), (b, _, _) = replicas
    library = tmp_path / "notes"
    files = write_library(library)[:8]
    catalog = Catalog(cluster["values"]["PREP_BOT_DATABASE_URL"])
    start = catalog.generation
    job = client(a, "lee").submit([handle_file(str(library / f)) for f in files], api_name="/add_documents")
    try:
        deadline = time.monotonic() + 240
        while catalog.generation < start + 2:  # two notes committed, the third on its way
            assert time.monotonic() < deadline and not job.done(), "the upload made no progress"
            time.sleep(0.02)
        time.sleep(0.3)
        proc_a.send_signal(signal.SIGKILL)
        proc_a.wait(timeout=60)
    finally:
        catalog.close()
    assert proc_a.returncode == -signal.SIGKILL
    store = target.store
    notes = {d.doc_id for d in store.documents() if d.source in files}
    assert 2 <= len(notes) < len(files), notes  # really killed mid-way

    def check() -> set[str]:
        owned: set[str] = set()
        for info in store.documents():
            passages = store.passages(info.doc_id, council="all")
            assert [p.position for p in passages] == list(range(info.chunks)) and info.chunks > 0, info.doc_id
            owned |= {p.id for p in passages}
        got = store.collection.get(ids=sorted(owned), include=["embeddings"])
        assert set(got["ids"]) == owned  # every committed passage has its vector on the server
        assert all(abs(float(np.linalg.norm(v)) - 1.0) < 1e-3 for v in got["embeddings"])
        assert set(store.catalog.upload_names()) <= {d.source for d in store.documents()}  # no upload without its document
        for query in QUERIES[:2]:
            assert {h.passage.id for h in store.search(query, k=10, council="all")} <= owned
        return owned

    check()
    # Replica B carries on, and a re-run finishes the job and removes what the kill left.
    assert "<article" in client(b, "sam").predict("safeguarding enquiries", "All", "All", "All", 3, api_name="/search")
    report = target.ingestor.ingest([library / f for f in files])
    assert not report.failed
    owned = check()
    assert set(store.collection.get(include=[])["ids"]) == owned
    assert {d.source for d in store.documents()} >= set(files)


def test_a_killed_export_or_import_leaves_nothing_half_done(source, cluster, tmp_path, cli):
    """SIGKILL at a random moment of the work: an export leaves no folder to import (only its
    hidden partial one); an import leaves the target empty (and re-importable) or complete."""
    import random

    from prep_bot.app.transfer import counts

    rng = random.Random(13)
    services = source[0]

    def killed(args: list[str], started: Path, env: dict) -> subprocess.Popen:
        proc = subprocess.Popen([str(PREP_BOT), *args, "--quiet"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while not started.exists() and proc.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.005)
        time.sleep(rng.random() * 0.4)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        return proc

    out = tmp_path / "export"
    proc = killed(["export", "--out", str(out), "--data-dir", str(services.settings.data_dir)], tmp_path / ".export.partial",
                  env_for(services.settings.data_dir))
    if proc.returncode == -signal.SIGKILL:
        assert not out.exists()
    refused = cli("import", str(tmp_path / ".export.partial"), "--data-dir", str(tmp_path / "never"), env=env_for(tmp_path / "never"))
    assert refused.returncode == 1 and "export did not finish" in refused.stderr, refused.stderr

    local = tmp_path / "local"
    proc = killed(["import", str(cluster["export"]), "--data-dir", str(local)], local / "chroma", env_for(local))
    look = services_with(services.embedder, data_dir=local)
    try:
        held = counts(look.settings, look.store, look.attempts)
        complete = counts(services.settings, services.store, services.attempts).__dict__
        assert held.documents in (0, complete["documents"]) and held.passages in (0, complete["passages"]), held
        assert (held.documents == 0) == (held.corrections == 0), held  # the catalog commits all or nothing
        print(f"\nimport killed ({proc.returncode}) with {held.describe()} in the target")
    finally:
        look.close()
    if held.documents == 0:
        done = cli("import", str(cluster["export"]), "--data-dir", str(local), env=env_for(local))
        assert done.returncode == 0, done.stderr
    look = services_with(services.embedder, data_dir=local)
    try:
        assert counts(look.settings, look.store, look.attempts).__dict__ == counts(services.settings, services.store, services.attempts).__dict__
    finally:
        look.close()
