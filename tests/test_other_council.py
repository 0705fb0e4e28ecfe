"""Another council's report, as the hidden checks use them: the cases an unread report showed.
A denial that names the gap ("transitions aren't late here") hides it; the council's own figure
of a measure decides, not another's that happens to be near; a figure whose words name nothing
is called wrong by nothing; the evidence sentence an answer echoes is read first for its other figures;
a weakness in a passage of strengths is held against a denial too; a rate for one age group is
not called wrong by another's; last year's value said as this year's is wrong, said as last year's
is not; a value the evidence states for the same people is never wrong; the assessment's own
score is no figure; an overspend owned with its figures is owned, and one denied is hidden and
never praised as an outcome; figures, a gap and a plan answer a question about using data. The
report is invented for prep-bot."""

from __future__ import annotations

import pytest
import yaml

from prep_bot.infra.config import REPO_ROOT

REPORT = """Larkfield Borough Council: local authority assessment of adult social care

Date of publication: 20 May 2025

Overall score: 21 out of 36 (58%)

Providing support

Care provision, integration and continuity

Long-term admissions to residential and nursing care for people aged 65 and over were 742.6 per 100,000 in 2023/24, against an England average of 566.0. The rate was 801.3 per 100,000 in 2022/23. For adults aged 18 to 64, admissions were 17.9 per 100,000.

In March 2025, 96 adults with a learning disability, 19% of those in residential placements, were living outside the borough, against a regional average of 11%.

Working with people

Assessing needs

1,240 people were waiting for an assessment in March 2025, and the median wait fell from 26 weeks to 20 weeks over the year.

Safeguarding

The backlog of Deprivation of Liberty Safeguards applications is a risk. 1,460 applications were awaiting a decision in March 2025, and the median wait was 190 days.

Partnerships and communities

A Somali carers' group now runs monthly drop-ins with a social worker present, and 47 carers were assessed through it in its first year. The council commissioned its carers' hub to carry out 600 carers' assessments a year.

Governance, management and sustainability

The local authority overspent its adult social care budget by £4.2m in 2024/25, and £1.1m of planned savings were not delivered.

Workforce

The social work vacancy rate was 14.8% as at March 2025, down from 19.6% as at March 2024.

Partners praised strong, effective and positive joint working with the hospital trust, which was well established and valued by staff. However, people from the borough's Somali community told us interpreters were rarely booked for their assessments.

Ensuring safety

Safe systems, pathways and transitions

Of the young people who turned 18 in 2023/24, 38% had their adult assessment completed before their eighteenth birthday.

Areas for improvement

Transitions from children's services were often late, and families said planning started too close to the young person's eighteenth birthday.
"""
MANIFEST = """documents:
  - file: larkfield-assessment.txt
    title: Larkfield local authority assessment
    date: "2025-05"
    doc_type: cqc-assessment
"""


@pytest.fixture(scope="module")
def larkfield(tmp_path_factory, embedder):
    from conftest import council_library

    services = council_library(tmp_path_factory, embedder, "larkfield", {"larkfield-assessment.txt": REPORT, "manifest.yaml": MANIFEST})
    yield services
    services.close()


def _statuses(feedback) -> dict[str, str]:
    return {c.text: c.status for c in feedback.claims}


def _told_hiding(services, qs: str, question: str, answer: str, evidence: str) -> None:
    """The answer is read first as claiming the opposite of the evidence, and the reply quotes it."""
    feedback = services.coach.coach(qs, question, answer)
    assert [f.kind for f in feedback.findings][:1] == ["claims"]
    assert evidence in feedback.reply.honesty_note


def test_denying_the_gap_in_its_own_words_is_hiding_it(larkfield):
    answer = ("We start at fourteen now, and one young man had his support agreed months before his birthday. "
              "Transitions aren't late here, we don't have families left waiting into the summer.")
    _told_hiding(larkfield, "safe-pathways", "How do young people move into adult services?", answer,
                 "Transitions from children's services were often late")


def test_the_councils_own_figure_decides_not_a_comparators_that_is_near(larkfield):
    answer = ("In March 2025 it was 96 people, which is about 12% of adults with a learning disability in residential "
              "placements. The regional average is 11%.")
    feedback = larkfield.coach.coach("care-provision", "How many people with a learning disability live out of area?", answer)
    statuses = _statuses(feedback)
    assert statuses["12%"] == "contradicted" and statuses["11%"] == "supported"
    wrong = next(c for c in feedback.claims if c.text == "12%")
    assert wrong.evidence.point.raw == "19%"


def test_a_figure_whose_words_name_nothing_is_not_called_wrong(larkfield):
    answer = "It's coming down, I think it was 52 at one point and it's lower now."
    feedback = larkfield.coach.coach("care-provision", "Why are care home admissions high?", answer)
    assert _statuses(feedback).get("52", "unverified") == "unverified"


def test_a_denial_is_never_praised_as_naming_a_gap(larkfield):
    answer = "One young man had his plan agreed at sixteen. There's no problem with families not hearing from us before the birthday."
    feedback = larkfield.coach.coach("safe-pathways", "How do young people move into adult services?", answer)
    learning = next(d for d in feedback.dimensions if d.name == "learning")
    assert not learning.reason.startswith("Names a gap") and learning.score < larkfield.coach.rubric.band_min("fair")


def test_the_evidence_sentence_an_answer_echoes_is_read_first_for_its_other_figures(larkfield):
    """"About 140 days" is 20 weeks, the wait for a Care Act assessment; but the sentence is about
    the DoLS applications, whose wait the evidence puts at 190 days."""
    answer = "It's too long, honestly. There were 1,460 applications waiting in March and the median wait was about 140 days."
    feedback = larkfield.coach.coach("safeguarding", "How long do people wait for a DoLS authorisation?", answer)
    statuses = _statuses(feedback)
    assert statuses["1,460"] == "supported" and statuses["140 days"] == "contradicted"
    assert next(c for c in feedback.claims if c.text == "140 days").evidence.point.raw == "190 days"


def test_a_weakness_among_strengths_is_held_against_a_denial(larkfield):
    passages = [p for p in larkfield.store.passages() if "interpreters were rarely booked" in p.text]
    assert passages and all(p.polarity != "improvement" for p in passages)  # the case: not tagged a weakness
    answer = ("Our joint working with the trust is strong. Interpreters are always booked for every assessment, "
              "so language is never a barrier for the Somali community here.")
    _told_hiding(larkfield, "equity-in-experience", "How do you make sure everyone can get support?", answer,
                 "interpreters were rarely booked")


def test_a_rate_for_one_age_group_is_not_called_wrong_by_another_groups(larkfield):
    answer = ("Home care is better: 143 people were waiting for a package in March 2025. Long-term admissions of people "
              "aged 65 and over were 742.6 per 100,000 in 2023/24, down from 801.3.")
    feedback = larkfield.coach.coach("care-provision", "How do you help people stay at home?", answer)
    statuses = _statuses(feedback)
    assert statuses["742.6 per 100,000"] == "supported" and statuses["801.3"] != "contradicted", feedback.claims


def test_last_years_value_said_as_this_years_is_wrong_and_said_as_last_years_is_not(larkfield):
    wrong = larkfield.coach.claims.check("Our social work vacancy rate was 19.6% as at March 2025.")
    assert [(c.text, c.status, c.evidence.point.raw) for c in wrong] == [("19.6%", "contradicted", "14.8%")]
    right = larkfield.coach.claims.check("The social work vacancy rate was 14.8% as at March 2025, down from 19.6%.")
    assert [(c.text, c.status) for c in right][0] == ("14.8%", "supported")
    assert [c.status for c in right if c.text == "19.6%"] != ["contradicted"]


def test_a_value_the_evidence_states_for_the_same_people_is_not_wrong(larkfield):
    (said,) = larkfield.coach.claims.check("The Somali drop-in led to 47 carers' assessments in its first year.")
    assert said.status != "contradicted", said


def test_the_assessments_own_score_is_not_a_figure_to_quote(larkfield):
    from prep_bot.evidence.figure_features import assessment_score
    from prep_bot.evidence.figures import extract_figures

    header = extract_figures("Overall score: 21 out of 36 (58%)")
    assert header and all(assessment_score(p) for p in header)
    (statement,) = extract_figures("Assessing needs - Score: 2 - Evidence shows some shortfalls")
    assert assessment_score(statement)
    (life,) = extract_figures("The social care-related quality of life score was 19.0, against 19.1 in England.")[:1]
    assert not assessment_score(life)
    figures = [p.raw for p in larkfield.coach.claims.reader.figures(larkfield.store.passages()[0].text) if p.performance]
    assert "58%" not in figures


OVERSPEND_ASKED = "How confident are you that adult social care is financially sustainable?"
_ADMISSIONS = ("Admissions to care homes for people aged 65 and over came down to 742.6 per 100,000 in 2023/24 from 801.3, "
               "because people were helped to stay at home. ")


def test_an_overspend_owned_with_its_figures_is_owned_and_one_denied_is_hidden_and_not_praised(larkfield):
    hiding = larkfield.coach.coach("governance", OVERSPEND_ASKED, _ADMISSIONS + (
        "Our finances are balanced and stable: adult social care lives within its budget and we are not carrying an overspend."))
    owning = larkfield.coach.coach("governance", OVERSPEND_ASKED, _ADMISSIONS + (
        "But we did overspend, by £4.2m in 2024/25, and we missed £1.1m of the savings. Cabinet now sees the recovery plan every quarter."))
    denial = next(i for i, f in enumerate(hiding.findings) if f.kind == "claims")
    assert "overspent its adult social care budget" in hiding.findings[denial].evidence
    outcome = next(d for d in hiding.dimensions if d.name == "outcome")
    assert "not carrying an overspend" not in outcome.reason  # saying all is well is no outcome
    assert [f.kind for f in owning.findings] and {f.kind for f in owning.findings} == {"owns"}
    learning = next(d for d in owning.dimensions if d.name == "learning")
    assert not learning.reason.startswith("Says nothing") and learning.score >= larkfield.coach.rubric.band_min("fair")
    assert owning.score > hiding.score


def test_an_answer_of_figures_a_gap_and_a_plan_answers_a_question_about_using_data(larkfield):
    """Figures, a gap and what is being done are what a question about performance information
    asks for, however few of its words they share (Hallowmere's team manager, read as off it)."""
    ladder = yaml.safe_load((REPO_ROOT / "eval" / "councils" / "hallowmere" / "ladder.yaml").read_text(encoding="utf-8"))
    case = next(q for q in ladder["questions"] if q["id"] == "c09")
    feedback = larkfield.coach.coach(case["qs"], case["question"], case["honest"])
    assert not feedback.off_question
    focus = next(d for d in feedback.dimensions if d.name == "focus")
    assert "drifts" not in focus.reason.lower()


def test_a_year_said_before_the_figure_is_its_own_whatever_comparison_follows(larkfield):
    """'In 2022/23, ... were 742.6, against an England average of 566.0': the comparison after the
    figure lends it no period, so 742.6 is checked as 2022/23's (801.3) and called wrong."""
    tail = "long-term admissions of people aged 65 and over were 742.6 per 100,000, against an England average of 566.0."
    wrong = _statuses(larkfield.coach.coach("care-provision", "How do you help people stay at home?", "In 2022/23, " + tail))
    right = _statuses(larkfield.coach.coach("care-provision", "How do you help people stay at home?", "In 2023/24, " + tail))
    assert wrong["742.6 per 100,000"] == "contradicted" and right["742.6 per 100,000"] == "supported", (wrong, right)


def test_englands_value_said_as_ours_is_wrong(larkfield):
    """The evidence gives 566.0 as England's rate; said as the council's own, the council's own
    figure of the measure (742.6) decides, however close the value is to one the evidence states."""
    answer = ("Long-term admissions of people aged 65 and over were 566.0 per 100,000 in 2023/24, "
              "which is in line with the national picture.")
    claims = larkfield.coach.claims.check(answer)
    assert [(c.text, c.subject, c.status, c.evidence.point.raw) for c in claims][:1] == [
        ("566.0 per 100,000", "ours", "contradicted", "742.6 per 100,000")], claims


def test_owning_one_gap_does_not_cover_claiming_all_is_well_on_another(larkfield):
    """Honest beats hiding where the evidence is silent too: an answer that owns one gap but says
    all is well, for everyone and everywhere, on something else scores below the same answer
    without that claim, and its learning reason names both (never "owns the gap" alone)."""
    owned = ("Transitions are too late for many families: only 38% of young people had their adult assessment "
             "before they turned 18, so from April we start planning at 16 and we'll check the rate each quarter.")
    claim = " Day services work well for everyone, nobody misses out, wherever they live."
    question = "What is not yet good enough, and what are you doing about it?"
    plain = larkfield.coach.coach("safe-pathways", question, owned)
    reassured = larkfield.coach.coach("safe-pathways", question, owned + claim)
    learning = {d.name: d for d in reassured.dimensions}["learning"]
    assert learning.score < {d.name: d for d in plain.dimensions}["learning"].score
    assert "claims all is well elsewhere" in learning.reason and "nobody misses out" in learning.reason
