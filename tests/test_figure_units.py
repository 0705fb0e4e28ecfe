"""A figure written without its unit takes it from the words around it: a table row's label, the
figure a speaker said before it, a sum said in words in a sentence about money. Without the
unit a "37" under "Mean days to assessment" could only ever be compared with other bare counts."""

from __future__ import annotations

import pytest

from prep_bot.evidence.figure_units import label_unit, time_unit_named
from prep_bot.evidence.figures import extract_figures


def figures(text: str) -> dict[str, tuple[str, str, str]]:
    return {p.raw: (p.unit, p.subject, p.measure) for p in extract_figures(text)}


@pytest.mark.parametrize("label, unit", [
    ("Average days from contact to assessment", "days"),
    ("Equipment avg delivery days", "days"),
    ("Adaptations average weeks to complete", "weeks"),
    ("Assessment mean wait (days)", "days"),
    ("Unmet hours (weekly)", "hours"),
    ("LD adults in paid employment (%)", "%"),
    ("Carer satisfaction (SACE, %)", "%"),
    ("Admissions aged 65+ per 100,000", "per 100,000"),
    ("People waiting > 90 days", None),  # the time defines who is counted
    ("Carers waiting more than six weeks", None),
    ("Carers supported", None),
])
def test_a_label_names_the_unit_of_its_bare_numbers(label, unit):
    assert label_unit(label) == unit


def test_a_rows_label_gives_its_cells_their_unit_and_its_periods_may_be_short():
    found = extract_figures("Average days from contact to assessment | Oct 2025: 47.2 | Nov 2025: 44.8 | Target: 28")
    assert [(p.raw, p.unit, p.subject, p.date) for p in found] == [
        ("47.2", "days", "ours", "2025-10"), ("44.8", "days", "ours", "2025-11"), ("28", "days", "target", "2025-11")]
    assert {p.measure for p in found} == {"average days from contact to assessment"}


def test_a_label_whose_time_is_a_threshold_counts_people():
    found = figures("Median days to assessment | 24 | Mean days to assessment | 37 | People waiting > 90 days | 88")
    assert found["24"][0] == found["37"][0] == "days"
    assert found["88"][0] == "count" and "people waiting" in found["88"][2]


def test_a_first_cell_that_says_whose_figure_it_is_opens_the_row():
    found = figures("Carer satisfaction (SACE, %): Council 38.9; England 36.3; Comparator avg 35.1")
    assert found["38.9"][:2] == ("%", "ours") and found["36.3"][:2] == ("%", "england")
    assert found["35.1"][:2] == ("%", "comparator")
    assert {m for _, _, m in found.values()} == {"carer satisfaction"}


def test_a_speaker_names_the_unit_once():
    found = figures("So the median's come down to, er, twenty-six days, but the average is still sitting around forty "
                    "because of the long tail.")
    assert found["forty"][0] == "days"
    found = figures("The rate of permanent admissions for working-age adults (18.3 per 100,000) is above both the "
                    "regional (14.1) and England (14.6) averages.")
    assert found["14.1"][:2] == ("per 100,000", "region") and found["14.6"][:2] == ("per 100,000", "england")


@pytest.mark.parametrize("text, raw", [
    # Another measure named between the two figures.
    ("Satisfaction with care and support was 58.7%, and the social care-related quality of life score was 18.4.", "18.4"),
    ("Turnover is 9.4%, and the average social worker caseload is 18.", "18"),
])
def test_a_bare_number_after_another_measure_keeps_its_own_unit(text, raw):
    assert figures(text)[raw][0] == "count"


def test_a_sum_said_in_words_is_money_when_the_talk_is_of_money():
    found = {p.raw: p for p in extract_figures(
        "We're carrying twelve percent vacancies, and agency's costing us about three million a year.")}
    assert found["three million"].unit == "£" and found["three million"].value == 3_000_000
    found = {p.raw: p for p in extract_figures("We're forecasting a 7 million overspend on the budget.")}
    assert found["7 million"].unit == "£" and found["7 million"].value == 7_000_000
    found = {p.raw: p for p in extract_figures("Our budget has to stretch across two million people in the region.")}
    assert all(p.unit != "£" for p in found.values())


def test_a_time_before_the_unit_is_no_unit_of_the_figure():
    assert time_unit_named("people waiting more than 28 days") is None
    assert time_unit_named("mean days to assessment") == "days"


@pytest.fixture(scope="module")
def with_dashboard(tmp_path_factory, embedder):
    """A performance dashboard whose rows give their units only in their labels."""
    from conftest import services_with

    root = tmp_path_factory.mktemp("dashboard")
    folder = root / "evidence"
    folder.mkdir()
    (folder / "performance-dashboard-2025.txt").write_text(
        "Fenmoor Borough Council\nAdult social care performance dashboard\nPublished 10 November 2025\n\n"
        "Assessments\n\nMean days to assessment | Sep 2025: 41.5 | Oct 2025: 37 | Target: 28\n\n"
        "Home care\n\nUnmet hours (weekly) | 1,212 | Home care hours delivered (weekly avg) | 19,870\n",
        encoding="utf-8",
    )
    services = services_with(embedder, data_dir=root / "data")
    services.ingestor.ingest([folder])
    yield services
    services.close()


def test_a_wrong_wait_is_contradicted_by_the_dashboards_row(with_dashboard):
    checked = with_dashboard.coach.claims.check("Our average wait for an assessment is down to about 15 days now.")
    (said,) = [c for c in checked if c.text.startswith("15")]
    assert said.status == "contradicted", said
    assert said.evidence.point.raw in ("37", "41.5") and said.evidence.point.unit == "days"


def test_an_age_band_said_bare_is_no_figure():
    found = figures("Our staff stay: 30% of our adult social care workforce is over 55 and only 8% is under 25.")
    assert set(found) == {"30%", "8%"}


def test_the_age_band_a_rows_label_names_is_every_cells():
    from prep_bot.evidence.measure_parts import conflicts, parts_of

    older = extract_figures("Admissions 65+ per 100,000 | Council 588.1 | England 566.0")
    younger = extract_figures("Measure: Permanent admissions, adults 18-64, per 100,000; Council: 17.9; England: 14.6")
    assert all("age:65+" in parts_of(p).population for p in older)
    assert all("age:18-64" in parts_of(p).population for p in younger)
    assert all("population" in conflicts(parts_of(a), parts_of(b)) for a in older for b in younger)


def test_living_in_their_own_home_is_not_paid_work():
    from prep_bot.evidence.measure_parts import conflicts, parts_of

    (home, *_) = extract_figures("LD in own home/with family | Council 76.9% | England 80.5%")
    (work, *_) = extract_figures("LD adults in paid employment (%) | Council 6.2 | England 4.8")
    assert "counted" in conflicts(parts_of(home), parts_of(work))


@pytest.mark.parametrize("text, expected", [
    # A speaker narrowing or correcting a figure: both are figures, in one unit.
    ("Our conversion rate's low, it's like, twenty percent, twenty-one, because the police send us everything.",
     {"twenty percent": "%", "twenty-one": "%"}),
    ("The average delay's gone from nine days to, er, about five, five point three.",
     {"nine days": "days", "five": "days", "five point three": "days"}),
    ("Own home for LD is good, it's eighty-three, eighty-four percent, something like that.",
     {"eighty-three": "%", "eighty-four percent": "%"}),
    # A decimal said in words is a figure whatever follows it.
    ("Quality of life score is, um, eighteen point nine, pretty much bang on England.", {"eighteen point nine": "count"}),
    # A figure and its comparison in brackets.
    ("There were 5,020 safeguarding concerns in the year (4,530 the previous year), and 1,210 enquiries.",
     {"5,020": "count", "4,530": "count", "1,210 enquiries": "count"}),
    ("We placed fewer older people in care homes this year (455, down from 512).", {"455": "count", "512": "count"}),
    # Not figures: small numbers in words that count nothing.
    ("We've got two teams, five of us on the rota.", {}),
])
def test_figures_a_speaker_restates_or_a_writer_brackets_are_read(text, expected):
    assert {p.raw: p.unit for p in extract_figures(text)} == expected


def test_hours_of_care_are_performance_figures_and_hours_on_site_are_not(sample_services):
    reader = sample_services.coach.claims.reader
    care = reader.figures("Home care hours delivered (weekly avg) | 19,870 | Unmet hours (weekly) | 1,212")
    assert [(p.raw, p.unit, p.performance) for p in care] == [("19,870", "hours", True), ("1,212", "hours", True)]
    (visit,) = reader.figures("The peer team spent 184 hours on site reading documents and meeting staff.")
    assert not visit.performance


def test_periods_pathways_and_thresholds_are_no_figures_of_their_own():
    from prep_bot.evidence.measures import is_threshold

    assert set(figures("The net budget is £248.6m, and the forecast overspend at month 6 is £7.4m.")) == {"£248.6m", "£7.4m"}
    assert set(figures("At Period 7 the service is forecasting an outturn of £143.7m.")) == {"£143.7m"}
    found = figures("Around 4% of discharges were to pathway 3 and 5% to pathway 2.")
    assert set(found) == {"4%", "5%"} and found["4%"][2].endswith("pathway 3") and found["5%"][2].endswith("pathway 2")
    row = "Reviews overdue (>12 months) | Council 964"
    assert is_threshold(row, row.index("12"), "months")
    assert set(figures("Month 8 position | Year-to-date overspend £3.2m | Full-year forecast overspend £4.9m")) == {"£3.2m", "£4.9m"}
