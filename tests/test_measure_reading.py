"""What a figure measures, read as a new reader of a report would: the people and service a row
opens with, the year a count is counted in (no window), what a council raises against what it
overspends, and a share said in words that starts its own clause."""

from __future__ import annotations

from prep_bot.evidence.figures import extract_figures
from prep_bot.evidence.measure_parts import conflicts, parts_of


def figures(text: str) -> dict:
    return {p.raw: p for p in extract_figures(text)}


def differ(a, b) -> list[str]:
    """The parts on which two figures' measures plainly differ."""
    return conflicts(parts_of(a), parts_of(b))


def test_a_rows_opening_people_and_service_go_to_each_cell():
    carers = figures("Carers | Known: 3,900 | Assessed/reviewed (12m): 980 | Receiving direct support: 655")
    assert all("carers" in p.measure for p in carers.values())
    assert "receipt" in parts_of(carers["655"]).counted and "done" in parts_of(carers["980"]).counted
    dols = figures("DoLS | Apps received YTD 2,040 | Completed 1,575 | Awaiting assessment 602")
    assert all("deprivation of liberty" in p.measure for p in dols.values())
    assert differ(dols["2,040"], dols["602"])


def test_a_year_looked_back_on_is_when_a_count_is_counted_and_a_changes_span_is_no_window():
    counted = figures("Of 4,000 known carers, 1,010 had a carer's assessment or review in the last 12 months.")
    completed = figures("We completed 1,010 carers' assessments in 2024/25.")
    assert not differ(counted["1,010"], completed["1,010 carers"])
    fell = figures("The council cut its social worker vacancy rate from 21% to 12% over two years.")
    now = figures("The social worker vacancy rate is 12%.")
    assert not parts_of(fell["12%"]).window and not differ(fell["12%"], now["12%"])


def test_what_a_council_raises_is_not_what_it_overspends():
    precept = figures("The council raised the adult social care precept, bringing in £6.4m.")
    over = figures("Adult social care is forecast to overspend by £6.4m.")
    assert differ(precept["£6.4m"], over["£6.4m"])


def test_a_share_said_in_words_after_and_starts_its_own_clause():
    row = figures("Complaints rose to 296 and fewer than six in ten were answered within the 20 working-day standard.")
    assert row["296"].measure == "complaints rose"
    assert "answered" in row["six in ten"].measure


def test_a_count_of_people_beside_a_rate_is_a_count_and_per_100k_is_a_rate():
    row = figures("Permanent admissions of people aged 65+ rose to 598 per 100,000 (1,102 people), compared with 571 the year before.")
    assert row["1,102 people"].unit == "count" and row["598 per 100,000"].unit == "per 100,000"
    assert figures("Admissions, aged 65+: 1,102 (598 per 100k)")["598 per 100k"].unit == "per 100,000"


def test_international_is_not_national():
    row = figures("Vacancies fell from 20% to 12% through international recruitment, which brought in 16 social workers.")
    assert row["16"].unit == "count" and row["16"].subject == "ours" and not row["16"].is_comparator


def test_a_years_final_overspend_is_not_its_forecast_and_a_detention_is_not_a_home():
    final = figures("The final outturn for adult social care was an overspend of £4.1m.")
    forecast = figures("Adult social care is forecast to overspend by £4.1m at year end.")
    assert "span" in differ(final["£4.1m"], forecast["£4.1m"])
    detained = figures("Of Mental Health Act assessments, 47% resulted in detention.")
    housed = figures("Of adults in contact with secondary mental health services, 47% live in settled accommodation.")
    assert differ(detained["47%"], housed["47%"])


def test_outcomes_achieved_are_not_outcomes_asked_and_direct_payments_are_not_all_self_directed_support():
    row = figures("In 91% of concluded enquiries people were asked about their desired outcomes, and of those who "
                  "expressed outcomes, 95% had them fully or partially achieved.")
    assert "expressed" not in row["91%"].measure
    assert "outcome-met" in parts_of(row["95%"]).counted and differ(row["91%"], row["95%"])
    sds = figures("All people receiving community-based long-term support (100%) received self-directed support.")
    dp = figures("Of people receiving community-based long-term support, 27% used a direct payment.")
    assert differ(sds["100%"], dp["27%"])


def test_months_say_when_not_what_and_an_age_turned_is_no_figure():
    row = extract_figures("MHA assessments: Apr 77, May 90, Jun 85 — detention rate: Apr 41%, May 46%, Jun 43%")
    rates = [p for p in row if p.unit == "%"]
    assert len(rates) == 3 and all("detention rate" in p.measure and "may" not in p.measure.split() for p in rates)
    turned = figures("The transitions team works with 150 young people, and 86% of those who turned 18 had been assessed.")
    assert "18" not in turned and "assessed" in turned["86%"].measure


def test_rows_set_out_with_dashes_or_slashes_are_read_cell_by_cell():
    dashed = figures("Front door Q3 — Calls offered 6,120 — Contacts (all channels) 6,405 — Resolved at first contact 63% — Signposted 1,512")
    assert set(dashed) == {"6,120", "6,405", "63%", "1,512"}
    assert dashed["1,512"].measure == "signposted" and "resolved" not in dashed["6,405"].measure
    slashed = figures("Complaints Q1/Q2/Q3/Q4: 38/47/41/45 | Compliments: 60/72/66/70")
    assert [slashed[r].measure for r in ("38", "45", "60")] == ["complaints", "complaints", "compliments"]
    assert "30" not in figures("Waiting lists (as at 30/11/24) — awaiting assessment 1,090")
    assert figures("OT waiting list: 420 (target <240)")["240"].subject == "target"
    assert figures("Agency social workers now number 37 FTE, costing £4.1m.")["37"].unit == "count"


def test_spoken_shares_of_what_people_do_and_a_thousand_then_a_time():
    left = figures("We take sixty-odd new starts a week, and roughly two thirds leave us with nothing ongoing.")
    assert left["two thirds"].unit == "%" and "nothing ongoing" in left["two thirds"].measure
    backlog = figures("The DoLS backlog's about five hundred now, it was over a thousand two years ago.")
    assert backlog["a thousand"].value == 1000 and "two years" not in backlog
    assert "ago" not in backlog["a thousand"].measure


def test_a_fund_allocated_and_a_reserve_drawn_are_not_an_overspend():
    fund = figures("The Market Sustainability and Improvement Fund allocation of £5.9m was spent on fee uplifts.")
    reserve = figures("A further £1.8m was met from the social care reserve.")
    over = figures("The outturn was an overspend of £5.9m.")
    assert differ(fund["£5.9m"], over["£5.9m"])
    assert differ(reserve["£1.8m"], over["£5.9m"])


def test_two_measures_each_with_its_own_verb_and_a_row_after_a_semicolon():
    row = figures("The vacancy rate for qualified social workers is 7.1% and turnover is 11.4%.")
    assert row["7.1%"].measure == "vacancy rate for qualified social workers" and row["11.4%"].measure == "turnover"
    reab = figures("Reablement: 82.6% still at home at 91 days (target 85%, England 83.8%); referrals 3,050; 68% with no ongoing need.")
    assert reab["3,050"].subject == "ours" and not reab["3,050"].is_comparator
    assert parts_of(reab["82.6%"]).window == (91.0,) and "independent" in parts_of(reab["68%"]).counted


def test_the_people_on_the_books_are_not_the_work_done_and_a_financial_assessment_is_its_own():
    known = figures("There are 3,150 carers known to the council.")
    assessed = figures("Carers' assessments increased to 860.")
    assert "counted" in differ(known["3,150 carers"], assessed["860"])
    money = figures("Financial assessments take an average of 33 days to complete.")
    needs = figures("The median wait for a Care Act assessment is 33 days.")
    assert differ(money["33 days"], needs["33 days"])


def test_people_with_no_criteria_to_reside_are_delays_counted_a_day_and_dashboard_months_are_periods():
    nctr = figures("We've got fifty-one people with no criteria to reside on an average day across the two trusts.")
    delayed = figures("The average number of people delayed each day fell from 44 to 25.")
    a, b = parts_of(nctr["fifty-one people"]), parts_of(delayed["25"])
    assert "waiting" in a.counted and a.per == b.per == "day" and not conflicts(a, b)
    row = extract_figures("Median days from contact to assessment completion — Mar-24: 36; Jun-24: 30; Sep-24: 27")
    assert [p.date for p in row] == ["2024-03", "2024-06", "2024-09"]
    assert all(p.unit == "days" and "mar" not in p.measure for p in row)


def test_feeling_safe_is_not_services_making_people_safe_and_a_type_of_abuse_is_not_the_conversion_rate():
    felt = figures("71.2% of people who use services said they felt safe.")
    made = figures("87% say the services they use help them feel safe.")
    assert differ(felt["71.2%"], made["87%"])
    neglect = figures("Neglect was the most common type of abuse, at 30% of enquiries.")
    conversion = figures("The conversion rate from concerns to section 42 enquiries was 30%.")
    assert differ(neglect["30%"], conversion["30%"])
    respite = figures("There are 412 carers receiving respite.")
    assessed = figures("Carers' assessments rose to 790.")
    assert "counted" in differ(respite["412 carers"], assessed["790"])


def test_empty_beds_in_care_homes_are_not_unfilled_posts():
    beds = figures("Across 129 care homes the average bed vacancy rate was 7.4%.")["7.4%"]
    homes = figures("Care market | Care home vacancy rate 6.1% | Homes rated good 78%")["6.1%"]
    staff = figures("Our vacancy rate for social workers is, um, fourteen percent now.")["fourteen percent"]
    sector = figures("The vacancy rate across the care sector is 8.7%.")["8.7%"]
    care_staff = figures("The vacancy rate for care home staff is 9%.")["9%"]
    assert "service" in differ(beds, staff) and "service" in differ(homes, sector) and "service" in differ(homes, care_staff)
    assert not differ(beds, homes) and not differ(staff, care_staff)


def test_a_second_measure_brought_in_by_and_with_of_or_is_names_itself():
    written = figures("Workforce data showed an adult social care vacancy rate of 9.2% and turnover of 15.4%.")
    assert "turnover" not in written["9.2%"].measure and "vacancy" not in written["15.4%"].measure
    spoken = figures("Skills for Care puts vacancies at about nine or ten percent, and turnover's nearly thirty percent.")
    assert "vacanc" not in spoken["thirty percent"].measure
    assert "service" not in differ(written["15.4%"], spoken["thirty percent"])
    assert differ(written["9.2%"], written["15.4%"]) and differ(spoken["nine or ten percent"], spoken["thirty percent"])


def test_a_count_before_a_bracketed_rate_is_a_count():
    both = figures("Admissions of adults aged 18-64 totalled 41 (a rate of 19.6 per 100,000), and of older adults 512 (648.0 per 100,000).")
    assert both["512"].unit == "count" and both["648.0 per 100,000"].unit == "per 100,000"
    assert figures("Admissions per 100k (65+): 512")["512"].unit == "per 100,000"


def test_a_count_said_twice_does_not_borrow_the_next_clauses_measure():
    said = figures("We did, um, just over five thousand assessments last year, five thousand two hundred or so, "
                   "and the mean wait was, it's about forty days, the median's lower, thirty-one.")
    assert "wait" not in said["five thousand two hundred"].measure
    assert said["thirty-one"].unit == "days" and said["forty days"].unit == "days"


def test_staff_supervision_on_time_is_not_complaints_answered_on_time():
    supervised = figures("92% of staff received supervision within the expected timescale.")["92%"]
    complaints = figures("79% of complaints were answered within the agreed timescale.")["79%"]
    checks = figures("Annual health checks for people with a learning disability reached 75%.")["75%"]
    paid = figures("61% of adults with a learning disability who get support take a direct payment.")["61%"]
    assert "service" in differ(supervised, complaints) and "service" in differ(checks, paid)


def test_what_a_speaker_says_while_finding_a_figure_names_no_measure():
    said = figures("Safeguarding concerns, we had, I want to say, about nine hundred last year.")
    assert "safeguarding concerns" in said["nine hundred"].measure and "want" not in said["nine hundred"].measure
    guessed = figures("The reablement figure, what is it, seventy percent or something, sounds about right to me.")
    measure = guessed["seventy percent"].measure
    assert "reablement" in measure and not {"what", "something"} & set(measure.split())


def test_one_percent_in_words_is_a_figure_but_one_day_is_not():
    assert figures("Complaints upheld by the ombudsman are under one percent now.")["one percent"].unit == "%"
    assert not figures("We met the provider one day in May to talk it through.")


def test_a_measure_naming_no_people_in_a_sentence_about_carers_may_be_theirs():
    paid = figures("Carers receiving a direct payment: 342 in the year.")["342"]
    grant = figures("The carers' one-off grant, we gave out nearly three hundred of those.")["three hundred"]
    others = figures("People with a learning disability receiving a direct payment: 120 in the year.")["120"]
    assert "population" not in differ(paid, grant)
    assert "population" in differ(paid, others)  # a measure naming other people is still another measure


def test_a_share_followed_by_another_takes_the_verb_they_share():
    rated = figures("64% of day services and 71% of supported living services are rated good or outstanding.")
    assert "rated good" in rated["64%"].measure and "day services" in rated["64%"].measure


def test_a_figure_worked_out_from_the_one_before_measures_what_it_does():
    flats = figures("There are 820 extra care flats, of which 41 are empty, giving a vacancy rate of 5%.")
    assert "extra care" in flats["5%"].measure and "vacancy" in flats["5%"].measure


def test_a_share_with_its_own_verb_keeps_its_own_measure():
    """"95% of enquiries reduced the risk, and 70% of people said they feel safe": two measures (a
    model answer was once told its 95% was contradicted by the evidence's feeling-safe figure)."""
    found = figures("In 2023/24, 95% of enquiries reduced the risk, and 70% of people who use services said they feel safe.")
    assert "safe" not in found["95%"].measure and "reduced" in found["95%"].measure


def test_a_part_said_after_the_whole_lends_it_none_of_its_words():
    """"640 people were waiting in May, and 95 had waited over a year": the whole is not a wait of a
    year (a stated whole was once told it was contradicted by the part's figure)."""
    said = figures("640 people were waiting in May 2025, and 95 had waited over a year.")
    listed = figures("There's a real backlog, 640 people waiting as at May 2025, 95 over a year.")
    for found in (said, listed):
        assert "year" not in found["640 people"].measure and "waiting" in found["640 people"].measure


def test_a_comma_and_a_space_between_two_figures_is_no_comma_inside_a_number():
    found = figures("Reviews completed in the quarter: 388, 12% above the plan.")
    assert "reviews completed" in found["388"].measure and "plan" not in found["388"].measure


def test_a_value_and_its_period_after_a_rows_first_value_are_the_same_measure():
    found = figures("Hours of home care not delivered per week: 4,200 (June 2024); 1,900 (June 2025).")
    assert found["1,900"].unit == found["4,200"].unit == "hours" and found["1,900"].measure == found["4,200"].measure
    counts = figures("Adults waiting for a review: 2,310 (April 2024); 1,980 (April 2025).")
    assert "waiting" in counts["1,980"].measure


def test_the_people_a_sentence_opens_with_are_whom_its_figures_count():
    """"For adults aged 18 to 64, admissions were 17.9 per 100,000" measures the younger adults'
    admissions, not every admission (it was once taken to contradict a rate said for the over-65s)."""
    found = figures("For adults aged 18 to 64, admissions were 17.9 per 100,000, worse than the England average of 14.6 per 100,000.")
    assert "18 to 64" in found["17.9 per 100,000"].measure and "18 to 64" in found["14.6 per 100,000"].measure
    older = figures("Permanent admissions of people aged 65 and over were 612.4 per 100,000 in 2023/24.")
    assert conflicts(parts_of(found["17.9 per 100,000"]), parts_of(older["612.4 per 100,000"]))
    # A whole of its own opening the sentence is a figure, not a group; a year is not people.
    assert "57" not in figures("For the 57 young people, 41% had an assessment before 18.")["41%"].measure
    assert figures("For 2023/24, 61% of people were satisfied.")["61%"].measure.startswith("people")


def test_a_figure_of_generic_words_takes_its_measure_from_the_sentence_before_on_the_same_thing():
    text = ("The council has cut the number of people waiting for a Care Act assessment. "
            "At the end of September 2025, 612 people were waiting, down from 905 in January 2025.")
    assert "care act assessment" in next(p for p in extract_figures(text) if p.raw == "612 people").measure
    # A sentence before about something else lends nothing.
    other = ("I had a gentleman after a hip op who couldn't make a cup of tea. "
             "Where we're weak is 412 people waiting at the end of March.")
    assert "tea" not in next(p for p in extract_figures(other) if p.raw == "412 people").measure


def test_a_figure_set_against_after_its_unit_is_a_comparison_in_that_unit():
    """"The median wait was 31 days, against 47 the year before": 47 is last year's wait, in days
    (it was once read as a count of its own and called wrong by a carers' wait of 49 days)."""
    found = figures("The median wait in Q4 was 31 days, against 47 the year before, so we're close to the 28-day target.")
    assert found["47"].is_comparator and found["47"].unit == "days" and found["47"].subject == "ours"
    assert found["47"].measure == found["31 days"].measure == "median wait"
    # A target's "28-day" is no window of the wait, nor of a count beside it.
    assert not parts_of(found["31 days"]).window
    counts = figures("There were 486 people waiting at the end of March, so we're close to the 28-day target.")
    assert not parts_of(counts["486 people"]).window
    target = figures("The median wait was 38 days, against the council's own target of completing assessments within 28 days.")
    assert not parts_of(target["38 days"]).window


def test_two_figures_and_two_comparisons_said_together_pair_in_order():
    found = figures("At 31 March 2025, 87% of home care providers and 82% of care homes were rated good or outstanding, "
                    "against 85% and 78% for England.")
    assert found["85%"].is_comparator and found["85%"].subject == found["78%"].subject == "england"
    assert "home care" in found["85%"].measure and "care homes" in found["78%"].measure
    assert found["82%"].comparator.endswith("78%")


def test_a_paragraph_number_is_no_figure_and_working_days_are_days():
    assert figures("6.1.4 Reviews remain the weakest part of our assessment work.") == {}
    found = figures("We responded to only 68% within 20 working days, against a target of 85%.")
    assert found["20 working days"].unit == "days" and found["85%"].subject == "target"
    assert figures("Our aim's 75% by March 2026.")["75%"].subject == "target"
