"""What a figure measures, read as a new reader of a report would: the people and service a row
opens with, the year a count is counted in (no window), what a council raises against what it
overspends, and a share said in words that starts its own clause."""

from __future__ import annotations

from prep_bot.evidence.figures import extract_figures
from prep_bot.evidence.measure_parts import conflicts, parts_of


def figures(text: str) -> dict:
    return {p.raw: p for p in extract_figures(text)}


def test_a_rows_opening_people_and_service_go_to_each_cell():
    carers = figures("Carers | Known: 3,900 | Assessed/reviewed (12m): 980 | Receiving direct support: 655")
    assert all("carers" in p.measure for p in carers.values())
    assert "receipt" in parts_of(carers["655"]).counted and "done" in parts_of(carers["980"]).counted
    dols = figures("DoLS | Apps received YTD 2,040 | Completed 1,575 | Awaiting assessment 602")
    assert all("deprivation of liberty" in p.measure for p in dols.values())
    assert conflicts(parts_of(dols["2,040"]), parts_of(dols["602"]))


def test_a_year_looked_back_on_is_when_a_count_is_counted_and_a_changes_span_is_no_window():
    counted = figures("Of 4,000 known carers, 1,010 had a carer's assessment or review in the last 12 months.")
    completed = figures("We completed 1,010 carers' assessments in 2024/25.")
    assert not conflicts(parts_of(counted["1,010"]), parts_of(completed["1,010 carers"]))
    fell = figures("The council cut its social worker vacancy rate from 21% to 12% over two years.")
    now = figures("The social worker vacancy rate is 12%.")
    assert not parts_of(fell["12%"]).window and not conflicts(parts_of(fell["12%"]), parts_of(now["12%"]))


def test_what_a_council_raises_is_not_what_it_overspends():
    precept = figures("The council raised the adult social care precept, bringing in £6.4m.")
    over = figures("Adult social care is forecast to overspend by £6.4m.")
    assert conflicts(parts_of(precept["£6.4m"]), parts_of(over["£6.4m"]))


def test_a_share_said_in_words_after_and_starts_its_own_clause():
    row = figures("Complaints rose to 296 and fewer than six in ten were answered within the 20 working-day standard.")
    assert row["296"].measure == "complaints rose"
    assert "answered" in row["six in ten"].measure
