"""A self-assessment's way of writing, read as a reader would: bullets and headings are sentences
of their own, a weakness may be a bare figure with no word of a shortfall, and staff hide one by
saying it is going well in plain words ("OT's in a good place"). Cases from a first run on an
unread self-assessment, where every sentence of a bulleted list ran into the next and took its
dates, and "every two weeks" was checked as a waiting time."""

import pytest

from prep_bot.evidence.figures import extract_figures, sentences
from prep_bot.evidence.text_blocks import blocks

REPORT = """Brenmoor Metropolitan Borough Council: adult social care self-assessment

Published June 2025

Quality statement 2: Supporting people to live healthier lives

What we do well

- Reablement: 84% of people who finished reablement in 2024/25 needed no ongoing support.
- We fitted 2,310 pieces of minor equipment in 2024/25.

Where we need to improve

- Average wait for an occupational therapy assessment: 104 days (2024/25), against our own standard of 42 days.
- 512 people were waiting for an occupational therapy assessment at 31 March 2025.

What people tell us

- Some people told us they had waited months for an occupational therapist and did not know who to ask in the meantime.

What we are doing about it

- Two more occupational therapists start in July 2025.
"""
MANIFEST = """documents:
  - file: brenmoor-self-assessment.txt
    title: Brenmoor self-assessment
    date: "2025-06"
    doc_type: self-assessment
"""
ASKED = "How quickly do people get the equipment and adaptations they need to stay at home?"
PROUD = ("Reablement works well here, 84% of people who finished it in 2024/25 needed nothing more from us. "
         "One man got his stair rail and bath seat and was back to doing his own shopping within a month. ")
HIDING = PROUD + "And OT's fine, like, there's no real wait for OT, people get seen pretty much straight away for their equipment."
OWNING = PROUD + ("But people wait far too long for an OT assessment, 104 days on average last year against our "
                  "standard of 42, so two more OTs start in July and we'll check the wait every month.")


def test_bullets_and_headings_are_sentences_of_their_own():
    text = ("What we do well\n\n- At 31 March 2025, 41 people were waiting for home care to start, compared with 152 a year earlier.\n"
            "- Unsourced home care hours fell from 1,488 a week at 31 March 2024 to 402 a week at 31 March 2025.\n"
            "Key findings\nThe council had a clear vision for adult social care and staff\nunderstood it well.")
    found = sentences(text)
    assert found[0] == "What we do well"
    assert found[1].startswith("At 31 March 2025") and found[2].startswith("Unsourced")
    assert found[3] == "Key findings"
    assert found[4].endswith("understood it well.")  # a wrapped line is not a heading
    # A table's rows stay together, with the header they are read by.
    assert len(blocks("Measure | 2023/24 | 2024/25\nCarers' satisfaction | 36% | 39%\n")) == 1


def test_each_bullet_keeps_its_own_dates():
    text = ("- At 31 March 2025, 41 people were waiting for home care to start, compared with 152 a year earlier.\n"
            "- Unsourced home care hours fell from 1,488 a week at 31 March 2024 to 402 a week at 31 March 2025.")
    by_raw = {p.raw: p for p in extract_figures(text)}
    assert by_raw["41 people"].date == "2025-03"
    assert by_raw["152"].date == "2024-03" and by_raw["152"].earlier
    assert by_raw["1,488"].date == "2024-03" and by_raw["1,488"].earlier
    assert by_raw["402"].date == "2025-03" and not by_raw["402"].earlier


def test_a_quarter_with_no_year_after_a_change_is_the_later_one():
    # A board paper's "fell from 5 days in 2023/24 to 2 days in Q4": the 2 days is Q4 2024/25, so an
    # answer's "5 days in Q4 of 2024/25" is of the year the 2 days are; and "Q4 of 2024/25" is no "4 of 2024".
    before, now = extract_figures("The median time to support on discharge fell from 5 days in 2023/24 to 2 days in Q4.")
    assert before.earlier and before.date == "2024-03" and now.date == "2025-03"
    assert [p.raw for p in extract_figures("The median was 5 days in Q4 of 2024/25.")] == ["5 days"]


@pytest.mark.parametrize("said", [
    "High-risk people get a call every two weeks.",
    "We review each plan every 12 months.",
    "We now know 184 young people from 14 to 25, against 151 the year before.",
])
def test_how_often_and_an_age_range_are_no_figures(said):
    assert not [p for p in extract_figures(said) if p.raw in ("two weeks", "12 months", "25")]


@pytest.mark.parametrize("said, evidence, same", [
    ("We overspent by just over three million pounds.", "The overspend was £3.3m.", True),
    ("We overspent by just over three million pounds.", "The overspend was £3.9m.", False),
    ("We overspent by just under three million pounds.", "The overspend was £3.3m.", False),
    ("The forecast overspend was a bit over eleven million pounds.", "The forecast overspend was £11.4 million.", True),
    ("Carers waited three months for an assessment.", "Carers waited a median of 12 weeks for an assessment.", True),
    ("Carers waited five months for an assessment.", "Carers waited a median of 34 weeks for an assessment.", False),
])
def test_just_over_and_whole_months_hold_within_their_step(said, evidence, same):
    from prep_bot.coaching.stated_values import same_value

    assert same_value(extract_figures(said)[0], extract_figures(evidence)[0]) is same


def test_short_forms_are_spelled_out_and_plain_words_are_not():
    from prep_bot.framework.glossary import Glossary
    from prep_bot.infra.config import REPO_ROOT

    glossary = Glossary.load(REPO_ROOT / "knowledge" / "glossary.yaml")
    assert "Occupational" in glossary.spell_out("OT's in a good place")
    assert "Disabled Facilities Grant" in glossary.spell_out("The DFG took 34 weeks")
    assert glossary.spell_out("Reviews happen every year") == "Reviews happen every year"


@pytest.fixture(scope="module")
def brenmoor(tmp_path_factory, embedder):
    from conftest import council_library

    services = council_library(tmp_path_factory, embedder, "brenmoor",
                               {"brenmoor-self-assessment.txt": REPORT, "manifest.yaml": MANIFEST})
    yield services
    services.close()


def test_a_weakness_glossed_as_going_well_is_hiding_it(brenmoor):
    coach = brenmoor.coach
    hiding = coach.coach("supporting-healthier-lives", ASKED, HIDING)
    owning = coach.coach("supporting-healthier-lives", ASKED, OWNING)
    claimed = [f for f in hiding.findings if f.kind == "claims"]
    assert claimed and "occupational therap" in claimed[0].evidence, hiding.to_dict()["honesty"]
    assert not [f for f in owning.findings if f.kind == "claims"]
    assert owning.score > hiding.score
    # The answer's own figures are the evidence's: none is called wrong.
    assert not [c for c in owning.claims if c.status == "contradicted"], [c.to_dict() for c in owning.claims]


def test_a_gap_is_owned_by_quoting_its_figure_not_by_figures_of_another_measure():
    from prep_bot.coaching.honesty import _figures_alike, _quotes_its_figure

    ot = "Average wait for an occupational therapy assessment: 97 days (2024/25)."
    care_act = extract_figures("The median wait for a Care Act assessment was 26 days in Q4, and 38 days the year before.")
    assert _figures_alike(care_act, ot) and not _quotes_its_figure(care_act, ot)  # two waits in days, none shared: another measure
    same = extract_figures("The average wait for an OT assessment was 97 days last year.")
    assert not (_figures_alike(same, ot) and not _quotes_its_figure(same, ot))
    savings = "£1.8m of 2024/25 savings were not delivered in the year."
    assert _quotes_its_figure(extract_figures("We delivered £5.4m of the £7.2m, so £1.8m has rolled into this year."), savings)
