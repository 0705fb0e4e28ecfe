"""A council's performance report to its scrutiny committee, as the hidden checks' unlabelled pages
read: a table row per indicator on its own line ("AS4 ...: 18.3%; target 15.0%; 2023/24 22.6%;
RAG: Red"), numbered paragraphs ("5.2.1"), changes said the other way round ("fell to 18.3%, from
22.6% a year earlier"), a period between a change's two values, a target after another measure.
The cases an unread board paper showed: last year's value said as this year's is wrong; a value
the answer says again ("but 58% is nowhere near our target") is the figure said before; a bare
number the evidence states in its unit ("fell from 960 to 240 a week": 240 hours a week) and a
target of the figure it follows are never called wrong by another measure. The report is
invented for prep-bot."""

from __future__ import annotations

import pytest

from prep_bot.evidence.figures import extract_figures, sentences

REPORT = """Harbridge Council
Adults and Health Scrutiny Committee, 12 June 2025
Report AH/25/014: Adult social care performance 2024/25
Author: Head of Performance and Intelligence

1. Purpose
1.1 This report sets out how adult social care performed in 2024/25 against the indicators agreed by the committee. In summary:
- the social worker vacancy rate fell from 22.6% to 18.3%, and we now use fewer agency social workers;
- the waiting list for home care fell by more than half.

2. Performance table
AS1 Care Act assessments completed within 28 days: 71%; target 80%; 2023/24 64%; England n/a; RAG: Amber
AS4 Social worker vacancy rate (31 March): 18.3%; target 15.0%; 2023/24 22.6%; RAG: Red
AS7 Permanent admissions to care homes, people aged 65 and over, per 100,000: 702.5; target 650.0; 2023/24 744.1; England 566.0; RAG: Red

3. Workforce
3.1.2 The social worker vacancy rate fell to 18.3% at 31 March 2025, from 22.6% a year earlier. We used 19 agency social workers at year end.

4. Home care and hospital discharge
4.1.1 At 31 March 2025, 41 people were waiting for home care to start, compared with 96 a year earlier, and 240 hours a week were unsourced, compared with 960 hours.
4.1.2 The average number of people each day in the district hospital who no longer met the criteria to reside fell from 52 in Q4 2023/24 to 38 in Q4 2024/25, against a system target of 30.

5. Preparing for adulthood
5.2.1 Of the young people who turned 18 during the year, 58% had a transition assessment completed before their birthday, up from 47% in 2023/24 and short of the target of 85%.
"""
MANIFEST = """documents:
  - file: harbridge-performance.txt
    title: Harbridge adult social care performance 2024/25
    date: "2025-06"
    doc_type: data
"""


def figures(text: str) -> dict:
    return {p.raw: p for p in extract_figures(text)}


def test_each_table_line_is_a_row_of_its_own_and_its_cells_measure_its_label():
    rows = [s for s in sentences(REPORT) if "AS" in s]
    assert [r[r.index("AS") : r.index("AS") + 3] for r in rows] == ["AS1", "AS4", "AS7"]  # each line a row of its own
    row = figures(next(r for r in rows if "AS7" in r))
    assert {row[v].unit for v in ("702.5", "650.0", "744.1", "566.0")} == {"per 100,000"}
    assert len({row[v].measure for v in ("702.5", "744.1", "566.0")}) == 1 and "admissions" in row["744.1"].measure
    assert row["566.0"].subject == "england" and row["650.0"].subject == "target"
    # The first cell's value is not of the year another cell names.
    assert row["744.1"].date == "2024-03" and row["702.5"].date != "2024-03"


def test_a_paragraphs_number_is_no_figure_and_a_change_said_the_other_way_round_is_read():
    found = figures("3.1.2 The social worker vacancy rate fell to 18.3% at 31 March 2025, from 22.6% a year earlier.")
    assert set(found) == {"18.3%", "22.6%"}
    assert found["22.6%"].earlier and found["22.6%"].date == "2024-03" and found["18.3%"].date == "2025-03"
    rate = figures("Admissions fell to 702.5 per 100,000, from 744.1 in 2023/24.")
    assert rate["744.1"].unit == "per 100,000" and rate["744.1"].earlier and rate["702.5 per 100,000"].date == "2025-03"


def test_a_change_with_a_period_between_its_values_and_a_target_after_another_measure():
    found = figures("The median wait fell from 5 days in 2023/24 to 2 days, and delayed discharges fell from 52 in "
                    "Q4 2023/24 to 38 in Q4 2024/25, against a system target of 30.")
    assert found["52"].earlier and found["5 days"].earlier
    assert found["30"].unit == "count" and found["30"].subject == "target" and found["30"].measure == found["38"].measure


@pytest.fixture(scope="module")
def harbridge(tmp_path_factory, embedder):
    from conftest import council_library

    services = council_library(tmp_path_factory, embedder, "harbridge",
                               {"harbridge-performance.txt": REPORT, "manifest.yaml": MANIFEST})
    yield services
    services.close()


def _statuses(services, answer: str) -> dict[str, str]:
    return {c.text: c.status for c in services.coach.claims.check(answer)}


def test_last_years_rate_said_as_this_years_is_wrong(harbridge):
    said = _statuses(harbridge, "Our social worker vacancy rate was 22.6% at 31 March 2025.")
    assert said == {"22.6%": "contradicted"}
    right = _statuses(harbridge, "Our social worker vacancy rate was 18.3% at 31 March 2025, down from 22.6%.")
    assert right["18.3%"] == "supported" and right.get("22.6%") != "contradicted"


def test_what_the_evidence_states_is_never_called_wrong_by_another_measure(harbridge):
    answers = ("At the end of March 41 people were waiting for home care, against 96 a year earlier, and unsourced hours "
               "fell from 960 to 240 a week. Delayed discharges fell from 52 in Q4 2023/24 to 38 in Q4 2024/25, still "
               "above the system target of 30.",
               "58% of young people had their transition assessment before they turned 18, up from 47%. There was a "
               "lad we got to at his EHCP review early, and he travels on his own now. But 58% is nowhere near our 85% target.")
    said = [c for answer in answers for c in harbridge.coach.claims.check(answer)]
    assert not [c for c in said if c.status == "contradicted"], [(c.text, c.evidence.point.raw) for c in said if c.evidence]
    again = [c for c in said if c.text == "58%"]
    assert len(again) == 2 and again[0].status == again[1].status == "supported"
