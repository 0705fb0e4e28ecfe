"""Measures compared part by part (prep_bot/evidence/measure_parts.py): what is counted, the
service, the people, the window, longest-or-usual and change-or-level; whose figure it is is no
part of the measure."""

from __future__ import annotations

from prep_bot.evidence.figures import extract_figures
from prep_bot.evidence.measure_parts import conflicts, parts_of, shares_a_part, windows


def parts(text: str, raw: str):
    [point] = [p for p in extract_figures(text) if p.raw == raw]
    return parts_of(point)


def test_waiting_for_home_care_is_not_admissions_to_residential_care():
    waiting = parts("About 30 people are waiting for home care today.", "30 people")
    admitted = parts("In June 2024, 26 people were admitted to residential or nursing care.", "26 people")
    assert {"counted", "service"} <= set(conflicts(waiting, admitted))


def test_a_reablement_threshold_is_not_a_wait_for_home_care():
    threshold = parts("Most people did not need a long-term package of care after six weeks of reablement.", "six weeks")
    wait = parts("Some people wait up to 6 weeks for home care after reablement.", "6 weeks")
    assert conflicts(threshold, wait)


def test_windows_that_differ_are_different_measures_and_equal_ones_agree():
    within_21 = parts("Care Act assessments completed within 21 days: 71.3%.", "71.3%")
    within_28 = parts("We complete 90% of assessments within 28 days.", "90%")
    inside_28 = parts("The team does 85% of assessments inside twenty-eight days.", "85%")
    assert "window" in conflicts(within_21, within_28)
    assert not conflicts(within_28, inside_28)
    assert windows("the 91-day reablement indicator") == (91.0,)
    assert windows("still at home three months after discharge") == (91.3,)
    assert windows("reviewed in the last 12 months") == (365.3,)


def test_open_enquiries_are_not_those_open_longer_than_six_months():
    whole = parts("There are 317 open safeguarding enquiries at the end of March.", "317")
    old = parts("Safeguarding enquiries open for more than six months: 58.", "58")
    assert "window" in conflicts(whole, old)


def test_an_england_figure_is_a_comparator_of_the_same_measure_not_another_measure():
    sentence = "Around 84% of people were still at home 91 days after leaving hospital into reablement, against 82.3% in England."
    ours, england = parts(sentence, "84%"), parts(sentence, "82.3%")
    assert not conflicts(ours, england)
    other = parts("In 2024, 86% of older people were at home 91 days after discharge into reablement.", "86%")
    assert not conflicts(ours, other)


def test_carers_are_not_people_who_use_services():
    carers = parts("Carers extremely or very satisfied with support: 41.2%.", "41.2%")
    users = parts("People who use services satisfied with their care and support: 71.2%.", "71.2%")
    assert "population" in conflicts(carers, users)


def test_age_bands_are_read_per_figure():
    sentence = "The current workforce over 55 years old is 30% and under 25 years old is just 8%."
    older, younger = parts(sentence, "30%"), parts(sentence, "8%")
    assert "population" in conflicts(older, younger)
    aged_65 = parts("Permanent admissions to care homes for people aged 65 and over: 560 per 100,000.", "560 per 100,000")
    aged_18 = parts("Permanent admissions to care homes, aged 18 to 64: 14.6 per 100,000.", "14.6 per 100,000")
    assert "population" in conflicts(aged_65, aged_18)


def test_the_longest_wait_and_a_change_are_measures_of_their_own():
    longest = parts("The longest wait for a home care package was 63 days.", "63 days")
    usual = parts("The average wait for a home care package was 12 days.", "12 days")
    assert "longest" in conflicts(longest, usual)
    rose = parts("Safeguarding concerns rose by 14% on the year before.", "14%")
    level = parts("Safeguarding concerns that led to an enquiry: 26%.", "26%")
    assert "change" in conflicts(rose, level)
    went_up_to = parts("The proportion saying they feel safe went up to 78.1% in 2022/23.", "78.1%")
    assert not went_up_to.longest and not went_up_to.change


def test_different_wording_of_one_measure_agrees():
    a = parts("Equipment delivered within 7 working days of request: 93.7%.", "93.7%")
    b = parts("Our equipment service delivered 91% of items within seven days of the request.", "91%")
    assert not conflicts(a, b) and shares_a_part(a, b)


def test_a_figure_whose_words_name_nothing_of_the_measure_shares_no_part():
    placed = parts("We have 47 residents placed out of area.", "47 residents")
    vacancy = parts("The vacancy rate was high, at 40 posts.", "40 posts")
    assert not shares_a_part(placed, vacancy)


def test_a_threshold_figure_is_its_own_window():
    # "Nobody waits more than 3 days" defines a measure by its 3 days: not "within 28 days".
    three = parts("Nobody waits more than 3 days for a call back.", "3 days")
    within_28 = parts("90.6% of assessments are completed within 28 days.", "28 days")
    assert three.window == (3.0,) and within_28.window == (28.0,)
    assert "window" in conflicts(three, within_28)
