"""The coach's reply agrees with itself, on every answer in both labelled sets: a strength only
where the answer scored in the rubric's good band, one thing to change that is not the strength
(correcting a wrong figure first, then owning a hidden gap, else the weakest dimension), no
"missed" point the answer's own scores show it covered, and a figure note exactly when a figure
is wrong. A wrong figure among right ones costs that figure, not the whole Data dimension, and
keeps the answer below the good band until it is corrected."""

import json
import re

import numpy as np
import pytest

from prep_bot.infra.config import REPO_ROOT
from prep_bot.evals.evaluation import load_answer_set
from prep_bot.coaching.feedback import no_strength_text
from prep_bot.framework.questions import Question
from prep_bot.practice.questions import CHALLENGE_LOOKS_FOR

SETS = ["answers.yaml", "answers_holdout.yaml"]
# How a reason that finds fault begins; a strength's reason never does.
FAULT = re.compile(r"^(Does not|No |Not |Only|Says nothing|Counts activity|Touches on|Some practice|Your figure|\d+ of your figures differ|Too |A little|Drifts|Venting|Generic|Claims|Names a gap|Talks about plans|Figures without|Quotes a figure \()")


@pytest.fixture(scope="module")
def coach(sample_services):
    return sample_services.coach


@pytest.fixture(scope="module")
def GOOD(coach):
    return coach.rubric.good


def _with_points(coach, item) -> Question:
    """The eval question with the "looks for" points of the bank's closest question on the same
    statement, plus the challenge questions' points: the app always asks questions that have them."""
    bank = coach.bank.select(qs=item["qs"])
    vectors = coach.embedder.encode_cached([item["question"], *(q.text for q in bank)])
    nearest = bank[int(np.argmax(vectors[1:] @ vectors[0]))]
    return Question("eval", item["qs"], "any", item["question"], looks_for=[*nearest.looks_for, *CHALLENGE_LOOKS_FOR])


@pytest.fixture(scope="module")
def coached(coach):
    """Every answer in both sets, coached once: (label, feedback)."""
    out = []
    for name in SETS:
        data = load_answer_set(REPO_ROOT / "eval" / name)
        for pair in data["pairs"]:
            question = _with_points(coach, pair)
            for kind in ("strong", "weak"):
                out.append((f"{name}:{pair['id']}:{kind}", coach.coach(pair["qs"], question, pair[kind])))
        for item in data["planted"]:
            out.append((f"{name}:{item['id']}:planted", coach.coach(item["qs"], _with_points(coach, item), item["answer"])))
    assert len(out) >= 2 * (36 + 18) + 19 + 12
    return out


def _about(coach, item: str) -> list[list[str]]:
    """What a missed item is about, read from the rubric (not from the coach's own record)."""
    if item.startswith("Not covered: "):
        return coach.rubric.point_about(item.removeprefix("Not covered: "))
    if item.startswith("A figure you could use"):
        return [["data"]]
    return []


def test_a_strength_is_only_named_when_it_scored_well(coached, coach, GOOD):
    bad = []
    for label, fb in coached:
        r = fb.reply
        # Never a dimension whose reason rests on a wrong figure (and never Data while one stands).
        eligible = [d for d in fb.dimensions if d.name != "focus" and not (set(d.quoted) & set(fb.wrong_sentences))
                    and not (d.name == "data" and r.figure_note)]
        if r.strength is None:
            if r.no_strength != no_strength_text(coach.rubric) or any(d.score >= GOOD for d in eligible):
                bad.append((label, "no strength", [(d.name, d.score) for d in fb.dimensions]))
            continue
        best = max(d.score for d in eligible)
        if r.strength.score < GOOD or r.strength.score != best or r.no_strength or r.strength.name == "focus":
            bad.append((label, r.strength))
        elif FAULT.match(r.strength.reason):
            bad.append((label, "faulting reason", r.strength.reason))
    assert not bad, bad
    # Both cases occur in the sets, so the checks above are exercised.
    assert any(fb.reply.strength for _, fb in coached) and any(not fb.reply.strength for _, fb in coached)


def test_the_change_is_the_weakest_dimension_and_never_the_strength(coached, coach):
    weights = {d.name: d.weight for d in coach.rubric.dimensions}
    bad = []
    for label, fb in coached:
        r = fb.reply
        if r.figure_note:  # a wrong figure stands: correcting it is the one change
            if r.change.name != "data" or "Correct the figure" not in r.change.advice:
                bad.append((label, "wrong figure not the change", r.change))
            continue
        if r.honesty_note and not (r.strength and r.strength.name == "learning"):
            if r.change.name != "learning":
                bad.append((label, "hidden gap not the change", r.change))
            continue
        others = [d for d in fb.dimensions if not r.strength or d.name != r.strength.name]
        lowest = min(d.score for d in others)
        heaviest = max(weights[d.name] for d in others if d.score == lowest)
        if (r.strength and r.change.name == r.strength.name) or r.change.score != lowest \
                or weights[r.change.name] != heaviest or not r.change.advice:
            bad.append((label, r.change.name, r.change.score, [(d.name, d.score) for d in fb.dimensions]))
        if fb.weakest != r.change.name or r.follow_up != fb.follow_up:
            bad.append((label, "follow-up aims elsewhere", fb.weakest, r.change.name))
    assert not bad, bad


def test_not_covered_never_lists_what_the_scores_show_was_covered(coached, coach, GOOD):
    scores_of = {label: {d.name: d.score for d in fb.dimensions} for label, fb in coached}
    bad, listed, dropped = [], 0, 0
    for label, fb in coached:
        scores = scores_of[label]
        assert fb.reply.not_covered == fb.missed  # the panel and the stored attempt say the same
        for item in fb.reply.not_covered:
            about = _about(coach, item)
            listed += item.startswith("Not covered: ")
            if about and all(any(scores[n] >= GOOD for n in need) for need in about):
                bad.append((label, item, scores))
        for item in fb.extra["covered_by_scores"]:
            dropped += 1
            about = _about(coach, item)
            assert about and all(any(scores[n] >= GOOD for n in need) for need in about), (label, item)
    assert not bad, bad
    assert listed and dropped  # points are listed, and some are dropped because the scores cover them


def test_a_figure_note_appears_exactly_when_a_figure_is_contradicted(coached):
    bad = []
    for label, fb in coached:
        wrong = [c for c in fb.claims if c.status == "contradicted"]
        note = fb.reply.figure_note
        if bool(note) != bool(wrong) or any(f"you said {c.text}, the evidence says {c.evidence.point.raw}" not in note for c in wrong):
            bad.append((label, note, [c.text for c in wrong]))
    assert not bad, bad
    assert any(fb.reply.figure_note for _, fb in coached)


def test_the_reply_is_stored_with_the_feedback(coached):
    label, fb = coached[0]
    d = json.loads(json.dumps(fb.to_dict()))
    reply = d["reply"]
    assert set(reply) == {"score", "strength", "no_strength", "change", "follow_up", "not_covered", "figure_note",
                          "honesty_note", "turns", "added", "tone"}
    assert reply["turns"] == d["turns"] == 1 and reply["added"] is None
    assert reply["score"] == fb.score and reply["change"]["name"] == fb.weakest
    assert set(reply["change"]) == {"name", "label", "score", "reason", "advice"}


def test_the_challenge_point_maps_to_outcome_and_data_or_example(coach):
    about = coach.rubric.point_about("evidence of the difference for people (data or an example)")
    assert sorted(about) == [["data", "example"], ["outcome"]]
    assert coach.rubric.point_about("timely referral to independent advocacy") == []
    assert sorted(coach.rubric.point_about("a specific person and the outcome for them")) == [["example"], ["outcome"]]


# -- a wrong figure among right ones ---------------------------------------------------------------
QUESTION = "How do you know carers get the support they need?"
# Four council figures and three England comparators from the CQC care provision assessment
# (June 2024 carers survey; Skills for Care, October 2024); the last sentence's 35.19% is wrong:
# the assessment says 25.19%.
FIGURES = (
    "More carers here are satisfied with their support than nationally: 47.83% compared with 36.83% across England "
    "in the June 2024 carers survey. Breaks are weaker: 10.77% of carers can get a break at short notice in an "
    "emergency, and 19.08% can get a break from caring for up to 24 hours, below the England average of 21.73%. "
    "The job vacancy rate in adult social care is 8.32%. "
    "Only {}% of carers said they were accessing a support group or someone to talk to in confidence."
)


def _data(fb):
    return next(d for d in fb.dimensions if d.name == "data")


def test_one_wrong_figure_among_right_ones_costs_that_figure(coach, GOOD):
    wrong = coach.coach("care-provision", QUESTION, FIGURES.format("35.19"))
    right = coach.coach("care-provision", QUESTION, FIGURES.format("25.19"))
    assert [c.text for c in wrong.claims if c.status == "contradicted"] == ["35.19%"]
    assert sum(c.status == "supported" for c in wrong.claims) >= 4
    data = _data(wrong)
    # The right figures still count (not the whole dimension lost), but not as a strength.
    assert coach.rubric.band_min("fair") <= data.score < GOOD, data
    assert "one does not: you said 35.19%, the evidence says 25.19% (" in data.reason, data.reason
    assert "match the evidence, with an England comparison" in data.reason, data.reason
    assert wrong.reply.figure_note == "Check your figure: you said 35.19%, the evidence says 25.19%."
    # While it stands: below the good band, the change is to correct it, and the strength is not Data.
    assert wrong.score < GOOD and wrong.reply.change.name == "data"
    assert "35.19%" in wrong.reply.change.advice and "25.19%" in wrong.reply.change.advice
    assert not wrong.reply.strength or (wrong.reply.strength.name != "data" and "35.19" not in wrong.reply.strength.reason)
    # The same answer with the figure put right scores higher, on data and overall.
    assert not right.reply.figure_note
    assert _data(right).score > data.score and right.score > wrong.score


def test_a_wrong_figure_alone_still_scores_low(coach):
    fb = coach.coach("care-provision", QUESTION, FIGURES.rsplit(". ", 1)[1].format("35.19"))
    data = _data(fb)
    assert data.score <= 10 and "you said 35.19%, the evidence says 25.19%" in data.reason, data


def test_a_vague_answer_has_no_strength(coach):
    fb = coach.coach("assessing-needs", "How long do people wait for an assessment?",
                     "We are very busy and we work hard. Everyone does their best for people.")
    assert fb.score <= 15
    assert fb.reply.strength is None and fb.reply.no_strength == no_strength_text(coach.rubric)
    assert fb.reply.change.reason and fb.reply.change.advice


def test_the_data_reason_names_a_comparison_only_when_the_quoted_sentence_makes_one(coached, coach):
    from prep_bot.evidence.figures import extract_figures
    from prep_bot.coaching.rubric import find_cues

    cues = coach.rubric.cues.get("comparator", [])
    checked = 0
    for _, fb in coached:
        data = next(d for d in fb.dimensions if d.name == "data")
        if "with a comparison" not in data.reason:
            continue
        checked += 1
        [quoted] = data.quoted
        compared = any(p.comparator or p.is_comparator for p in extract_figures(quoted)) or find_cues(cues, quoted)
        assert compared, data.reason
    assert checked
    plain = coach.coach("assessing-needs", "How quickly are people assessed?",
                        "A man who was waiting after a fall was assessed in days, and 90.6% of assessments are completed "
                        "within 28 days.")
    reason = next(d for d in plain.dimensions if d.name == "data").reason
    assert "with a comparison" not in reason, reason
