"""The spoken evaluation: word error rate on known pairs, and a small real run of `eval speech`
(espeak-ng speaks, the bundled Whisper model transcribes, the coach scores) on the sample library."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import cli_env
from prep_bot.evals.speech import normalise, word_error_rate, word_errors

SIX = "the carer rang the duty team"


def test_identical_text_has_no_errors():
    assert word_error_rate(SIX, SIX) == 0.0


def test_one_substituted_word_is_one_error_in_n():
    assert word_error_rate(SIX, "the carer rang the duty dream") == pytest.approx(1 / 6)


def test_deleted_and_inserted_words_count():
    assert word_errors(SIX, "the carer rang duty team") == (1, 6)
    assert word_errors(SIX, "the carer rang the duty team today") == (1, 6)
    assert word_error_rate(SIX, "") == 1.0
    assert word_error_rate("", "") == 0.0


def test_case_and_punctuation_are_not_errors():
    assert word_error_rate("Strengths-based practice: people's choice.", "strengths based practice, peoples choice") == 0.0


def test_contractions_with_one_reading_match_their_full_form():
    assert word_error_rate("We're sure it's fine and we don't know", "we are sure it is fine and we do not know") == 0.0
    assert word_error_rate("a man in his seventies", "a man in his 70s") == 0.0
    assert word_error_rate("we've done it", "we done it") == pytest.approx(1 / 4)  # "have" was not heard


def test_numbers_written_either_way_match():
    assert word_error_rate("Twelve people waited 28 days", "12 people waited twenty-eight days") == 0.0
    assert word_error_rate("1,200 contacts", "one thousand two hundred contacts") == 0.0
    assert word_error_rate("2,436 carers", "two thousand four hundred and thirty six carers") == 0.0
    assert word_error_rate("90.6% of assessments", "ninety point six per cent of assessments") == 0.0
    assert word_error_rate("a budget of £1.893m", "a budget of 1.893 million pounds") == 0.0


def test_a_wrong_number_is_still_an_error():
    assert word_error_rate("thirteen people", "30 people") == pytest.approx(1 / 2)
    assert word_error_rate("90.6% of assessments", "90.5% of assessments") == pytest.approx(1 / 4)


def test_and_inside_a_number_but_not_between_numbers():
    assert normalise("one hundred and three") == ["103"]
    assert normalise("one and two") == ["1", "and", "2"]


def test_spellings_are_left_alone():
    # British and US spellings are different words: the normaliser does not hide them.
    assert word_error_rate("our organisation", "our organization") == pytest.approx(1 / 2)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (make test installs it)")
def test_eval_speech_on_two_pairs(sample_services, tmp_path, invoke):
    data_dir = sample_services.settings.data_dir
    result = invoke("eval", "speech", "--limit", "2", "--json", data_dir=data_dir, env=cli_env(tmp_path / "unused"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    r = json.loads(result.stdout)
    assert r["pairs"] == 2 and r["answers"] == 4
    assert r["transcribed"] == 4 and r["failed"] == []
    assert r["voice"] == "en-gb"
    # espeak-ng read by Whisper tiny.en: far from perfect, far from noise.
    assert 0.0 < r["wer_median"] < 0.4, r["wer_worst"]
    assert 0.0 < r["wer_mean"] < 0.4
    assert 0 < r["rtf"] < 1.0
    assert 0 <= r["kept_spoken"] <= 2 and 0 <= r["kept_typed"] <= 2
    assert set(r["targets"]) == {"wer_median", "order_kept", "wer_met", "order_met"}
    assert r["margin_typed_mean"] is not None and r["margin_spoken_mean"] is not None
    for answer in r["details"]["answers"]:
        assert answer["audio_s"] > 5 and answer["transcript"]
        assert 0 <= answer["typed_score"] <= 100 and 0 <= answer["spoken_score"] <= 100
    for pair in r["details"]["pairs"]:
        assert pair["typed"]["kept"] == (pair["typed"]["strong"] > pair["typed"]["weak"])
        assert pair["spoken"]["kept"] == (pair["spoken"]["strong"] > pair["spoken"]["weak"])
    # one progress line per answer, on stderr: four answers of the pairs, two with spoken figures
    assert len([line for line in result.stderr.splitlines() if line.startswith("[")]) == 6
    # Spoken figures: the first two answers of eval/speech_figures.yaml, with their claim checks.
    figures = r["figures"]
    assert figures["answers"] == 2 and figures["figures"] == 6 and figures["failed"] == []  # three figures in each
    assert 0.6 <= figures["recall"] <= 1.0 and figures["recall"] >= figures["recall_as_heard"]
    assert figures["claims_checked"] >= 3 and figures["target"] == 0.9
    for row in figures["details"]:
        assert row["transcript"] and row["found"] <= row["figures"]


def test_spoken_figures_are_counted_once_each_by_value_and_unit():
    from prep_bot.evals.speech import figure_keys, matched

    typed = figure_keys("94% were at home after 91 days, against 82.4% in England; 94% of carers agreed.")
    heard = figure_keys("94% were at home after 91%, against 82.4% in England.")
    hits, missing, extra = matched(typed, heard)
    assert hits == [(94.0, "%"), (82.4, "%")]
    assert missing == [(91.0, "days"), (94.0, "%")]  # the second 94% was not said again
    assert extra == [(91.0, "%")]  # the same number with another unit is not the same figure


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (make test installs it)")
def test_an_answer_whose_audio_is_refused_is_recorded_as_failed_and_the_batch_goes_on(sample_services, tmp_path):
    from prep_bot.speech.transcription import Transcriber
    from prep_bot.evals.speech import evaluate_speech

    # A transcriber that takes at most 6 s of speech refuses the long answer, as it would a long upload.
    transcriber = Transcriber(sample_services.settings.stt_model_path, max_seconds=6)
    question = "How do you keep people safe while they wait for an assessment?"
    long = ("We ring every person on the waiting list each week, we rate the risk for each of them, and we visit "
            "the next day when anything has changed, so nobody waits without someone checking on them.")
    data = {"pairs": [
        {"id": "x1", "qs": "assessing-needs", "question": question, "strong": long, "weak": "We are busy."},
        {"id": "x2", "qs": "assessing-needs", "question": question,
         "strong": "We ring every person on the waiting list each week.", "weak": "We are busy."},
    ]}
    lines: list[str] = []
    r = evaluate_speech(sample_services.coach, transcriber, data, tmp_path, progress=lines.append)
    assert r["answers"] == 4 and r["transcribed"] == 3
    assert [f["id"] for f in r["failed"]] == ["x1/strong"]
    assert "limit" in r["failed"][0]["reason"]
    assert r["details"]["pairs"][0]["spoken"]["kept"] is False  # a failed answer cannot keep its pair's order
    assert r["details"]["pairs"][0]["typed"]["strong"] > 0  # typed coaching still ran
    assert len(lines) == 4 and "failed" in lines[0]
    assert r["wer_median"] is not None and r["wer_median"] < 0.5
