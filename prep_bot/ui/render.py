"""HTML for evidence shown in the app. Every piece of document text is escaped here."""

from __future__ import annotations

import re
from html import escape

from markupsafe import Markup

from prep_bot.coaching.rubric import score_tone
from prep_bot.evidence.passage import SearchHit
from prep_bot.framework.statements import Framework
from prep_bot.evidence.provenance import display_date, same_council
from prep_bot.practice.report import HEATMAP_CSS

POLARITY_LABEL = {"strength": "Strength", "improvement": "To improve", "neutral": "Context"}


_EMPHASIS = re.compile(r"(?<![\w*])(\*{1,3}|__)(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*])")


def plain(text: str) -> str:
    """Document text as words: the markdown emphasis a source file carries ("*'Home First'*",
    "**Key**", "__note__") dropped, markers in pairs only; a lone "*", "a.__b" and everything else
    kept as written. Not escaped."""
    return _EMPHASIS.sub(r"\2", text)


def evidence_cards(hits: list[SearchHit], framework: Framework, store=None, glossary=None, correctable: bool = False) -> str:
    """Cards for search hits, best first, in words: no similarity number or passage id (the id
    is the card's ``data-passage``, for the lead's "Correct tags"). With ``store``, each says when its evidence is dated (older than
    the stale threshold) and which other council it comes from; with ``glossary``, the terms
    a passage uses are explained under it."""
    if not hits:
        return '<p class="pb-empty">No passages found. Try other words or remove a filter.</p>'
    return "\n".join(_card(rank, hit, framework, store, glossary, correctable) for rank, hit in enumerate(hits, 1))


def provenance_badges(p, store) -> str:
    """ "Dated" and another council's name, as badges (escaped)."""
    out = []
    if store is not None and store.is_dated(p):
        out.append(f'<span class="pb-badge pb-dated" title="Older than {store.settings.stale_years:g} years: '
                   f'check it is still true before quoting it">dated</span>')
    if store is not None and p.council and not same_council(p.council, store.home_council) and store.home_council:
        out.append(f'<span class="pb-badge pb-elsewhere">{escape(p.council)}</span>')
    return "".join(out)


def _card(rank: int, hit: SearchHit, framework: Framework, store=None, glossary=None, correctable: bool = False) -> str:
    p = hit.passage
    unsure = ' <span class="pb-unsure" title="The tagger was not confident of this statement">unsure</span>'
    chips = "".join(
        f'<span class="pb-chip">{escape(framework.qs(slug).title)}{unsure if i == 0 and p.unsure else ""}</span>'
        for i, slug in enumerate(p.quality_statements)
    ) or '<span class="pb-chip pb-muted">untagged</span>'
    when = display_date(p.date)
    where = [escape(p.title) + (f" ({escape(when)})" if when else " (undated)")]
    if p.page:
        where.append(f"p. {p.page}")
    if p.section:
        where.append(escape(p.section))
    polarity = escape(p.polarity)
    # For leads: opens the tag correction form with this passage chosen (a script in ui/app.py).
    correct = (f'<button type="button" class="pb-correct" data-passage="{escape(p.id)}" data-title="{escape(p.title)}">'
               "Correct tags</button>") if correctable else ""
    terms = glossary.explain(p.text) if glossary is not None else []
    explained = ""
    if terms:
        items = "".join(
            f"<li><b>{escape(t.term)}</b>{' (' + escape(t.expansion) + ')' if t.expansion != t.term else ''}: {escape(t.explain)}</li>"
            for t in terms
        )
        explained = f'<details class="pb-terms"><summary>Terms in this passage</summary><ul>{items}</ul></details>'
    return (
        f'<article class="pb-card" data-doc="{escape(p.doc_id)}" data-passage="{escape(p.id)}">'
        f'<header><span class="pb-rank">{rank}</span> <span class="pb-pol pb-{polarity}">'
        f"{escape(POLARITY_LABEL.get(p.polarity, p.polarity))}</span>{chips}{provenance_badges(p, store)}"
        f"</header><blockquote>{escape(plain(p.text))}</blockquote>"
        f'<footer>{" · ".join(where)}</footer>{explained}{correct}</article>'
    )


CSS = """
.pb-card {border:1px solid #d0d7de; border-radius:8px; padding:10px 14px; margin:0 0 10px 0; background:#fff}
.pb-card header {display:flex; gap:6px; align-items:center; flex-wrap:wrap; font-size:0.85em}
.pb-card blockquote {margin:8px 0; padding-left:10px; border-left:3px solid #8c959f; white-space:pre-wrap}
.pb-card footer {font-size:0.8em; color:#57606a}
.pb-rank {font-weight:700}
.pb-chip {background:#ddf4ff; color:#0a3069; border-radius:10px; padding:1px 8px}
.pb-muted {background:#eaeef2; color:#57606a}
.pb-pol {border-radius:10px; padding:1px 8px; font-weight:600}
.pb-strength {background:#dafbe1; color:#116329}
.pb-improvement {background:#fff1e5; color:#953800}
.pb-neutral {background:#eaeef2; color:#424a53}
.pb-score {margin-left:auto; color:#57606a}
.pb-empty {color:#57606a}
.pb-badge {border-radius:10px; padding:1px 8px; font-weight:600}
.pb-dated {background:#fff8c5; color:#7d4e00}
.pb-elsewhere {background:#fbefff; color:#6e40c9}
.pb-unsure {font-style:italic; color:#7d4e00}
.pb-id {font-family:ui-monospace, monospace; font-size:0.9em; word-break:break-all}
.pb-terms {font-size:0.85em; margin-top:4px}
.pb-hidden {display:none !important}
/* A download box shows once it holds a file: never an empty box before the report is made. */
.pb-downloads:not(:has(a)) {display:none !important}
.pb-correct {margin-top:6px; font-size:0.85em; padding:2px 10px; border:1px solid #8c959f; border-radius:6px; background:#f6f8fa; cursor:pointer}
"""


# -- coaching feedback -----------------------------------------------------------------------
STATUS_LABEL = {"supported": "Supported", "contradicted": "Contradicted", "unverified": "Not found in evidence"}


def md_escape(text: str) -> str:
    """Text safe to put in a chat message: no HTML, and markdown syntax shown as typed."""
    text = escape(text, quote=False)
    return "".join("\\" + ch if ch in "\\`*_[]#|~" else ch for ch in text)


def _bar(score: int, rubric=None) -> str:
    tone = f"pb-{score_tone(score, rubric)}"  # the rubric's bands (knowledge/rubric.yaml)
    return f'<div class="pb-bar"><div class="pb-fill {tone}" style="width:{int(score)}%"></div></div>'


def dimension_table(dimensions, rubric=None) -> str:
    """The six dimensions: label, score, a bar and the one-line reason (escaped)."""
    rows = "".join(
        f'<tr><td>{escape(d.label)}</td><td class="pb-num">{d.score}</td><td>{_bar(d.score, rubric)}</td>'
        f"<td>{escape(d.reason)}</td></tr>"
        for d in dimensions
    )
    return f'<div class="pb-scroll"><table class="pb-dims"><tbody>{rows}</tbody></table></div>'


def claims_table(claims, heading: bool = True) -> str:
    title = "<h4>Claim check</h4>" if heading else ""
    if not claims:
        return f'{title}<p class="pb-empty">No figures in this answer to check.</p>'
    rows = []
    for claim in claims:
        evidence = ""
        if claim.evidence:
            e = claim.evidence
            evidence = f"{escape(e.point.raw)}: “{escape(e.point.sentence)}” <i>{escape(e.passage.citation)}</i>"
        note = getattr(claim, "note", "")
        if note:  # a newer figure of the same measure exists
            evidence += f'<br><b class="pb-newest">{escape(note[:1].upper() + note[1:])}.</b>'
        rows.append(
            f'<tr class="pb-claim pb-{escape(claim.status)}"><td>{escape(claim.text)}</td>'
            f"<td>{escape(STATUS_LABEL.get(claim.status, claim.status))}</td><td>{evidence}</td></tr>"
        )
    return (
        f'{title}<div class="pb-scroll"><table class="pb-claims"><thead><tr><th>You said</th><th>Status</th>'
        f'<th>The evidence says</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
    )


def missed_list(missed: list[str]) -> str:
    if not missed:
        return ""
    items = "".join(f"<li>{escape(m)}</li>" for m in missed)
    return f'<h4>What you could have used</h4><ul class="pb-missed">{items}</ul>'


def data_cards(cards) -> str:
    if not cards:
        return '<p class="pb-empty">No figures found in the evidence for this question.</p>'
    out = []
    for card in cards:
        p = card.point
        extra = " · ".join(escape(x) for x in (p.comparator, p.period) if x)
        out.append(
            f'<div class="pb-data"><span class="pb-fig">{escape(p.raw)}</span>'
            f'<span class="pb-measure">{escape(p.sentence)}</span>'
            f'<span class="pb-meta">{extra}{" · " if extra else ""}{escape(card.passage.citation)}</span></div>'
        )
    return "".join(out)


def plural(n: int, word: str, many: str | None = None) -> str:
    """ "1 question", "2 questions" (``many`` for an irregular plural)."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def card_table(headers: list[str], rows: list[list], cls: str = "", wide: int | None = None, row_attrs=None) -> str:
    """A table that leads with its first columns at a desk and is a card per row on a phone
    (``.pb-cards`` in CSS): every cell names its column (``data-label``), which a card shows before
    it. The ``wide`` column (the long text) takes the rest of the width at a desk and a line of its
    own, unlabelled, on a card. Cells are escaped unless they are ``Markup``; ``row_attrs(i)``
    gives a row's extra attributes (escaped)."""
    def cell(i: int, value) -> str:
        if i == wide:
            return f'<td class="pb-wide">{_html(value)}</td>'
        return f'<td data-label="{escape(headers[i])}">{_html(value)}</td>'

    def attrs(n: int) -> str:
        return "".join(f' {name}="{escape(str(value))}"' for name, value in (row_attrs(n) if row_attrs else {}).items())

    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(f"<tr{attrs(n)}>{''.join(cell(i, v) for i, v in enumerate(row))}</tr>" for n, row in enumerate(rows))
    return f'<table class="pb-cards {escape(cls)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _html(value) -> str:
    return str(value) if isinstance(value, Markup) else escape(str(value))


def summary_table(rows: list[dict], framework: Framework) -> str:
    """Mock interview summary: one row per question, grouped by quality statement."""
    if not rows:
        return ""
    # The score, what to work on and the time lead; the question (with its statement) takes the
    # rest of the width and wraps. On a phone each row is a card.
    by_question = card_table(
        ["Score", "Work on", "Time", "Question"],
        [[r["score"], r["weakest"], r["time"],
          Markup(f'{escape(r["question"])}<span class="pb-meta">{escape(framework.qs(r["qs"]).title)}</span>')] for r in rows],
        cls="pb-by-question", wide=3,
    )
    mean = round(sum(r["score"] for r in rows) / len(rows))
    by_qs: dict[str, list[dict]] = {}
    for r in rows:
        by_qs.setdefault(r["qs"], []).append(r)
    per_qs = "".join(
        f"<tr><td>{escape(framework.qs(slug).title)}</td><td class=\"pb-num\">{round(sum(r['score'] for r in rs) / len(rs))}</td>"
        f"<td>{_bar(round(sum(r['score'] for r in rs) / len(rs)))}</td><td>{escape(min(rs, key=lambda r: r['score'])['weakest'])}</td></tr>"
        for slug, rs in sorted(by_qs.items(), key=lambda item: sum(r["score"] for r in item[1]) / len(item[1]))
    )
    return (
        f'<section class="pb-feedback"><div class="pb-score"><span class="pb-big">{mean}</span>/100 across '
        f"{plural(len(rows), 'question')}</div><h4>By quality statement (weakest first)</h4>"
        f'<table class="pb-dims pb-by-qs"><tbody>{per_qs}</tbody></table><h4>Question by question</h4>'
        f"{by_question}</section>"
    )


CSS += HEATMAP_CSS + """
.pb-said {color:#116329} .pb-unsaid {color:#953800}
.pb-feedback h4 {margin:14px 0 6px 0}
.pb-score {font-size:1.1em; margin-bottom:6px}
.pb-big {font-size:2.2em; font-weight:700}
.pb-delta {margin-left:10px; font-weight:600; color:#0969da}
.pb-dims, .pb-claims {width:100%; border-collapse:collapse; font-size:0.9em}
.pb-dims td, .pb-claims td, .pb-claims th {padding:4px 6px; border-bottom:1px solid #eaeef2; vertical-align:top; text-align:left}
.pb-num {text-align:right; font-weight:600; width:3em}
.pb-bar {width:110px; height:10px; background:#eaeef2; border-radius:5px; margin-top:4px}
.pb-fill {height:10px; border-radius:5px}
.pb-good {background:#2da44e} .pb-mid {background:#d4a72c} .pb-low {background:#cf222e}
.pb-contradicted td:nth-child(2) {color:#cf222e; font-weight:700}
.pb-supported td:nth-child(2) {color:#116329; font-weight:700}
.pb-unverified td:nth-child(2) {color:#57606a}
.pb-missed li {margin-bottom:4px}
.pb-data {display:flex; flex-direction:column; border-left:4px solid #0969da; padding:4px 10px; margin-bottom:8px}
.pb-fig {font-size:1.3em; font-weight:700}
.pb-meta {font-size:0.8em; color:#57606a}
.pb-scroll {max-width:100%; overflow-x:auto}
.pb-detail {max-width:100%; overflow-wrap:anywhere}
.pb-detail .pb-dims td:nth-child(3) {width:120px}
.pb-claims td:nth-child(-n+2), .pb-claims th:nth-child(-n+2) {white-space:nowrap}
/* card_table: the leading columns in sight at a desk; a card per row on a phone (below). */
.pb-cards {width:100%; border-collapse:collapse; font-size:0.9em; table-layout:auto}
.pb-cards:not(.pb-heatmap) td, .pb-cards:not(.pb-heatmap) th {padding:4px 6px; border-bottom:1px solid #eaeef2; vertical-align:top; text-align:left}
.pb-cards .pb-wide {overflow-wrap:anywhere}
.pb-cards .pb-meta {display:block; color:#57606a; font-size:0.85em}
.pb-cards tr[data-row] {cursor:pointer}
#my-attempts-cards, #library-cards {display:none !important}  /* My progress, Library: the table at a desk, cards on a phone */
/* The library reads as a list of reports: the page's font, the title in bold, the id (for
   `prep-bot remove`) small and grey. */
#library-documents [role=gridcell], #library-documents [role=gridcell] *, #library-documents [role=columnheader],
#library-documents [role=columnheader] * {font-family:var(--font) !important}
#library-documents [role=gridcell].first-column {font-weight:600}
#library-documents [role=gridcell][aria-colindex="6"] {font-size:0.8em; color:#57606a}
.pb-cards td:first-of-type {font-weight:600}  /* the number the table leads with */
@media (min-width: 641px) {
  .pb-cards td[data-label] {white-space:nowrap}
  .pb-by-question td:nth-child(2) {min-width:9em; max-width:16em; white-space:normal}
}
.pb-top {flex-wrap:wrap; align-items:center}
/* The question being answered stays pinned at the top of the chat while the replies scroll under it. */
#practice-chat [role=log] {padding-top:0}
#practice-chat .message-wrap {padding-top:0; margin-top:0}
#practice-chat .message-wrap > .message-row:first-child {position:sticky; top:0; z-index:3; margin-top:0; padding-top:8px;
  background:var(--block-background-fill, #fff); max-height:30vh; overflow-y:auto; box-shadow:0 2px 4px rgba(0,0,0,.08);
  width:auto; max-width:100%; box-sizing:border-box; align-self:stretch; margin-left:0; margin-right:0}
/* It spans the whole chat, so no reply shows beside it as the chat scrolls under it. */
#practice-chat .message-wrap > .message-row:first-child > * {max-width:100%}
/* On a phone the chat's share, bin and copy buttons sit over the question's first line: it starts below them. */
@media (max-width: 640px) {#practice-chat .message-wrap > .message-row:first-child {max-height:22vh; padding-top:34px}}
#pb-title h2 {margin:0}
#signed-in p {margin:0}
.pb-detail .pb-dims td:first-child {overflow-wrap:normal; min-width:6.5em}
@media (max-width: 640px) {
  #pb-title h2 {font-size:1.15em}
  .pb-settings {flex-direction:column !important}
  .pb-settings > * {width:100% !important; min-width:0 !important; flex:none !important}
  .pb-dims td:nth-child(3) {display:none}
  .pb-claims thead {display:none}
  .pb-claims, .pb-claims tbody, .pb-claims tr, .pb-claims td {display:block; width:auto}
  .pb-claims tr {border-bottom:1px solid #d0d7de; padding:4px 0}
  .pb-claims td {border:none; white-space:normal}
  .pb-settings {gap:4px}
  #my-attempts, #library-documents {display:none !important}
  #my-attempts-cards, #library-cards {display:block !important}
  .pb-cards thead {display:none}
  table.pb-cards, .pb-cards tbody, .pb-cards tr {display:block; width:auto; border:none}
  .pb-cards tbody tr {border:1px solid #d0d7de; border-radius:8px; padding:6px 10px; margin-bottom:8px}
  .pb-cards:not(.pb-heatmap) td, .pb-cards td, .pb-cards tbody th {display:inline-block; border:none; padding:0 10px 0 0;
    width:auto; white-space:normal}
  .pb-cards td[data-label]::before {content:attr(data-label) ": "; font-weight:400; opacity:.8}
  .pb-cards .pb-wide, .pb-cards tbody th {display:block; margin-top:4px}
  .pb-heatmap.pb-cards td {padding:2px 6px; margin:2px 4px 2px 0; border-radius:4px}
}
"""


def elsewhere_list(hits: list[SearchHit], who: str = "CQC") -> str:
    """What CQC (or peer teams) found in other councils on a question's subject: a folded list,
    each finding with its council and date (escaped). Empty when there is none."""
    if not hits:
        return ""
    items = "".join(
        f"<li><b>{escape(h.passage.council or 'Another council')}</b>"
        f"{' (' + escape(display_date(h.passage.date)) + ')' if h.passage.date else ''}: "
        f"{escape(_lead(h.passage.text))} <i>{escape(h.passage.title)}</i></li>"
        for h in hits
    )
    return (
        '<details class="pb-elsewhere-list" id="practice-elsewhere"><summary>'
        f"What {escape(who)} found elsewhere ({len(hits)})</summary><p class=\"pb-meta\">Other councils' reports, to learn from. They are not "
        f"your council's evidence: do not quote their figures as yours.</p><ul>{items}</ul></details>"
    )


def _lead(text: str, limit: int = 280) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


# A stored attempt reread in My progress or the Mock interview (ui/history.py).
CSS += """
.pb-history .pb-meta {color:#57606a; font-size:0.85em; margin:0}
.pb-history .pb-question {font-size:1.05em; margin:4px 0 8px 0}
.pb-history .pb-answer {margin:0; padding:4px 10px; border-left:3px solid #8c959f; white-space:pre-wrap}
.pb-history .pb-cited li, .pb-history .pb-missed li {margin-bottom:4px}
.pb-history, .pb-history td {overflow-wrap:anywhere}
.pb-history th, .pb-history .pb-num, .pb-history .pb-claims td:nth-child(2) {overflow-wrap:normal}
@media (max-width: 600px) {
  .pb-history .pb-bar-cell {display:none}
  .pb-history .pb-claims thead {display:none}
  .pb-history .pb-claims tr, .pb-history .pb-claims td {display:block}
}
.pb-fold {margin:6px 0; border:1px solid #eaeef2; border-radius:6px; padding:4px 10px}
.pb-fold summary {cursor:pointer; font-weight:600}
.pb-reply, .pb-follow-up {margin:6px 0}
"""


# "Ask the evidence" in the Evidence tab (ui/advice.py): answers use the chat's full width.
CSS += """
#ask-evidence {margin-top:12px}
#ask-evidence .pb-ask-head p {margin:0}
#ask-chat .bot-row .flex-wrap, #ask-chat .bot-row .message {max-width:100% !important}
@media (max-width: 640px) {
  #ask-chat .message-row {max-width:100% !important; margin-left:6px !important; margin-right:6px !important}
}
"""
