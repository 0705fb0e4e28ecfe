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
DELIVERY_KEYS = {"duration_s", "words_per_minute", "long_pauses", "fillers", "filler_at", "pace", "cut_off"}


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
    assert 140 <= steady.words_per_minute <= 160 and steady.pace_label == "steady"
    assert fast.words_per_minute > 170 and fast.pace_label == "fast" and "fast" in fast.notes()[0]
    assert slow.words_per_minute < 110 and slow.pace_label == "slow" and "110-170" in slow.notes()[0]


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
    # Whisper's int8 kernels differ by processor: on one machine of this kind (AMD EPYC) "instead
    # of twelve ... in control of her support" came back as "instead on 12 ... in control on the
    # support" (22 of 27 words), on another all but two. What this proves is speech to text with
    # its words timed; how well is measured by `prep-bot eval speech`.
    assert len(expected & heard) / len(expected) >= 0.75, result.text
    assert {"front", "door", "weeks", "assessment", "woman", "control", "support"} <= heard, result.text
    assert result.words and all(a.start <= b.start for a, b in zip(result.words, result.words[1:]))
    assert 0 <= result.words[0].start < result.words[-1].end <= result.duration_s + 0.5
    data = result.to_dict()
    assert set(data) == {"text", *DELIVERY_KEYS}
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
    assert set(data) == {"text", *DELIVERY_KEYS}
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
    assert set(data["delivery"]) == DELIVERY_KEYS
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


# --- pace across the answer, fillers where they were, notes --------------------------------------

def test_pace_is_drawn_across_the_answer_and_a_fast_stretch_is_named():
    # 20 s at an easy 150 words a minute, then 20 s at a rushed 240.
    words = timed(" ".join(["word"] * 50), 0.4) + [
        Word("word", 20.5 + 0.25 * i, 20.5 + 0.25 * i + 0.2) for i in range(80)
    ]
    delivery = analyse(words, 41)
    series = [p["wpm"] for p in delivery.pace]
    assert len(series) >= 6 and [p["at_s"] for p in delivery.pace] == sorted(p["at_s"] for p in delivery.pace)
    assert 130 <= series[0] <= 170 and series[-1] >= 220, series
    [(kind, start, end)] = delivery.stretches()
    assert kind == "fast" and 15 <= start <= 30 and end >= 35
    assert any("pace changed along the way (fast from 0:" in note for note in delivery.notes())


def test_a_short_answer_has_no_pace_line_and_a_steady_one_no_stretch():
    assert analyse(timed("we ring every person weekly", 0.4), 3).pace == []
    steady = analyse(timed(" ".join(["word"] * 100), 0.4), 41)
    assert steady.pace and steady.stretches() == []
    assert not any("pace changed" in note for note in steady.notes())


def test_fillers_are_counted_with_when_they_were_said():
    words = timed("We track it , you know , every month and it sort of works", 0.4)
    delivery = analyse(words, 6)
    assert delivery.fillers == {"you know": 1, "sort of": 1}
    assert [(f["phrase"], f["at_s"]) for f in delivery.filler_at] == [("you know", round(words[4].start, 1)), ("sort of", round(words[11].start, 1))]
    note = next(n for n in delivery.notes() if n.startswith("Fillers"))
    assert "“you know” ×1 (at 0:02)" in note and "“sort of” ×1 (at 0:05)" in note


def test_delivery_feedback_is_more_than_one_line():
    words = timed("um we track it , you know , every month", 0.4, gaps={4: 4.0})
    notes = analyse(words, 12).notes()
    assert len(notes) >= 3
    assert any(n.startswith("1 long pause (over 3 seconds: 4 s at 0:02)") for n in notes), notes
    assert any("“um” ×1" in n for n in notes)
    clean = analyse(timed(" ".join(["word"] * 40), 0.4), 17).notes()
    assert "No fillers or hedges heard." in clean


def test_an_old_stored_delivery_still_reads():
    old = {"duration_s": 20.0, "words_per_minute": 140, "long_pauses": [{"at_s": 5.0, "seconds": 4.0}], "fillers": {"um": 1}}
    said = Delivery.from_dict(old)
    assert said.pace == [] and said.filler_at == [] and said.cut_off == ""
    assert "“um” ×1" in " ".join(said.notes()) and said.summary().startswith("0:20 spoken")


# --- a transcript the coach can read ------------------------------------------------------------

def test_the_transcript_has_spoken_figures_as_figures_and_keeps_what_was_heard(transcriber, speech_dir):
    said = ("After reablement, ninety four percent of people were still at home ninety one days after leaving "
            "hospital, against an England average of eighty two point four percent.")
    result = transcriber.transcribe(spoken(speech_dir / "figures.wav", said))
    assert "94%" in result.text and "91 days" in result.text and "82.4%" in result.text, (result.heard, result.text)
    assert result.heard and result.heard != "" and "%" in result.heard


def test_the_glossary_numbers_and_quotes_are_applied_together_and_pauses_keep_their_place():
    from prep_bot.framework.glossary import Glossary
    from prep_bot.infra.config import REPO_ROOT
    from prep_bot.speech.terms import TermSpeller

    speller = TermSpeller(Glossary.load(REPO_ROOT / "knowledge" / "glossary.yaml"))
    heard = "After regalment she told me I feel like myself again and ninety one days later she was home."
    words = timed(heard, 0.4, gaps={10: 4.0})  # a long pause after "again"
    delivery = analyse(words, 12)
    _, text, corrections = Transcriber(terms=speller).written(words, delivery.long_pauses)
    assert text == "After reablement she told me, “I feel like myself again” and 91 days later she was home."
    assert [(c.heard, c.term) for c in corrections] == [("regalment", "reablement")]
    assert delivery.long_pauses[0]["before"] == "she told me, “I feel like myself again"


def test_speech_the_model_skipped_is_found_from_the_voice_detector():
    from prep_bot.speech.transcription import unheard

    words = [Word("we", 0.5, 0.8), Word("ring", 0.8, 1.2), Word("weekly.", 1.2, 1.8)]
    assert unheard(words, [(0.4, 1.9)]) == []
    # Speech from 2.5 s to 6 s with no words in it: decoded again on its own.
    assert unheard(words, [(0.4, 1.9), (2.5, 6.0)]) == [(2.4, 6.1)]
    # A gap inside one stretch of speech.
    assert unheard(words + [Word("then", 5.0, 5.3)], [(0.4, 5.4)]) == [(pytest.approx(1.7), pytest.approx(5.1))]


def test_speech_decoded_again_that_is_already_in_the_transcript_is_not_added_twice():
    from prep_bot.speech.transcription import repeats

    said = [Word(w, i, i + 0.5) for i, w in enumerate("we met with every complaint within the timescales last year".split())]
    again = [Word(w, 20 + i, 20.5 + i) for i, w in enumerate("We met with every complaint within".split())]
    missing = [Word(w, 20 + i, 20.5 + i) for i, w in enumerate("and the panel meets monthly".split())]
    assert repeats(again, said) and not repeats(missing, said)


def test_a_recording_cut_off_while_speaking_is_said_to_be(transcriber, speech_dir):
    from audio import read_wav, write_wav

    whole = spoken(speech_dir / "whole.wav", ANSWER)
    samples, rate = read_wav(whole)
    cut = write_wav(speech_dir / "cut.wav", samples[: int(len(samples) * 0.8)], rate)
    result = transcriber.transcribe(cut)
    assert result.delivery.cut_off.startswith("The recording stops while you are still speaking"), result.delivery.cut_off
    assert "record the rest" in result.delivery.cut_off and result.delivery.cut_off in result.delivery.notes()
    assert "may be cut off" in result.delivery.summary()
    assert transcriber.transcribe(whole).delivery.cut_off == ""  # the whole answer ends in quiet


def test_a_recording_that_reached_the_length_limit_is_said_to_be_cut_off(speech_dir, answer_wav):
    from prep_bot.speech.transcription import decode

    length = decode(answer_wav, 300).size / 16_000
    result = Transcriber(max_seconds=length + 0.2).transcribe(answer_wav)
    assert result.delivery.cut_off.startswith(f"The recording stopped at the 0:{round(length + 0.2):02d} limit")


def test_speech_after_the_last_word_that_was_not_transcribed_is_reported():
    from prep_bot.speech.transcription import cut_off

    words = [Word("we", 0.5, 0.8), Word("ring", 0.8, 1.2), Word("weekly.", 1.2, 1.8)]
    note = cut_off(words, [(0.4, 1.9), (3.0, 7.5)], 8.0, 300, still_speaking=False)
    assert note.startswith("The last 4 seconds of speech (after 0:02) could not be transcribed")
    assert cut_off(words, [(0.4, 1.9)], 8.0, 300, still_speaking=False) == ""


# --- spoken answers, coached -------------------------------------------------------------------

def test_spoken_figures_reach_the_claim_check(sample_services, speech_dir):
    """Figures said in words reach the claim check as the figures they are: the sample evidence
    says 94% of people were at home 91 days after reablement, against an England average of 82.4%."""
    said = ("After reablement, ninety four percent of people were still at home ninety one days after they "
            "left hospital, against an England average of eighty two point four percent.")
    transcript = sample_services.transcriber.transcribe(spoken(speech_dir / "claim.wav", said))
    feedback = sample_services.coach.coach("care-provision", "How do you know reablement works?", transcript.text)
    status = {c.text: c.status for c in feedback.claims}
    assert status.get("94%") == "supported", (transcript.heard, transcript.text, status)
    # Each figure said reaches the check as the figure it is (whether the comparator is read as
    # one depends on the sentence it lands in, which is the claim checker's part).
    assert {"94%", "91 days", "82.4%"} <= set(status), (transcript.text, status)


SPOKEN_QUOTE = (
    "When a woman raised a concern about her son taking her money, we asked her what she wanted to happen. "
    "She told me I feel like myself again. She is back in control of her money and feels safe at home."
)


def test_a_spoken_quotation_counts_as_the_persons_voice(sample_services, transcriber, speech_dir):
    """Said aloud, "she told me I feel like myself again" is the person's own words. The
    transcript keeps it as a quotation, and the coach credits the person's voice instead of
    asking for it. (The coach's example judgement is being rewritten (issue 21): if this fails
    after that merge, the new judgement does not read a quotation in a transcript; do not weaken
    this test.)"""
    result = transcriber.transcribe(spoken(speech_dir / "quote.wav", SPOKEN_QUOTE))
    assert re.search(r"[“\"]I feel like myself again\.?[”\"]", result.text), result.text
    feedback = sample_services.coach.coach("safeguarding", "How do you make safeguarding personal?", result.text)
    example = next(d for d in feedback.dimensions if d.name == "example")
    assert "in their own words" not in example.reason, example.reason
    assert example.score >= 75, (example.score, example.reason)
