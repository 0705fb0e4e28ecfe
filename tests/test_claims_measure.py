"""The claim check by measure, on the sample library: each figure case of issue 21 ("Why"),
the newest figure of a measure once a 2026 document is added, comparators checked as
comparators, figures offered to quote, and document dates read from publication lines."""

from __future__ import annotations

import shutil

import pytest

from conftest import SAMPLE_LIBRARY
from prep_bot.coaching.claims import contradicted_figures, holds_wrong_figure
from prep_bot.evidence.provenance import document_date

PEER_2024 = "stockton-2024-lga-preparation-for-assurance-peer-challenge.txt"


def claim(services, answer: str, figure: str):
    found = [c for c in services.coach.claims.check(answer) if c.text == figure]
    assert found, [c.text for c in services.coach.claims.check(answer)]
    return found[0]


def test_waiting_for_home_care_is_not_admissions_to_care_homes(sample_services):
    said = claim(sample_services, "About 30 people are waiting for home care today.", "30 people")
    assert said.status != "contradicted" or "home" in said.evidence.point.measure
    assert not (said.evidence and "residential" in said.evidence.point.sentence and said.evidence.point.raw == "26 people")
    admitted = claim(sample_services, "In June 2024, 26 people were admitted to residential or nursing care.", "26 people")
    assert admitted.status == "supported"


def test_a_wait_is_not_supported_by_a_time_that_defines_another_measure(sample_services):
    said = claim(sample_services, "Some wait up to 6 weeks for home care after reablement.", "6 weeks")
    assert said.evidence is None or "package of care after" not in said.evidence.point.sentence
    assert said.measure and said.subject == "ours"


def test_four_and_six_weeks_for_adaptations_are_treated_alike(sample_services):
    four = claim(sample_services, "Adaptations like ramps take about four weeks from contact to installation.", "four weeks")
    six = claim(sample_services, "Adaptations like ramps take about six weeks from contact to installation.", "six weeks")
    assert four.status == six.status == "contradicted"
    assert four.evidence.point.raw == six.evidence.point.raw == "ten weeks"


def test_a_wrong_figure_is_shown_the_measure_that_matches_best_not_a_newer_other_one(sample_services):
    # The CQC's 25.19% (June 2024) measures carers accessing a support group; the peer
    # challenge's 100% (August 2024) measures carers receiving a direct payment. Newer, but
    # another measure: never the evidence shown, and never "the newest evidence says".
    said = claim(sample_services, "Only 35.19% of carers said they were accessing a support group or someone "
                 "to talk to in confidence.", "35.19%")
    assert said.status == "contradicted" and said.evidence.point.raw == "25.19%", said
    assert said.newest is None, said.newest


def test_a_comparison_is_checked_against_the_comparison_of_the_same_figure(sample_services):
    # The sentence's own words borrow "direct payment" from the one before; the England figure
    # compared with the same 25.19% is still the comparison to check it against.
    answer = ("Every carer receiving a service has a direct payment against an England average of 76.8%. "
              "But only 25.19% say they have a support group or someone to talk to, below England's {}.")
    right = claim(sample_services, answer.format("32.98%"), "32.98%")
    assert right.status == "supported" and right.evidence.point.raw == "32.98%", right
    wrong = claim(sample_services, answer.format("40.5%"), "40.5%")
    assert wrong.status == "contradicted" and wrong.evidence.point.raw == "32.98%", wrong


def test_dols_claim_and_its_comparator(sample_services):
    answer = "DoLS applications are completed in 45 days, against 156 nationally."
    ours, england = claim(sample_services, answer, "45 days"), claim(sample_services, answer, "156")
    assert ours.status == "contradicted" and ours.evidence.point.raw == "11 days"
    assert england.subject == "england" and england.status == "supported" and england.evidence.point.raw == "156 days"
    assert ours.comparator_checked == "supported"
    checked = sample_services.coach.claims.check(answer)
    assert ("DoLS applications are completed in 45 days, against 156 nationally.", "45 days") in contradicted_figures(checked)
    assert holds_wrong_figure(answer, checked) and not holds_wrong_figure("We ring people weekly.", checked)


def test_a_wrong_england_average_is_contradicted_as_a_comparator(sample_services):
    answer = ("94% of people are still at home 91 days after discharge from hospital into reablement, "
              "against an England average of 88.1%.")
    england = claim(sample_services, answer, "88.1%")
    assert england.subject == "england" and england.status == "contradicted" and england.evidence.point.raw == "82.4%"
    assert claim(sample_services, answer, "94%").status == "supported"


def test_claims_in_json_keep_their_keys_and_add_the_measure(sample_services):
    feedback = sample_services.coach.coach("assessing-needs", "How quickly are assessments done?",
                                           "Most are quick: 90.6% of assessments are completed within 28 days.")
    data = feedback.to_dict()
    assert set(data) >= {"score", "dimensions", "evidence", "data", "claims", "missed", "follow_up", "reply"}
    first = data["claims"][0]
    assert {"text", "sentence", "status", "evidence", "measure", "subject"} <= set(first)
    assert first["subject"] in ("ours", "england", "region", "comparator", "target") and "newest" not in first


def test_figures_offered_are_performance_figures(sample_services):
    feedback = sample_services.coach.coach(
        "supporting-healthier-lives", "How quickly can someone get equipment or a minor adaptation fitted?",
        "We fit grab rails and ramps quickly and people tell us it keeps them independent.")
    offered = {c.point.raw for c in feedback.data}
    assert offered and not offered & {"3 days", "three days", "216 years", "184 hours", "36", "113 out of 317"}
    assert all(c.point.performance and c.point.subject == "ours" for c in feedback.data)


@pytest.fixture(scope="module")
def with_2026(tmp_path_factory, embedder):
    """The 2024 peer challenge (with its manifest date) and a 2026 performance update that has
    no manifest entry: dated from its publication line."""
    from conftest import services_with

    root = tmp_path_factory.mktemp("newest")
    folder = root / "evidence"
    folder.mkdir()
    shutil.copy(SAMPLE_LIBRARY / PEER_2024, folder / PEER_2024)
    shutil.copy(SAMPLE_LIBRARY / "manifest.yaml", folder / "manifest.yaml")
    (folder / "performance-update-2026.txt").write_text(
        "Stockton-on-Tees Borough Council\nAdult social care performance update\nPublished 14 April 2026\n\n"
        "Assessing needs\n\nIn March 2026, 87% of assessments were completed within 28 days, and waits at the front "
        "door are being tracked weekly.\n",
        encoding="utf-8",
    )
    services = services_with(embedder, data_dir=root / "data")
    services.ingestor.ingest([folder])
    yield services
    services.close()


def test_a_newer_figure_of_the_same_measure_is_named(with_2026):
    dates = {d.doc_id: d.date for d in with_2026.store.documents()}
    assert dates["performance-update-2026"] == "2026-04-14"
    old = claim(with_2026, "90.6% of assessments are completed within 28 days.", "90.6%")
    assert old.status == "supported" and old.newest is not None
    assert old.newest["value"] == "87%" and old.newest["date"] == "2026-03"
    assert old.newest["doc_id"] == "performance-update-2026"
    assert old.note == "the newest evidence says 87% (March 2026)"
    assert old.to_dict()["newest"] == old.newest
    new = claim(with_2026, "87% of assessments are completed within 28 days.", "87%")
    assert new.status == "supported" and new.newest is None


CQC_PAGE = [
    "Harnby Metropolitan Borough Council: local authority assessment",
    "Downloads",
    "Assessing needs",
    "Score: 2",
    "Key findings for this quality statement",
    "At the time of our assessment, the needs assessment was out of date, as it covered the period up to March 2024.",
    "In June 2024, 88 people were waiting for an assessment.",
    "Date of assessment: 3 February 2025 to 6 February 2025",
    "Report published 12 June 2025",
]


@pytest.mark.parametrize("lines, expected", [
    (CQC_PAGE, "2025-06-12"),
    (CQC_PAGE[:-1], "2025-02-06"),  # no publication line: when it was assessed
    (CQC_PAGE[:-2], "2024-06"),  # neither: the latest period it reports, not "March 2024"
    (["Brackenfold Council adult social care", "Self-assessment", "Our waits in 2023/24 fell.",
      "Page last updated: 3 September 2025"], "2025-09-03"),
    (["Eastmere City Council", "Peer challenge feedback", "In May 2024 the team visited.", "Published 9 October 2024"],
     "2024-10-09"),
    (["Wrexley Council", "Performance in 2023/24 improved on 2022/23.", "Spending rose in 2021."], "2024-03"),
])
def test_document_dates_from_publication_lines_or_latest_period(lines, expected):
    assert document_date(lines) == expected


@pytest.mark.parametrize(
    "said, evidence, same",
    [
        ("About 400 people are waiting for an OT assessment.", "412 people were waiting for an OT assessment.", True),
        ("400 people are waiting for an OT assessment.", "412 people were waiting for an OT assessment.", False),
        ("Nearly 450 people are waiting for an OT assessment.", "412 people were waiting for an OT assessment.", False),
        ("Around 90% of people were still at home.", "88.1% of people were still at home.", True),
        ("About 86% of people were still at home.", "88.1% of people were still at home.", False),
        ("We have ~410 people waiting.", "412 people were waiting.", True),
    ],
)
def test_a_figure_said_as_an_approximation_holds_when_close(said, evidence, same):
    from prep_bot.coaching.claims import same_value
    from prep_bot.evidence.figures import extract_figures

    assert same_value(extract_figures(said)[0], extract_figures(evidence)[0]) is same


def test_an_approximate_figure_of_the_evidence_is_supported(sample_services):
    near = claim(sample_services, "About 91% of our assessments are completed within 28 days.", "91%")
    assert near.status == "supported", near.to_dict()
    far = claim(sample_services, "About 80% of our assessments are completed within 28 days.", "80%")
    assert far.status == "contradicted", far.to_dict()


def test_a_time_that_defines_the_measure_is_not_checked_as_a_claim(sample_services):
    # "a break from caring for up to 24 hours": the 24 hours says what is measured (19.08% can get one).
    said = claim(sample_services, "19.08% of carers can get a break from caring for up to 24 hours.", "24 hours")
    assert said.status != "contradicted", said.to_dict()


def test_a_figure_framed_as_what_needs_to_improve_is_still_found(sample_services):
    # A new user's "42 people waiting at the front door" read "not in the evidence": the framing
    # ("what still needs to improve is ...") pulled the search away from the passage that says it.
    said = claim(sample_services, "What still needs to improve is the 42 people waiting at the front door to transfer "
                 "to other teams, which we are working on with partners.", "42 people")
    assert said.status == "supported" and "front door" in said.evidence.point.sentence, said
    assert not said.measure.startswith("what")


def test_counts_and_sums_fifty_times_apart_are_not_compared():
    from prep_bot.coaching.claims import comparable
    from prep_bot.evidence.figures import extract_figures

    def figure(text: str, raw: str):
        [point] = [p for p in extract_figures(text) if p.raw == raw]
        return point

    year = figure("Gross spend on residential and nursing care was £51.2m in the year.", "£51.2m")
    fee = figure("The usual fee for a residential place is £880.", "£880")
    overspend = figure("The care home budget is forecast to overspend by £2.4m.", "£2.4m")
    assert not comparable(year, fee)
    assert comparable(year, overspend)  # 21 times apart: left to the measure to tell
    fell = figure("The home care waiting list fell from 90 people to 3 people.", "3 people")
    was = figure("In March 90 people were waiting for home care.", "90 people")
    assert comparable(fell, was)  # a list cleared is the same measure, thirty times smaller


def test_values_far_apart_tell_evidence_measures_apart_but_never_excuse_a_wrong_figure(sample_services):
    """How far apart two values are helps tell two figures of the evidence apart (80% living in
    their own home, 5% in paid work); a figure someone says is judged by its words alone, so a
    wildly wrong one is still contradicted by its own measure."""
    import numpy as np

    from prep_bot.evidence.figure_features import pair_features
    from prep_bot.evidence.figures import extract_figures

    (own_home,) = extract_figures("80% of adults with a learning disability live in their own home or with family.")
    (paid_work,) = extract_figures("5% of adults with a learning disability are in paid work.")
    vectors = {"measure": np.ones(4, dtype=np.float32) / 2, "window": np.ones(4, dtype=np.float32) / 2}
    assert pair_features(own_home, paid_work, vectors, vectors)[-2] > 0.6
    assert not pair_features(own_home, paid_work, vectors, vectors, by_value=False)[-2:].any()
    said = claim(sample_services, "About 90 per cent of carers said they have a support group or someone to talk to in "
                                  "confidence.", "90 per cent")
    assert said.status == "contradicted" and said.evidence.point.raw == "25.19%", said


def test_a_number_said_without_its_unit_is_read_in_the_unit_of_its_measure(sample_services):
    check = sample_services.coach.claims.check
    (right,) = check("The share of carers with a support group or someone to talk to in confidence is at twenty-five.")
    (wrong,) = check("The share of carers with a support group or someone to talk to in confidence is at forty.")
    assert right.status == "supported" and right.evidence.point.raw == "25.19%", right
    assert wrong.status == "contradicted" and wrong.evidence.point.raw == "25.19%", wrong


def test_a_figure_said_of_the_year_before_is_not_called_wrong_by_todays(sample_services):
    claims = sample_services.coach.claims.check(
        "Carers with a support group or someone to talk to in confidence was twenty-five per cent. And the year before it was thirty.")
    assert [(c.text, c.status) for c in claims] == [("twenty-five per cent", "supported"), ("thirty", "unverified")]


def test_a_range_said_holds_when_the_evidence_falls_in_it(sample_services):
    inside = claim(sample_services, "DoLS applications are completed in about ten or twelve days, against 156 nationally.", "ten or twelve days")
    outside = claim(sample_services, "DoLS applications are completed in about forty or fifty days, against 156 nationally.", "forty or fifty days")
    assert inside.status == "supported" and inside.evidence.point.raw == "11 days", inside
    assert outside.status == "contradicted" and outside.evidence.point.raw == "11 days", outside


def test_a_bare_number_is_called_wrong_by_a_share_only_when_it_is_said_as_one():
    """"Only 41% of those 57 had their assessment": 57 is the whole, not a share, and a share of
    another value says nothing of it; "the share ... is at forty" is a share and can be wrong."""
    from prep_bot.coaching.stated_values import not_in_its_unit
    from prep_bot.evidence.figures import extract_figures

    (share,) = extract_figures("Only 41% of young people had their Care Act assessment before their 18th birthday.")
    whole = {p.raw: p for p in extract_figures("Only 41% of those 57 had their Care Act assessment before 18.")}["57"]
    (age,) = extract_figures("Under the revised protocol, referrals come at 14.")
    (said,) = extract_figures("The share of carers with someone to talk to is at forty.")
    assert not_in_its_unit(whole, share) and not_in_its_unit(age, share)
    assert not not_in_its_unit(said, share)


def test_a_service_named_beside_its_own_figures_is_not_lent_to_the_next_sentences():
    from prep_bot.coaching.claims import _name_the_service
    from prep_bot.evidence.figures import extract_figures

    answer = ("Home care is much more available: 143 people were waiting for a package in March 2024. "
              "Permanent admissions of people aged 65 and over were 612.4 per 100,000 in 2023/24.")
    stated = extract_figures(answer)
    _name_the_service(stated, answer)
    rate = next(p for p in stated if p.raw.startswith("612.4"))
    assert "home care" not in rate.measure
    # A sentence that only names the service still lends it: "DoLS is a strength. Applications ..."
    lent = "DoLS is a strength for us. Applications are completed in 21 days."
    (days,) = extract_figures(lent)
    _name_the_service([days], lent)
    assert days.measure.lower().startswith(("dols", "deprivation"))
