"""Remove personal contact details from evidence before anything is stored."""

from __future__ import annotations

import re
from dataclasses import dataclass

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# UK numbers: +44 or a leading 0, then 9-10 more digits in groups (spaces, dashes, brackets).
PHONE = re.compile(
    r"(?<![\w+.])(?:\+44\s?\(0\)\s?|\+44\s?|\(0|0)\d{2,4}\)?(?:[\s-]?\d){6,8}(?!\d)"
)
EMAIL_MARK = "[email redacted]"
PHONE_MARK = "[phone redacted]"


@dataclass
class Redaction:
    text: str
    emails: int = 0
    phones: int = 0

    @property
    def count(self) -> int:
        return self.emails + self.phones


def redact(text: str) -> Redaction:
    """Replace email addresses and UK phone numbers; count what was replaced."""
    text, emails = EMAIL.subn(EMAIL_MARK, text)
    phones = 0

    def replace_phone(match: re.Match[str]) -> str:
        nonlocal phones
        if not _is_phone(match.group(0)):
            return match.group(0)
        phones += 1
        return PHONE_MARK

    text = PHONE.sub(replace_phone, text)
    return Redaction(text, emails, phones)


def _is_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if digits.startswith("44"):
        digits = "0" + digits[2:].lstrip("0")
    return 10 <= len(digits) <= 11
