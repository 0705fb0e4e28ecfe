"""Spoken answers: real speech from espeak-ng, transcribed by the bundled Whisper tiny.en through
faster-whisper; delivery feedback; bad recordings refused with one-line reasons; the CLI."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from audio import long_silence, noise, picture, silence, spoken
from conftest import cli_env
from prep_bot.coaching.delivery import Delivery, Word, analyse, count_fillers, tokenise
from prep_bot.errors import ConfigError
from prep_bot.speech.transcription import AudioError, Transcriber, bundled_model_path, dispose, probe

ANSWER = (
    "Since we changed the front door, people wait four weeks for an assessment instead of twelve. "
    "One woman told us she felt in control of her support again."
)
WITH_FILLERS = "You know, we basically track the waits every month, and I mean, it sort of works."


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    return Transcriber()


@pytest.fixture(scope="module")
def speech_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="module")
def answer_wav(speech_dir) -> Path:
    return spoken(speech_dir / "answer.wav", ANSWER)


@pytest.fixture(scope="module")
def paused_wav(speech_dir) -> Path:
    """The answer's two sentences with five seconds of silence between them."""
    first, second = ANSWER.split(". ", 1)
    return spoken(speech_dir / "paused.wav", first + ".", second, pause_s=5.0)


def words_of(text: str) -> set[str]:
    return set(t for t in tokenise(text) if t.isalnum())


# --- delivery, from words and timestamps --------------------------------------------------------

def timed(text: str, per_word: float, gaps: dict[int, float] | None = None) -> list[Word]:
    """Words ``per_word`` seconds apart, with extra silence before the word indices in ``gaps``."""
    words, t = [], 0.5
    for i, w in enumerate(text.split()):
        t += (gaps or {}).get(i, 0.0)
        words.append(Word(w, t, t + per_word * 0.8))
        t += per_word
    return words


def test_pace_is_judged_against_an_interview_band():
    sentence = " ".join(["word"] * 60)
    steady, fast, slow = (analyse(timed(sentence, s), 40) for s in (0.4, 0.25, 0.7))
    assert 140 <= steady.words_per_minute <= 160 and steady.pace == "steady"
    assert fast.words_per_minute > 170 and fast.pace == "fast" and "fast" in fast.notes()[0]
    assert slow.words_per_minute < 110 and slow.pace == "slow" and "110-170" in slow.notes()[0]


def test_long_pauses_are_found_and_not_counted_as_speaking_time():
    words = timed(" ".join(["word"] * 30), 0.4, gaps={10: 4.0, 20: 2.0})
    delivery = analyse(words, 20)
    assert [p["seconds"] for p in delivery.long_pauses] == [pytest.approx(4.1, abs=0.11)]
    assert delivery.long_pauses[0]["at_s"] == pytest.approx(words[9].end, abs=0.05)
    # 30 words in 12 s of speech and a 2 s hesitation: the 4 s pause is left out of the pace (with it, 100).
    assert delivery.words_per_minute == pytest.approx(30 / 13.9 * 60, abs=2)
    assert "1 long pause" in delivery.summary()


def test_an_answer_over_two_minutes_is_called_long():
    assert analyse(timed(" ".join(["word"] * 300), 0.4), 125).is_long
    assert any("two minutes" in n for n in analyse(timed(" ".join(["word"] * 300), 0.4), 125).notes())
    assert not analyse(timed(" ".join(["word"] * 100), 0.4), 45).is_long


@pytest.mark.parametrize("text, expected", [
    ("You know, we track it monthly.", {"you know": 1}),
    ("As you know the waits fell, basically.", {"you know": 1, "basically": 1}),
    ("It was, like, twelve weeks, um, and er now four.", {"like": 1, "um": 1, "er": 1}),
    ("I mean, it kind of worked and it sort of didn't.", {"I mean": 1, "kind of": 1, "sort of": 1}),
    # Not fillers: the same words doing a job in the sentence.
    ("What kind of support do you know about? We would like to see the same sort of plan.", {}),
    ("I mean that the waits fell. It looks like progress, and services like ours agree.", {}),
])
def test_fillers_are_told_from_the_same_words_doing_a_job(text, expected):
    assert count_fillers(tokenise(text)) == expected


def test_delivery_survives_a_round_trip_through_storage():
    delivery = analyse(timed("you know , we track it", 0.4, gaps={3: 3.5}), 9.5)
    again = Delivery.from_dict(json.loads(json.dumps(delivery.to_dict())))
    assert again == delivery.__class__(**{**again.__dict__}) and again.to_dict() == delivery.to_dict()
    assert Delivery.from_dict(None) is None and Delivery.from_dict({"text": "typed"}) is None


# --- transcription of real speech -----------------------------------------------------------------

def test_speech_is_transcribed_with_word_timestamps(transcriber, answer_wav):
    result = transcriber.transcribe(answer_wav)
    expected = words_of(ANSWER) - {"4", "12"}
    heard = words_of(result.text)
    assert len(expected & heard) / len(expected) >= 0.85, result.text
    assert result.words and all(a.start <= b.start for a, b in zip(result.words, result.words[1:]))
    assert 0 <= result.words[0].start < result.words[-1].end <= result.duration_s + 0.5
    data = result.to_dict()
    assert set(data) == {"text", "duration_s", "words_per_minute", "long_pauses", "fillers"}
    assert 120 <= data["words_per_minute"] <= 180 and data["long_pauses"] == []


def test_a_long_pause_is_heard_where_it_was_left(transcriber, paused_wav, answer_wav):
    plain = transcriber.transcribe(answer_wav)
    paused = transcriber.transcribe(paused_wav)
    assert len(paused.delivery.long_pauses) == 1, paused.delivery.long_pauses
    assert paused.delivery.long_pauses[0]["seconds"] >= 4.0
    assert paused.duration_s == pytest.approx(plain.duration_s + 5.0, abs=0.3)
    # The pause is reported on its own, not folded into the pace.
    assert abs(paused.delivery.words_per_minute - plain.delivery.words_per_minute) <= 15


def test_spoken_fillers_are_counted(transcriber, speech_dir):
    result = transcriber.transcribe(spoken(speech_dir / "fillers.wav", WITH_FILLERS))
    assert result.delivery.fillers.get("basically") == 1, result.text
    assert result.delivery.filler_total >= 3, (result.text, result.delivery.fillers)


def test_the_model_loads_once_per_process_from_the_bundled_package(transcriber, answer_wav):
    other = Transcriber(max_seconds=60)
    assert other.model is transcriber.model
    assert bundled_model_path() is not None and (bundled_model_path() / "model.bin").is_file()


def test_another_model_folder_can_be_named_and_a_wrong_one_is_refused_plainly(tmp_path, answer_wav):
    copy = tmp_path / "whisper-copy"
    shutil.copytree(bundled_model_path(), copy)
    assert words_of(Transcriber(copy).transcribe(answer_wav).text) & {"front", "door", "assessment"}
    for wrong in (tmp_path / "missing", Path("tiny.en")):  # a hub name is never downloaded
        with pytest.raises(ConfigError, match="has no model.bin"):
            Transcriber(wrong).transcribe(answer_wav)


# --- bad recordings ---------------------------------------------------------------------------------

def bad_recordings(folder: Path) -> dict[str, tuple[Path, str]]:
    """Each kind of unusable recording and the words its refusal must contain."""
    folder.mkdir(exist_ok=True)
    empty = folder / "empty.wav"
    empty.write_bytes(b"")
    corrupt = folder / "corrupt.wav"
    corrupt.write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt " + bytes(range(256)) * 20)
    return {
        "silence": (silence(folder / "silence.wav"), "silent"),
        "noise": (noise(folder / "noise.wav"), "No speech was heard"),
        "empty": (empty, "empty (0 bytes)"),
        "corrupt": (corrupt, "could not be read as audio"),
        "picture": (picture(folder / "picture.png"), "PNG file, not a recording"),
        "too long": (long_silence(folder / "long.wav", 301), "the limit is 5:00"),
    }


def test_unusable_recordings_get_their_own_reason(transcriber, tmp_path):
    for kind, (path, reason) in bad_recordings(tmp_path).items():
        with pytest.raises(AudioError, match=re.escape(reason)) as caught:
            transcriber.transcribe(path)
        assert "\n" not in str(caught.value), kind


def test_length_is_refused_from_the_header_before_decoding(tmp_path):
    path = long_silence(tmp_path / "long.wav", 301)
    with pytest.raises(AudioError, match="5:01 long"):
        probe(path, 300)  # reads the container only
    assert probe(path, 400) == pytest.approx(301, abs=0.1)


def test_uploaded_recordings_are_deleted_or_kept_on_request(tmp_path):
    first, second = silence(tmp_path / "a.wav", 0.1), silence(tmp_path / "b.WAV", 0.1)
    assert dispose(first, None) is None and not first.exists()
    kept = dispose(second, tmp_path / "recordings")
    assert not second.exists() and kept.parent == tmp_path / "recordings" and kept.suffix == ".wav"
    assert dispose(tmp_path / "gone.wav", None) is None


# --- the command line -------------------------------------------------------------------------------

@pytest.fixture
def run_cli(invoke):
    """`prep-bot ARGS` in this process (the loaded models), on ``data_dir`` with ``extra_env``."""

    def run_cli(*args: str, data_dir: Path, extra_env: dict | None = None) -> subprocess.CompletedProcess:
        return invoke(*args, env={**cli_env(data_dir), **(extra_env or {})})

    return run_cli


def test_transcribe_command(tmp_path, paused_wav, run_cli):
    result = run_cli("transcribe", str(paused_wav), "--json", data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"text", "duration_s", "words_per_minute", "long_pauses", "fillers"}
    assert "front door" in data["text"].lower() and len(data["long_pauses"]) == 1
    plain = run_cli("transcribe", str(paused_wav), data_dir=tmp_path / "data")
    assert plain.returncode == 0 and "Delivery:" in plain.stdout and "1 long pause" in plain.stdout
    assert paused_wav.exists()  # the user's own file is never deleted


def test_coach_takes_a_spoken_answer_and_scores_it_as_the_same_words_typed(sample_services, answer_wav, run_cli):
    data_dir = sample_services.settings.data_dir
    question = "How long do people wait for an assessment?"
    spoken_run = run_cli("coach", "--qs", "assessing-needs", "--question", question, "--audio", str(answer_wav), "--json", data_dir=data_dir)
    assert spoken_run.returncode == 0, spoken_run.stderr
    data = json.loads(spoken_run.stdout)
    assert set(data["delivery"]) == {"duration_s", "words_per_minute", "long_pauses", "fillers"}
    typed = sample_services.coach.coach("assessing-needs", question, data["transcript"])
    assert data["score"] == typed.score  # delivery never changes the content score
    both = run_cli("coach", "--qs", "assessing-needs", "--question", question, "--audio", str(answer_wav), "--answer", "x", data_dir=data_dir)
    assert both.returncode == 2 and "one of them" in both.stderr


def test_unusable_audio_exits_non_zero_with_one_line_and_no_traceback(tmp_path, run_cli):
    recordings = bad_recordings(tmp_path / "bad")
    for kind in ("silence", "noise", "corrupt", "too long"):
        path, reason = recordings[kind]
        result = run_cli("transcribe", str(path), "--json", data_dir=tmp_path / "data")
        assert result.returncode != 0, kind
        assert "Traceback" not in result.stderr and result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and reason in lines[0], (kind, result.stderr)
    short_limit = run_cli("transcribe", str(silence(tmp_path / "six.wav", 6)), data_dir=tmp_path / "data",
                          extra_env={"PREP_BOT_MAX_AUDIO_S": "5"})
    assert short_limit.returncode != 0 and "the limit is 0:05" in short_limit.stderr
