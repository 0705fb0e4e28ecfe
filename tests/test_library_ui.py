"""Adding evidence from the Library tab: the upload name sanitiser (unit tests with hostile
names), then the served app driven with gradio_client and raw HTTP (the bad-file corpus gets the
same reasons as the command line, good files become searchable, failed ones change nothing, no
upload name writes outside data_dir/uploads, only leads may upload once sign-in is on), and one
browser test that uploads a good and a bad file and saves a screenshot."""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import pytest

from badfiles import (
    CARERS_TEXT,
    DUPLICATE,
    GOVERNANCE,
    GOVERNANCE_TEXT,
    ODD_NAME,
    Expect,
    build_corpus,
    corpus_paths,
    make_sparse,
    pdf_without_text,
)
from conftest import served_app, services_with
from prep_bot.infra.config import REPO_ROOT
from prep_bot.evidence.uploads import MAX_STEM_BYTES, UPLOADS, copy_upload, safe_name

SCREENSHOTS = REPO_ROOT / "screenshots"
LIMIT_MB = 1  # the served app's PREP_BOT_MAX_FILE_MB, so an "over the limit" file is small to send


# -- the sanitiser -----------------------------------------------------------------------------------
HOSTILE = {
    "../../x.txt": "x.txt",
    "/etc/passwd": "passwd",
    "a/../../b.pdf": "b.pdf",
    "..": "upload",
    ".": "upload",
    "": "upload",
    "\x00.txt": "upload.txt",
    "C:\\x\\y.txt": "y.txt",
    "..\\..\\Windows\\System32\\evil.docx": "evil.docx",
    ODD_NAME: "évidence report.txt",
    "../../etc/x.txt": "x.txt",
    "report\x00.pdf\x00.txt": "report.pdf.txt",
    "tab\there\nnew.md": "tab here new.md",
    "\u202egnp.exe": "gnp.exe",  # a right-to-left override that would show it as "exe.png"
    "CON.txt": "CON-file.txt",
    "aux.2024.pdf": "aux-file.2024.pdf",  # reserved however many dots follow, and safe on a second pass
    'what?<is>:"this"|*.csv': "whatisthis.csv",
    ".hidden.txt": "hidden.txt",
    "trailing dots... .txt": "trailing dots.txt",
    "Report 2024.PDF": "Report 2024.PDF",
    "no-extension": "no-extension",
    "cafe\u0301.html": "café.html",  # decomposed é is composed (NFC)
}


@pytest.mark.parametrize("hostile, expected", list(HOSTILE.items()))
def test_safe_name_of_hostile_names(hostile, expected):
    assert safe_name(hostile) == expected


@pytest.mark.parametrize(
    "hostile",
    [*HOSTILE, "a" * 1000 + ".pdf", "é" * 300 + ".docx", "../" * 400 + "deep.txt", "x." + "y" * 50, " " * 20, "....",
     "nul." + "z" * 300 + ".txt", "aux.2024.pdf"],
)
def test_safe_name_stays_in_its_folder(hostile, tmp_path):
    name = safe_name(hostile)
    assert name and name not in (".", "..") and not name.startswith(".")
    assert "/" not in name and "\\" not in name and ".." not in name
    assert all(ch.isprintable() for ch in name)
    stem, _, ext = name.rpartition(".") if "." in name else (name, "", "")
    assert len(stem.encode()) <= MAX_STEM_BYTES and len(ext) <= 10
    assert len(name.encode()) < 255
    assert safe_name(name) == name  # idempotent
    assert (tmp_path / name).resolve().parent == tmp_path.resolve()


def test_long_names_are_capped_and_keep_their_extension():
    name = safe_name("a" * 1000 + ".pdf")
    assert name == "a" * MAX_STEM_BYTES + ".pdf"
    name = safe_name("é" * 300 + ".docx")  # 2 bytes each: never cut in the middle of a character
    assert name.endswith(".docx") and len(name[:-5].encode()) <= MAX_STEM_BYTES and name[:-5] == "é" * (MAX_STEM_BYTES // 2)


def test_copy_upload_never_overwrites_and_never_follows_a_link(tmp_path):
    folder = tmp_path / "uploads"
    sources = []
    for i in range(3):
        source = tmp_path / f"source-{i}.txt"
        source.write_text(f"version {i}\n")
        sources.append(source)
    copies = [copy_upload(s, folder, "notes.txt") for s in sources]
    assert [c.name for c in copies] == ["notes.txt", "notes (2).txt", "notes (3).txt"]
    assert [c.read_text() for c in copies] == ["version 0\n", "version 1\n", "version 2\n"]

    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n")
    os.symlink(outside, folder / "linked.txt")
    stored = copy_upload(sources[0], folder, "linked.txt")
    assert stored.name == "linked (2).txt" and outside.read_text() == "keep me\n"

    for unsafe in ("../x.txt", "a/b.txt", "..", ""):
        with pytest.raises(ValueError):
            copy_upload(sources[0], folder, unsafe)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside.txt", "source-0.txt", "source-1.txt", "source-2.txt", "uploads"]


def test_a_new_version_replaces_the_uploaded_copy_and_removal_deletes_it(make_services, tmp_path):
    from prep_bot.evidence.uploads import add_uploads, forget_upload

    services = make_services()
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    upload = incoming / "notes.txt"
    upload.write_text(CARERS_TEXT, encoding="utf-8")
    first = add_uploads(services.ingestor, services.settings.data_dir, [upload])
    upload.write_text(CARERS_TEXT.replace("heronsgate", "fernhollow"), encoding="utf-8")
    second = add_uploads(services.ingestor, services.settings.data_dir, [upload])
    assert [r.status for r in first + second] == ["added", "replaced"]
    folder = services.settings.data_dir / UPLOADS
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]  # one copy: the current version
    assert "fernhollow" in (folder / "notes.txt").read_text(encoding="utf-8")
    assert forget_upload(services.settings.data_dir, "sub/notes.txt") is False  # not an upload name
    info = services.store.remove_document(second[0].doc_id)
    assert forget_upload(services.settings.data_dir, info.source) is True
    assert list(folder.iterdir()) == []


def test_results_table_escapes_names_and_reasons():
    from prep_bot.evidence.uploads import UploadResult
    from prep_bot.ui.library import results_html

    table = results_html([
        UploadResult("<img src=x onerror=alert(1)>.txt", "failed", reason="<img src=x onerror=alert(1)>.txt: <script>x</script>"),
        UploadResult("a&b.md", "added", 3),
    ])
    assert "<img" not in table and "<script" not in table
    rows = result_rows(table)
    assert rows["<img src=x onerror=alert(1)>.txt"]["reason"] == "<script>x</script>"  # the name is not repeated
    assert rows["a&b.md"] == {"status": "added", "label": "Added", "passages": "3", "reason": ""}


# -- the served app ----------------------------------------------------------------------------------
def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() or p.is_symlink()}


def store_snapshot(services, doc_id: str) -> tuple:
    doc = services.store.catalog.document(doc_id)
    ids = [p.id for p in services.store.passages(doc_id)]
    vectors = sorted(services.store.collection.get(where={"doc_id": doc_id}, include=[])["ids"])
    return doc.sha256, doc.chunks, ids, vectors


def result_rows(table: str) -> dict[str, dict]:
    """The results table as {file: {status, passages, reason}}, text unescaped."""
    rows = re.findall(
        r'<tr class="pb-claim [^"]*" data-status="(\w+)"><td>(.*?)</td><td>(.*?)</td><td class="pb-num">(.*?)</td><td>(.*?)</td></tr>',
        table,
        flags=re.S,
    )
    return {
        html.unescape(name): {"status": status, "label": html.unescape(label), "passages": passages, "reason": html.unescape(reason)}
        for status, name, label, passages, reason in rows
    }


@pytest.fixture(scope="module")
def library_app(tmp_path_factory, embedder):
    """A served app (no sign-in) on a store that already holds the governance summary, with a
    1 MB file limit."""
    root = tmp_path_factory.mktemp("library-ui")
    seed = root / "seed"
    seed.mkdir()
    (seed / GOVERNANCE).write_text(GOVERNANCE_TEXT, encoding="utf-8")
    services = services_with(embedder, data_dir=root / "data", max_file_mb=LIMIT_MB)
    assert services.ingestor.ingest([seed]).count("added") == 1
    with served_app(services) as url:
        yield services, url, root
    services.store.catalog.close()


@pytest.mark.server
def test_upload_of_the_bad_corpus(library_app):
    from gradio_client import Client, handle_file

    services, url, root = library_app
    local = root / "to-upload"
    expected = build_corpus(local, huge=False)
    # A broken new version of the stored governance summary: it must change nothing.
    (local / GOVERNANCE).write_bytes(b"\x00\x01garbage\xff" * 300)
    expected[GOVERNANCE] = Expect("failed", ("not text (binary)",))
    make_sparse(local / "big-minutes.txt", 2)
    expected["big-minutes.txt"] = Expect("failed", ("2 MB is over the 1 MB limit", "PREP_BOT_MAX_FILE_MB"))
    (local / "installer.exe").write_bytes(b"MZ\x90\x00" * 64)
    expected["installer.exe"] = Expect("failed", ("unsupported file type .exe",))

    governance_before = store_snapshot(services, "governance-summary")
    data_dir = services.settings.data_dir
    before = files_under(root) - files_under(local)

    client = Client(url, verbose=False)
    table, documents = client.predict([handle_file(str(p)) for p in corpus_paths(local, expected)], api_name="/add_documents")
    rows = result_rows(table)
    assert set(rows) == {safe_name(n) for n in expected}, sorted(rows)
    for name, e in expected.items():
        row = rows[safe_name(name)]
        assert row["status"] == e.status, (name, row)
        for words in e.words:  # the same reasons the command line gives
            assert words in row["reason"], (name, row["reason"])
        if e.status == "added":
            assert int(row["passages"]) >= 1 and row["reason"] == ""
    assert rows[safe_name(DUPLICATE)]["reason"] == "same content as carers-plan"
    assert "<script" not in table.lower()
    assert table.startswith("<p class=\"pb-upload-summary\">5 added, 10 not added, 1 already in the library</p>")

    # The good files are searchable through the app; the odd name keeps its (safe) name.
    for name, e in expected.items():
        if e.status == "added":
            cards = client.predict(e.search, "All", "All", "All", 3, api_name="/search")
            first = re.search(r"<article\b.*?</article>", cards, flags=re.S).group(0)
            assert e.search in first, (name, first[:300])
    assert services.store.search("wintermere", mode="bm25")[0].passage.source == safe_name(ODD_NAME)
    listed = {row[-1] for row in (documents["data"] if isinstance(documents, dict) else documents)}
    assert {"carers-plan", "governance-summary", "deeply-nested", "day-centre-utf16"} <= listed

    # The failed new version of the governance summary changed nothing; its old text still answers.
    assert store_snapshot(services, "governance-summary") == governance_before
    assert services.store.search("marigoldshire", mode="bm25")[0].passage.doc_id == "governance-summary"

    # Only the stored files were kept, under their safe names, inside data_dir/uploads; nothing
    # else was written anywhere but the store's own files in the data dir.
    uploads = data_dir / UPLOADS
    kept = {safe_name(n) for n, e in expected.items() if e.status == "added"}
    assert {p.name for p in uploads.iterdir()} == kept
    for p in uploads.iterdir():
        assert p.read_bytes() == (local / next(n for n in expected if safe_name(n) == p.name)).read_bytes()
    new = files_under(root) - files_under(local) - before
    outside = {p for p in new if not p.resolve().is_relative_to(uploads.resolve())}
    assert all(p.resolve().is_relative_to(data_dir.resolve()) for p in outside), sorted(outside)
    assert not {p.name for p in outside} & ({safe_name(n) for n in expected} | set(expected)), sorted(outside)


def _call(url: str, api_name: str, data: list) -> tuple[str, object]:
    """Call an endpoint over Gradio's plain HTTP API (no client-side re-upload of files);
    returns (event, data) of the final event."""
    import httpx

    event_id = httpx.post(f"{url}gradio_api/call/{api_name}", json={"data": data}, timeout=60).json()["event_id"]
    stream = httpx.get(f"{url}gradio_api/call/{api_name}/{event_id}", timeout=300).text
    events = re.findall(r"^event: (\w+)\ndata: (.*)$", stream, flags=re.M)
    event, payload = events[-1]
    return event, json.loads(payload) if payload and payload != "null" else None


@pytest.mark.server
def test_hostile_upload_names_never_write_outside_the_uploads_folder(library_app):
    import httpx

    services, url, root = library_app
    data_dir = services.settings.data_dir
    uploads = data_dir / UPLOADS
    before = files_under(root)
    assert not Path("/etc/x.txt").exists() and not (data_dir.parent / "etc").exists()

    hostile = {
        "../../etc/x.txt": "The dovecote lane visiting service restarted in May.\n",
        "..\\..\\Windows\\y.txt": "The hazelwick day centre opened a second room.\n",
        "/etc/passwd.txt": "The oakhurst carers cafe meets on Fridays.\n",
    }
    files = [("files", (name, text.encode(), "text/plain")) for name, text in hostile.items()]
    response = httpx.post(f"{url}gradio_api/upload", files=files, timeout=60)
    assert response.status_code == 200, response.text
    received = response.json()
    event, payload = _call(url, "add_documents", [[{"path": p, "meta": {"_type": "gradio.FileData"}} for p in received], ""])
    assert event == "complete", (event, payload)
    rows = result_rows(payload[0])
    assert all(r["status"] == "added" for r in rows.values()), rows
    for name in rows:
        assert "/" not in name and "\\" not in name and not name.startswith(".")
        assert (uploads / name).is_file()
    for text in hostile.values():
        word = text.split()[1]
        assert services.store.search(word, mode="bm25")[0].passage.text.startswith(text.strip()[:20])

    assert not any(Path(p).exists() for p in received)  # Gradio's own copies are not kept
    new = files_under(root) - before
    assert all(p.resolve().is_relative_to(data_dir.resolve()) for p in new), sorted(new)
    assert {p for p in new if p.parent == uploads} and not any(p.name in ("x.txt", "y.txt") and p.parent != uploads for p in new)
    assert not Path("/etc/x.txt").exists() and not (data_dir.parent / "etc").exists()
    assert not (data_dir.parent / "Windows").exists()

    # A name that is only ".." is refused by the upload itself; a path that was never uploaded
    # (a file on the server) is refused by Gradio and never read into the library.
    response = httpx.post(f"{url}gradio_api/upload", files=[("files", ("..", b"x", "text/plain"))], timeout=60)
    assert response.status_code == 400
    secret = root / "server-secret.txt"
    secret.write_text("The server secret glassmoor must never be ingested.\n")
    event, payload = _call(url, "add_documents", [[{"path": str(secret), "meta": {"_type": "gradio.FileData"}}], ""])
    assert event == "error", (event, payload)
    assert services.store.search("glassmoor", mode="bm25") == []
    assert not (uploads / "server-secret.txt").exists()


@pytest.mark.server
def test_a_file_far_over_the_limit_is_cut_off_at_upload(library_app, tmp_path):
    """Files a little over the limit reach the Library tab and get its reason (see the corpus
    test); one far over it is refused by Gradio itself before it fills the disk: by the server
    (413) and, told the limit by the server, by gradio_client before sending."""
    import httpx
    from gradio_client import Client, handle_file

    from prep_bot.ui.library import upload_cap

    services, url, _ = library_app
    cap = upload_cap(LIMIT_MB)
    assert cap >= 4 * LIMIT_MB * 1024 * 1024
    huge = make_sparse(tmp_path / "scan-archive.txt", cap // (1024 * 1024) + 1)
    with huge.open("rb") as f:
        response = httpx.post(f"{url}gradio_api/upload", files=[("files", (huge.name, f, "text/plain"))], timeout=120)
    assert response.status_code == 413, response.text
    with pytest.raises(ValueError, match="exceeds the maximum file size"):
        Client(url, verbose=False).predict([handle_file(str(huge))], api_name="/add_documents")
    assert not (services.settings.data_dir / UPLOADS / huge.name).exists()


@pytest.mark.server
def test_upload_needs_a_file_and_is_for_leads_when_sign_in_is_on(tmp_path, embedder):
    from gradio_client import Client, handle_file

    services = services_with(embedder, data_dir=tmp_path / "data")
    services.users.add("lee", "lee-password-1", role="lead")
    services.users.add("sam", "sam-password-1", role="staff", team="Front door")
    good = tmp_path / "carers-plan.txt"
    good.write_text(CARERS_TEXT, encoding="utf-8")
    try:
        with served_app(services) as url:
            sam = Client(url, auth=("sam", "sam-password-1"), verbose=False)
            with pytest.raises(Exception) as raised:
                sam.predict([handle_file(str(good))], api_name="/add_documents")
            assert "for leads" in str(raised.value) and "Traceback" not in str(raised.value)
            assert services.store.is_empty() and not (services.settings.data_dir / UPLOADS).exists()

            lee = Client(url, auth=("lee", "lee-password-1"), verbose=False)
            with pytest.raises(Exception) as raised:
                lee.predict([], api_name="/add_documents")
            assert "Choose one or more files" in str(raised.value)
            table, _ = lee.predict([handle_file(str(good))], api_name="/add_documents")
            assert result_rows(table)["carers-plan.txt"]["status"] == "added"
            assert services.store.search("heronsgate", mode="bm25")[0].passage.doc_id == "carers-plan"
    finally:
        services.close()


@pytest.mark.server
@pytest.mark.browser
def test_browser_upload_shows_both_results(library_app, tmp_path, new_page):
    services, url, _ = library_app
    good = tmp_path / "wellbeing-visits.txt"
    good.write_text(
        "Wellbeing Visits\n\nThe brambleford wellbeing visitors saw 40 people at home <b>this spring</b>.\n", encoding="utf-8"
    )
    bad = tmp_path / "faxed-letter.pdf"
    bad.write_bytes(pdf_without_text())
    page = new_page(viewport={"width": 1280, "height": 1100})
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("tab", name="Library").click(timeout=30_000)
    page.locator("#library-upload input[type=file]").set_input_files([str(good), str(bad)])
    for path in (good, bad):  # both listed once uploaded to the server
        page.locator(f'#library-upload td[aria-label="{path.name}"]').wait_for(timeout=30_000)
    page.get_by_role("button", name="Add to the library").click()
    page.wait_for_selector("#upload-results tr[data-status]", timeout=120_000)
    rows = page.locator("#upload-results tbody tr")
    assert rows.count() == 2
    added = page.locator('#upload-results tr[data-status="added"]')
    failed = page.locator('#upload-results tr[data-status="failed"]')
    assert "wellbeing-visits.txt" in added.inner_text() and "Added" in added.inner_text()
    assert "faxed-letter.pdf" in failed.inner_text()
    assert "no text layer (scanned?)" in failed.inner_text()
    page.get_by_text("wellbeing-visits", exact=True).first.wait_for(timeout=30_000)  # in the documents table
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "library-upload.png"), full_page=True)
    assert (SCREENSHOTS / "library-upload.png").stat().st_size > 10_000
    assert "<b>this spring</b>" in services.store.search("brambleford", mode="bm25")[0].passage.text
    assert not (services.settings.data_dir / UPLOADS / "faxed-letter.pdf").exists()


def test_a_document_older_than_the_stale_threshold_says_how_old_in_words():
    from types import SimpleNamespace

    from prep_bot.ui.library import _when

    old = SimpleNamespace(info=SimpleNamespace(date="2015-12"), dated=True)
    new = SimpleNamespace(info=SimpleNamespace(date="2025-10"), dated=False)
    undated = SimpleNamespace(info=SimpleNamespace(date=""), dated=False)
    assert _when(old, 3.0) == "December 2015 (over 3 years old)"
    assert _when(new, 3.0) == "October 2025"
    assert _when(undated, 3.0) == "Undated"
