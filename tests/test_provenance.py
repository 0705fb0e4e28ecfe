"""Councils and dates: detected from title lines, compared by a forgiving key, and the age of
evidence marked and used in ranking."""

from __future__ import annotations

from datetime import date

import pytest

from prep_bot.evidence.provenance import (
    council_key, detect_council, detect_date, detect_doc_type, display_date, is_dated, normalise_date,
)


@pytest.mark.parametrize("lines, expected", [
    (["Adult social care peer challenge", "Harnby Metropolitan Borough Council", "Final report: February 2024"], "2024-02"),
    (["Sunderland City Council: local authority assessment", "Published: 9 May 2025", "Downloads"], "2025-05-09"),
    (["Adult Social Care Peer Challenge", "Stockton-on-Tees Borough Council", "December 2015", "Feedback report"], "2015-12"),
    (["Brackenfold Council: adult social care peer challenge, final report, March 2025"], "2025-03"),
    (["Cabinet report", "Date: 3rd March 2023"], "2023-03-03"),
    (["Our plan for 2023-2026 and beyond", "We spent £2m in 2024 on home care."], ""),  # years in prose are no date
])
def test_dates_from_title_lines(lines, expected):
    assert detect_date(lines) == expected


@pytest.mark.parametrize("lines, expected", [
    (["Sunderland City Council: local authority assessment"], "Sunderland City Council"),
    (["Preparation for Assurance Peer Challenge Report", "Stockton on Tees Borough Council", "August 2024"],
     "Stockton on Tees Borough Council"),
    (["Report to the London Borough of Camden cabinet"], "London Borough of Camden"),
    (["Adult social care self-assessment", "Autumn 2024"], ""),
    # A title in capitals, a role that ends in "Council", a title line that opens with "How".
    (["HALLOWMERE COUNTY COUNCIL", "OUR ADULT SOCIAL CARE SELF-ASSESSMENT"], "Hallowmere County Council"),
    (["Foreword", "The Leader of the Council has signed off this document."], ""),
    (["How Brackenford Metropolitan Borough Council works to meet its duties"], "Brackenford Metropolitan Borough Council"),
])
def test_council_from_title_lines(lines, expected):
    assert detect_council(lines) == expected


@pytest.mark.parametrize("name, title, lines, expected", [
    ("harnby-peer-challenge", "Harnby", [], "peer-challenge"),
    ("report", "Sunderland City Council: local authority assessment", [], "cqc-assessment"),
    # An unlabelled page: the kind is in its opening lines, which also name the kinds it is not.
    ("report", "COLBOURNE COUNTY COUNCIL", ["Colbourne County Council asked the LGA to carry out a peer challenge "
     "to prepare for assessment by the Care Quality Commission, and to test the council's self-assessment."],
     "peer-challenge"),
    ("page", "Wexcombe", ["This is the council's adult social care self-assessment, written ahead of our CQC "
     "assessment."], "self-assessment"),
    ("page", "Wexcombe", ["In this assessment we read the local authority's self-assessment.",
     "Care Quality Commission"], "cqc-assessment"),
    ("minutes", "Cabinet, 3 March 2023", ["Budget monitoring, month 7"], "other"),
    # A heading among the opening lines says it before prose that mentions a peer challenge.
    ("report", "HALLOWMERE COUNTY COUNCIL", ["OUR ADULT SOCIAL CARE SELF-ASSESSMENT",
     "Since our LGA peer challenge in 2023 we have acted on its recommendations."], "self-assessment"),
])
def test_kind_of_report_from_name_title_or_opening_lines(name, title, lines, expected):
    assert detect_doc_type(name, title, lines) == expected


def test_council_names_match_ignoring_case_hyphens_and_kind():
    assert council_key("Stockton on Tees") == council_key("Stockton-on-Tees Borough Council") == "stockton on tees"
    assert council_key("SUNDERLAND city council") == council_key("Sunderland")
    assert council_key("Harnby Metropolitan Borough Council") == "harnby"
    assert council_key("Eastmere County Council") != council_key("Wrexley City Council")
    assert council_key("") == council_key("Council") == ""


def test_age_and_display():
    today = date(2026, 12, 1)
    assert is_dated("2015-12", 3, today) and not is_dated("2025-10", 3, today) and not is_dated("", 3, today)
    assert display_date("2024-08") == "August 2024" and display_date("2025-05-09") == "9 May 2025"
    assert normalise_date("2025") == "2025" and normalise_date(date(2024, 2, 1)) == "2024-02-01"
    assert normalise_date("Published 9 May 2025") == "2025-05-09" and normalise_date(None) == ""
