"""The coach's learned sentence judgement: the labelled set it learns from (large, varied,
written for prep-bot), its precision and recall on held-out sentences, the shipped vectors, and
the rubric's registry of dimension judges and score bands."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest
import yaml

from prep_bot.coaching.coach import Coach
from prep_bot.coaching.judgement import LABELS, LinearModel, SentenceJudge, read_evidence, read_pairs, read_sentences, split_answer
from prep_bot.coaching.shipped_models import FILE_NAME as MODELS_FILE, read_models
from prep_bot.evals.judgement import evaluate_judgement
from prep_bot.coaching.rubric import DimensionJudge, Verdict, load_rubric, register, score_tone
from prep_bot.errors import ConfigError
from prep_bot.framework.vocab import QS_SLUGS
from prep_bot.infra.config import REPO_ROOT
from prep_bot.practice.export import attempt_view
from prep_bot.ui.render import dimension_table

SENTENCES = REPO_ROOT / "knowledge" / "sentences"
RUBRIC = REPO_ROOT / "knowledge" / "rubric.yaml"
# People named in the sample reports: none of them may appear in what the coach learns from.
REPORT_PEOPLE = ("Butterworth", "Goodwin", "Harding", "Pryke", "Pitcher", "Henderson", "Edgell", "Revely", "Coulson", "Carolyn")


def test_the_labelled_set_is_large_varied_and_covers_every_statement():
    sentences = read_sentences(SENTENCES)
    assert len(sentences) >= 1200
    support = {label: sum(label in s.labels for s in sentences) for label in LABELS}
    assert min(support.values()) >= 40, support
    assert set(QS_SLUGS) <= {s.source for s in sentences}  # a file per quality statement
    spoken = [s for s in sentences if re.search(r"\b(?:um|erm|so yeah|you know|to be fair|basically)\b", s.text.lower())]
    assert len(spoken) >= 100  # speech-to-text with its fillers
    assert sum(s.text[0].islower() for s in sentences) >= 100  # ... and without capitals
    held = sum(s.held_out for s in sentences) / len(sentences)
    assert 0.15 <= held <= 0.25
    assert len(read_pairs(SENTENCES)) >= 150 and len(read_evidence(SENTENCES)) >= 250


def test_the_labelled_set_is_written_for_prep_bot():
    texts = [s.text for s in read_sentences(SENTENCES)] + [t for p in read_pairs(SENTENCES) for t in (p.answer, p.evidence)]
    assert not [t for t in texts for name in REPORT_PEOPLE if name in t]
    library = " ".join(p.read_text(encoding="utf-8") for p in (REPO_ROOT / "knowledge" / "evidence").glob("*.txt"))
    library = re.sub(r"\s+", " ", library.replace("’", "'").replace("*", "")).lower()
    copied = [t for t in texts if len(t) >= 60 and re.sub(r"\s+", " ", t.replace("’", "'")).lower() in library]
    assert not copied, copied[:3]


def test_the_shipped_vectors_cover_the_set(embedder):
    with np.load(SENTENCES / "vectors.npz") as data:
        assert str(data["model"]) == embedder.model_key
        shipped = {str(t) for t in data["texts"]}
    wanted = {s.text for s in read_sentences(SENTENCES)} | {t for p in read_pairs(SENTENCES) for t in (p.answer, p.evidence)}
    wanted |= {t for t, _ in read_evidence(SENTENCES)}
    missing = wanted - shipped
    assert not missing, f"run `python -m prep_bot.coaching.judgement` after editing the set: {sorted(missing)[:3]}"


def test_the_shipped_models_are_the_set_trained(sample_services):
    """The trained models ship beside the set (a fresh data dir's first coaching turn need not
    train them) and are used only while they are what training the set gives."""
    judge = sample_services.coach.judgement
    shipped = read_models(SENTENCES / MODELS_FILE, judge.digest(), LinearModel)
    assert shipped is not None, "run `python -m prep_bot.evals.judgement` after editing the set or the rubric's cues"
    assert all(np.array_equal(a.coef, b.coef) for a, b in zip(shipped, judge.models()))  # what the coach reads with
    assert read_models(SENTENCES / MODELS_FILE, "another digest", LinearModel) is None
    # test_a_fresh_data_dir_trains_the_same_judgement: training the set gives what is shipped


def test_held_out_precision_and_recall(sample_services):
    r = evaluate_judgement(sample_services.coach.judgement)
    assert r["held_out"] >= 240
    assert r["macro_precision"] >= 0.8 and r["macro_recall"] >= 0.6, r
    for label in ("outcome", "data", "example", "plan", "buzz"):
        v = r["labels"][label]
        f1 = 2 * v["precision"] * v["recall"] / max(1e-9, v["precision"] + v["recall"])
        assert f1 >= 0.75, (label, v)
    assert r["pairs_accuracy_leave_one_evidence_out"] >= 0.75


def test_a_spoken_run_on_is_read_clause_by_clause():
    said = ("so there was a lady in her eighties and what mattered was her cat and her Sundays at her daughter's "
            "and so we used a neighbour and community transport instead of a package but to be fair our recording "
            "doesn't always show that and we get audited again in the autumn")
    parts = split_answer(said)
    assert len(parts) >= 3 and " ".join(parts).split() == said.split()
    assert split_answer("It works. but not for everyone; we know that.") == ["It works.", "but not for everyone;", "we know that."]


def test_a_sentence_is_read_by_meaning(sample_services):
    judge = sample_services.coach.judgement
    probs = judge.read([
        "Because of the stair lift she sleeps in her own bed again and her daughter no longer stays over.",
        "We held 420 meetings and ran 12 briefings this year.",
        "Our front door is a person-centred, strengths-based, whole-system gateway embedded in everything we do.",
        "Honestly it's been a nightmare, everyone is exhausted and nobody listens to us.",
        "People wait too long for a review, and some have waited over a year.",
        "From April every review will be booked within a year, and we will report progress to members monthly.",
    ])
    expected = ["outcome", "activity", "buzz", "venting", "gap", "plan"]
    assert [LABELS[int(np.argmax(row))] for row in probs] == expected, probs.round(2)


# -- the registry and the bands -------------------------------------------------------------------
@register("brevity")
class Brevity(DimensionJudge):
    """A test dimension: short answers score well."""

    def judge(self, reading) -> Verdict:
        return Verdict(100 - min(100, reading.words), "", {"words": reading.words})


def _rubric_with(tmp_path, change) -> object:
    data = yaml.safe_load(RUBRIC.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "rubric.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_rubric(path)


def test_a_dimension_is_a_registration_plus_a_rubric_entry(tmp_path, sample_services):
    def add(data):
        data["dimensions"].append({
            "name": "brevity", "label": "Brevity", "weight": 0.1, "probe": "Can you say that in one sentence?",
            "reasons": {"good": "Short: {words} words.", "fair": "A bit long: {words} words.", "weak": "Too long: {words} words."},
        })
    rubric = _rubric_with(tmp_path, add)
    coach = Coach(sample_services.store, sample_services.framework, rubric, sample_services.questions)
    fb = coach.coach("safeguarding", "How do you make safeguarding personal?", "I ask people what they want to happen and we do it with them.")
    brevity = next(d for d in fb.dimensions if d.name == "brevity")
    assert brevity.score == 100 - 14 and brevity.reason == "Short: 14 words."

    def unknown(data):
        data["dimensions"].append({**data["dimensions"][0], "name": "charisma"})
    with pytest.raises(ConfigError, match="no judge is registered for charisma"):
        _rubric_with(tmp_path, unknown)


def test_bands_live_in_the_rubric_and_colour_and_word_every_score(tmp_path):
    rubric = load_rubric(RUBRIC)
    assert [b.name for b in rubric.bands] == ["good", "fair", "weak"]
    good = rubric.good
    assert score_tone(good) == "good" and score_tone(good - 1) == "mid" and score_tone(0) == "low"
    assert rubric.reason("outcome", good, quote="“x”").startswith("Says what changed")
    assert rubric.reason("outcome", good - 1, quote="“x”").startswith("Touches on")

    def stricter(data):
        data["bands"][0]["min"] = 80
    strict = _rubric_with(tmp_path, stricter)
    assert strict.good == 80 and strict.tone(79) == "mid"
    assert strict.reason("outcome", 79, quote="“x”").startswith("Touches on")
    scored = [type("D", (), {"label": "Outcome", "score": 79, "reason": "r"})()]
    assert "pb-mid" in dimension_table(scored, strict) and "pb-good" in dimension_table(scored, rubric)

    def unordered(data):
        data["bands"][0]["min"] = 10
    with pytest.raises(ConfigError, match="bands must be listed"):
        _rubric_with(tmp_path, unordered)


def test_exports_colour_by_the_rubric_bands():
    from datetime import datetime, timezone

    from prep_bot.practice.attempts import Attempt

    rubric = load_rubric(RUBRIC)
    good = rubric.good
    attempt = Attempt(1, "a", "", "frontline", "safeguarding", "q1", "Q?", "A.", good,
                      {"outcome": good, "data": good - 1, "learning": 0}, [], datetime.now(timezone.utc))
    view = attempt_view(attempt, {"safeguarding": "Safeguarding"}, {"outcome": "Outcome", "data": "Data", "learning": "Learning"})
    assert [d["tone"] for d in view["dimensions"]] == ["good", "mid", "low"]


def test_a_fresh_data_dir_trains_the_same_judgement(tmp_path, sample_services):
    """Trained from the labelled set in a new data dir (shipped vectors, no cache, no shipped
    models): the same probabilities as the shared coach's, which reads with the shipped models."""
    rubric = sample_services.rubric
    fresh = SentenceJudge(sample_services.embedder, rubric.cues, rubric.activity_nouns, tmp_path / "sentences")
    shutil.copytree(SENTENCES, tmp_path / "sentences")
    (tmp_path / "sentences" / MODELS_FILE).unlink()
    SentenceJudge._MEMO.clear()  # train here, not from this process's memo
    text = ["We ring everyone on the waiting list each week and move them up if things change."]
    # (within 1e-3: the shipped models may have been trained on another processor)
    assert np.allclose(fresh.read(text), sample_services.coach.judgement.read(text), atol=1e-3)


@pytest.mark.parametrize("sentence, denies, owned", [
    ("Our finances are stable: we are not carrying an overspend.", 1.0, 0.0),
    ("And adaptations don't hold anyone up, housing turn them round well inside target.", 1.0, 0.0),
    ("Where you live makes no difference to what you get.", 1.0, 0.0),
    ("We're not seeing any delays at the front door.", 1.0, 0.0),
    ("Not every carer is offered an assessment yet.", 0.0, 1.0),
    ("Adaptations take too long and we know it.", 0.0, 1.0),
    ("We weren't counting those waits before April.", 0.0, 0.0),
])
def test_signs_of_a_denied_and_an_owned_problem(sentence, denies, owned):
    _, said_denies, said_owned, _ = SentenceJudge.signs(sentence)
    assert (said_denies, said_owned) == (denies, owned)


def test_a_sentence_saying_all_is_well_reads_so_on_its_surface():
    assert SentenceJudge.signs("Young people have their assessment well before 18, so it all goes smoothly.")[3] == 1.0
    assert SentenceJudge.signs("We hold a transitions panel every month.")[3] < 1.0
