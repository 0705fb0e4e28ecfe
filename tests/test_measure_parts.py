"""Measures compared part by part (prep_bot/evidence/measure_parts.py): what is counted, the
service, the people, the window, longest-or-usual and change-or-level; whose figure it is is no
part of the measure."""

from __future__ import annotations

import dataclasses

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


def test_waiting_for_a_placement_is_not_an_admission():
    waiting = parts("At the end of June, 23 people were awaiting a nursing home placement.", "23 people")
    placed = parts("Over the year 188 people were placed in nursing homes.", "188 people")
    assert waiting.counted == {"waiting"}
    assert "counted" in conflicts(waiting, placed)


def test_minor_adaptations_are_not_grant_funded_major_ones():
    minor = parts("Grab rails and key safes go in within 3 weeks of the request.", "3 weeks")
    major = parts("Major adaptations paid for by the Disabled Facilities Grant take 29 weeks on average.", "29 weeks")
    assert "size" in conflicts(minor, major)


def test_safeguarding_outcomes_asked_met_and_risk_reduced_are_three_measures():
    asked = parts("People were asked about the outcomes they wanted in 81% of enquiries.", "81%")
    met = parts("Where people said what they wanted, their outcomes were fully or partly met in 94% of cases.", "94%")
    risk = parts("In 90% of enquiries with a risk identified, the risk was removed or reduced.", "90%")
    assert "counted" in conflicts(asked, met) and "counted" in conflicts(asked, risk) and "counted" in conflicts(met, risk)


def test_social_contact_is_not_contacts_received_and_a_direct_payment_is_received():
    social = parts("Only 31% of carers have as much social contact as they would like.", "31%")
    assert "incoming" not in social.counted
    paid = parts("Some 74% of the carers we support take their support as a direct payment.", "74%")
    assert paid.counted == {"receipt"}


def test_a_delay_as_high_as_some_weeks_is_the_worst_case():
    worst = parts("Delays for some people were as high as 9 weeks.", "9 weeks")
    usual = parts("People waited 3 weeks on average for a package to start.", "3 weeks")
    assert worst.longest and "longest" in conflicts(worst, usual)


def test_a_share_after_a_heading_or_before_its_clause_keeps_what_it_measures():
    [share, _] = extract_figures("Personal budgets: 88% of people with long-term support (England 93%).")
    assert share.measure.startswith("personal budgets")
    [found, england] = extract_figures("In 88% of enquiries where a risk was found, the risk was reduced (England 90%).")
    assert "risk reduced" in found.measure and "risk reduced" in england.measure


def test_money_says_what_the_sum_is():
    spend = parts("The council spends £48.2m a year on care it buys from providers.", "£48.2m")
    share = parts("The council's contribution to the pooled fund is £9.4m.", "£9.4m")
    weekly = parts("The average cost of a nursing placement is £1,210 a week.", "£1,210")
    assert "money" in conflicts(spend, share) and "money" in conflicts(spend, weekly) and "money" in conflicts(share, weekly)


def test_the_share_of_an_areas_carers_reached_is_not_their_satisfaction():
    reach = parts("About 9% of the carers in the county are supported by the council.", "9%")
    satisfied = parts("Some 39% of carers were satisfied with the support they got.", "39%")
    assert reach.counted == {"reach"} and "counted" in conflicts(reach, satisfied)


def test_urgent_cases_are_a_measure_of_their_own():
    urgent = parts("Urgent adaptations are fitted within 5 days of the call.", "5 days")
    usual = parts("Adaptations are fitted within 30 days of the call.", "30 days")
    assert "urgent" in conflicts(urgent, usual)


def test_carers_known_registered_and_identified_are_three_counts():
    known = parts("About 2,900 unpaid carers are known to the council.", "2,900")
    registered = parts("The carers' hub has 1,750 carers registered with it.", "1,750 carers")
    found = parts("We identified 64 new carers last month.", "64")
    assert "counted" in conflicts(known, registered) and "counted" in conflicts(registered, found)


def test_what_staff_said_in_a_survey_is_not_a_vacancy_rate():
    said = parts("In the staff survey 77% of occupational therapists said supervision was regular.", "77%")
    vacancy = parts("The occupational therapist vacancy rate was 12%.", "12%")
    assert "counted" in conflicts(said, vacancy)


def test_the_whole_keeps_no_window_of_the_part_said_after_of_them():
    whole = parts("In May, 180 people were waiting for a review, and 40 of them had waited more than a year.", "180 people")
    assert whole.window == ()


def test_open_enquiries_are_not_enquiries_started():
    started = parts("Section 42 enquiries started in the quarter: 210.", "210")
    still_open = parts("There are 95 open safeguarding enquiries today.", "95")
    assert "counted" in conflicts(started, still_open)


def test_what_people_said_is_counted_only_when_nothing_else_is():
    talk = parts("Some 22% of carers said they had someone to talk to in confidence.", "22%")
    rest = parts("Some 14% of carers said they could take a break from caring.", "14%")
    assert "view" not in talk.counted and "counted" in conflicts(talk, rest)


def test_a_bracketed_rate_measures_what_the_figure_before_the_bracket_does():
    [count, rate] = extract_figures("Younger adults' long-term care home admissions: 38 people in 2023/24 (rate 16.2 per 100,000).")
    assert "care home admissions" in rate.measure and parts_of(rate).counted == {"admitted"}


def test_a_change_said_with_a_hedge_is_still_a_change_and_women_are_people():
    up = parts("We handled 1,400 contacts this year, and it's gone up about 12%.", "12%")
    assert up.change
    women = parts("Of the 610 staff, 79% are women.", "79%")
    assert "gender" in women.population


def test_a_part_said_after_of_them_counts_what_is_said_of_it():
    sentence = "Sickness absence among home care staff was 6%, and 24% of them are aged over 60."
    older, absence = parts(sentence, "24%"), parts(sentence, "6%")
    assert not older.counted and "sickness" in absence.counted
    assert "population" in conflicts(older, parts("Sickness absence in home care staff is 5.5%.", "5.5%"))


def test_a_backlog_of_applications_is_not_applications_received():
    backlog = parts("The team had 410 DoLS applications awaiting allocation.", "410")
    received = parts("DoLS applications received this year: 1,950.", "1,950")
    assert backlog.counted == {"waiting"} and "counted" in conflicts(backlog, received)
    assert "dols" in parts("A standard authorisation took 84 days on average.", "84 days").service


def test_quarter_two_is_a_period_and_retirement_is_what_is_counted():
    [wait] = extract_figures("The average wait for an OT assessment fell to 26 days in quarter 3.")
    assert wait.raw == "26 days" and "quarter" not in wait.measure
    [count] = extract_figures("In the last quarter 18 people were admitted.")
    assert count.raw == "18 people"
    assert "retirement" in parts("We expect 900 posts to reach retirement age by 2030.", "900 posts").counted


def test_hours_of_care_a_week_are_how_much_care_not_how_long_a_wait():
    volume = parts("Providers delivered about 9,200 hours of care each week.", "9,200 hours")
    wait = parts("People waited 12 days on average for home care to start.", "12 days")
    assert "hours" in volume.counted and "counted" in conflicts(volume, wait)
    talks = parts("We held 1,300 carers' conversations last year.", "1,300 carers")
    assessed = parts("Some 420 carers received a carer's assessment last year.", "420 carers")
    assert "service" in conflicts(talks, assessed)


def test_a_wait_that_starts_when_reablement_ends_is_not_every_home_care_wait():
    after = parts("Once reablement ends, some people wait 7 weeks before a home care provider can start.", "7 weeks")
    every = parts("The longest wait for a home care package was 58 days.", "58 days")
    assert after.handover and "handover" in conflicts(after, parts("The longest wait for home care was 9 weeks.", "9 weeks"))
    assert not every.handover
    bare = parts("Staff spoke of waits as long as 9 weeks.", "9 weeks")
    assert "handover" not in conflicts(after, bare)


def test_delayed_discharges_are_people_waiting_not_people_discharged():
    delayed = parts("Delayed discharges averaged 33 people a day in May.", "33 people")
    left = parts("Over the year 980 people were discharged from hospital with support.", "980 people")
    assert delayed.counted == {"waiting"} and "counted" in conflicts(delayed, left)


def test_a_time_before_after_or_following_in_what_is_still_true_only_defines_the_measure():
    """A time said before "after" or "following", in a clause about what is still true ("still at
    home 91 days after discharge"), defines the measure; "walking to the shop six weeks
    later" and "installed 10 weeks after the referral" are times that passed (the claim check once
    called a story's "six weeks later" contradicted by the 91 days)."""
    from prep_bot.evidence.figures import extract_figures
    from prep_bot.evidence.measures import is_threshold

    def read(sentence: str) -> list[tuple[str, bool]]:
        return [(p.raw, is_threshold(sentence, p.start, p.unit)) for p in extract_figures(sentence) if p.kind == "time"]

    assert read("Performance improved for people remaining at home 91 days following discharge from hospital.") == [("91 days", True)]
    assert read("Of those, 94% are still at home 91 days after leaving hospital into reablement.")[-1] == ("91 days", True)
    assert read("He was walking to the paper shop on his own six weeks later, with no ongoing care.") == [("six weeks", False)]
    assert read("The stair lift was installed 10 weeks after the referral.") == [("10 weeks", False)]


# -- what false pairs differed in (issue 21, same-measure precision) ------------------------------
def test_a_figure_after_lower_than_the_is_the_comparison_of_the_same_measure():
    sentence = "Sickness absence in our own teams is 4.1%, lower than the 5.6% in the independent sector."
    [ours, theirs] = extract_figures(sentence)
    assert theirs.is_comparator and theirs.subject == "comparator" and theirs.measure == ours.measure
    assert ours.comparator and "5.6%" in ours.comparator
    vacancy = parts("The vacancy rate in our own teams is 7%.", "7%")
    assert "counted" in conflicts(parts_of(theirs), vacancy)


def test_a_figure_followed_by_against_is_ours_and_the_next_one_its_comparison():
    [ours, earlier] = extract_figures("Satisfaction among carers is up, at roughly 51% against 44% in the previous survey.")
    assert ours.subject == "ours" and not ours.is_comparator
    assert earlier.is_comparator and earlier.measure == ours.measure


def test_the_grant_process_is_not_the_time_to_fit_named_items():
    grant = parts("Disabled Facilities Grant cases took 33 weeks on average from application to completion.", "33 weeks")
    items = parts("Ramps and stair lifts now go in within nine weeks of the first call.", "nine weeks")
    rails = parts("It's about three weeks from them phoning to the rails going in.", "three weeks")
    assert "size" in conflicts(grant, items) and "size" in conflicts(grant, rails)
    assert not conflicts(items, rails)


def test_a_heading_before_a_colon_names_every_item_of_its_list():
    [count, time] = extract_figures("Disabled Facilities Grants: 180 applications open; average time to completion 31 weeks.")
    assert "disabled facilities grants" in time.measure
    assert "size" in conflicts(parts_of(time), parts("Grab rails are fitted within 12 days.", "12 days"))


def test_what_happened_to_contacts_is_counted_not_that_they_came_in():
    passed = parts("Our front door passes 25% of contacts on for a full assessment.", "25%")
    resolved = parts("The front door resolves 58% of contacts at the first point of contact.", "58%")
    answered = parts("The contact centre answers 91% of calls within five minutes.", "91%")
    assert "counted" in conflicts(passed, resolved) and "counted" in conflicts(resolved, answered)


def test_the_average_beside_a_longest_wait_is_not_a_longest_wait():
    sentence = "Waits for home care after reablement: longest 10 weeks, average 4 weeks."
    longest, average = parts(sentence, "10 weeks"), parts(sentence, "4 weeks")
    assert longest.longest and not average.longest
    assert "longest" in conflicts(longest, average)


def test_a_safeguarding_adults_review_is_not_a_review_of_care():
    sar = parts("Safeguarding Adults Reviews commissioned this year: 3.", "3")
    annual = parts("Annual reviews overdue at the end of the quarter: 270.", "270")
    assert "service" in conflicts(sar, annual)
    both = parts("Our safeguarding adults board checks that 95% of annual reviews are done on time.", "95%")
    assert "review" in both.service


def test_what_a_count_counts_is_read_from_the_noun_after_it():
    conversations = parts("We held 1,500 carers' conversations last year.", "1,500 carers")
    registered = parts("The carers' hub has 2,600 carers registered.", "2,600 carers")
    assert conversations.counts == "conversations" and registered.counts == "people"
    assert "counts" in conflicts(conversations, registered)
    agency = parts("We still use 22 agency social workers.", "22")
    team = parts("There are 14 qualified social workers in the team.", "14")
    assert (agency.counts, team.counts) == ("agency", "staff") and "counts" in conflicts(agency, team)
    caseload = parts("Caseloads now average 17 per social worker.", "17")
    headcount = parts("The service employs about 610 staff.", "610 staff")
    assert (caseload.counts, headcount.counts) == ("cases", "staff") and "counts" in conflicts(caseload, headcount)
    # With no noun after it, a count counts what its clause named before it.
    fewer = parts("We have cut agency social workers from 27 to 11 this year.", "27")
    overdue = parts("Annual reviews overdue at the end of March: 240.", "240")
    assert (fewer.counts, overdue.counts) == ("agency", "reviews")
    flats = parts("We commissioned 140 extra care flats last year.", "140")
    schemes = parts("We opened 2 extra care schemes and 3 more are planned.", "2")
    assert (flats.counts, schemes.counts) == ("dwellings", "schemes") and "counts" in conflicts(flats, schemes)


def test_a_count_per_period_is_not_a_count_of_how_many_there_are():
    monthly = parts("The hub identifies around 80 new carers a month.", "80")
    stock = parts("The carers' hub has 2,600 carers registered.", "2,600 carers")
    assert monthly.per == "month" and not stock.per
    assert "per" in conflicts(monthly, stock)
    daily = parts("On a typical day 28 people who are medically fit are still in hospital.", "28 people")
    assert daily.per == "day"
    overdue = parts("Around 90 people had waited more than a year for their review.", "90 people")
    assert overdue.per == ""


def test_nursing_care_is_not_residential_care_and_a_care_home_names_neither():
    nursing = parts("There are 19 people waiting for a nursing home place.", "19 people")
    residential = parts("There are 23 people waiting for a residential placement.", "23 people")
    care_home = parts("There are 41 people awaiting a care home placement.", "41 people")
    assert "care type" in conflicts(nursing, residential)
    assert "care type" not in conflicts(nursing, care_home)


def test_how_far_above_a_plan_is_not_a_level():
    above = parts("Reviews completed this quarter were 9% above the quarterly plan.", "9%")
    level = parts("In the last 12 months 68% of people were reviewed.", "68%")
    assert above.change and "change" in conflicts(above, level)


def test_a_budget_is_not_what_is_spent_on_part_of_it():
    budget = parts("The adult social care budget this year is £150m.", "£150m")
    spend = parts("We spend £70m a year on commissioned care.", "£70m")
    assert "money" in conflicts(budget, spend)


def test_hours_of_care_are_not_a_wait_and_unmet_hours_are_not_hours_delivered():
    delivered = parts("Providers delivered about 16,000 hours of care each week.", "16,000 hours")
    unmet = parts("Some 900 hours of care a week are still waiting to be picked up.", "900 hours")
    wait = parts("A home care package typically starts within 6 days.", "6 days")
    assert delivered.counted == {"hours"} and unmet.counted == {"unmet-hours"}
    assert "counted" in conflicts(delivered, unmet) and "counted" in conflicts(delivered, wait)


def test_a_restated_share_borrows_the_measure_said_before_it():
    [point] = extract_figures("For a short break at short notice it's tough, maybe one in eight manage it, so roughly 12%.")
    assert "break" in point.measure


def test_going_home_with_no_package_is_a_part_of_going_home():
    no_package = parts("The share of people discharged home with no care package rose to 61%.", "61%")
    home = parts("The proportion of people discharged from hospital to their usual place of residence was 92.8%.", "92.8%")
    assert "independent" in conflicts(no_package, home)
    from_hospital = parts("About 60 people a month start reablement, and 48% of them come straight from hospital.", "48%")
    no_further = parts("The proportion who needed no further services after short-term support was 71%.", "71%")
    assert conflicts(from_hospital, no_further)


def test_one_persons_story_is_never_a_measure():
    later = parts("A carer rang on Monday and a sitting service was in place three days later.", "three days")
    one = parts("Of the 31 people placed in May, one man waited 64 days for a nursing bed.", "64 days")
    wait = parts("The average wait for a nursing bed was 19 days.", "19 days")
    assert later.later and one.one and not (wait.later or wait.one)
    assert "story" in conflicts(later, one) and "story" in conflicts(one, wait)
    retold = parts("In May one man waited 71 days for a nursing bed, and we rang him every week.", "71 days")
    assert "story" not in conflicts(one, retold)
    longest = parts("The longest wait for a care package is 58 days, for a woman in a rural village.", "58 days")
    assert not (longest.later or longest.one)


def test_a_heading_can_give_the_unit_of_the_bare_number_after_it():
    [received, median] = extract_figures("DoLS applications received this year: 1,980; median days to a decision: 84.")
    assert received.unit == "count" and (median.unit, median.value) == ("days", 84.0)
    [weeks] = extract_figures("Time to first visit (weeks): 5.")
    assert weeks.unit == "weeks"


def test_the_people_we_support_at_home_are_not_carers():
    share = parts("Roughly a quarter of the people we support at home use a direct payment, so about 25%.", "25%")
    carers = parts("Carers on a direct payment: 77%.", "77%")
    assert "users" in share.population and "population" in conflicts(share, carers)


def test_a_sentence_that_opens_with_its_scope_gives_it_to_a_figure_that_names_none():
    sentence = ("Within home care, a larger share of agencies were rated Requires Improvement (18.2%) "
                "than were providers of Nursing Care (7.5%).")
    home_care, nursing = parts(sentence, "18.2%"), parts(sentence, "7.5%")
    assert "homecare" in home_care.service and home_care.others[5] == frozenset()
    assert "nursing" in nursing.others[5] and "homecare" not in nursing.service


def test_a_count_beside_a_share_of_the_areas_carers_is_how_many_not_the_share():
    sentence = "In 2025 the service supports 2,910 carers, which is an estimated 14% of the unpaid carer population."
    count, share = parts(sentence, "2,910 carers"), parts(sentence, "14%")
    assert share.counted == {"reach"} and "reach" not in count.counted


def test_monthly_counts_are_per_month_and_complaints_are_not_compliments():
    monthly = parts("Monthly safeguarding concerns averaged 205 between April and June.", "205")
    yearly = parts("The council received 2,480 safeguarding concerns last year.", "2,480")
    assert monthly.per == "month" and "per" in conflicts(monthly, yearly)
    report = parts("Our weekly report shows 40 people waiting.", "40 people")
    assert report.per == ""
    complaints = parts("We received 171 complaints about adult social care.", "171")
    compliments = parts("We received 230 compliments about adult social care.", "230")
    assert "service" in conflicts(complaints, compliments)


def test_beside_another_sum_the_nearest_words_say_which_sum():
    sentence = "Leaders are managing a forecast overspend of £5.1m against a net budget of £121m."
    overspend, budget = parts(sentence, "£5.1m"), parts(sentence, "£121m")
    assert overspend.others[3] == {"overspend"} and budget.others[3] == {"budget"}
    assert "money" in conflicts(overspend, budget)


# -- what a measure is about, from its sentence (fresh wording, issue 21) ------------------------

def test_waits_for_different_services_are_different_measures_when_the_words_name_no_service():
    after_hospital = parts("When people were well enough to go home from hospital, their care took an average of 5 days to arrange.", "5 days")
    home_care = parts("Right now 64 people are waiting for home care, and they have waited an average of 16 days.", "16 days")
    assert "topic" in conflicts(after_hospital, home_care)
    same = parts("Once people were fit to leave hospital, they waited 6 days on average for care to be set up.", "6 days")
    assert not conflicts(after_hospital, same)


def test_carers_waiting_for_an_assessment_are_not_people_waiting_for_an_occupational_therapist():
    carers = parts("Carers awaiting assessment: 212.", "212")
    ot = parts("There are 395 people waiting for an occupational therapy assessment.", "395 people")
    assert {"service", "topic"} & set(conflicts(carers, ot))  # a carer's assessment is not an OT assessment
    assert not conflicts(carers, parts("We have about 200 carers awaiting an assessment at the moment.", "200 carers"))


def test_words_borrowed_from_the_sentence_before_do_not_say_what_a_figure_is_about():
    [point] = [p for p in extract_figures(
        "In May 41 people started a package, and nobody was waiting three weeks after the new contract began.")
        if p.raw == "three weeks"]
    # The claim check gives a measure that says little words from the answer's sentence before
    # ("... had carers the next morning").
    spoken = parts_of(dataclasses.replace(point, measure=f"carers {point.measure}"))
    assert "carers" in spoken.population
    evidence = parts("There were no people waiting for their home care to start after the first three weeks.", "three weeks")
    assert "topic" not in conflicts(spoken, evidence)


def test_a_count_is_read_past_the_name_of_an_act():
    assessments = parts("We carry out about 95 Mental Health Act assessments a month.", "95")
    rota = parts("There are 22 warranted AMHPs on the rota.", "22")
    assert assessments.counts == "assessments" and rota.counts == "staff"
    assert "counts" in conflicts(assessments, rota)


def test_a_heading_and_the_figure_beside_it_say_per_what():
    heading = parts("Mental Health Act assessments per month (average): 88.", "88")
    assert heading.per == "month"
    sentence = "Delayed discharges averaged 44 people a day in March, against a plan of 32."
    assert parts(sentence, "32").per == "day"


def test_a_price_per_hour_is_not_a_sum_and_a_yearly_sum_is_the_sum():
    price = parts("We pay home care providers £23.80 an hour, against a regional average of £23.10.", "£23.10")
    spend = parts("Net spend on adult social care was £141.2m in 2024/25.", "£141.2m")
    assert price.per == "hour" and "per" in conflicts(price, spend)
    yearly = parts("The council spends £58.3m per annum on commissioned care.", "£58.3m")
    said = parts("We spend about £61m a year on commissioned care.", "£61m")
    assert "per" not in conflicts(yearly, said)


def test_a_share_in_words_and_its_figure_take_the_words_after_the_bracket():
    [point] = [p for p in extract_figures("Nearly a third of unpaid carers (31%) feel they have enough social contact.") if p.raw == "31%"]
    assert "social contact" in point.measure
    satisfied = parts("Carers satisfied with the support they get: 36.1%.", "36.1%")
    assert conflicts(parts_of(point), satisfied)


def test_going_on_to_an_assessment_is_not_having_one_completed():
    on_to = parts("Of some 50,000 contacts a year, about 14% go on to a needs assessment.", "14%")
    done = parts("For young people turning 18, 63% had their Care Act assessment completed before the birthday.", "63%")
    assert conflicts(on_to, done)


def test_service_user_satisfaction_is_not_carer_satisfaction():
    users = parts("Service user satisfaction (extremely or very satisfied): 64%.", "64%")
    carers = parts("Some 33% of our carers were extremely or very satisfied with services.", "33%")
    assert "population" in conflicts(users, carers)


def test_an_uplift_is_a_change_not_a_level():
    uplift = parts("The proposed home care rate is £25.10 an hour, an uplift of 4.8%.", "4.8%")
    rated = parts("Nine in ten home care agencies (90%) are rated good or outstanding.", "90%")
    assert uplift.change and conflicts(uplift, rated)


def test_a_statutory_window_and_a_heading_of_another_figure():
    statutory = parts("Only 16% of standard authorisations were completed within the statutory 21 days.", "16%")
    assert statutory.window == (21.0,)
    listed = parts("Concerns received: 2,205; enquiries started: 610; concerns triaged within 2 working days: 89%.", "2,205")
    assert listed.window == ()
    target = parts("Long-term clients reviewed in the last 12 months: 61.2% (target 70%).", "70%")
    assert target.window == (365.3,)


def test_measures_with_nothing_in_common_are_not_one_measure():
    listed = parts("Um, we've got, what, 275 people on the list now.", "275 people")
    housed = parts("There are 61 people with care needs in temporary accommodation at the moment.", "61 people")
    assert "nothing in common" in conflicts(listed, housed)
    # A word in common is enough to leave it to the pair model, hyphenated or not.
    agreed = parts("People still at home 91 days after discharge from hospital into reablement: 93%.", "93%")
    said = parts("Our at-home-after-91-days figure is 95%, well above England.", "95%")
    assert "nothing in common" not in conflicts(agreed, said)


def test_a_price_says_per_what_from_its_rate_or_the_price_it_is_set_against():
    day_rate = parts("Day services: people attending each week 290; average day rate £71.20.", "£71.20")
    said = parts("A day at the resource centre costs us roughly £66, going by the last contract.", "£66")
    weekly = parts("We pay a standard residential fee of £865 a week for older people.", "£865")
    assert day_rate.per == said.per == "day"
    assert "per" in conflicts(day_rate, weekly)
    against = parts("The fair cost of care work put a nursing place at £1,090 a week, against the £1,010 paid now.", "£1,010")
    assert against.per == "week"


def test_a_peak_is_not_the_usual_level():
    peak = parts("Over the winter the number of people delayed on a single day peaked at 44.", "44")
    usual = parts("On an average day 23 people were delayed in hospital waiting for care.", "23 people")
    assert peak.longest and "longest" in conflicts(peak, usual)


def test_the_ombudsmans_decisions_are_not_the_councils_own_and_a_prison_is_a_service():
    ours = parts("Of the complaints the council closed last year, 42% were upheld in full or in part.", "42%")
    ombudsman = parts("The Local Government Ombudsman upheld 76% of the adult social care complaints it investigated.", "76%")
    assert "ombudsman" in conflicts(ours, ombudsman)
    prison = parts("In the county's two prisons, 52 Care Act assessments were completed in the year.", "52")
    hospital = parts("The hospital social work team completed 1,410 Care Act assessments in the year.", "1,410")
    assert "prison" in prison.topic and "topic" in conflicts(prison, hospital)


def test_a_headings_daily_average_makes_a_count_per_day():
    daily = parts("Delayed transfers due to social care (daily average, Q3): 21; target: 15.", "21")
    assert daily.per == "day"
    on_the_day = parts("People delayed in hospital on the day of the count: 25.", "25")
    assert "per" in conflicts(daily, on_the_day) or daily.per != on_the_day.per


def test_a_forecast_a_year_to_date_and_a_months_overspend_are_three_measures():
    """Budget reports give a sum for the whole year forecast, for the year so far and for one
    month: none is the other, though all are an overspend in pounds."""
    forecast = parts("The directorate forecasts a year-end overspend of £4.2m.", "£4.2m")
    so_far = parts("By month 8 the service had overspent by £2.6m year to date.", "£2.6m")
    month = parts("The in-month overspend was £0.3m, mostly on placements.", "£0.3m")
    plain = parts("The overspend on adult social care was £4.2m.", "£4.2m")
    for a, b in ((forecast, so_far), (forecast, month), (so_far, month)):
        assert "span" in conflicts(a, b)
    assert "span" not in conflicts(forecast, plain)


def test_the_same_measure_in_other_words_is_not_kept_apart():
    """Words a dashboard or a speaker uses for one measure: "post-reablement" is after
    reablement, carers waiting for "assessment" wait for a carer's assessment, placements in care
    homes are admissions, and a year's count is a count."""
    dashboard = parts("At home 91 days post-reablement (65+): 84.0%", "84.0%")
    report = parts("Of older people discharged into reablement, 82.5% were at home 91 days after discharge.", "82.5%")
    assert not conflicts(dashboard, report) and dashboard.window == (91.0,)
    carers = parts("There are 140 carers awaiting assessment.", "140 carers")
    assert not conflicts(carers, parts("We have 155 carers waiting for a carer's assessment.", "155 carers"))
    placed = parts("We made 301 permanent placements of older people in care homes.", "301")
    admitted = parts("There were 288 permanent admissions of older people to care homes.", "288")
    assert not conflicts(placed, admitted)
    assert not conflicts(parts("The council had 240 complaints a year about adult social care.", "240"),
                         parts("The council received 198 complaints about adult social care.", "198"))


def test_measures_that_share_words_but_not_meaning_are_kept_apart():
    """A median is not an average; waiting for an occupational therapy assessment is not waiting
    for a Care Act assessment; being offered reablement is not needing nothing after it; the year's
    forecast outturn is not its budget, and savings at risk are not the savings target."""
    median = parts("The median wait for a Care Act assessment was 19 days.", "19 days")
    mean = parts("On average people waited 33 days for a Care Act assessment.", "33 days")
    assert "summary" in conflicts(median, mean)
    ot = parts("There are 240 people waiting for an occupational therapy assessment.", "240 people")
    needs = parts("There are 410 people waiting for a Care Act assessment.", "410 people")
    assert "service" in conflicts(ot, needs)
    offered = parts("Only 2.4% of older people discharged from hospital were offered reablement.", "2.4%")
    after = parts("Of people who finished reablement, 78% needed nothing more afterwards.", "78%")
    assert "counted" in conflicts(offered, after)
    outturn = parts("The forecast outturn for adult social care is £121.5m.", "£121.5m")
    budget = parts("The adult social care net budget is £118.0m.", "£118.0m")
    assert conflicts(outturn, budget)
    at_risk = parts("Of the savings plan, £1.9m is rated red and at risk.", "£1.9m")
    target = parts("The savings target for the year is £7.5m.", "£7.5m")
    assert conflicts(at_risk, target)
    unmet = parts("Each week 290 hours of home care cannot be placed with a provider.", "290 hours")
    delivered = parts("Providers delivered 10,400 hours of home care a week.", "10,400 hours")
    assert "counted" in conflicts(unmet, delivered)


def test_the_gentleman_who_waited_is_one_persons_story():
    story = parts("I remember the gentleman who waited 52 days for his package to start.", "52 days")
    usual = parts("People waited an average of 9 days for a home care package to start.", "9 days")
    assert story.one and "story" in conflicts(story, usual)
    assert not parts("The average person waits 40 days for an assessment.", "40 days").one


def test_the_carers_survey_is_not_the_survey_of_people_who_use_services():
    # Both ask about information, quality of life and satisfaction; a figure in a sentence about
    # carers is the carers' even when its own clause names nobody, and so is England's beside it.
    users = parts("75% of people said they had as much control as they wanted, and 66% found it easy to find "
                  "information about services.", "66%")
    carers = parts("Only 61% of carers said they felt involved, and 52% found information easy to find.", "52%")
    assert "population" in conflicts(users, carers)
    england = parts("Unpaid carers were less positive: 34.5% said they were extremely or very satisfied with their "
                    "support, compared with 36.3% in England.", "36.3%")
    ours = parts("Carers' satisfaction is, I think, around 35%.", "35%")
    assert conflicts(england, ours) == []
    scored = parts("Indicator: Carer-reported quality of life (ASCOF 1D); 2023/24: 7.1; England: 7.3", "7.1")
    assert "carers" in scored.population
    # Paid carers are care workers: complaints about them are complaints.
    complaints = parts("We had about 230 complaints, mostly about charging or carers not turning up.", "230")
    assert "carers" not in complaints.population


def test_a_rating_of_outstanding_is_no_backlog_and_a_conversion_is_what_came_of_it():
    rated = parts("Around 64% of care homes in the borough are rated good or outstanding.", "64%")
    assert "waiting" not in rated.counted and "rated" in rated.counted
    led = parts("Safeguarding concerns rose to 2,870, with 38% of concerns leading to a section 42 enquiry.", "38%")
    met = parts("MSP outcomes fully/partly achieved: 91% | people who feel safe: 64.2%", "91%")
    assert "passed" in led.counted and "outcome-met" in met.counted and "counted" in conflicts(led, met)


def test_what_a_speaker_says_of_their_memory_is_no_measure():
    said = parts("Something like seven in ten people come out of reablement needing nothing further, "
                 "it was 71% I think last quarter.", "71%")
    assert "reablement" in said.service and "independent" in said.counted


def test_a_window_of_the_part_said_after_of_them_is_not_the_wholes():
    earlier = parts("Members asked why 1,210 people remain on the waiting list for a Care Act assessment, up from 860 "
                    "in March, and noted that 97 of them have waited more than six months.", "860")
    now = parts("At the end of March, 734 people were waiting for a Care Act assessment.", "734 people")
    assert earlier.window == () and conflicts(earlier, now) == []
    standard = parts("We're getting about 65% of assessments done in the 28 days.", "65%")
    assert standard.window == (28.0,)


def test_all_registered_services_are_not_care_homes_and_receiving_home_care_is_not_waiting_for_it():
    every = parts("79% of CQC-registered adult social care services in the area were rated good or outstanding.", "79%")
    homes = parts("Around 64% of care homes in the borough are rated good or outstanding.", "64%")
    assert "service" in conflicts(every, homes)
    receiving = parts("There were 3,870 people receiving home care arranged by the local authority.", "3,870 people")
    waiting = parts("At the end of Q2 there were 96 people awaiting a package of home care.", "96 people")
    assert "receipt" in receiving.counted and "counted" in conflicts(receiving, waiting)


def test_a_speakers_own_hedge_is_no_survey_answer():
    said = parts("I'd say we get maybe 300 safeguarding concerns a month.", "300")
    assert "view" not in said.counted
    surveyed = parts("75% of people said they had as much control as they wanted.", "75%")
    assert "involved" in surveyed.counted


def test_a_spoken_pointer_back_takes_the_measure_its_sentence_opened_with():
    said = parts("The average wait for a Care Act assessment has come right down, it was like 60-odd days and now "
                 "it's, I think it's about 30 days.", "30 days")
    report = parts("The average wait for a Care Act assessment had fallen from 46 to 31 days over the year.", "31 days")
    assert "assess" in said.service and conflicts(said, report) == []
    assert "60-odd days" in [p.raw for p in extract_figures("It was like 60-odd days.")]


def test_paid_work_is_employment_and_no_request_for_support_is_independence():
    work = parts("Only 4.8% of adults with learning disabilities known to the council are in paid work.", "4.8%")
    employed = parts("The proportion of adults with a learning disability in paid employment was 5.6%.", "5.6%")
    assert work.counted == {"employment"} and conflicts(work, employed) == []
    ascof = parts("The proportion of people who received short-term services with no request for further support "
                  "was 79.4%.", "79.4%")
    assert ascof.counted == {"independent"}


def test_what_an_organisation_reports_is_no_survey_view_and_open_to_a_team_is_known_to_it():
    reported = parts("The council said 143 people were waiting for a home care package.", "143 people")
    assert "view" not in reported.counted and "waiting" in reported.counted
    assert "view" in parts("81% of social workers said the practice framework is clear.", "81%").counted
    assert "view" not in parts("58% of young people had agreed a care plan by 18.", "58%").counted
    open_to = parts("Young people open to the transitions team: 340", "340")
    known = parts("Young people known to the transitions team: 312", "312")
    assert open_to.counted == known.counted == {"known"}
    assert "open" in parts("Safeguarding enquiries still open: 221", "221").counted


def test_a_forecast_variance_is_the_overspend_and_a_share_beside_a_sum_is_its_share():
    variance = parts("ASC revenue budget | £198.0m | Forecast outturn | £203.1m | Variance | £5.1m adverse", "£5.1m")
    overspend = parts("The service is forecasting an overspend of £5.1m against its budget.", "£5.1m")
    outturn = parts("ASC revenue budget | £198.0m | Forecast outturn | £203.1m | Variance | £5.1m adverse", "£203.1m")
    assert not conflicts(variance, overspend) and "money" in conflicts(outturn, overspend)
    [share] = [p for p in extract_figures("Cabinet noted a forecast overspend of £5.1m, 2.6% of the net budget.") if p.unit == "%"]
    assert "overspend" in share.measure and "budget" in share.measure


def test_a_window_that_labels_another_cell_of_a_row_is_not_its_neighbours():
    received = parts("Complaints received | 148 | Answered within 20 working days | 71% | Compliments | 96", "148")
    answered = parts("Complaints received | 148 | Answered within 20 working days | 71% | Compliments | 96", "71%")
    alone = parts("We received 131 complaints last year.", "131")
    assert "window" not in conflicts(received, alone) and 20.0 in answered.window
