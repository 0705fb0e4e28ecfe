"""The real `prep-bot` command line on real stores: in this process through Click's runner with the loaded
model, and as a real process where only a process proves it (exit code, environment)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import SAMPLE_LIBRARY, cli_env, copy_sample

REPO = Path(__file__).resolve().parent.parent
PREP_BOT = REPO / ".venv" / "bin" / "prep-bot"
GOVERNANCE = "stockton-2025-cqc-assessment-governance-management-sustainability.txt"
GOVERNANCE_ID = "stockton-2025-cqc-assessment-governance-management-sustainability"
CONTACTS_ID = "carers-hub-review"
# Headings state the quality statement and polarity, so its tags do not hang on content scoring.
CONTACTS_TEXT = """Carers hub service review

Governance, management and sustainability

Areas for improvement

The carers hub board did not receive regular performance reports, and leaders lacked clear oversight of waiting
times for carers assessments. Risks were not always escalated to the corporate risk register.

Contacts

For more information contact the carers lead, Jane Doe, at jane.doe@example.gov.uk or on 01642 527 764.
Out of hours, families can call 07700 900123 for urgent advice.
"""
PASSAGE_KEYS = {
    "id", "text", "doc_id", "title", "source", "page", "section", "quality_statements", "theme", "polarity", "doc_type",
    "date", "council", "tag_confidence", "tag_source",
}
SEARCH_KEYS = PASSAGE_KEYS | {"score"}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
UK_PHONE = re.compile(r"(?<!\d)(?:\+44\s?|0)\d{4}[\s-]?\d{3}[\s-]?\d{3}(?!\d)")


def run(*args: str, data_dir: Path | None = None, env: dict | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    """The real `prep-bot` process (for what only a process proves: its exit code, the environment)."""
    cmd = [str(PREP_BOT), *args]
    if data_dir is not None:
        cmd += ["--data-dir", str(data_dir)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)


def parse_json(result: subprocess.CompletedProcess):
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def run_json(cli, *args: str, **kwargs):
    """``cli`` (the in-process ``invoke`` or the process ``run``) with --json, parsed."""
    result = cli(*args, "--json", **kwargs)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def retrieval_subset(path: Path) -> int:
    """Write a slice of the real labelled set (3 questions per report); return its size."""
    questions = yaml.safe_load((REPO / "eval" / "retrieval.yaml").read_text(encoding="utf-8"))["questions"]
    per_source: dict[str, list] = {}
    for q in questions:
        per_source.setdefault(q["source"], []).append(q)
    assert len(per_source) == 4, "the labelled set covers the four sample reports"
    subset = [q for qs in per_source.values() for q in qs[:3]]
    path.write_text(yaml.safe_dump({"questions": subset}), encoding="utf-8")
    return len(subset)


@pytest.fixture(scope="module")
def library(tmp_path_factory, sample_services, invoke):
    """A small evidence folder (one sample report + a short note with contact details), ingested by
    the CLI (in this process, with the loaded model), its searches, and `eval retrieval` on the
    full sample library. Tests read the results."""
    root = tmp_path_factory.mktemp("cli")
    labelled = root / "retrieval-subset.yaml"
    questions = retrieval_subset(labelled)
    evaluated = invoke(
        "eval", "retrieval", "--set", str(labelled), data_dir=sample_services.settings.data_dir, env=cli_env(root / "unused")
    )
    folder = root / "evidence"
    folder.mkdir()
    copy_sample(GOVERNANCE, folder)
    (folder / f"{CONTACTS_ID}.txt").write_text(CONTACTS_TEXT, encoding="utf-8")
    data_dir = root / "data"
    env = cli_env(root / "unused-default")  # never the user's store, even by accident
    ingest = invoke("ingest", str(folder), "--quiet", data_dir=data_dir, env=env)
    results = {
        "plain": invoke(
            "search", "social work employer of the year award for staff", "--json", "--k", "3", data_dir=data_dir, env=env
        ),
        "filtered": invoke(
            "search", "board performance reports and oversight", "--qs", "governance", "--polarity", "improvement",
            "--k", "10", "--json", data_dir=data_dir, env=env,
        ),
    }
    return {"data_dir": data_dir, "env": env, "ingest": ingest, "root": root, "search": results, "eval": (questions, evaluated)}


def test_ingest_reports_what_it_stored_and_redacted(library):
    ingest = library["ingest"]
    assert ingest.returncode == 0, ingest.stderr
    assert "Traceback" not in ingest.stderr
    summary = ingest.stdout.strip().splitlines()[-1]
    assert summary.startswith("2 added, 0 replaced, 0 unchanged, 0 failed;"), summary
    passages = int(re.search(r"(\d+) passages stored", summary).group(1))
    redactions = int(re.search(r"(\d+) redactions", summary).group(1))
    assert passages > 2
    assert redactions >= 3  # one email and two phone numbers in the carers note


def test_ingest_of_a_missing_path_fails_with_a_reason(tmp_path):
    # The real process: its exit code and its one-line reason, without a traceback.
    result = run("ingest", str(tmp_path / "nowhere"), "--quiet", data_dir=tmp_path / "data")
    assert result.returncode != 0
    assert "no such file or folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_docs_json_via_flag_and_via_environment(library, tmp_path, invoke):
    via_flag = run_json(invoke, "docs", data_dir=library["data_dir"], env=library["env"])
    via_env = run_json(run, "docs", env=cli_env(library["data_dir"]))  # a real process reads its environment
    assert via_env == via_flag
    by_id = {d["doc_id"]: d for d in via_flag}
    assert set(by_id) == {GOVERNANCE_ID, CONTACTS_ID}
    assert by_id[GOVERNANCE_ID]["source"] == GOVERNANCE
    assert by_id[GOVERNANCE_ID]["doc_type"] == "cqc-assessment"
    assert by_id[CONTACTS_ID]["title"] == "Carers hub service review"
    assert by_id[CONTACTS_ID]["redactions"] == 3
    assert all(d["chunks"] > 0 for d in via_flag)
    # the environment variable really selects the store: another dir is empty
    assert run_json(invoke, "docs", env=cli_env(tmp_path / "elsewhere")) == []


def test_search_json_shape_and_relevance(library):
    hits = parse_json(library["search"]["plain"])  # search "..." --json --k 3
    assert isinstance(hits, list) and 1 <= len(hits) <= 3
    for hit in hits:
        assert isinstance(hit, dict)
        assert SEARCH_KEYS <= set(hit) <= SEARCH_KEYS | {"similarity"}, set(hit)
        assert isinstance(hit["text"], str) and hit["text"]
        assert isinstance(hit["score"], float)
        assert isinstance(hit["quality_statements"], list)
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert hits[0]["doc_id"] == GOVERNANCE_ID
    assert "Social Work Employer of the Year award" in hits[0]["text"]


def test_search_filters_and_chunks(library, invoke):
    data_dir, env = library["data_dir"], library["env"]
    every = run_json(invoke, "chunks", data_dir=data_dir, env=env)
    docs = run_json(invoke, "docs", data_dir=data_dir, env=env)
    assert len(every) == sum(d["chunks"] for d in docs)
    assert all(set(p) == PASSAGE_KEYS for p in every)

    def matches(p):
        return "governance" in p["quality_statements"] and p["polarity"] == "improvement"

    eligible = {p["text"] for p in every if matches(p)}
    assert eligible and len(eligible) < len(every), "the library must hold passages on both sides of the filter"

    hits = parse_json(library["search"]["filtered"])  # --qs governance --polarity improvement --k 10
    assert hits, "the filtered search found nothing"
    for hit in hits:
        assert "governance" in hit["quality_statements"], hit
        assert hit["polarity"] == "improvement", hit
        assert hit["text"] in eligible
    assert any(h["doc_id"] == CONTACTS_ID and "carers hub board did not receive" in h["text"] for h in hits)
    # dense search reads every passage within the filters, so up to k=10 all eligible ones come back
    assert len(hits) == min(10, len(eligible))

    one = run_json(invoke, "chunks", "--doc", CONTACTS_ID, data_dir=data_dir, env=env)
    assert one and {p["doc_id"] for p in one} == {CONTACTS_ID}
    assert len(one) == {d["doc_id"]: d["chunks"] for d in docs}[CONTACTS_ID]
    text = " ".join(p["text"] for p in one)
    assert "[email redacted]" in text and "[phone redacted]" in text
    assert "jane.doe@example.gov.uk" not in text and "527 764" not in text and "900123" not in text
    assert "carers hub board did not receive regular performance reports" in text


def test_chunks_of_an_unknown_document_is_a_clear_error(library, invoke):
    result = invoke("chunks", "--doc", "no-such-doc", "--json", data_dir=library["data_dir"], env=library["env"])
    assert result.returncode != 0
    assert "no document with id 'no-such-doc'" in result.stderr
    assert "Traceback" not in result.stderr


def test_remove_then_docs_is_empty(library, tmp_path, invoke):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    data_dir = tmp_path / "copy"
    shutil.copytree(library["data_dir"], data_dir)  # leave the shared store alone
    env = library["env"]
    for doc_id in (GOVERNANCE_ID, CONTACTS_ID):
        result = invoke("remove", doc_id, data_dir=data_dir, env=env)
        assert result.returncode == 0, result.stderr
        assert re.fullmatch(rf"Removed {re.escape(doc_id)} \(\d+ passages\) from {re.escape(str(data_dir))}\.", result.stdout.strip())
    assert run_json(invoke, "docs", data_dir=data_dir, env=env) == []
    assert run_json(invoke, "chunks", data_dir=data_dir, env=env) == []
    client = chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    assert client.get_collection("evidence").count() == 0  # the vectors went too


def test_remove_unknown_is_a_one_line_error(library, invoke):
    result = invoke("remove", "unknown", data_dir=library["data_dir"], env=library["env"])
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0] == "Error: no document with id 'unknown'; `prep-bot docs` lists them"
    assert "Traceback" not in result.stderr
    assert len(run_json(invoke, "docs", data_dir=library["data_dir"], env=library["env"])) == 2  # nothing else removed


def test_search_rejects_an_unknown_quality_statement(library, invoke):
    result = invoke("search", "carers", "--qs", "not-a-slug", data_dir=library["data_dir"], env=library["env"])
    assert result.returncode == 2  # click's usage error
    assert "Invalid value for '--qs'" in result.stderr
    assert "'not-a-slug' is not one of" in result.stderr and "'governance'" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_eval_retrieval_prints_a_table_per_mode(library):
    # `eval retrieval --set <3 questions per report>` on the full sample library (started by the
    # library fixture); the default set itself is loaded by the empty-store test below.
    questions, result = library["eval"]
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith(f"Retrieval on {questions} labelled questions")
    assert lines[1].split() == ["mode", "recall@1", "recall@5", "MRR"]
    rows = {}
    for line in lines[2:]:
        mode, *numbers = line.split()
        rows[mode] = [float(n) for n in numbers]
    assert list(rows) == ["hybrid", "dense", "bm25"]
    for mode, (r1, r5, mrr) in rows.items():
        assert 0.0 <= r1 <= r5 <= 1.0, mode
        assert r1 <= mrr <= r5, mode
        assert r5 > 0.3, f"{mode} retrieval found almost nothing: {rows[mode]}"


def test_eval_retrieval_on_an_empty_store_says_what_to_do(tmp_path, invoke):
    result = invoke("eval", "retrieval", data_dir=tmp_path / "empty")
    assert result.returncode != 0
    assert "the store is empty" in result.stderr and "prep-bot ingest" in result.stderr
    assert "Traceback" not in result.stderr


def test_sample_library_chunks_hold_no_contact_details(sample_services, invoke):
    raw = " ".join(p.read_text(encoding="utf-8") for p in SAMPLE_LIBRARY.glob("*.txt"))
    assert EMAIL.search(raw) and UK_PHONE.search(raw), "the sample reports are expected to contain contact details"

    result = invoke("chunks", "--json", data_dir=sample_services.settings.data_dir)
    assert result.returncode == 0, result.stderr
    passages = json.loads(result.stdout)
    assert len(passages) > 100
    assert {p["source"] for p in passages} == {p.name for p in SAMPLE_LIBRARY.glob("*.txt")}
    assert not EMAIL.findall(result.stdout)
    assert not UK_PHONE.findall(result.stdout)
    assert "[email redacted]" in result.stdout and "[phone redacted]" in result.stdout
    docs = {d.doc_id: d.redactions for d in sample_services.store.documents()}
    assert sum(docs.values()) > 0
