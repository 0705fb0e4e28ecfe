"""A performance table that names its measures only by national indicator code ("2B(1) 84.0%
(Eng 81.9%)") and a finance table whose heading gives the scale of its sums ("(£000s)"): the
code's digits are not figures, and each figure measures what its code or heading says."""

from __future__ import annotations

from prep_bot.evidence.figures import extract_figures
from prep_bot.evidence.indicator_codes import codes_in
from prep_bot.evidence.measure_parts import conflicts, parts_of


def figures(text: str) -> dict:
    return {p.raw: p for p in extract_figures(text)}


def test_a_codes_digits_are_no_figures_and_each_cell_measures_what_its_code_names():
    row = figures("ASCOF 2B(1) 84.0% (Eng 81.9%, SN avg 82.4%) better | 2B(2) 2.2% (Eng 2.8%) worse | 2A(2) 611.5 (Eng 560.8) worse")
    assert set(row) == {"84.0%", "81.9%", "82.4%", "2.2%", "2.8%", "611.5", "560.8"}
    assert {row[r].measure for r in ("84.0%", "81.9%", "82.4%")} == {
        "older people at home 91 days after discharge from hospital into reablement"}
    assert "offered reablement" in row["2.2%"].measure and row["2.2%"].measure == row["2.8%"].measure
    assert row["611.5"].unit == "per 100,000" and "65 and over" in row["611.5"].measure
    assert [row[r].subject for r in ("84.0%", "81.9%", "82.4%")] == ["ours", "england", "comparator"]


def test_a_code_and_the_same_measure_in_words_are_one_measure():
    coded = figures("ASCS 2024/25 | 1A QoL 18.7 (Eng 19.1) | 1B control 74.2% | 1I1 social contact 39.8%")
    said = figures("Only 74.2% of people who use services said they had as much control over their daily life as they wanted.")
    assert not conflicts(parts_of(coded["74.2%"]), parts_of(said["74.2%"]))
    assert "quality of life" in coded["18.7"].measure and "social contact" in coded["39.8%"].measure
    assert conflicts(parts_of(coded["74.2%"]), parts_of(coded["39.8%"]))


def test_a_measure_named_in_words_keeps_its_own_words_and_a_code_that_names_no_single_measure_names_none():
    row = figures("1E LD in paid employment 3.4% (England 4.8%) | 1C 93%")
    assert row["3.4%"].measure == "learning disability in paid employment"
    assert [c.meaning for c in codes_in("1C 93% | 2C 12")] == [None, None]


def test_codes_are_only_read_where_a_table_or_the_word_ascof_puts_them():
    assert codes_in("We visited Flat 2B twice") == []
    assert [c.meaning is not None for c in codes_in("(ASCOF 1C part 2A): 27.9%")] == [True]


def test_a_finance_tables_heading_gives_its_bare_numbers_as_sums():
    row = figures("ASC revenue 2025/26 (£000s) | Budget 162,300 | Forecast 165,010 | Variance 2,710 | Savings delivered 4,880 (74%)")
    assert row["2,710"].unit == "£" and row["2,710"].value == 2_710_000
    assert "budget" in row["162,300"].measure and "savings" not in row["162,300"].measure
    assert row["74%"].unit == "%"
    total = figures("Forecast variance by service (£m): Purchased placements +8.6 | Staffing -0.9 | Total +7.7")
    assert total["7.7"].value == 7_700_000 and "variance" in total["7.7"].measure
    staff = figures("Workforce (£000s): pay 21,400 | staff in post 612")
    assert staff["612"].unit == "count"


def test_a_figure_after_a_turn_in_the_sentence_is_the_councils_own():
    row = figures("At home 91 days after discharge was 83.5%, compared with 82.1% in England, although only 1.7% of "
                  "older people were offered reablement, against 2.9% nationally.")
    assert row["1.7%"].subject == "ours" and not row["1.7%"].is_comparator
    assert row["2.9%"].subject == "england" and row["1.7%"].comparator == "england 2.9%"

