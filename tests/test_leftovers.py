"""Nothing left behind (issue 20 item 8): exports and Gradio's cache live in a private folder in
the data dir (0700), export files are 0600, an export is served only to the person it was made
for and deleted once they have downloaded it; naming someone's file to /transcribe neither
transcribes nor deletes it; an upload over the cap is refused on any route; and `serve` empties
the private folder and removes orphaned copies in uploads/ at start-up, saying how many."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import httpx
import pytest

from conftest import served_app

pytestmark = pytest.mark.server

PASSWORD = "a long enough password"


def _signed_in(url: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=120)
    assert client.post("login", data={"username": name, "password": PASSWORD}).status_code == 200
    return client


def _call(client: httpx.Client, api: str, data: list) -> tuple[str, object]:
    """(event, data) of a call through Gradio's HTTP API: "complete" or "error"."""
    started = client.post(f"gradio_api/call/{api}", json={"data": data})
    assert started.status_code == 200, started.text
    events = client.get(f"gradio_api/call/{api}/{started.json()['event_id']}").text
    event = data_line = None
    for line in events.splitlines():
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data_line = line[6:]
    return event, json.loads(data_line) if data_line and data_line != "null" else None


def test_an_export_is_private_served_only_to_its_maker_and_deleted_after_download(make_sample_services):
    services = make_sample_services()
    services.users.add("lee", PASSWORD, "lead")
    services.users.add("sam", PASSWORD, "staff", "Front door")
    services.attempts.add(user="lee", team="", audience="frontline", qs="governance", question_id="governance-seed",
                          question="lee's own question", answer="lee's own answer about governance", score=40, dimensions={})
    data_dir = services.settings.data_dir
    with served_app(services) as url:
        lee, sam = _signed_in(url, "lee"), _signed_in(url, "sam")
        event, files = _call(lee, "my_practice_export", ["", "", ""])
        assert event == "complete", files
        files = files[0] if files and isinstance(files[0], list) else files  # the one output: a list of files
        paths = [Path(f["path"]) for f in files]
        assert paths and all(p.is_file() for p in paths)
        # Gradio's cache is one per process (the first app's private folder; `serve`'s own data
        # dir's: test_serve_... below), never the system's temporary folder.
        cache = Path(os.environ["GRADIO_TEMP_DIR"])
        assert cache.name == "gradio" and cache.parent.name == "private"
        assert stat.S_IMODE(cache.parent.stat().st_mode) == 0o700
        for path in paths:
            assert cache in path.parents
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, oct(path.stat().st_mode)
        private = data_dir / "private"
        assert stat.S_IMODE(private.stat().st_mode) == 0o700
        exports = list((private / "exports").rglob("practice-*"))
        assert exports and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in exports)

        # Another signed-in person with the file's address gets nothing.
        for f in files:
            assert sam.get(f"gradio_api/file={f['path']}").status_code == 404
        # ... nor can they have it "transcribed", which used to delete it.
        event, refused = _call(sam, "transcribe", [{"path": files[0]["path"], "meta": {"_type": "gradio.FileData"}}, "", None, None])
        assert event == "error" and paths[0].is_file(), refused
        assert "not one you uploaded" in json.dumps(refused), refused

        # Its maker downloads it; then it is gone.
        for f, path in zip(files, paths):
            got = lee.get(f"gradio_api/file={f['path']}")
            assert got.status_code == 200 and got.content
            assert not path.exists()
        assert "own answer about governance" in got.text


def test_a_refused_file_path_is_one_line_not_a_traceback(make_services, tmp_path, capfd):
    services = make_services()
    services.users.add("sam", PASSWORD, "staff", "Front door")
    elsewhere = tmp_path / "not-uploaded.wav"
    elsewhere.write_bytes(b"RIFF....WAVE")
    with served_app(services) as url:
        sam = _signed_in(url, "sam")
        capfd.readouterr()
        for path in (str(elsewhere), "/etc/hostname"):
            event, refused = _call(sam, "transcribe", [{"path": path, "meta": {"_type": "gradio.FileData"}}, "", None, None])
            assert event == "error" and "not one you uploaded" in json.dumps(refused), refused
        out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "InvalidPathError" not in out + err, (out + err)[-3000:]
    assert elsewhere.is_file()


def test_an_upload_over_the_cap_is_refused_on_every_route(make_services):
    from prep_bot.ui.library import upload_cap

    services = make_services(max_file_mb=1)
    services.users.add("sam", PASSWORD, "staff", "Front door")
    cap = upload_cap(1)
    with served_app(services) as url:
        sam = _signed_in(url, "sam")
        big = b"x" * (cap + 2 * 1024 * 1024)
        for route in ("gradio_api/upload", "gradio_api/process_recording", "gradio_api/call/transcribe"):
            refused = sam.post(route, content=big, headers={"Content-Type": "application/octet-stream"})
            assert refused.status_code == 413 and "larger than prep-bot accepts" in refused.text, (route, refused.status_code)

        def streamed():  # no length given: cut off once past the cap
            for _ in range(len(big) // (1024 * 1024)):
                yield b"x" * (1024 * 1024)

        try:
            cut = sam.post("gradio_api/upload", content=streamed(), headers={"Content-Type": "application/octet-stream"})
            assert cut.status_code >= 400
        except httpx.HTTPError:
            pass  # the connection closed on it
    cache = Path(os.environ["GRADIO_TEMP_DIR"])
    assert sum(p.stat().st_size for p in cache.rglob("*") if p.is_file()) < cap


def test_serve_empties_the_private_folder_and_removes_orphaned_uploads(tmp_path, sample_store):
    from processes import serving

    data_dir = sample_store.copy(tmp_path / "data")
    left = data_dir / "private" / "gradio" / "abc123"
    left.mkdir(parents=True)
    (left / "readiness-report.html").write_text("an earlier run's export")
    uploads = data_dir / "uploads"
    uploads.mkdir(exist_ok=True)
    kept = uploads / "stockton-2015-lga-personalisation-peer-challenge.txt"  # a stored document's copy
    kept.write_text("the kept copy")
    for orphan in ("crashed mid-upload.docx", "stockton-2015-lga-personalisation-peer-challenge (2).txt"):
        (uploads / orphan).write_text("an unredacted original nobody stored")
    log = tmp_path / "serve.log"
    with serving(data_dir, log) as (url, _):
        with httpx.Client(base_url=url, timeout=60) as client:  # an upload lands in the data dir's private folder
            stored = client.post("gradio_api/upload", files={"files": ("note.txt", b"an uploaded note")})
            assert stored.status_code == 200, stored.text
            assert Path(stored.json()[0]).is_relative_to(data_dir / "private" / "gradio")
    said = log.read_text()
    assert "Deleted 1 file left in" in said and "Uploads: removed 2 orphaned copies" in said, said
    assert not left.exists() and kept.is_file()
    assert sorted(p.name for p in uploads.iterdir()) == [kept.name]
