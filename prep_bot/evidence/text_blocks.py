"""A text's lines grouped into the blocks a reader sees: a paragraph, one bullet of a list, a
heading. Sentences never run from one block into the next, whatever punctuation the lines end
with ("- 41 people were waiting ... a year earlier.\\n- Unsourced hours fell ..." is two bullets,
each with its own dates; "What we do well\\nAt 31 March ..." is a heading and a sentence)."""

from __future__ import annotations

import re

BULLET = re.compile(r"^\s*[-•*–·▪]\s+")
_ENDS = re.compile(r"[.!?:;,]\s*$")
_STARTS = re.compile(r"^\s*[A-Z0-9£\"'‘“(]")
HEADING_WORDS = 10  # a line this short, with no closing mark, before a capital, is a heading
# A line that ends on one of these words goes on in the next line (a wrapped line, not a heading).
_RUNS_ON = re.compile(r"\b(?:and|or|of|the|a|an|to|in|on|for|with|by|at|from|than|as|is|are|was|were|be|that|which|who)\s*$", re.I)


def blocks(text: str) -> list[str]:
    """The blocks of ``text``, each with its own line breaks kept (a table's rows stay together).
    A new block starts at a blank line, at a bullet, and after a heading: a short line that ends
    with no mark and no joining word, followed by a line that starts with a capital or a figure.
    Lines set out as a table ("Measure | 2023/24 | 2024/25") are never cut apart."""
    out: list[list[str]] = []
    current: list[str] = []
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if not line.strip():
            if current:
                out.append(current)
                current = []
            continue
        if current and BULLET.match(line):
            out.append(current)
            current = []
        current.append(line)
        # (A blank line after it ends the block anyway: only the line right after can make it a heading.)
        following = lines[n + 1] if n + 1 < len(lines) else ""
        if following.strip() and _is_heading(line, following):
            out.append(current)
            current = []
    if current:
        out.append(current)
    return ["\n".join(part) for part in out]


def _is_heading(line: str, following: str) -> bool:
    words = BULLET.sub("", line).split()
    return (0 < len(words) <= HEADING_WORDS and "|" not in line and "|" not in following and ";" not in line
            and not _ENDS.search(line) and not _RUNS_ON.search(line) and bool(_STARTS.match(following)))
