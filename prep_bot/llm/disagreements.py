"""Team members who contradict each other in words ("we have no waiting list" against "people
wait about six weeks"), found by the council's language model and checked before they are shown.

Per quality statement with answers from two or more people, the latest answer of each person
(at most ``MAX_ANSWERS``, each cut to ``MAX_CHARS``) is redacted, fenced and numbered A1..An,
and the model is asked once for pairs that cannot both be true. A pair is kept only when both
numbers exist, name two different people, and each quote is really in that person's answer.
Results are kept in the disk cache under a digest of the prompt, the model and the answers, so
reopening the team story does not ask again. Any model failure gives one notice, no list."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from prep_bot.llm.advisor import REFUSAL
from prep_bot.evidence.redaction import redact
from prep_bot.llm.grounding import WITHHELD, quoted, withhold_instructions
from prep_bot.llm.client import LLMError

log = logging.getLogger(__name__)

MAX_ANSWERS = 12  # people per prompt: the most recent answerers
MAX_CHARS = 1500  # of each answer
MIN_QUOTE_WORDS = 2
PARALLEL = 4  # statements compared at once
FAILED = "The language model could not compare the team's answers: {reason}; figure conflicts are shown as usual."
UNREADABLE = (
    "The language model's reply about {names} could not be read, so {them} left out of “Said differently”."
)
FENCED_JSON = re.compile(r"^\s*```(?:json)?\s*\n?(.*?)\n?\s*```\s*$", re.S | re.I)
NUMBER = re.compile(r"^\s*A?\[?\s*(\d{1,3})\s*\]?\s*$", re.I)
ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*")
QUOTES = str.maketrans({"‘": "'", "’": "'", "‛": "'", "`": "'", "“": '"', "”": '"', "„": '"', "‟": '"'})


@dataclass
class Sent:
    """One answer as the model saw it: its number, the attempt, the fenced text."""

    n: int
    attempt: object  # prep_bot.practice.attempts.Attempt
    text: str  # redacted, cut, instructions withheld: what quotes are checked against


class Unreadable(ValueError):
    """The model answered, but not with the JSON the prompt asks for."""


def latest_answers(attempts) -> dict[str, list]:
    """Per quality statement, each person's latest attempt, newest people first, at most
    MAX_ANSWERS; statements with fewer than two people are left out."""
    latest: dict[tuple[str, str], object] = {}
    for a in attempts:
        if not (a.answer or "").strip():
            continue
        key = (a.qs, a.user)
        if key not in latest or (a.created_at, a.id) > (latest[key].created_at, latest[key].id):
            latest[key] = a
    per: dict[str, list] = {}
    for (qs, _), a in latest.items():
        per.setdefault(qs, []).append(a)
    return {
        qs: sorted(found, key=lambda a: (a.created_at, a.id), reverse=True)[:MAX_ANSWERS]
        for qs, found in per.items() if len(found) >= 2
    }


def prepare(answers: list) -> list[Sent]:
    """The answers numbered as they are sent: redacted, cut to MAX_CHARS, instructions withheld."""
    out = []
    for n, a in enumerate(answers, 1):
        text = redact(a.answer).text
        if len(text) > MAX_CHARS:
            text = text[:MAX_CHARS].rsplit(" ", 1)[0] + " …"
        text, _ = withhold_instructions(text)
        out.append(Sent(n, a, text))
    return out


def answers_block(sent: list[Sent]) -> str:
    """The numbered, fenced answers for the prompt."""
    blocks = []
    for s in sent:
        name = " ".join(quoted(s.attempt.user).split()) or "unnamed"
        blocks.append(f"<<<ANSWER A[{s.n}] by {name}>>>\n{quoted(s.text)}\n<<<END ANSWER A[{s.n}]>>>")
    return "\n\n".join(blocks)


def parse(reply: str) -> list[dict]:
    """The list under "disagreements" in the model's JSON (a ```json fence is allowed);
    Unreadable for anything else."""
    text = reply.strip()
    m = FENCED_JSON.match(text)
    if m:
        text = m.group(1).strip()
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise Unreadable("not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("disagreements"), list):
        raise Unreadable("no list of disagreements")
    return [item for item in data["disagreements"] if isinstance(item, dict)]


def find_quote(quote, text: str) -> str | None:
    """The words of ``text`` that ``quote`` copies (whitespace, case and quote marks aside;
    an ellipsis may stand for left-out words), or None when the answer does not say them."""
    if not isinstance(quote, str):
        return None
    quote = quote.strip().strip("\"'“”‘’ ").strip()
    parts = [p.strip(" .,;:") for p in ELLIPSIS.split(quote)]
    parts = [p for p in parts if p]
    if not parts or sum(len(p.split()) for p in parts) < MIN_QUOTE_WORDS:
        return None
    norm, where = _normalise(text)
    withheld = [(m.start(), m.end()) for m in re.finditer(re.escape(WITHHELD), text)]
    found, at = [], 0
    for part in parts:
        needle = _normalise(part)[0]
        i = norm.find(needle, at)
        if not needle or i < 0:
            return None
        start, end = where[i], where[i + len(needle) - 1] + 1
        if any(start < w_end and w_start < end for w_start, w_end in withheld):
            return None  # prep-bot's own marker, not the person's words
        found.append(text[start:end])
        at = i + len(needle)
    return " … ".join(found)


def _normalise(text: str) -> tuple[str, list[int]]:
    """Casefolded text with one space for each run of whitespace and plain quote marks, and
    for each of its characters the index of the character of ``text`` it comes from."""
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if chars and chars[-1] != " ":
                chars.append(" ")
                where.append(i)
            continue
        for c in ch.translate(QUOTES).casefold():
            chars.append(c)
            where.append(i)
    while chars and chars[-1] == " ":
        chars.pop()
        where.pop()
    return "".join(chars), where


def _number(value, count: int) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        n = value
    elif isinstance(value, str) and NUMBER.match(value):
        n = int(NUMBER.match(value).group(1))
    else:
        return None
    return n if 1 <= n <= count else None


def check_pairs(items: list[dict], sent: list[Sent]) -> tuple[list[dict], int]:
    """The pairs that pass the guardrails, as (a, quote_a, b, quote_b, about) with the quotes
    as the answers say them; and how many were dropped."""
    kept, seen, dropped = [], set(), 0
    for item in items:
        a, b = _number(item.get("a"), len(sent)), _number(item.get("b"), len(sent))
        if a is None or b is None or sent[a - 1].attempt.user == sent[b - 1].attempt.user:
            dropped += 1
            continue
        quote_a, quote_b = find_quote(item.get("quote_a"), sent[a - 1].text), find_quote(item.get("quote_b"), sent[b - 1].text)
        if quote_a is None or quote_b is None or frozenset((a, b)) in seen:
            dropped += 1
            continue
        seen.add(frozenset((a, b)))
        about = item.get("about") if isinstance(item.get("about"), str) else ""
        kept.append({"a": a, "quote_a": quote_a, "b": b, "quote_b": quote_b, "about": " ".join(about.split())[:160]})
    return kept, dropped


def _side(a, said: str, statement: str) -> dict:
    return {"who": a.user, "said": said, "when": a.created_at.isoformat(timespec="minutes"),
            "question": a.question, "statement": statement}


def _key(prompt, endpoint, qs: str, block: str, team: str) -> tuple[str, str]:
    """(kind, key) for the cache: one result per team and statement, replaced when anything it
    depends on changes (the prompt's version, the endpoint and model, the answers sent)."""
    kind = "disagree-" + hashlib.sha256(json.dumps([team, qs]).encode()).hexdigest()[:20]
    h = hashlib.sha256(json.dumps([prompt.version, endpoint.url, endpoint.model, qs, block]).encode()).hexdigest()
    return kind, f"{kind}:{h}"


def said_differently(advisor, attempts, titles: dict[str, str], cache=None, team: str = "") -> dict | None:
    """Pairs of team members whose answers on a statement contradict each other in words.

    None without a model. Otherwise ``{"items": [...], "notice": str}``: each item has ``about``,
    ``statement`` and ``first``/``second`` sides (who, when, question, statement, and ``said``,
    the quoted words). A model failure gives no items and the notice; a reply that is not the
    JSON asked for skips that statement, named in the notice."""
    if advisor is None or not advisor.configured:
        return None
    groups = latest_answers(attempts)
    items: list[dict] = []
    unreadable: list[str] = []
    order = {qs: i for i, qs in enumerate(titles)}  # the framework's order of statements
    todo = sorted(groups.items(), key=lambda g: order.get(g[0], len(order)))
    try:
        if todo:
            model, prompt = advisor.model(), advisor.prompt("disagree")

        def compare(group):
            """One statement's pairs (None when the reply could not be read), from the cache or the model."""
            qs, answers = group
            statement = titles.get(qs, qs)
            sent = prepare(answers)
            block = answers_block(sent)
            kind, key = _key(prompt, model.endpoint, qs, block, team)
            pairs = cache.result(key) if cache is not None else None
            if not isinstance(pairs, list):
                reply = model.complete(prompt.messages(statement=quoted(statement), answers=block))
                if REFUSAL.match(reply):
                    raise LLMError("The model declined to compare them.")
                try:
                    pairs, dropped = check_pairs(parse(reply), sent)
                except Unreadable as exc:
                    log.info("disagree reply for %s unreadable: %s", qs, exc)
                    return statement, sent, None
                if dropped:
                    log.info("disagree for %s: %d pair(s) failed the checks", qs, dropped)
                if cache is not None:
                    cache.put_result(key, pairs, kind=kind)
            return statement, sent, pairs

        # Statements are compared side by side: the model's server does the work, so waiting on
        # several at once keeps a slow model from multiplying the wait by the number of statements.
        with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            results = list(pool.map(compare, todo))
        for statement, sent, pairs in results:
            if pairs is None:
                unreadable.append(statement)
                continue
            for p in pairs:
                if not (isinstance(p, dict) and _number(p.get("a"), len(sent)) and _number(p.get("b"), len(sent))):
                    continue  # a cache row not written by this version
                items.append({
                    "about": p["about"], "statement": statement,
                    "first": _side(sent[p["a"] - 1].attempt, p["quote_a"], statement),
                    "second": _side(sent[p["b"] - 1].attempt, p["quote_b"], statement),
                })
    except (LLMError, ValueError) as exc:  # ValueError: the prompt file is missing or malformed
        reason = str(exc).strip().rstrip(".")
        if reason[1:2].islower():
            reason = reason[:1].lower() + reason[1:]
        return {"items": [], "notice": FAILED.format(reason=reason)}
    notice = ""
    if unreadable:
        names = " and ".join(f"“{n}”" for n in unreadable) if len(unreadable) <= 2 else f"{len(unreadable)} quality statements"
        notice = UNREADABLE.format(names=names, them="it is" if len(unreadable) == 1 else "they are")
    return {"items": items, "notice": notice}
