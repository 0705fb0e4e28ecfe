"""What an inspector might write after the mock interview: a short summary in the register of a
CQC assessment ("Staff told us...", "There was evidence that..."), built from the coach's
findings without a model. Every sentence quotes only what was said (a whole sentence of one
answer, word for word) and names what it was checked against: the evidence passage, the
council's agreed story, or nothing found. What was evidenced comes first, then what was
asserted without evidence, then what contradicted the evidence or the agreed story."""

from __future__ import annotations

from dataclasses import dataclass

from prep_bot.interview.turns import Turn

SPEAKERS = {
    "frontline": "Staff", "team-manager": "Managers", "senior-leader": "Leaders", "partner": "Partners",
    "elected-member": "Councillors",
}
ORDER = ("evidenced", "on-message", "owned", "asserted", "unverified", "contradicted", "off-message", "hidden")
MAX_SENTENCES = 8


@dataclass(frozen=True)
class Finding:
    """One sentence of the summary, tied to the answer it came from and what it was checked against."""

    text: str
    kind: str  # evidenced | on-message | owned | asserted | unverified | contradicted | off-message | hidden
    turn: int  # index of the answer it quotes
    quote: str  # the answer's words, exactly
    checked_against: str  # a citation: "Title, p. 4", "agreed story, version 2", or what was searched

    def to_dict(self) -> dict:
        return {"text": self.text, "kind": self.kind, "turn": self.turn, "quote": self.quote,
                "checked_against": self.checked_against}


def findings(turns: list[Turn], audience: str | None = None) -> list[Finding]:
    """Every finding the coach's checks support, in ORDER, at most one of each kind per answer."""
    who = SPEAKERS.get(audience or "", "Staff")
    found: list[Finding] = []
    for i, turn in enumerate(turns):
        found += _from_figures(turn, i, who)
        found += _from_story(turn, i, who)
        for sentence in turn.unsupported()[:1]:
            searched = _searched(turn)
            found.append(Finding(
                f"{who} told us “{sentence}” We did not see evidence of this.", "asserted", i, sentence, searched,
            ))
    found.sort(key=lambda f: (ORDER.index(f.kind), f.turn))
    return found


def summary(turns: list[Turn], audience: str | None = None) -> list[Finding]:
    """The summary: the findings, no two quoting the same words, at most MAX_SENTENCES, kept in ORDER
    with every kind found represented before any kind repeats."""
    unique, quoted = [], set()
    for f in findings(turns, audience):
        if f.quote not in quoted:
            quoted.add(f.quote)
            unique.append(f)
    chosen, kinds = [], set()
    for f in unique:  # first one of each kind
        if f.kind not in kinds:
            kinds.add(f.kind)
            chosen.append(f)
    for f in unique:
        if len(chosen) >= MAX_SENTENCES:
            break
        if f not in chosen:
            chosen.append(f)
    chosen = chosen[:MAX_SENTENCES]
    return sorted(chosen, key=lambda f: (ORDER.index(f.kind), f.turn))


def _from_figures(turn: Turn, i: int, who: str) -> list[Finding]:
    """A sentence with a contradicted figure is reported as contradicted, whatever else it holds."""
    out, done = [], set()
    first = {"contradicted": 0, "unverified": 1, "supported": 2}
    for claim in sorted(turn.claims, key=lambda c: first.get(c.status, 3)):
        if claim.sentence in done:
            continue
        evidence = claim.evidence or {}
        where = _citation(evidence, turn)
        if claim.status == "supported" and evidence:
            done.add(claim.sentence)
            out.append(Finding(
                f"{who} told us “{claim.sentence}” There was evidence to support this: {evidence.get('figure')} in {where}.",
                "evidenced", i, claim.sentence, where,
            ))
        elif claim.status == "contradicted" and evidence:
            done.add(claim.sentence)
            out.append(Finding(
                f"{who} told us “{claim.sentence}” This did not match the evidence, which showed "
                f"{evidence.get('figure')} ({where}).",
                "contradicted", i, claim.sentence, where,
            ))
        elif claim.status == "unverified":
            done.add(claim.sentence)
            searched = _searched(turn)
            out.append(Finding(
                f"{who} quoted {claim.text} (“{claim.sentence}”), a figure we could not find in the evidence.",
                "unverified", i, claim.sentence, searched,
            ))
    return out


def _from_story(turn: Turn, i: int, who: str) -> list[Finding]:
    story = turn.on_message
    if not story:
        return []
    version = story.get("story") or {}
    label = f"agreed story, version {version.get('version')}"
    out = []
    for conflict in story.get("figure_conflicts", []):
        out.append(Finding(
            f"{who} told us “{conflict['sentence']}” The council's agreed figure for this is {conflict['agreed']}"
            f"{' (' + conflict['source'] + ')' if conflict.get('source') else ''}.",
            "off-message", i, conflict["sentence"], label,
        ))
    for hidden in story.get("hidden", []):
        out.append(Finding(
            f"{who} told us “{hidden['sentence']}” The council has itself identified this as an area to improve: "
            f"“{hidden['area']}”",
            "hidden", i, hidden["sentence"], label,
        ))
    for carried in story.get("carried", []):
        sentence = carried.get("sentence", "")
        if not sentence or sentence not in turn.answer:
            continue
        if carried.get("kind") == "improvement":
            text = f"{who} were open about what needs to improve: “{sentence}”"
            kind = "owned"
        else:
            text = f"{who} told us “{sentence}”, in line with what the council's leaders have agreed to say."
            kind = "on-message"
        out.append(Finding(text, kind, i, sentence, label))
    return out


def _citation(evidence: dict, turn: Turn) -> str:
    """ "Title, p. 4, March 2026": the passage a figure was checked against (its date from the
    passages the coach found for the answer, when the same document is among them)."""
    from prep_bot.evidence.provenance import display_date

    title = evidence.get("title") or "the evidence"
    dated = next((e.get("date") for e in turn.evidence if e.get("doc_id") == evidence.get("doc_id") and e.get("date")), "")
    parts = [title, f"p. {evidence['page']}" if evidence.get("page") else "", display_date(dated)]
    return ", ".join(p for p in parts if p)


def _searched(turn: Turn) -> str:
    """What an assertion was checked against: the passages found for the answer."""
    titles = list(dict.fromkeys(e.get("title", "") for e in turn.evidence if e.get("title")))
    return "searched: " + "; ".join(titles[:2]) if titles else "searched: no evidence found for this statement"
