"""Numbers said in words, as staff say them in an interview: read as figures with their value
and unit, measured like digits, and checked against the evidence."""

from __future__ import annotations

import pytest

from prep_bot.evidence.figures import extract_figures
from prep_bot.evidence.number_words import in_digits, spoken_numbers, spoken_shares


@pytest.mark.parametrize("text, value", [
    ("six hundred", 600), ("twenty-six", 26), ("fourty-two", 42), ("a hundred and four", 104),
    ("eleven hundred", 1100), ("two thousand three hundred and forty", 2340), ("sixty-odd", 60),
    ("nine hundred-ish", 900), ("thirty-four point two", 34.2), ("thirty-four point something", 34),
    ("three and a half", 3.5), ("four and a half thousand", 4500), ("three point one million", 3_100_000),
    ("two-eighty", 280), ("two-twelve", 212), ("a hundred-and-something", 100),
])
def test_a_number_said_in_words_has_its_value(text, value):
    found = spoken_numbers(f"we had {text} last year")
    assert [(f"we had {text} last year"[a:b], v) for a, b, v in found] == [(text, value)]


def figures(text: str) -> dict[str, tuple[float, str]]:
    return {p.raw: (p.value, p.unit) for p in extract_figures(text)}


def test_spoken_figures_take_their_unit_from_the_words_after_them():
    said = figures("It was seventy-one per cent last year, we've got eleven hundred people waiting, "
                   "and they wait twenty-six days on average.")
    assert said == {"seventy-one per cent": (71, "%"), "eleven hundred people": (1100, "count"),
                    "twenty-six days": (26, "days")}
    rate = figures("Our admissions rate is six hundred and something per hundred thousand.")
    assert rate == {"six hundred and something per hundred thousand": (600, "per 100,000")}


def test_a_share_is_one_figure_and_small_counts_in_words_are_none():
    # "seven in ten" is 70%, not a seven and a ten; "two teams" counts nothing worth quoting.
    assert figures("Seven in ten people needed nothing further, and two teams cover the north.") == {"Seven in ten": (70, "%")}
    assert figures("71% of people, seven in ten, needed nothing further.") == {"71%": (71, "%")}
    assert figures("One of our social workers told us about it.") == {}


def test_another_number_in_words_is_no_part_of_a_figures_measure():
    (point,) = [p for p in extract_figures("We had six hundred on the list, waiting twenty-six days on average.")
                if p.unit == "days"]
    assert "six" not in point.measure and "hundred" not in point.measure
    assert in_digits("about six hundred, one of them") == "about 600, one of them"


def test_a_count_said_in_words_keeps_its_noun_and_none_of_its_number_in_its_measure():
    (point,) = extract_figures("We get through about three hundred and twenty referrals a week at the front door.")
    assert point.raw.endswith("referrals") and "referrals" in point.measure
    assert not {"three", "hundred", "twenty", "and"} & set(point.measure.split())


def test_a_wrong_figure_said_in_words_is_contradicted_by_its_own_measure(sample_services):
    answer = "Only about thirty-five per cent of carers said they have a support group or someone to talk to in confidence."
    (said,) = [c for c in sample_services.coach.claims.check(answer) if c.text == "thirty-five per cent"]
    assert said.status == "contradicted" and said.evidence.point.raw == "25.19%", said


@pytest.mark.parametrize("text, shares", [
    ("like seven in ten calls are sorted there and then", [70.0]),
    ("Most of them, like eight out of ten, are still at home", [80.0]),
    ("maybe a quarter become enquiries, and a third were upheld", [25.0, 33.3]),
    ("two thirds of people said so; about half of carers did", [66.7, 50.0]),
    # How often, how long, or which part of the year: no share.
    ("we did 300 assessments a quarter", []),
    ("we meet once a quarter", []),
    ("it takes half an hour", []),
    ("in the third quarter", []),
])
def test_a_share_said_in_words_has_its_per_cent(text, shares):
    assert [v for _, _, v in spoken_shares(text)] == shares


def test_a_share_in_words_is_checked_as_roughly_as_it_was_said(sample_services):
    def said(answer, figure):
        (claim,) = [c for c in sample_services.coach.claims.check(answer) if c.text == figure]
        return claim

    text = "{} of carers said they have a support group or someone to talk to in confidence."
    assert said(text.format("Only about a quarter"), "a quarter").status == "supported"  # 25.19%
    wrong = said(text.format("About half"), "About half")
    assert wrong.status == "contradicted" and wrong.evidence.point.raw == "25.19%"
    # Said beside the figure it restates, a share is no second claim.
    assert [c.text for c in sample_services.coach.claims.check(text.format("25%, a quarter,"))] == ["25%"]


def test_one_in_n_is_a_share_and_a_short_restatement_carries_the_unit_on():
    shares = figures("1 in 6 carers felt supported, and around 3 in 10 people were waiting.")
    assert shares == {"1 in 6": (16.7, "%"), "3 in 10": (30.0, "%")}  # not a count of 10 people
    assert figures("We saw 5 in 12 months.") == {"12 months": (12, "months")}  # a time, not a share
    said = figures("Reablement with no further service is, er, seventy-one percent? Seventy-one. And we want that up at eighty.")
    assert said == {"seventy-one percent": (71, "%"), "eighty": (80, "%")}


def test_what_staff_say_in_an_interview_is_read_as_figures():
    """Ranges, round numbers with nothing after them and small counts of staff or work, as people
    speak them; not "two teams" or "five of us"."""
    said = figures("The backlog's about fourteen hundred, it's been that for months, and we've got three BIAs on it.")
    assert said == {"fourteen hundred": (1400, "count"), "three": (3, "count")}
    assert figures("People are waiting, what, six or seven days for a package?") == {"six or seven days": (6.5, "days")}
    assert figures("Most of them wait around three to four weeks for an OT.") == {"three to four weeks": (3.5, "weeks")}
    assert figures("We get forty or fifty complaints about charging in a month.") == {"forty or fifty": (45, "count")}
    assert figures("Team leaders said caseloads were 22, although the hospital team described caseloads of over 28.") == {
        "22": (22, "count"), "28": (28, "count")}
    assert figures("We've got two teams and five of us on duty.") == {}
