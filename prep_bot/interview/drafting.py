"""The inspector's summary drafted by the council's language model, under the same guardrails as
everything else it writes: it sees the answers (redacted, fenced, instructions withheld) as A1..An
and the coach's findings as F1..Fm, and a sentence is kept only when

- it cites an answer and a finding that exist, and the finding is about that answer;
- every quotation in it is word for word in the cited answer;
- every figure in it is stated in the cited answer or the cited finding;
- it does not repeat an instruction planted in an answer.

Whatever is dropped is flagged. When nothing survives, or the model fails, the summary is the one
built without a model (summary.py), with a notice saying why. The text is plain: pages escape it."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from prep_bot.evidence.figures import extract_figures, sentences
from prep_bot.evidence.redaction import redact
from prep_bot.interview.summary import SPEAKERS, Finding, findings, summary
from prep_bot.interview.turns import Turn
from prep_bot.llm.client import LLMError
from prep_bot.llm.grounding import echoes, quoted, withhold_instructions
from prep_bot.story.figures import same_value

log = logging.getLogger(__name__)
MAX_FINDINGS = 12
MAX_ANSWER_CHARS = 1500
CITES = re.compile(r"\[\s*((?:[AF]\s*\d{1,2}\s*[,;]?\s*)+)\]")
QUOTE = re.compile(r"[“\"]([^”\"]{3,})[”\"]")
_PLAIN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


@dataclass
class Drafted:
    """The summary a reader sees: sentences with what each came from, who wrote it, what was dropped."""

    sentences: list[Finding]
    by_model: bool = False
    flags: list[str] = field(default_factory=list)
    notice: str = ""

    def to_dict(self) -> dict:
        return {"sentences": [f.to_dict() for f in self.sentences], "by_model": self.by_model,
                "flags": list(self.flags), "notice": self.notice}


def inspector_summary(turns: list[Turn], audience: str | None = None, advisor=None) -> Drafted:
    """The summary: drafted by the council's model when one is set up, else built from the findings."""
    plain = summary(turns, audience)
    if advisor is None or not advisor.configured or not turns:
        return Drafted(plain)
    try:
        return _drafted(turns, audience, advisor, plain)
    except (LLMError, ValueError) as e:
        log.info("the model's inspector summary was not used: %s", type(e).__name__)
        return Drafted(plain, notice=f"{e} This summary was built from the coach's checks instead.")


def _drafted(turns: list[Turn], audience: str | None, advisor, plain: list[Finding]) -> Drafted:
    checks = findings(turns, audience)[:MAX_FINDINGS]
    if not checks:
        return Drafted(plain)
    answers, withheld, sent = _answers(turns)
    prompt = advisor.prompt("inspector").messages(
        speaker=SPEAKERS.get(audience or "", "Staff"), answers=answers,
        checks="\n".join(f"F[{n}] about A[{f.turn + 1}]: {quoted(f.text)} (checked against: {quoted(f.checked_against)})"
                         for n, f in enumerate(checks, 1)),
    )
    text = advisor.model().complete(prompt)
    if echoes(text, withheld):
        raise LLMError("The model repeated an instruction hidden in an answer, so its summary is not shown.")
    kept, flags = [], []
    for sentence in sentences(text.replace("\n", " ")):
        finding, problem = _check(sentence, checks, sent)
        if finding is None:
            flags.append(problem)
        else:
            kept.append(finding)
    if not kept:
        raise LLMError("None of the model's sentences passed the checks" + (f" ({flags[0]})." if flags else "."))
    return Drafted(kept, by_model=True, flags=flags)


def _answers(turns: list[Turn]) -> tuple[str, list[str], list[str]]:
    """The fenced answers, the instructions withheld from them, and each answer as sent."""
    blocks, withheld, sent = [], [], []
    for n, turn in enumerate(turns, 1):
        text = redact(turn.answer).text[:MAX_ANSWER_CHARS]
        text, dropped = withhold_instructions(text)
        withheld += dropped
        sent.append(text)
        blocks.append(f"<<<ANSWER A[{n}]>>>\n{quoted(text)}\n<<<END ANSWER A[{n}]>>>")
    return "\n\n".join(blocks), withheld, sent


def _check(sentence: str, checks: list[Finding], sent: list[str]) -> tuple[Finding | None, str]:
    """The sentence as a finding when it passes every check, else why not."""
    cited = [part.strip().upper() for m in CITES.finditer(sentence) for part in re.split(r"[,;]", m.group(1)) if part.strip()]
    text = " ".join(CITES.sub("", sentence).split()).replace(" .", ".")
    answers = [int(c[1:]) for c in cited if c.startswith("A") and c[1:].strip().isdigit()]
    found = [int(c[1:]) for c in cited if c.startswith("F") and c[1:].strip().isdigit()]
    short = text[:60] + ("…" if len(text) > 60 else "")
    if not answers or not found:
        return None, f"dropped “{short}”: it does not cite an answer and a check"
    if any(not 1 <= a <= len(sent) for a in answers) or any(not 1 <= f <= len(checks) for f in found):
        return None, f"dropped “{short}”: it cites an answer or a check that does not exist"
    check = checks[found[0] - 1]
    if check.turn + 1 not in answers:
        return None, f"dropped “{short}”: its check is about another answer"
    said = " ".join(sent[a - 1] for a in answers)
    for quote in QUOTE.findall(text):
        if _plain(quote).strip(" .,") not in _plain(said):
            return None, f"dropped “{short}”: its quotation is not what was said"
    stated = extract_figures(said) + [f for n in found if 1 <= n <= len(checks) for f in extract_figures(checks[n - 1].text)]
    for point in extract_figures(text):
        if not any(same_value(point, known) for known in stated):
            return None, f"dropped “{short}”: {point.raw} is not in the answer or its check"
    return Finding(text, check.kind, check.turn, check.quote, check.checked_against), ""


def _plain(text: str) -> str:
    return " ".join(text.translate(_PLAIN).split()).lower()
