"""Answering out loud, served for real on 127.0.0.1: a synthesised answer (espeak-ng) uploaded to
Practice and the Mock interview is transcribed on this machine into the answer box, edited, then
coached like a typed answer with its delivery beside the score; the recording is gone afterwards;
bad recordings are refused and store nothing; and the same in Debian's chromium."""

from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
import tempfile
import time
import wave
from pathlib import Path

import pytest

from conftest import served_app, services_with
from prep_bot.infra.config import REPO_ROOT, Settings
from prep_bot.coaching.delivery import Delivery
from prep_bot.ui.practice import coach_message
from test_practice_ui import client_for, folded, refused, text_of

pytestmark = pytest.mark.server

SHOTS = REPO_ROOT / "screenshots"
# About 20 seconds read aloud: an outcome, a person, a figure, and one filler ("um").
SAID = (
    "When a woman raised a concern about her son taking her money, we asked her what she wanted to happen. "
    "Um, she told us she wanted to stay in her own home and feel safe. As a result she is back in control of "
    "her money and says she feels safe again. Across the service 97 percent of enquiries said the risk was "
    "reduced or removed."
)


@pytest.fixture(scope="module")
def spoken(tmp_path_factory) -> Path:
    """The answer read aloud by espeak-ng (a British voice) into a WAV file, kept as the master
    copy: each test uploads a copy of it."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (make test installs it)")
    from prep_bot.evals.speech import synthesise

    return synthesise(SAID, tmp_path_factory.mktemp("speech") / "answer.wav")


@pytest.fixture(scope="module")
def served(tmp_path_factory, embedder):
    """The app over an empty library (coaching needs none) and attempts in a SQLite file of our own."""
    root = tmp_path_factory.mktemp("voice-ui")
    services = services_with(embedder, data_dir=root / "data")
    try:
        with served_app(services) as url:
            yield services, url
    finally:
        services.close()


def upload(path: Path):
    from gradio_client import handle_file

    return handle_file(str(path))


def copy_of(master: Path, folder: Path, name: str = "answer.wav") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(master, folder / name))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def server_copies(master: Path) -> list[Path]:
    """Files in Gradio's upload folder with the same bytes as ``master``: a recording left behind."""
    folder = Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio")
    size, want = master.stat().st_size, digest(master)
    return [p for p in folder.rglob("*") if p.is_file() and p.stat().st_size == size and digest(p) == want]


def last_reply(chat: list[dict]) -> str:
    return text_of([m for m in chat if m["role"] == "assistant" and not folded(m)][-1])


def edited(transcript: str) -> str:
    """The transcript as a person corrects it: tiny.en hears espeak's "son" as "sun" at times."""
    return re.sub(r"\b(sun|son)\b", "son", transcript, count=1) + " We audit what people wanted every quarter."


# -- Practice, through the API -------------------------------------------------------------------
def test_spoken_answer_is_transcribed_edited_and_coached_with_its_delivery(served, spoken, tmp_path):
    services, url = served
    client = client_for(url)
    chat, _, _ = client.predict("Viv", "frontline", "safeguarding", False, api_name="/ask")
    assert len(chat) == 1

    started = time.perf_counter()
    box, status = client.predict(upload(copy_of(spoken, tmp_path)), "", api_name="/transcribe")
    took = time.perf_counter() - started
    print(f"transcribe round trip: {took:.2f} s")
    words = set(re.findall(r"[a-z]+", box.lower()))
    assert {"concern", "money", "safe", "control", "risk"} <= words, box
    assert re.fullmatch(r"Transcribed 0:2\d of speech: check the words, then press Send\.", status), status
    assert services.attempts.list(user="Viv") == []  # nothing is coached or stored on transcription
    assert server_copies(spoken) == []  # the uploaded recording is gone

    answer = edited(box)
    chat, cleared = client.predict(answer, "Viv", "Front door", "frontline", chat, api_name="/answer")
    assert cleared == ""
    [saved] = services.attempts.list(user="Viv")
    assert saved.answer == answer  # the edited transcript is what was coached and stored
    said = Delivery.from_dict(saved.delivery)
    assert said is not None
    assert 20 <= said.duration_s <= 26 and 100 <= said.words_per_minute <= 220, saved.delivery
    assert said.fillers.get("um") == 1, saved.delivery

    # The reply: the typed coach's reply on the same text, with the Delivery line under the score.
    reply = last_reply(chat)
    question = services.questions.get(saved.question_id)
    typed = services.coach.coach(question.qs, question, answer)
    assert saved.score == typed.score  # delivery never changes the content score
    lines = reply.split("\n\n")
    assert lines[0] == f"**Score {typed.score}/100**"
    assert lines[1].startswith("**Delivery:** 0:2") and "words a minute" in lines[1] and "1 filler" in lines[1], lines[1]
    assert "\n\n".join([lines[0], *lines[2:]]) == coach_message(typed, None) + "\n\n_Saved to your practice history._"
    sections = [folded(m) for m in chat if folded(m)]
    assert sections[0] == "How you said it" and "Score by dimension" in sections
    said_it = text_of(next(m for m in chat if folded(m) == "How you said it"))
    notes = html.unescape(said_it)
    assert "words a minute" in notes and "“um” ×1" in notes
    # The answer as sent, with what the coach found marked in it: the figure and its claim
    # check, the filler, and the pace drawn across the answer.
    transcript = re.search(r'<p class="pb-transcript">(.*?)</p>', said_it).group(1)
    assert html.unescape(re.sub(r"<[^>]+>", "", transcript)).replace("⏸ ", "") == answer
    assert re.search(r'<span class="[^"]*pb-m-figure[^"]*" title="[^"]*A figure[^"]*">97%</span>', transcript), transcript
    assert re.search(r'<span class="[^"]*pb-m-filler[^"]*"[^>]*>Um</span>', transcript), transcript
    assert '<svg viewBox="0 0 320 90" class="pb-pace-chart"' in said_it and "<polyline points=" in said_it
    assert "Your pace across the answer" in said_it

    # The delivery is used once: the follow-up, typed, is a second turn of the same attempt, with
    # no delivery of its own (the spoken answer's is kept).
    chat, _ = client.predict("We check the plan with the person every month.", "Viv", "Front door", "frontline", chat, api_name="/answer")
    [attempt] = services.attempts.list(user="Viv")
    assert len(attempt.turns) == 2 and attempt.delivery == saved.delivery
    assert "**Delivery:**" not in last_reply(chat)

    # The attempt page shows the delivery summary and notes.
    page = client.predict(saved.id, "Viv", "Front door", api_name="/attempt")
    assert "<b>Delivery:</b> " + html.escape(said.summary(), quote=False) in page
    assert "How you said it" in page and html.escape(said.notes()[0], quote=False) in page


def test_a_late_transcript_does_not_take_the_page_back_to_its_question(served, spoken, tmp_path):
    """"Next question" pressed while a recording is transcribed: the answer that follows is
    coached against the question on screen, without the old recording's delivery."""
    services, url = served
    client = client_for(url)
    client.predict("Ula", "frontline", "safeguarding", False, api_name="/ask")
    job = client.submit(upload(copy_of(spoken, tmp_path)), "", api_name="/transcribe")
    while not job.status().code.name == "PROCESSING" and not job.done():
        time.sleep(0.05)
    chat, _, _ = client.predict("Ula", "frontline", "assessing-needs", False, api_name="/ask")
    assert not job.done(), "the transcription finished before the next question: no race to test"
    box, _ = job.result(timeout=120)
    client.predict(box, "Ula", "", "frontline", chat, api_name="/answer")
    [saved] = services.attempts.list(user="Ula")
    assert saved.qs == "assessing-needs" and saved.question in text_of(chat[0])
    assert saved.delivery is None  # recorded for the question before


def test_a_transcript_goes_after_what_is_already_typed(served, spoken, tmp_path):
    _, url = served
    client = client_for(url)
    client.predict("Wyn", "frontline", "safeguarding", False, api_name="/ask")
    box, _ = client.predict(upload(copy_of(spoken, tmp_path)), "To start with the outcome:", api_name="/transcribe")
    first, rest = box.split("\n", 1)
    assert first == "To start with the outcome:" and "money" in rest


def test_bad_recordings_are_refused_and_store_nothing(served, spoken, tmp_path):
    services, url = served
    client = client_for(url)
    client.predict("Xan", "frontline", "safeguarding", False, api_name="/ask")

    silent = tmp_path / "silent.wav"
    with wave.open(str(silent), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16_000)
        w.writeframes(b"\0\0" * 16_000 * 3)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    damaged = tmp_path / "damaged.wav"
    damaged.write_bytes(bytes(range(256)) * 40)  # not audio at all, though named .wav
    text = tmp_path / "notes.wav"
    text.write_text("These are my notes, not a recording.\n" * 20, encoding="utf-8")
    too_long = tmp_path / "long.wav"
    with wave.open(str(too_long), "wb") as w:
        w.setnchannels(1), w.setsampwidth(1), w.setframerate(8_000)
        w.writeframes(b"\x80" * 8_000 * 301)  # 5:01 of silence: refused from the header, before decoding

    expected = {
        silent: "silent", empty: "empty", damaged: "", text: "", too_long: "the limit is 5:00",
    }
    for path, words in expected.items():
        message = refused(lambda: client.predict(upload(path), "", api_name="/transcribe"))
        assert words in message and message.count(".") >= 1, message
        assert re.search(r"record|upload|microphone", message, re.I), message
        print(f"{path.name}: {message}")
        assert message[0].isupper() and path.name.capitalize() not in message, message  # "The file notes.wav …"
        if path.stat().st_size:
            assert server_copies(path) == [], path.name  # refused recordings are deleted too

    # Nothing was stored and no delivery waits in the state: a typed answer is stored without one.
    assert services.attempts.list(user="Xan") == []
    client.predict("We asked her what she wanted and she is safe at home.", "Xan", "", "frontline", [], api_name="/answer")
    [saved] = services.attempts.list(user="Xan")
    assert saved.delivery is None


def test_keep_audio_moves_the_recording_to_the_recordings_folder(served, spoken, tmp_path, monkeypatch):
    services, url = served
    monkeypatch.setenv("PREP_BOT_KEEP_AUDIO", "1")
    assert Settings(data_dir=tmp_path / "d").keep_audio is True  # the variable turns the setting on
    monkeypatch.setattr(services.settings, "keep_audio", True)
    before = set(services.settings.recordings_dir.glob("*")) if services.settings.recordings_dir.exists() else set()
    client = client_for(url)
    client.predict(upload(copy_of(spoken, tmp_path)), "", api_name="/transcribe")
    kept = set(services.settings.recordings_dir.glob("*")) - before
    assert len(kept) == 1
    [path] = kept
    assert path.suffix == ".wav" and digest(path) == digest(spoken)
    assert server_copies(spoken) == []  # moved out of Gradio's upload folder, not copied


# -- Mock interview ------------------------------------------------------------------------------
def test_a_spoken_mock_answer_is_coached_and_the_clock_is_unaffected(served, spoken, tmp_path):
    services, url = served
    client = client_for(url)
    prompt, _, _, _ = client.predict("frontline", 3, 2, api_name="/mock_start")
    shown = time.monotonic()
    assert prompt.startswith("### Question 1 of 3")
    box, status = client.predict(upload(copy_of(spoken, tmp_path)), "", api_name="/mock_transcribe")
    assert "money" in box and status.startswith("Transcribed 0:2")
    time.sleep(max(0.0, 3.2 - (time.monotonic() - shown)))
    waited = time.monotonic() - shown
    prompt, cleared, summary, _ = client.predict(edited(box), "Yas", "Front door", api_name="/mock_answer")
    assert prompt.startswith("### Question 2 of 3") and cleared == ""

    [saved] = services.attempts.list(user="Yas")
    said = Delivery.from_dict(saved.delivery)
    assert said is not None and said.words_per_minute > 0
    # Question by question: the score first, then what to work on, then the time (and how it was said).
    row = re.search(r'<tr><td data-label="Score">(\d+)</td><td data-label="Work on">[^<]*</td><td data-label="Time">([^<]*)</td>', summary)
    assert row and int(row.group(1)) == saved.score, summary
    minutes, seconds = re.match(r"(\d+):(\d\d)", row.group(2)).groups()
    # The time counts from when the question was shown, transcription included (not reset by it).
    assert int(minutes) * 60 + int(seconds) >= int(waited), (row.group(2), waited)
    assert f"spoken, {said.words_per_minute} words a minute" in html.unescape(row.group(2))

    # The next answer, typed, carries no delivery.
    client.predict("We asked her what she wanted and she is safe at home.", "Yas", "Front door", api_name="/mock_answer")
    assert [a.delivery is None for a in services.attempts.list(user="Yas")] == [False, True]


# -- My progress ---------------------------------------------------------------------------------
def test_my_progress_charts_pace_and_fillers_of_spoken_answers_only(served):
    from prep_bot.practice.insights import spoken_series

    services, _ = served
    attempts = services.attempts.list(user="Viv")
    series = spoken_series(attempts)
    assert len(series) == 1 and len(attempts) == 1  # one spoken answer, its typed follow-up a turn of it
    said = Delivery.from_dict(attempts[0].delivery)
    assert series[0]["words_per_minute"] == said.words_per_minute
    assert series[0]["fillers_per_minute"] == round(said.filler_total / (said.duration_s / 60), 1)


# -- in the browser ------------------------------------------------------------------------------
@pytest.mark.browser
def test_browser_practice_answer_by_voice(served, spoken, tmp_path, new_page):
    services, url = served
    origin = url.rstrip("/")
    requests: list[str] = []
    errors: list[str] = []
    page = new_page(viewport={"width": 1400, "height": 1000})
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_label("Your name").fill("Zed")
    page.locator("#practice-chat [data-testid='bot']").first.wait_for(timeout=30_000)

    page.locator("#practice-audio button[aria-label='Upload file']").click()
    page.locator("#practice-audio input[type=file]").set_input_files(str(copy_of(spoken, tmp_path)))
    box = page.locator("#practice-answer textarea")
    page.wait_for_function("() => document.querySelector('#practice-answer textarea').value.includes('money')", timeout=60_000)
    page.wait_for_function(
        "() => (document.querySelector('#practice-voice-status')?.innerText || '').includes('press Send')", timeout=10_000
    )
    transcript = box.input_value()
    assert page.locator("#practice-chat [data-testid='user']").count() == 0  # not coached yet
    assert box.is_editable()
    box.fill(edited(transcript))  # a mis-heard word corrected before coaching
    page.locator("#practice-send").click()
    page.wait_for_function("() => /Delivery:/.test(document.querySelector('#practice-chat').innerText)", timeout=60_000)
    chat = page.locator("#practice-chat").inner_text()
    assert re.search(r"Score \d+/100\s+Delivery: 0:2\d spoken · \d+ words a minute", chat), chat
    assert "How you said it" in chat
    page.locator("#practice-chat").get_by_text("How you said it").click()
    page.locator("#practice-chat .pb-delivery").wait_for(state="visible", timeout=5_000)
    # The answer with the coach's marks and the pace line survive the chat's sanitiser.
    page.locator("#practice-chat .pb-transcript .pb-m-figure").first.wait_for(state="visible", timeout=5_000)
    assert page.locator("#practice-chat .pb-transcript .pb-m-filler").count() >= 1
    assert page.locator("#practice-chat svg.pb-pace-chart polyline").count() == 1
    assert page.locator("#practice-chat svg.pb-pace-chart").bounding_box()["height"] > 40
    SHOTS.mkdir(exist_ok=True)
    page.locator("#practice-chat .pb-said").screenshot(path=str(SHOTS / "practice-said-it-1400.png"))
    page.locator("#practice-chat .pb-delivery").scroll_into_view_if_needed()
    assert page.locator("#practice-voice-status").inner_text().strip() == ""
    assert page.locator("#practice-audio audio[src], #practice-audio [data-testid='waveform-controls']").count() == 0
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "practice-voice-1400.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.wait_for_timeout(400)
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(SHOTS / "practice-voice-375.png"), full_page=True)

    # My progress charts the pace and fillers of the spoken answer.
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.locator("#pb-tabs [role=tablist] button[role=tab]", has_text="My progress").first.click()
    page.locator("#my-pace").wait_for(state="visible", timeout=30_000)
    assert "110-170 words a minute" in page.locator("#my-delivery-caption").inner_text()
    # One spoken answer is drawn (as a point: a line needs two).
    page.locator("#my-pace svg, #my-pace canvas").first.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(500)
    page.locator("#my-delivery").screenshot(path=str(SHOTS / "my-progress-voice-1400.png"))

    [saved] = services.attempts.list(user="Zed")
    assert saved.answer == edited(transcript) and saved.delivery
    assert server_copies(spoken) == []
    assert not errors, errors
    # Nothing leaves the machine (a blob: URL is the page's own copy of the file, in the browser).
    assert not [u for u in requests if not u.startswith((origin + "/", "blob:" + origin + "/", "data:"))]


# A stand-in for the browser's speech synthesis (headless chromium has no voices): it records
# what would be said and offers the voices given, so our script's choices can be checked.
FAKE_SPEECH = """
(voices) => {
  window.__said = [];
  const synth = {
    cancel() {}, getVoices() { return voices; }, addEventListener() {},
    speak(u) { window.__said.push({text: u.text, voice: u.voice && u.voice.name, lang: u.lang}); },
  };
  Object.defineProperty(window, "speechSynthesis", {value: synth, configurable: true});
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
}
"""


@pytest.mark.browser
@pytest.mark.parametrize("voices", ["local", "online only"])
def test_browser_reads_the_next_question_aloud_with_a_local_voice_only(served, voices, new_page):
    _, url = served
    offered = [{"name": "Online UK", "lang": "en-GB", "localService": False}]
    if voices == "local":
        offered += [{"name": "Local US", "lang": "en-US", "localService": True}, {"name": "Local UK", "lang": "en-GB", "localService": True}]
    page = new_page(viewport={"width": 1400, "height": 1000})
    page.add_init_script(f"({FAKE_SPEECH})({offered!r})".replace("True", "true").replace("False", "false"))
    page.goto(url, wait_until="domcontentloaded")
    page.locator("#practice-chat [data-testid='bot']").first.wait_for(timeout=30_000)
    page.locator("#practice-ask").click()  # off by default: nothing is read
    page.wait_for_timeout(1500)
    assert page.evaluate("() => window.__said") == []
    page.locator("#practice-read-aloud input").check()
    page.locator("#practice-ask").click()
    status = page.locator("#practice-voice-status")
    if voices == "local":
        page.wait_for_function("() => window.__said.length >= 1", timeout=30_000)
        [said] = page.evaluate("() => window.__said")
        question = page.locator("#practice-chat [data-testid='bot']").last.inner_text()
        assert said["voice"] == "Local UK" and said["lang"] == "en-GB"
        assert said["text"] and said["text"] in " ".join(question.split()), (said, question)
        assert "**" not in said["text"] and "\\" not in said["text"]
        assert status.inner_text().strip() == ""
    else:
        page.wait_for_function(
            "() => (document.querySelector('#practice-voice-status')?.innerText || '').includes('not read aloud')",
            timeout=30_000,
        )
        assert page.evaluate("() => window.__said") == []  # never an online voice
    # No spoken answers yet: My progress shows no pace chart.
    page.locator("#pb-tabs [role=tablist] button[role=tab]", has_text="My progress").first.click()
    # My progress has loaded when its score chart shows, or "No practice yet" when nothing is saved.
    page.wait_for_function(
        "() => !!document.querySelector('#my-chart:not(.hidden)')?.offsetParent"
        " || (document.querySelector('#my-summary')?.innerText || '').includes('No practice yet')",
        timeout=30_000,
    )
    page.wait_for_timeout(1000)
    assert not page.locator("#my-pace").is_visible()
