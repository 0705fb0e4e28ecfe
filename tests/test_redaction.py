"""Contact details are removed before anything is stored."""

import re

import pytest

from prep_bot.evidence.redaction import EMAIL_MARK, PHONE_MARK, redact

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
UK_PHONE = re.compile(r"\b0\d{3,4}[ -]?\d{3}[ -]?\d{3,4}\b")


@pytest.mark.parametrize(
    "text",
    ["Tel: 07766 252 853", "Telephone: 07747 636910", "(01642) 527 000", "+44 (0)20 7946 0958", "+44 1632 960418"],
)
def test_phone_numbers(text):
    result = redact(text)
    assert PHONE_MARK in result.text and result.phones == 1
    assert not re.search(r"\d{3}", result.text)


@pytest.mark.parametrize(
    "text",
    [
        "In 2023/24, 47.83% of carers were satisfied (SACE, June 2024).",
        "The budget was £1.893m in 2024 2025 with 1,690 concerns.",
        "A ratio of 0.0123 456 789 is not a phone number.",
        "Performance improved on 01 April 2024.",
    ],
)
def test_figures_are_left_alone(text):
    result = redact(text)
    assert result.text == text and result.count == 0


def test_emails():
    result = redact("Email: jane.doe@local.gov.uk or someone+tag@example.co.uk.")
    assert result.text == f"Email: {EMAIL_MARK} or {EMAIL_MARK}."
    assert result.emails == 2


def test_sample_library_has_no_contact_details_stored(sample_services):
    docs = sample_services.store.documents()
    assert sum(d.redactions for d in docs) >= 10  # the reports hold 6 emails and 4 phone numbers
    for passage in sample_services.store.passages():
        assert not EMAIL.search(passage.text), passage.id
        assert not UK_PHONE.search(passage.text), passage.id
    hits = sample_services.store.search("LGA contact email telephone", k=10)
    assert all(not EMAIL.search(h.passage.text) for h in hits)
