"""Structure-aware chunking: find headings, keep a section path, and cut each section into
passages that fit the embedding model's 256-token window."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from prep_bot.evidence.passage import Block
from prep_bot.framework.statements import Framework, normalise_heading

MODEL_MAX_TOKENS = 256
# Headings that close whatever theme or quality statement came before them.
_MAJOR = (
    "background", "executive summary", "introduction", "summary", "contents", "table of contents",
    "key messages", "next steps", "immediate next steps", "contact details", "contact us", "appendix",
    "top tips", "lessons learned", "case file audit", "lived experience feedback", "report",
    "feedback report", "downloads", "foreword", "conclusion", "methodology",
)
_BOILERPLATE = ("contact details", "contact us", "contents", "table of contents", "downloads")
_LINK_LISTS = ("contents", "table of contents", "downloads")
JOIN_BELOW = 80  # a unit joins its neighbour only when one of them is shorter than this (bullets,
# short lines); two full paragraphs stay two passages, each one retrievable on its own
SUBSTANTIVE_WORDS = 20  # a paragraph this long is content, whatever heading it sits under
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'“(])")

TokenCounter = Callable[[Sequence[str]], list[int]]


@dataclass
class Heading:
    text: str
    level: float
    qs: str | None = None
    theme: str | None = None
    polarity: str | None = None
    legacy: list[str] | None = None
    boilerplate: bool = False  # contact details, contents: no quality statement to tag
    link_list: bool = False  # "Downloads", "Contents": covers the short lines after it, no more


@dataclass
class DraftPassage:
    """A passage before it is embedded and tagged."""

    text: str
    page: int | None
    headings: list[Heading] = field(default_factory=list)
    is_row: bool = False
    tokens: int = 0  # model tokens of ``text`` (0 when not counted)

    @property
    def section(self) -> str:
        return " > ".join(h.text for h in self.headings)

    @property
    def embed_text(self) -> str:
        """Text given to the embedding model and BM25: the nearest headings, then the passage."""
        context = " > ".join(h.text for h in self.headings[-2:])
        return f"{context}\n{self.text}" if context else self.text

    def hint(self, attribute: str):
        """The nearest heading's value of ``qs``, ``theme``, ``polarity`` or ``legacy``."""
        for heading in reversed(self.headings):
            value = getattr(heading, attribute)
            if value:
                return value
        return None


def classify_heading(text: str, framework: Framework, stated_level: int | None) -> Heading | None:
    """Decide whether a line is a heading and what it names. ``stated_level`` is set when the
    format says it is a heading (markdown, docx, html); plain-text lines are judged here."""
    qs = framework.match_quality_statement(text)
    theme = framework.match_theme(text)
    polarity = framework.match_polarity(text)
    legacy = framework.match_legacy(text)
    norm = normalise_heading(text)
    major = any(norm == m or norm.startswith(m + " ") for m in _MAJOR)
    if stated_level is None and not (qs or theme or polarity or legacy or major):
        if not _looks_like_title(text):
            return None
    if polarity and not major:
        level = 4
    elif qs:
        level = 2
        theme = framework.qs(qs).theme
    elif theme:
        level = 1
    elif major or legacy:
        level = 1
    elif stated_level is not None:
        level = 3 + stated_level / 10  # keep the format's nesting, below statements, above polarity
    else:
        level = 3
    boilerplate = any(norm == b or norm.startswith(b + " ") for b in _BOILERPLATE)
    link_list = any(norm == b or norm.startswith(b + " ") for b in _LINK_LISTS)
    return Heading(
        text.rstrip(" .:"), level, qs=qs, theme=theme, polarity=polarity, legacy=legacy, boilerplate=boilerplate,
        link_list=link_list,
    )


def _looks_like_title(line: str) -> bool:
    words = line.split()
    if not words or len(line) > 80 or len(words) > 12:
        return False
    if not line[-1].isalnum() or ":" in line:
        return False
    if not line[0].isalpha() or not line[0].isupper():
        return False
    letters = sum(ch.isalpha() for ch in line)
    return letters >= 0.6 * len(line.replace(" ", ""))


def chunk_blocks(
    blocks: Sequence[Block],
    framework: Framework,
    count_tokens: TokenCounter,
    target_tokens: int = 200,
) -> list[DraftPassage]:
    """Walk the blocks keeping a heading stack; cut each section's text into units (paragraphs,
    bullets, rows) of at most ``target_tokens`` model tokens (plus heading context, within the
    model's window). ``pack`` later joins neighbouring units into passages."""
    stack: list[Heading] = []
    passages: list[DraftPassage] = []
    pending: list[Block] = []

    def flush() -> None:
        if pending:
            passages.extend(_cut_section(pending, list(stack), count_tokens, target_tokens))
            pending.clear()

    for block in blocks:
        if block.kind == "row":
            flush()
            headings = list(stack)
            if block.section:
                headings = [*headings, Heading(block.section, 5)]
            passages.extend(_cut_row(block, headings, count_tokens, target_tokens))
            continue
        heading = None
        if block.kind == "heading" or block.maybe_heading:
            heading = classify_heading(block.text, framework, block.level if block.kind == "heading" else None)
        if heading is None:
            if stack and stack[-1].link_list and len(block.text.split()) >= SUBSTANTIVE_WORDS:
                # "Downloads" or "Contents" covers the links and entries after it, not the
                # findings that follow when no heading closes it (a page without its headings).
                flush()
                stack[:] = [h for h in stack if not h.link_list]
            pending.append(block)
            continue
        flush()
        stack[:] = [h for h in stack if not h.link_list]  # a new heading ends a list of links
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        if heading.qs or heading.theme:
            # A quality statement or theme never sits under "Background" or "Downloads", nor
            # under another theme's heading.
            stack[:] = [h for h in stack if (h.qs or h.theme) and h.theme == heading.theme]
        stack.append(heading)
    flush()
    return passages


def _budget(headings: list[Heading], count_tokens: TokenCounter, target: int) -> int:
    """Tokens a passage's text may use: the target, within the model's window once the
    heading context is prefixed."""
    context = " > ".join(h.text for h in headings[-2:])
    return max(32, min(target, MODEL_MAX_TOKENS - 4 - count_tokens([context])[0]))


def _cut_section(
    blocks: list[Block], headings: list[Heading], count_tokens: TokenCounter, target: int
) -> list[DraftPassage]:
    """One unit per paragraph, bullet or table-free line (split when it would not fit): the
    tagger judges each unit, then ``pack`` joins neighbours about the same statement."""
    budget = _budget(headings, count_tokens, target)
    pieces: list[tuple[str, int | None]] = []
    for block in blocks:
        pieces.extend((piece, block.page) for piece in _split_to_fit(block.text, budget, count_tokens))
    sizes = count_tokens([p for p, _ in pieces]) if pieces else []
    return [DraftPassage(piece, page, headings, tokens=size) for (piece, page), size in zip(pieces, sizes)]


def pack(units: Sequence[DraftPassage], labels: Sequence[object], count_tokens: TokenCounter, target: int) -> list[list[int]]:
    """Group consecutive units into passages: same section, same page, same label (the
    tagger's statement), within the token budget. Returns the unit indexes of each passage."""
    groups: list[list[int]] = []
    used = 0
    budget = _Budgets(count_tokens, target)
    for index, unit in enumerate(units):
        if groups:
            last = units[groups[-1][-1]]
            if labels[groups[-1][-1]] == labels[index] and _joins(last, unit, used, budget(unit)):
                groups[-1].append(index)
                used += unit.tokens + 1
                continue
        groups.append([index])
        used = unit.tokens
    return groups


def isolated(units: Sequence[DraftPassage], count_tokens: TokenCounter, target: int) -> list[bool]:
    """For each unit, whether ``pack`` keeps it a passage on its own whatever the labels: it
    cannot join the unit before it nor take the one after it even as a pair."""
    budget = _Budgets(count_tokens, target)
    joins = [_joins(units[i - 1], units[i], units[i - 1].tokens, budget(units[i])) for i in range(1, len(units))]
    return [not (i > 0 and joins[i - 1]) and not (i < len(joins) and joins[i]) for i in range(len(units))]


def _joins(last: DraftPassage, unit: DraftPassage, used: int, budget: int) -> bool:
    """Whether ``unit`` may join the passage ending with ``last`` (``used`` tokens so far)."""
    return (
        not unit.is_row
        and not last.is_row
        and last.headings is unit.headings
        and (last.page == unit.page or last.page is None or unit.page is None)
        and used + unit.tokens + 1 <= budget
        and min(unit.tokens, last.tokens) < JOIN_BELOW
    )


class _Budgets:
    """The token budget of each section's passages, counted once per section."""

    def __init__(self, count_tokens: TokenCounter, target: int) -> None:
        self.count_tokens, self.target = count_tokens, target
        self._by_section: dict[int, int] = {}

    def __call__(self, unit: DraftPassage) -> int:
        key = id(unit.headings)
        if key not in self._by_section:
            self._by_section[key] = _budget(unit.headings, self.count_tokens, self.target)
        return self._by_section[key]


def join_units(units: Sequence[DraftPassage]) -> DraftPassage:
    """One passage from consecutive units of a section."""
    first = units[0]
    if len(units) == 1:
        return first
    return DraftPassage(
        "\n".join(u.text for u in units), first.page, first.headings, is_row=first.is_row,
        tokens=sum(u.tokens for u in units) + len(units) - 1,
    )


def _cut_row(block: Block, headings: list[Heading], count_tokens: TokenCounter, target: int) -> list[DraftPassage]:
    """A table row is one passage; a very long row is split, each piece repeating the row's
    first column so that it still says what it is about."""
    budget = _budget(headings, count_tokens, target)
    size = count_tokens([block.text])[0]
    if size <= budget:
        return [DraftPassage(block.text, block.page, headings, is_row=True, tokens=size)]
    first = block.text.split("; ")[0]
    rest = block.text[len(first) :].lstrip("; ")
    lead = first if count_tokens([first])[0] < budget // 3 else ""
    pieces = _split_to_fit(rest if lead else block.text, budget - (count_tokens([lead])[0] + 2 if lead else 0), count_tokens)
    return [DraftPassage(f"{lead}; {p}" if lead else p, block.page, headings, is_row=True) for p in pieces]


def _split_to_fit(text: str, budget: int, count_tokens: TokenCounter) -> list[str]:
    """Split a paragraph into sentences, and sentences into word runs, until each fits."""
    if count_tokens([text])[0] <= budget:
        return [text]
    out: list[str] = []
    sentences = _SENTENCE.split(text)
    sizes = count_tokens(sentences)
    run: list[str] = []
    used = 0
    for sentence, size in zip(sentences, sizes):
        if size > budget:
            if run:
                out.append(" ".join(run))
                run, used = [], 0
            out.extend(_split_words(sentence, budget, count_tokens))
            continue
        if used + size > budget and run:
            out.append(" ".join(run))
            run, used = [], 0
        run.append(sentence)
        used += size + 1
    if run:
        out.append(" ".join(run))
    return out


def _split_words(sentence: str, budget: int, count_tokens: TokenCounter) -> list[str]:
    words = sentence.split()
    out: list[str] = []
    start = 0
    while start < len(words):
        # Each word is at least one token: grow a window by halving until it fits.
        end = min(len(words), start + budget)
        while end > start + 1 and count_tokens([" ".join(words[start:end])])[0] > budget:
            end = start + max(1, (end - start) * 3 // 4)
        out.append(" ".join(words[start:end]))
        start = end
    return out
