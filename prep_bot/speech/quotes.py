"""Direct speech in a transcript, put in quotation marks. Said aloud, "she told me I feel like
myself again" is a quotation, but a transcript has no quotation marks to show it, and a reader
(the coach included) takes it for the speaker's own words. Whisper writes the marks itself only
now and then.

A clause is taken as a quotation when someone other than the speaker says it ("she said", "her
son told us", "one man put it") and it goes on in the first person in the present tense ("I feel",
"I'm", "my life is", "I can"), which reported speech would have turned into "she felt". "She told
me that she felt..." and "I told her I would come back" are left alone, and so is anything
already quoted."""

from __future__ import annotations

import re

_SPEAKERS = r"(?:(?i:she|he|they|her\s+\w+|his\s+\w+|their\s+\w+|one\s+\w+|a\s+\w+|the\s+\w+)|[A-Z][a-z]+)"
_VERBS = (
    r"(?:said|says|told\s+(?:me|us|him|her|them|the\s+team)|tells\s+(?:me|us)|put\s+it(?:\s+this\s+way|\s+like\s+this)?|wrote|explained|"
    r"asked\s+(?:me|us)|kept\s+saying|was\s+saying|would\s+say)"
)
# First person, present tense: what someone says, not what is reported of them.
_SAYS = (
    r"(?:I'm|I've|I'll|I\s+(?:am|feel|can|can't|don't|do|have|want|know|need|like|love|get|go|think|"
    r"just|still|never|always|really|finally|now|wouldn't|couldn't)|my\s+\w+\s+(?:is|are|has|feels)|"
    r"this\s+is\s+my|it's\s+my|you've|you\s+have|you're|you\s+are|thank\s+you)"
)
_DIRECT = re.compile(
    rf"(?P<lead>\b{_SPEAKERS}\s+(?:(?i:once|then|later|just|always|recently)\s+)?{_VERBS})(?P<sep>\s*[,:]?\s+)(?P<said>{_SAYS}\b[^.!?\"“”]*)(?P<end>[.!?]?)"
)

# The speaker's own words again: ", and then she cried", "and 91 days later she was home".
_BACK = re.compile(r",?\s+(?:and|but|so)\s+(?:[^\s,.]+\s+){0,3}?(?:she|he|they|we)\b", re.I)


def quote_direct_speech(text: str) -> str:
    """``text`` with direct speech that has no quotation marks put in them (see the module)."""

    def mark(m: re.Match[str]) -> str:
        lead = m.group("lead")
        if re.match(r"(?:I|we|you)\b", lead, re.I) or _inside_quotes(text, m.start()):
            return m.group(0)
        said, end = m.group("said"), m.group("end")
        back = _BACK.search(said)  # ", and then she cried": the speaker's own words again
        if back:
            said, end, rest = said[: back.start()], "", said[back.start():] + end
        else:
            rest = ""
        words = said.rstrip()
        mark_ = ":" if ":" in m.group("sep") else ","
        return f"{lead}{mark_} “{words[0].upper()}{words[1:]}{end}”{said[len(words):]}{rest}"

    return _DIRECT.sub(mark, text)


def _inside_quotes(text: str, at: int) -> bool:
    before = text[:at]
    return before.count("“") > before.count("”") or before.count('"') % 2 == 1
