"""Files within the size limit that unpack or expand into far more (tests/bombs.py makes them):
each is refused with a one-line reason well within a minute and a gigabyte, before the work it
would cause; a file that still reads too long or grows too large is stopped by the reading
process's own limits; and while one person's large file is being read, another's upload goes
through."""

from __future__ import annotations

import resource
import subprocess
import threading
import time
from pathlib import Path

import pytest

from bombs import build_bombs, docx_within_caps
from conftest import cli_env
from prep_bot.errors import EvidenceFileError
from prep_bot.evidence.isolation import last_peak_mb, read_evidence
from prep_bot.evidence.limits import ReadLimits
from prep_bot.evidence.loaders import formats_sentence, loader_for, unsupported, SUPPORTED_SUFFIXES
from prep_bot.evidence.uploads import add_uploads
from test_cli import PREP_BOT

LIMIT_S = 60
LIMIT_MB = 1024


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> tuple[Path, dict[str, tuple[str, ...]]]:
    folder = tmp_path_factory.mktemp("bombs")
    return folder, build_bombs(folder)


def test_every_bomb_is_refused_quickly_with_a_one_line_reason(bombs, make_services):
    folder, expected = bombs
    services = make_services()
    services.ingestor.refit()  # the tagger is ready, as in a running app
    measured = {}
    for name, words in expected.items():
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.monotonic()
        result = services.ingestor.ingest_file(folder / name)
        took = time.monotonic() - started
        grew_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
        measured[name] = (round(took, 1), last_peak_mb(), round(grew_mb))
        assert result.status == "failed", (name, result)
        assert result.reason.startswith(f"{name}: ") and "\n" not in result.reason and len(result.reason) < 240, result.reason
        for word in words:
            assert word in result.reason, (name, result.reason)
        assert took < LIMIT_S, (name, took)
        peak = last_peak_mb()
        assert peak is None or peak < LIMIT_MB, (name, peak)
        assert grew_mb < LIMIT_MB, (name, grew_mb)
    assert services.store.documents() == []
    print("\nbomb: seconds, reading process peak MB, this process grew MB")
    for name, figures in measured.items():
        print(f"  {name}: {figures}")


def test_the_command_line_refuses_a_million_row_csv_in_one_line(bombs, tmp_path):
    folder, _ = bombs
    done = subprocess.run(
        [str(PREP_BOT), "ingest", str(folder / "returns-million-rows.csv"), "--quiet"],
        capture_output=True, text=True, env=cli_env(tmp_path / "data"), timeout=600,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("skipped:")]
    assert lines == ["skipped: returns-million-rows.csv: its table has more than 5,000 rows (split it, or raise PREP_BOT_MAX_TABLE_ROWS)"]
    assert "Traceback" not in done.stderr and "0 added" in done.stdout


def test_a_file_that_reads_too_long_or_grows_too_large_is_stopped(tmp_path):
    """What no count foresees is bounded by the reading process: stopped at the time limit, or
    when it runs out of its address space; the next file reads normally."""
    data = docx_within_caps(tmp_path / "long.docx").read_bytes()
    started = time.monotonic()
    with pytest.raises(EvidenceFileError, match=r"^long\.docx: took longer than 2 s to read, so it was stopped .*PREP_BOT_READ_SECONDS"):
        read_evidence(Path("long.docx"), data, ReadLimits(seconds=2, text_chars=10**9))
    assert time.monotonic() - started < 10
    page = b"<html><body>" + b"<p>The council reviewed the plan.</p>\n" * 150_000 + b"</body></html>"
    with pytest.raises(EvidenceFileError, match=r"^big\.html: needs more than the 120 MB of memory .*PREP_BOT_READ_MEMORY_MB"):
        read_evidence(Path("big.html"), page, ReadLimits(memory_mb=120, html_tags=10**8, text_chars=10**9, seconds=120))
    loaded = read_evidence(Path("ok.html"), b"<h1>Carers</h1><p>The hub opened in May.</p>", ReadLimits(memory_mb=120))
    assert [b.text for b in loaded.blocks] == ["Carers", "The hub opened in May."]
    assert last_peak_mb() is not None and last_peak_mb() < 120


def test_a_normal_upload_is_not_held_up_by_a_large_one(make_services, tmp_path):
    """One lead's file takes the whole read budget; another lead's small file, added at the
    same moment, is stored long before it ends (reading and embedding take no lock)."""
    services = make_services(read_seconds=25, max_text_chars=10**9)
    warm = tmp_path / "warm.txt"
    warm.write_text("Warm Up\n\nThe day centre reopened in spring.\n")
    assert add_uploads(services.ingestor, services.settings.data_dir, [warm])[0].status == "added"
    large = docx_within_caps(tmp_path / "board-pack.docx")
    small = tmp_path / "carers-update.txt"
    small.write_text("Carers Update\n\nThe fernbrook carers hub now opens on Saturdays, and 40 carers used it in May.\n")
    finished: dict[str, tuple[float, str]] = {}
    started = time.monotonic()

    def add(path: Path) -> None:
        result = add_uploads(services.ingestor, services.settings.data_dir, [path])[0]
        finished[path.name] = (time.monotonic() - started, result.status, result.reason)

    slow = threading.Thread(target=add, args=(large,))
    slow.start()
    time.sleep(0.5)  # the large file is being read
    add(small)
    slow.join(timeout=120)
    small_took, small_status, _ = finished["carers-update.txt"]
    large_took, large_status, large_reason = finished["board-pack.docx"]
    assert small_status == "added" and large_status == "failed" and "took longer than 25 s" in large_reason
    assert small_took < large_took - 5, finished  # not queued behind the large file
    assert services.store.search("fernbrook", mode="bm25")[0].passage.doc_id == "carers-update"


def test_one_list_of_formats_drives_suffixes_and_the_message():
    assert SUPPORTED_SUFFIXES[:3] == (".txt", ".md", ".markdown") and ".xlsx" in SUPPORTED_SUFFIXES
    assert all(loader_for(f"x{s.upper()}") is not None for s in SUPPORTED_SUFFIXES)
    assert loader_for("slides.pptx") is None
    assert str(unsupported("slides.pptx")) == (
        "slides.pptx: unsupported file type .pptx; supported: .csv, .docx, .htm, .html, .markdown, .md, .pdf, .txt, .xlsx"
    )
    assert formats_sentence() == ".txt, .md, .pdf, .docx, .html, .csv or .xlsx"
