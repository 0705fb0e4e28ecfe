"""HTML for evidence shown in the app. Every piece of document text is escaped here."""

from __future__ import annotations

from html import escape

from prep_bot.evidence.passage import SearchHit
from prep_bot.framework import Framework

POLARITY_LABEL = {"strength": "Strength", "improvement": "To improve", "neutral": "Context"}


def evidence_cards(hits: list[SearchHit], framework: Framework) -> str:
    if not hits:
        return '<p class="pb-empty">No passages found. Try other words or remove a filter.</p>'
    return "\n".join(_card(rank, hit, framework) for rank, hit in enumerate(hits, 1))


def _card(rank: int, hit: SearchHit, framework: Framework) -> str:
    p = hit.passage
    chips = "".join(
        f'<span class="pb-chip">{escape(framework.qs(slug).title)}</span>' for slug in p.quality_statements
    ) or '<span class="pb-chip pb-muted">untagged</span>'
    where = [escape(p.title)]
    if p.page:
        where.append(f"p. {p.page}")
    if p.section:
        where.append(escape(p.section))
    polarity = escape(p.polarity)
    return (
        f'<article class="pb-card" data-doc="{escape(p.doc_id)}">'
        f'<header><span class="pb-rank">{rank}</span> <span class="pb-pol pb-{polarity}">'
        f"{escape(POLARITY_LABEL.get(p.polarity, p.polarity))}</span>{chips}"
        f'<span class="pb-score" title="cosine similarity to your question">match {hit.similarity:.2f}</span></header>'
        f"<blockquote>{escape(p.text)}</blockquote>"
        f'<footer>{" · ".join(where)}</footer></article>'
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
"""
