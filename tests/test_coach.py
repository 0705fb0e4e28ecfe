"""The coach against the labelled answer sets: strong answers beat weak ones by a clear
margin, and every planted false figure is flagged; figures the evidence states are not."""

import numpy as np
import pytest
import yaml

from prep_bot.coaching.relevance import ANSWER_SETS, Relevance
from prep_bot.evals.evaluation import evaluate_coach, load_answer_set
from prep_bot.infra.config import REPO_ROOT

DIMENSIONS = {"outcome", "data", "example", "practice", "learning", "focus"}


@pytest.fixture(scope="module")
def coach(sample_services):
    return sample_services.coach


@pytest.mark.parametrize("name", ["answers.yaml", "answers_holdout.yaml"])
def test_labelled_sets(coach, name):
    data = load_answer_set(REPO_ROOT / "eval" / name)
    assert len(data["pairs"]) >= 18 and len(data["planted"]) >= 12
    r = evaluate_coach(coach, data)
    # Targets: strong beats weak every time, by at least 30 points on average; every planted
    # figure contradicted on the development set. (Before the learned judgement: 100%/32.9/100%
    # and 100%/29.5/92%; see README "How answers are coached" for the current figures.)
    assert r["strong_wins"] == 1.0, [p for p in r["details"]["pairs"] if p["margin"] <= 0]
    assert r["mean_margin"] >= 30
    assert r["strong_false_alarms"] == 0  # correct figures are never called contradicted
    assert r["correct_called_wrong"] == 0, [c for c in r["details"]["correct"] if c["called_wrong"]]
    if name == "answers.yaml":
        assert r["correct"] >= 4  # rounded and reworded figures, each one right
    floor = 1.0 if name == "answers.yaml" else 0.9
    assert r["planted_flagged"] >= floor, [p for p in r["details"]["planted"] if p["status"] != "contradicted"]


def test_activity_counts_score_clearly_below_outcomes(coach):
    q = "How do you know your safeguarding work makes people safer?"
    counts = coach.coach("safeguarding", q, "We received 1,690 concerns last year and held 420 meetings. We also ran 12 audits and 30 training sessions for staff.")
    outcome = coach.coach(
        "safeguarding", q,
        "We ask people what outcome they want at the start and check at the end. In 2022/23, 97% of enquiries "
        "said action was taken and risk was reduced or removed. One woman told us she felt safe in her own home "
        "again after we worked with her bank to stop the financial abuse. We still need to record desired "
        "outcomes more consistently, so we are adding it to our audits this year.",
    )
    assert outcome.score - counts.score >= 20
    by_name = {d.name: d for d in counts.dimensions}
    assert by_name["outcome"].score < 30 and "activity" in by_name["outcome"].reason.lower()


def test_venting_lowers_focus(coach):
    q = "What are the pressures in your team?"
    calm = coach.coach("governance", q, "Demand for assessments rose this year, so we triaged by risk and called everyone waiting each week. We still have a waiting list we are not happy with, and we are recruiting two social workers.")
    vent = coach.coach("governance", q, "It has been a really hard year. Everyone is exhausted and morale is low. We keep being asked to do more with less and it's frustrating that nobody listens.")
    calm_focus = next(d for d in calm.dimensions if d.name == "focus")
    vent_focus = next(d for d in vent.dimensions if d.name == "focus")
    assert vent_focus.score <= calm_focus.score - 40
    assert "venting" in vent_focus.reason.lower()


def test_deflection_in_a_measured_voice_scores_as_venting_below_activity(coach):
    """Turning the question away calmly (another agency's job, the data's fault, every council's
    problem) shows nothing of what is done: it scores below a plain list of what the team does."""
    q = "How do you make sure a safeguarding enquiry is led by what the person wants?"
    deflecting = coach.coach(
        "safeguarding", q,
        "Assurance on that properly sits with the Safeguarding Adults Board, which has an independent chair. "
        "Most of what providers send us is really a quality matter for their own managers, and the police "
        "rarely attend when we ask, so a lot of it is out of our hands. Every council is in the same position, frankly.",
    )
    activity = coach.coach(
        "safeguarding", q,
        "Every concern comes through the front door and is screened by a senior practitioner. We hold a "
        "strategy meeting where one is needed, record the person's wishes on the enquiry form, and managers "
        "audit twenty files a quarter.",
    )
    assert deflecting.score < activity.score and deflecting.score <= 20, (deflecting.score, activity.score)
    assert "venting" in next(d for d in deflecting.dimensions if d.name == "focus").reason.lower()


def test_a_trace_of_complaint_in_an_outcome_is_not_venting():
    """A sentence read mostly as what changed for people, with a little complaint in its tone,
    counts as that outcome: only venting that outweighs what a sentence shows is venting."""
    from prep_bot.coaching.labelled import LABELS
    from prep_bot.coaching.reading import VENTING_SHARE, AnswerReading

    def reading(rows):
        probs = np.zeros((len(rows), len(LABELS)), dtype=np.float32)
        for n, row in enumerate(rows):
            for label, value in row.items():
                probs[n, LABELS.index(label)] = value
        sentences = ["one two three four five six seven eight"] * len(rows)
        return AnswerReading(question="q", qs="safeguarding", text=" ".join(sentences), sentences=sentences,
                             turn=[0] * len(rows), vectors=np.zeros((len(rows), 384)), probs=probs,
                             figures=[[] for _ in rows], activity=[[] for _ in rows])

    outcome = reading([{"outcome": 0.8, "venting": 0.2}, {"outcome": 0.7, "venting": 0.2}])
    assert outcome.share("venting") >= VENTING_SHARE  # read word by word, it would be capped as venting
    assert outcome.venting_share() == 0.0 and outcome.venting().max() == 0.0
    vents = reading([{"outcome": 0.2, "venting": 0.6}, {"activity": 0.5, "venting": 0.3}])
    assert vents.venting_share() == pytest.approx(0.3) and list(vents.venting()) == pytest.approx([0.6, 0.0])


def test_feedback_shape(coach):
    fb = coach.coach("care-provision", "How satisfied are carers with the support they get?",
                     "In the 2024 carers survey 57.83% said they were satisfied, compared with 36.83% across England.")
    d = fb.to_dict()
    assert set(d) == {"score", "turns", "dimensions", "evidence", "data", "claims", "honesty", "missed", "follow_up",
                      "added", "reply"}
    assert d["turns"] == 1 and d["added"] == []
    assert set(d["dimensions"]) == DIMENSIONS
    assert all(0 <= v["score"] <= 100 and v["reason"] for v in d["dimensions"].values())
    assert 0 <= d["score"] <= 100 and d["follow_up"].endswith("?")
    statuses = {c["text"]: c["status"] for c in d["claims"]}
    assert statuses["57.83%"] == "contradicted" and statuses["36.83%"] == "supported"
    wrong = next(c for c in d["claims"] if c["text"] == "57.83%")
    assert wrong["evidence"]["figure"] == "47.83%" and wrong["evidence"]["title"]
    assert d["evidence"] and all("care-provision" in e["quality_statements"] for e in d["evidence"])
    assert d["data"] and all({"text", "value", "unit", "measure", "comparator", "period", "doc_id", "title"} <= set(x) for x in d["data"])
    # Years are not claims ("the 2024 carers survey").
    assert "2024 carers" not in statuses


def test_follow_up_targets_the_weakest_dimension(coach):
    fb = coach.coach("assessing-needs", "How long do people wait for an assessment?",
                     "We are very busy and we work hard. Everyone does their best.")
    weakest = min(fb.dimensions, key=lambda d: d.score)
    assert fb.weakest == weakest.name
    assert fb.follow_up  # a probe from the question, or the rubric's probe for that dimension


@pytest.mark.parametrize("answer", ["", "   "])
def test_empty_answers_are_refused(coach, answer):
    with pytest.raises(ValueError, match="Write an answer"):
        coach.coach("safeguarding", "Any question?", answer)


def test_long_answers_are_refused_with_the_limit(coach):
    with pytest.raises(ValueError, match="characters"):
        coach.coach("safeguarding", "Any question?", "word " * 3000)


def test_unknown_statement(coach):
    with pytest.raises(KeyError):
        coach.coach("carers", "Any question?", "An answer.")


def test_a_story_about_people_is_not_off_the_question_for_its_wording(coach):
    # An answer about people's care seldom shares the question's words: this one uses data
    # without saying "data" (the overdue list), and the similarity of its wording to the
    # question is below the bar that marks an answer off the question.
    q = "How do you use performance information to run your team?"
    story = coach.coach(
        "governance", q,
        "When the overdue list for people in supported living kept growing I gave two workers a fortnight on "
        "it, and we found a man whose needs had changed a lot; he now has the support at home he had asked for.",
    )
    assert story.score > 18  # the cap for an answer off the question
    assert any(d.name == "outcome" and d.score >= 50 for d in story.dimensions)


def test_an_answer_about_something_else_entirely_stays_off_the_question(coach):
    q = "How do you use performance information to run your team?"
    off = coach.coach("governance", q, "The car park is being resurfaced and the canteen has a new lunch menu on Fridays.")
    assert off.score <= 18



def test_genuine_answers_to_bank_questions_are_never_off_the_question(coach):
    # Story-led answers never use their question's words, short ones say little: the hardest to
    # tell from an answer to something else. None of them, by either writer, drifts from its question.
    bank = {q.id: q for q in coach.bank.select()}
    answers = [a for path in ANSWER_SETS for a in yaml.safe_load(path.read_text())["answers"] if a["kind"] in ("story", "short")]
    assert len(ANSWER_SETS) == 2 and len(answers) >= 60
    drifted = []
    for a in answers:
        q = bank[a["question_id"]]
        focus = next(d for d in coach.coach(q.qs, q.text, a["text"]).dimensions if d.name == "focus")
        if "drifts from the question" in focus.reason.lower():
            drifted.append(a["question_id"])
    assert not drifted


def test_an_answer_to_another_bank_question_is_off_the_one_asked(coach):
    # Out-of-area placements, said to a question about crises out of hours: near enough in
    # meaning to the statement, but to none of what the question asks, its probes or its points.
    bank = {q.text: q for q in coach.bank.select()}
    answer = ("We have about 180 people living in placements outside the borough, most of them younger adults with a "
              "learning disability who moved years ago because nothing local could meet their needs. With a housing "
              "provider we opened ten flats last spring and six people have moved back nearer their families. We still "
              "have no local option for people with the most complex needs.")
    asked = next(q for text, q in bank.items() if text.startswith("What happens if someone you support has a crisis out of hours"))
    off = coach.coach(asked.qs, asked.text, answer)
    assert off.score <= 18
    assert "drifts from the question" in next(d for d in off.dimensions if d.name == "focus").reason.lower()
    # The reply leads with answering the question: no strength praised for another one, and the
    # question asked again rather than a probe on what the answer was about.
    assert off.reply.strength is None and "another one" in off.reply.no_strength
    assert off.reply.change.name == "focus" and off.reply.change.advice.startswith("Answer the question you were asked")
    assert off.follow_up == asked.text
    own = next(q for text, q in bank.items() if text.startswith("How many people are placed outside your area"))
    on = coach.coach(own.qs, own.text, answer)
    assert on.score > 30 and "drifts" not in next(d for d in on.dimensions if d.name == "focus").reason


def test_the_shipped_relevance_model_matches_the_bank_and_the_answers(coach):
    # After editing the bank or the answer sets: python -m prep_bot.coaching.relevance
    assert Relevance(None, coach.bank).weights() is not None


def test_relevance_held_out_flags_no_genuine_answer_and_catches_moved_ones(coach):
    from prep_bot.coaching.relevance import held_out

    relevance = Relevance(coach.embedder, coach.bank)
    result = held_out(relevance, relevance.training_rows())
    assert result["genuine"] == 218 and result["genuine_flagged"] == 0
    assert result["moved_caught"] >= 0.35  # 0.414 when shipped


def test_practice_said_in_an_opening_clause_counts_as_practice(coach):
    # "Since we brought in ..., people wait far less": the routine is said inside a sentence about
    # results. The opening clause is read on its own as what the team does.
    q = "How do you keep people safe while they wait for an assessment?"
    said = coach.coach("assessing-needs", q,
                       "Ever since we started ringing everyone on the waiting list each fortnight and rating their risk, "
                       "fewer people have needed an urgent visit, and last quarter nobody on the list came to harm.")
    practice = next(d for d in said.dimensions if d.name == "practice")
    assert practice.score >= 50, practice
    plain = coach.coach("assessing-needs", q, "Fewer people have needed an urgent visit, and last quarter nobody on the list came to harm.")
    assert next(d for d in plain.dimensions if d.name == "practice").score < practice.score


def test_areas_to_improve_are_the_same_read_a_few_sentences_at_a_time(sample_services, monkeypatch):
    # A large library's gaps are judged in chunks so its every sentence is never held at once.
    from prep_bot.coaching import honesty

    areas = sample_services.coach.areas
    monkeypatch.setattr(areas.judge, "cache", None)  # judged each time, not read back from disk
    areas._cache.clear()
    whole, whole_vectors = areas.gaps()
    monkeypatch.setattr(honesty, "_CHUNK", 3)
    areas._cache.clear()
    chunked, chunked_vectors = areas.gaps()
    areas._cache.clear()
    assert whole and [s for s, _ in chunked] == [s for s, _ in whole]
    assert chunked_vectors.shape == whole_vectors.shape and np.allclose(chunked_vectors, whole_vectors)


def test_areas_to_improve_are_read_once_and_kept_on_disk_for_the_next_process(sample_services, monkeypatch):
    areas = sample_services.coach.areas
    assert areas.judge.cache is not None
    areas._cache.clear()
    first, first_vectors = areas.gaps()
    areas._cache.clear()  # as a new process would start

    def judged_again(*args, **kwargs):
        raise AssertionError("the evidence's sentences were judged again")

    monkeypatch.setattr(areas.judge, "weakness", judged_again)
    again, again_vectors = areas.gaps()
    areas._cache.clear()
    assert [(s, p.id) for s, p in again] == [(s, p.id) for s, p in first] and first
    assert np.allclose(again_vectors, first_vectors)
