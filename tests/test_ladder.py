"""The graded ladders: four answers of rising quality per question, a buzzword-stuffed answer and
a pair that hides or owns a known weakness. The coach must put them in order, score a model
answer, activity, venting and stuffing where the rubric's calibration says, and on every answer
in eval/ give each dimension a reason of the band its score falls in."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from click.testing import CliRunner

from prep_bot.cli.main import main
from prep_bot.evals.evaluation import load_answer_set
from prep_bot.evals.ladder import LEVELS, evaluate_ladder, load_ladder
from prep_bot.infra.config import REPO_ROOT

EVAL = REPO_ROOT / "eval"
# Level 1 answers that are substantive but about another subject: the coach cannot yet tell them
# from on-topic answers (README, "How answers are coached", limits), so they are not held to the
# venting bound. Everything else at level 1 is venting or chatter.
OFF_SUBJECT = {"l20", "l22"}
MODEL_ANSWERS = [
    ("supporting-healthier-lives", "What difference does reablement make for people leaving hospital?",
     "Most people go home and stay there: a man who came out of hospital after a stroke unable to dress himself was "
     "walking to the paper shop on his own six weeks later, with no ongoing care. 94% of people are still at home 91 "
     "days after leaving hospital into reablement, against an England average of 82.4%, and in June 2024 only three "
     "of the 153 people starting a home care package had to wait, for 11 days on average. What is not good enough "
     "is the end of reablement: some "
     "people who do need care afterwards have waited weeks for it to start. Those waits go on our dashboard this "
     "month, and every wait over a week is reviewed at the daily huddle."),
    ("safeguarding", "How do you know people feel safer because of your safeguarding work?",
     "We ask people what safe means to them and check at the end whether they got it: a woman whose son was taking "
     "her pension wanted to stay at home and keep seeing him, and with the bank and an advocate involved she did, "
     "and she told us she feels in charge again. In 2022/23, 97% of enquiries ended with the risk reduced or removed, "
     "and 74.1% of people who use services said they feel safe, up from 68.3% the year before. Where we fall short "
     "is the pathway itself: roles in section 42 enquiries are not always clear and people get passed between "
     "workers. Each enquiry now has one lead worker, and we will audit in six months whether people had just one."),
    ("care-provision", "How satisfied are carers with the support they get?",
     "Carers tell us the breaks are what keep them going: one woman caring for her husband uses her hours to swim "
     "every week and calls it the only hour that is hers. In the June 2024 carers survey 47.83% of carers were "
     "satisfied with their support, compared with 36.83% across England, and every carer receiving a service has a "
     "direct payment against an England average of 76.8%. But only 25.19% say they have a support group or someone "
     "to talk to, below England's 32.98%, so we are adding peer groups through the online platform this year and "
     "will look for that figure to rise in the next survey."),
]


class Memo:
    """The coach, once per distinct answer (the ladder metrics and the reason checks share it)."""

    def __init__(self, coach) -> None:
        self.inner = coach
        self.seen: dict[tuple, object] = {}

    def coach(self, qs, question, answer):
        key = (qs, question, answer)
        if key not in self.seen:
            self.seen[key] = self.inner.coach(qs, question, answer)
        return self.seen[key]


@pytest.fixture(scope="module")
def memo(sample_services):
    return Memo(sample_services.coach)


@pytest.fixture(scope="module")
def dev(memo):
    return evaluate_ladder(memo, load_ladder(EVAL / "ladder.yaml"))


@pytest.fixture(scope="module")
def other(memo):
    return evaluate_ladder(memo, load_ladder(EVAL / "ladder_other.yaml"))


def test_the_sets_cover_every_statement_and_audience():
    for name, least in (("ladder.yaml", 15), ("ladder_other.yaml", 12)):
        questions = load_ladder(EVAL / name)
        assert len(questions) >= least
        assert len({q.qs for q in questions}) == 9
        assert {q.audience for q in questions} >= {"frontline", "team-manager", "senior-leader"}


def test_the_development_ladder_is_in_order(dev):
    n = dev["questions"]
    assert dev["adjacent_in_order"] >= dev["adjacent_pairs"] - 3, [r for r in dev["details"] if r["adjacent"] < 3]
    assert dev["mean_tau"] >= 0.93
    assert dev["stuffed_below_3"] == n
    assert dev["honest_above_hiding"] >= n - 1
    assert dev["median"]["4"] >= 70 and dev["median"]["1"] <= 10


def test_the_untuned_second_voice_keeps_its_order(other):
    # Written in another voice and never tuned on: the measure of how the coach generalises.
    n = other["questions"]
    assert other["adjacent_in_order"] >= other["adjacent_pairs"] - 4
    assert other["mean_tau"] >= 0.88
    assert other["stuffed_below_3"] == n and other["honest_above_hiding"] >= n - 1
    assert other["median"]["4"] >= 65 and other["median"]["1"] <= 15


def test_scores_are_calibrated(dev, other, memo, sample_services):
    good = sample_services.rubric.good
    for qs, question, answer in MODEL_ANSWERS:
        fb = memo.coach(qs, question, answer)
        assert fb.score >= 75, (question, fb.score, [(d.name, d.score) for d in fb.dimensions])
        assert fb.reply.strength and fb.reply.strength.score >= good
    for r in (dev, other):
        for row in r["details"]:
            assert row["scores"]["2"] <= 35, row  # activity only
            if row["id"] not in OFF_SUBJECT:
                assert row["scores"]["1"] <= 20, row  # venting, or off the question
            assert row["scores"]["stuffed"] <= 35, row  # buzzwords and dropped figures earn little


def _template(pattern: str) -> re.Pattern:
    """A reason template as a pattern: its fixed words, anything for each field."""
    parts = re.split(r"\{\w+\}", pattern)
    return re.compile(".*".join(re.escape(p.strip(" ().;,")) for p in parts), re.S)


def _all_eval_answers():
    for name in ("answers.yaml", "answers_holdout.yaml"):
        data = load_answer_set(EVAL / name)
        for pair in data["pairs"]:
            yield f"{name}:{pair['id']}:strong", pair["qs"], pair["question"], pair["strong"]
            yield f"{name}:{pair['id']}:weak", pair["qs"], pair["question"], pair["weak"]
        for item in data["planted"]:
            yield f"{name}:{item['id']}:planted", item["qs"], item["question"], item["answer"]
        for item in data.get("correct", []):
            yield f"{name}:{item['id']}:correct", item["qs"], item["question"], item["answer"]
    for name in ("ladder.yaml", "ladder_other.yaml"):
        for q in load_ladder(EVAL / name):
            for level in LEVELS:
                yield f"{name}:{q.id}:{level}", q.qs, q.question, q.levels[level]
            for kind in ("stuffed", "hiding", "honest"):
                yield f"{name}:{q.id}:{kind}", q.qs, q.question, getattr(q, kind)


def test_every_reason_is_worded_for_its_score_band(memo, sample_services):
    """On every answer in eval/, each dimension's reason is one of its rubric templates for the
    band its score falls in, and never one of another band's: a reason cannot praise what its
    score marks down, nor find fault with a good score."""
    rubric = sample_services.rubric
    bad, seen = [], 0
    for label, qs, question, answer in _all_eval_answers():
        fb = memo.coach(qs, question, answer)
        for d in fb.dimensions:
            seen += 1
            band = rubric.band(d.score).name
            templates = rubric.dimension(d.name).reasons
            mine = [t for key, t in templates.items() if key.split("_")[0] == band]
            others = [t for key, t in templates.items() if key.split("_")[0] != band and t not in mine]
            if not any(_template(t).search(d.reason) for t in mine):
                bad.append((label, d.name, d.score, d.reason, "not its band's wording"))
            elif any(_template(t).fullmatch(d.reason.rstrip(".")) for t in others if "{" in t and not t.startswith("{")):
                bad.append((label, d.name, d.score, d.reason, "another band's wording"))
    assert seen >= 6 * 380  # every answer of the four sets
    assert not bad, bad[:5]


def test_eval_coach_prints_the_ladder_measures(tmp_path, sample_services, monkeypatch):
    small = {"questions": yaml.safe_load((EVAL / "ladder.yaml").read_text(encoding="utf-8"))["questions"][:2]}
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small), encoding="utf-8")
    monkeypatch.setenv("PREP_BOT_DATA_DIR", str(sample_services.settings.data_dir))
    done = CliRunner().invoke(main, ["eval", "coach", "--set", str(path), "--json"])
    assert done.exit_code == 0, done.output
    r = json.loads(done.output)
    assert r["questions"] == 2 and r["adjacent_pairs"] == 6
    assert set(r["median"]) >= {"1", "2", "3", "4", "stuffed", "hiding", "honest"}
    assert all(-1 <= row["tau"] <= 1 for row in r["details"])
    table = CliRunner().invoke(main, ["eval", "coach", "--set", str(path)])
    assert "mean Kendall's tau" in table.output and "honest above hiding" in table.output
