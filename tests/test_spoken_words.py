"""A transcript made readable for the coach: spoken numbers as figures, the glossary's terms put
back where they were nearly heard (and common words never touched), direct speech in quotation
marks. Pure text in, text out: no model needed."""

from __future__ import annotations

import pytest

from prep_bot.evidence.figures import extract_figures
from prep_bot.framework.glossary import Glossary
from prep_bot.infra.config import REPO_ROOT
from prep_bot.speech.numbers import read_cardinal, spoken_figures
from prep_bot.speech.quotes import quote_direct_speech
from prep_bot.speech.terms import TermSpeller, is_common, is_word


# --- numbers ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("said, written", [
    ("people waited ninety one days", "people waited 91 days"),
    ("Ninety-one days after they left hospital", "91 days after they left hospital"),
    ("eighty two point four percent of people", "82.4% of people"),
    ("eighty two point four per cent", "82.4%"),
    ("ninety point six per cent within twenty eight days", "90.6% within 28 days"),
    ("one in five carers", "1 in 5 carers"),
    ("nine out of ten people", "9 out of 10 people"),
    ("three of the forty two care homes", "3 of the 42 care homes"),
    ("a hundred and twelve concerns", "112 concerns"),
    ("two thousand four hundred and thirty six carers", "2436 carers"),
    ("fifteen hundred people", "1500 people"),
    ("in two thousand and twenty four we", "in 2024 we"),
    ("in twenty twenty four we", "in 2024 we"),
    ("since nineteen ninety nine", "since 1999"),
    ("the plan for twenty twenty four twenty five", "the plan for 2024/25"),
    ("two and a half weeks", "2.5 weeks"),
    ("six to eight weeks", "6 to 8 weeks"),
    ("four weeks instead of twelve", "4 weeks instead of 12"),
    ("a hundred percent", "100%"),
    ("zero point five percent", "0.5%"),
    ("one point nine million pounds", "£1.9 million"),
    ("ninety six million pounds", "£96 million"),
    ("two hundred thousand pounds", "£200,000"),
    ("nineteen pounds fifty an hour", "£19.50 an hour"),
    ("on the twenty third of March", "on the 23rd of March"),
    ("we ranked fifteenth", "we ranked 15th"),
    ("support twenty-four seven", "support 24/7"),
    # A transcript's own digits, put together as they were said.
    ("it took 700 and 50 referrals, up from 600 and 10.", "it took 750 referrals, up from 610."),
    ("from 300, and 40 people", "from 340 people"),
    ("about 23 million pounds", "about £23 million"),
    ("82 point 4 percent", "82.4%"),
    ("over 90 percent", "over 90%"),
])
def test_spoken_numbers_become_figures(said, written):
    assert spoken_figures(said) == written


@pytest.mark.parametrize("words", [
    "One woman told us she felt safe again.",  # "one" that counts nothing
    "No one waits without a call, and we offer one to one support.",
    "one of the things we changed",
    "We have two teams and three managers.",  # small counts stay words, as reports write them
    "Half of the people who finish reablement need no care.",  # fractions stay words: never checked as exactly 50%
    "About three quarters of plans were on time, and a third were late.",
    "The first time we met, a second worker came.",  # ordinals that are not numbers
    "Wait a second.",
    "one, two, three",
    "We had 200 referrals and 30 complaints.",  # two numbers, not "230"
    "90.6% of assessments",  # already figures
])
def test_words_that_are_not_figures_stay_as_they_were(words):
    assert spoken_figures(words) == words


@pytest.mark.parametrize("heard, written", [
    ("We have 2 community link workers.", "We have two community link workers."),
    ("3 quarters of our plans were on time.", "Three quarters of our plans were on time."),
    ("We visit those 3 every month.", "We visit those three every month."),
])
def test_the_models_digits_for_a_small_count_become_the_word_a_typed_answer_has(heard, written):
    assert spoken_figures(heard) == written


@pytest.mark.parametrize("heard", [
    "It took 2 weeks.", "1 in 4 people", "3 of the 42 homes", "section 2 of the act", "Q1 figures", "Year 2 results",
    "the 2 Care Act reviews", "2. The next point",
])
def test_digits_that_measure_or_name_something_stay_digits(heard):
    assert spoken_figures(heard) == heard


def test_a_number_does_not_run_across_a_full_stop():
    assert spoken_figures("We saw twenty. Twenty four came back.") == "We saw 20. 24 came back."


def test_spoken_figures_reach_the_figure_reader_as_the_same_figures():
    said = ("After reablement ninety four percent were at home ninety one days later, against an England "
            "average of eighty two point four percent, and one in five carers had a break.")
    typed = "After reablement 94% were at home 91 days later, against an England average of 82.4%, and 1 in 5 carers had a break."
    as_figures = [(p.value, p.unit) for p in extract_figures(spoken_figures(said))]
    assert as_figures == [(p.value, p.unit) for p in extract_figures(typed)]
    assert (91.0, "days") in as_figures and (82.4, "%") in as_figures


def test_the_cardinal_grammar_shared_with_the_word_error_rate():
    words = "one hundred and three".split()
    assert read_cardinal(words, 0) == (4, 103)
    assert read_cardinal("one and two".split(), 0) == (1, 1)
    assert read_cardinal("a hundred".split(), 0) == (0, 0)  # "a" only when asked for
    assert read_cardinal("a hundred".split(), 0, article=True) == (2, 100)
    assert read_cardinal("twenty twenty four".split(), 0) == (1, 20)  # two numbers


# --- glossary terms --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def speller() -> TermSpeller:
    return TermSpeller(Glossary.load(REPO_ROOT / "knowledge" / "glossary.yaml"))


@pytest.mark.parametrize("heard, term", [
    ("regalment", "reablement"),
    ("reablment", "reablement"),
    ("reamblement", "reablement"),
    ("domicilary", "domiciliary"),
    ("helthwatch", "Healthwatch"),
    ("coproduction", "co-production"),
    ("Dols", "DoLS"),
    ("ascof", "ASCOF"),
])
def test_near_misses_of_glossary_terms_are_put_right(speller, heard, term):
    text, corrections = speller.correct(f"We talked about {heard} at the team meeting.")
    assert text == f"We talked about {term} at the team meeting."
    assert [(c.heard, c.term) for c in corrections] == [(heard, term)]


def test_a_corrected_word_that_starts_a_sentence_keeps_its_capital(speller):
    assert speller.correct("Regalment works. So does regalment.")[0] == "Reablement works. So does reablement."


# Real words that sound or look like a glossary term: a transcript that says them heard them right.
MUST_NOT_CHANGE = (
    "regiment requirement retirement refinement resentment replacement settlement agreement enablement "
    "element moment management placement leader ladder careers carers dolls dollars mash mask tech desk "
    "domestic domestically dominant health watch watchful production reproduction introduction cooperation "
    "respect respond response despite review reviews revue rotation triangle transition assessor "
    "pooled pool personal personally personality telephone therapy therapies charity embargoes "
    "liberty safeguards safeguard guarding regarding team meeting people personalization reviewers rotas "
    "reassessments sectioning assessors mashed"
).split()


@pytest.mark.parametrize("word", MUST_NOT_CHANGE)
def test_real_words_are_never_changed(speller, word):
    sentence = f"We talked about {word} at the team meeting."
    assert speller.correct(sentence) == (sentence, [])


def test_what_protects_them_is_that_english_uses_them():
    assert is_word("regiment") and is_word("careers") and is_word("enablement") and is_word("embargoes")
    assert not is_word("regalment") and not is_word("reamblement")
    assert is_common("mash") and not is_common("dols")  # "mash" is never "MASH"; "Dols" is "DoLS"


def test_an_empty_glossary_changes_nothing():
    assert TermSpeller(Glossary([])).correct("regalment") == ("regalment", [])


# --- direct speech -------------------------------------------------------------------------------
@pytest.mark.parametrize("said, written", [
    ("She told me I feel like myself again.", "She told me, “I feel like myself again.”"),
    ("Her son said my mum is safe now.", "Her son said, “My mum is safe now.”"),
    ("One man told us, I can manage on my own now, and he meant it.", "One man told us, “I can manage on my own now”, and he meant it."),
    ("A carer put it like this: I finally get a break.", "A carer put it like this: “I finally get a break.”"),
])
def test_direct_speech_is_quoted(said, written):
    assert quote_direct_speech(said) == written


@pytest.mark.parametrize("text", [
    "One woman told us she felt in control of her support again.",  # reported speech
    "I told her I would come back.",  # the speaker's own words
    "We said we can do better.",
    "He said I was the first person to listen.",  # past tense: reported
    "She told me that I can call any time.",
    "She said “I feel safe now” and smiled.",  # already quoted
])
def test_reported_speech_and_the_speakers_own_words_are_left_alone(text):
    assert quote_direct_speech(text) == text
