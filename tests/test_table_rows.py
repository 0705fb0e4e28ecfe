"""A table's row set out as text (as the loaders write a spreadsheet's rows, or as a report
prints a dashboard line): each figure measures what the row's label says; its column says whose
figure it is, its period, or how it summarises the measure."""

from __future__ import annotations

from prep_bot.evidence.figures import extract_figures, sentences
from prep_bot.evidence.measure_parts import conflicts, parts_of


def figures(text: str) -> dict:
    return {p.raw: p for p in extract_figures(text)}


def test_the_row_label_is_the_measure_and_the_columns_say_whose_figure():
    row = figures("Measure: Adults with a learning disability living in their own home; Council: 79.2%; "
                  "England: 81.6%; Comparator group: 80.3%; Target: 82%")
    assert {p.measure for p in row.values()} == {"adults with learning disability living in own home"}
    assert [row[r].subject for r in ("79.2%", "81.6%", "80.3%", "82%")] == ["ours", "england", "comparator", "target"]
    assert row["79.2%"].comparator == "England 81.6%"


def test_a_row_is_one_sentence_whatever_its_columns_are_called():
    assert len(sentences("Indicator: Reviews completed in 12 months; 2023/24: 58%; 2024/25: 64%. The next line.")) == 2
    row = figures("Indicator: Reviews completed in 12 months; 2023/24: 58%; 2024/25: 64%")
    assert row["58%"].period == "2023/24" and row["64%"].period == "2024/25"
    assert row["58%"].measure == row["64%"].measure and "reviews completed" in row["64%"].measure


def test_a_rows_earlier_period_summary_and_unit_come_from_its_columns():
    row = figures("Measure: Wait for an occupational therapy assessment (days); Council: 52; Median: 31; Last year: 66")
    assert all(p.unit == "days" for p in row.values())
    assert "median" in row["31"].measure and "median" not in row["52"].measure
    assert row["66"].earlier and row["52"].comparator == "last year 66"
    assert "longest" not in conflicts(parts_of(row["52"]), parts_of(row["66"]))


def test_a_pipe_row_with_a_rate_in_its_label():
    row = figures("Permanent admissions of adults aged 18-64 per 100,000 | Council 14.9 | England 14.6 | Comparators 13.8")
    assert all(p.unit == "per 100,000" for p in row.values())
    assert [p.subject for p in row.values()] == ["ours", "england", "comparator"]


def test_cells_that_name_their_own_measure_and_prose_keep_their_words():
    row = figures("Contacts received: 2,140; Resolved at first contact: 64%; Passed to assessment: 18%")
    assert row["64%"].measure != row["18%"].measure and "resolved" in row["64%"].measure
    prose = figures("Carers told us support is patchy; 38% were satisfied, against 36% in England.")
    assert "satisfied" in prose["38%"].measure


def test_a_spreadsheets_figures_are_checked_by_their_rows(make_services, evidence_dir):
    """A council's indicators uploaded as a spreadsheet: a figure said in an answer is checked
    against the row of its measure, the England column against England's figure. (Before rows
    were read, every one of these claims was "not in the evidence".)"""
    (evidence_dir / "indicators-2024-25.csv").write_text(
        "Indicator,Council,England,Period\n"
        "Older people still at home 91 days after discharge from hospital into reablement,84.1%,83.8%,2024/25\n"
        "Carers extremely or very satisfied with support,38.2%,36.3%,2024/25\n"
        "Adults with a learning disability in paid employment,5.6%,4.8%,2024/25\n", encoding="utf-8")
    services = make_services()
    assert not services.ingestor.ingest([evidence_dir / "indicators-2024-25.csv"]).failed
    claims = {c.text: c for c in services.coach.claims.check(
        "About 91% of older people are still at home 91 days after reablement. Around 45% of carers are satisfied "
        "with their support, above the England average of 36.3%.")}
    assert claims["91%"].status == "contradicted" and claims["91%"].evidence.point.raw == "84.1%"
    assert claims["45%"].status == "contradicted" and claims["45%"].evidence.point.raw == "38.2%"
    assert claims["36.3%"].status == "supported" and claims["36.3%"].subject == "england"
    paid = {c.text: c for c in services.coach.claims.check("Only 5.6% of adults with a learning disability are in paid work.")}
    assert paid["5.6%"].status == "supported"


def test_a_figure_said_from_an_earlier_column_is_supported_and_told_the_newest(make_services, evidence_dir):
    """A trend table: "about 36.1%" is the council's 2023/24 figure (not England's 36.3%, which is
    merely close), and the claim names the newer figure of the same measure."""
    (evidence_dir / "trend.csv").write_text(
        "Indicator,2022/23,2023/24,2024/25,England 2024/25\n"
        "Carers extremely or very satisfied with support,34.0%,36.1%,38.2%,36.3%\n", encoding="utf-8")
    services = make_services()
    assert not services.ingestor.ingest([evidence_dir / "trend.csv"]).failed
    [claim] = services.coach.claims.check("About 36.1% of carers are extremely or very satisfied with their support.")
    assert claim.status == "supported" and claim.evidence.point.raw == "36.1%"
    assert claim.newest and claim.newest["value"] == "38.2%"


def test_a_row_that_opens_with_a_service_gives_it_to_cells_that_name_none():
    row = figures("Reablement – people started: 142 | completed: 131 | average length (days): 19")
    assert all("reablement" in p.measure for p in row.values()), {r: p.measure for r, p in row.items()}
    assert "started" not in row["131"].measure  # a cell borrows from no other cell
    assert row["19"].unit == "days"
    other = figures("Savings – target: £6.8m; delivered to date: £4.1m; net budget: £147.9m")
    assert "savings" not in other["£147.9m"].measure  # a topic that names no service carries nothing


def test_a_spreadsheets_citation_names_it_once(make_services, evidence_dir):
    (evidence_dir / "indicators.csv").write_text("Indicator,Council\nCarers satisfied with support,38.2%\n", encoding="utf-8")
    services = make_services()
    assert not services.ingestor.ingest([evidence_dir / "indicators.csv"]).failed
    [passage] = services.store.passages()
    assert passage.citation.count("indicators") == 1, passage.citation


def test_a_rate_named_before_a_period_and_its_comparisons_are_all_rates():
    row = ("Permanent admissions to residential and nursing care, aged 65+, per 100,000 population: "
           "2023/24 598.2; England 566.0; comparator group 571.4")
    points = extract_figures(row)
    assert [(p.raw, p.unit, p.subject) for p in points] == [
        ("598.2", "per 100,000", "ours"), ("566.0", "per 100,000", "england"), ("571.4", "per 100,000", "comparator")]
    assert len({p.measure for p in points}) == 1 and "admissions" in points[0].measure


def test_a_first_cell_that_names_the_measure_gives_it_to_the_cells_that_say_whose_or_when():
    discharged = extract_figures("Discharged to usual place of residence: 88.3% | England 92.9%")
    assert [(p.raw, p.subject, p.measure) for p in discharged] == [
        ("88.3%", "ours", "discharged to usual place of residence"), ("92.9%", "england", "discharged to usual place of residence")]
    assert discharged[0].comparator == "England 92.9%"
    completed = extract_figures("Care Act assessments completed: 2024/25 2,880 | 2023/24 2,610")
    assert [(p.raw, p.period, p.measure) for p in completed] == [
        ("2,880", "2024/25", "care act assessments completed"), ("2,610", "2023/24", "care act assessments completed")]


def test_the_age_band_of_a_rates_heading_is_its_people_and_its_comparisons():
    points = extract_figures("Permanent admissions to residential and nursing care, aged 65+, per 100,000 population: "
                             "2023/24 598.2; England 566.0")
    younger = extract_figures("Younger adults were admitted to care homes at a rate of 15.8 per 100,000.")
    older, england = (parts_of(p) for p in points)
    assert "age:65+" in older.population and "age:65+" in england.population
    assert "population" in conflicts(older, parts_of(younger[0]))


def test_a_rows_sum_carries_what_the_sum_is():
    savings = extract_figures("Savings 2024/25: target £14.5m; delivered £11.2m; at risk £3.3m")
    assert all("savings" in p.measure for p in savings), [p.measure for p in savings]


def test_a_label_cell_then_cells_headed_by_period_age_or_whose_and_age():
    by_year = figures("Carers who feel included in discussions about the person they care for (18+) | 2022/23: 61.5% | "
                      "2023/24: 63.0% | Comparators: 64.1%")
    assert len({p.measure for p in by_year.values()}) == 1 and "carers" in by_year["63.0%"].measure
    assert by_year["61.5%"].period == "2022/23" and by_year["64.1%"].subject == "comparator"
    assert by_year["63.0%"].comparator == "Comparators 64.1%"  # the latest period is the council's figure now
    by_age = figures("Adults in contact with secondary mental health services in paid work | 18-64: 6.2% | 65+: 0.4% | "
                     "England 18-64: 7.1%")
    assert by_age["6.2%"].measure == by_age["7.1%"].measure != by_age["0.4%"].measure
    assert "age:65+" in parts_of(by_age["0.4%"]).population and by_age["7.1%"].subject == "england"


def test_quarter_columns_and_groups_of_cells_each_with_their_own_label():
    row = figures("Contacts to the front door | Q3 2,410 | Q4 2,655 || Resolved at first contact | Q3 61% | Q4 58% || "
                  "Passed to a social worker | Q3 19% | Q4 22% | Region 2024/25 24%")
    assert row["2,410"].measure == row["2,655"].measure and "contacts" in row["2,410"].measure
    assert row["61%"].measure == row["58%"].measure != row["19%"].measure == row["24%"].measure
    assert (row["2,410"].period, row["24%"].subject, row["24%"].period) == ("Q3", "region", "2024/25")


def test_a_cell_naming_a_change_heads_the_figure_after_it():
    row = figures("DoLS applications received 2024/25 | 3,120 | Change on 2023/24 | +9%")
    assert "deprivation of liberty safeguards" in row["3,120"].measure
    assert row["9%"].measure.startswith("change") and row["9%"].measure != row["3,120"].measure


def test_a_rate_base_column_keeps_the_heading_measure():
    row = figures("Admissions to nursing care 18-64 2024/25: count 41 | per 100k: 16.3")
    assert (row["41"].unit, row["16.3"].unit) == ("count", "per 100,000")
    assert row["41"].measure == row["16.3"].measure and "nursing" in row["16.3"].measure


def test_a_header_row_flattened_before_its_rows_gives_each_value_its_column():
    rows = extract_figures("Survey measure | 2023/24 | 2024/25 | England 2024/25 Feel safe | 68.9% | 70.4% | 71.1% "
                           "Easy to find information | 65.0% | 66.2% | 67.4%")
    assert [(p.raw, p.subject, p.period) for p in rows] == [
        ("68.9%", "ours", "2023/24"), ("70.4%", "ours", "2024/25"), ("71.1%", "england", "2024/25"),
        ("65.0%", "ours", "2023/24"), ("66.2%", "ours", "2024/25"), ("67.4%", "england", "2024/25")]
    assert len({p.measure for p in rows[:3]}) == 1 and "safe" in rows[0].measure and "information" in rows[3].measure
    assert rows[1].comparator == "England 71.1%" and rows[0].comparator is None  # the latest year is set against England's
    whose = figures("Indicator | Council | Region | Reviews completed on time | 71% | 76%")
    assert (whose["71%"].subject, whose["76%"].subject) == ("ours", "region") and "reviews" in whose["76%"].measure
