"""The readiness report and the team story, as HTML (with the heatmap), Markdown or CSV.
Every piece of text from documents or answers is escaped in HTML."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from html import escape

from prep_bot.insights import CATEGORY_NAMES, READINESS_FORMULA, WEAK_EVIDENCE, StatementReadiness

# Heatmap columns: label, the row's value (None: nothing to show), the value shown in full
# colour, and whether the value is a share (shown as a percentage).
COLUMNS = [
    ("Evidence passages", lambda r: r.evidence_passages, 40, False),
    ("Strength / improve balance", lambda r: r.components["balance"], 1, True),
    ("Evidence categories", lambda r: sum(1 for v in r.evidence_categories.values() if v), len(CATEGORY_NAMES), False),
    ("Data points", lambda r: r.data_points, 20, False),
    ("Practice attempts", lambda r: r.practice["attempts"], 10, False),
    ("Mean practice score", lambda r: r.practice["mean_score"] if r.practice["attempts"] else None, 100, False),
    ("Questions with evidence", lambda r: r.components["coverage"], 1, True),
    ("Readiness", lambda r: r.readiness, 100, False),
]


def _shade(value: float | None, full: float) -> str:
    """Red (nothing) through amber to green (full); grey when there is no value."""
    if value is None:
        return "rgb(140,149,159)"
    t = max(0.0, min(1.0, value / full if full else 0.0))
    if t < 0.5:
        r, g, b = 207, int(34 + (167 - 34) * t * 2), int(46 + (44 - 46) * t * 2)
    else:
        r, g, b = int(212 - (212 - 45) * (t - 0.5) * 2), int(167 + (164 - 167) * (t - 0.5) * 2), int(44 + (78 - 44) * (t - 0.5) * 2)
    return f"rgb({r},{g},{b})"


def _cell(value: float | None, share: bool) -> str:
    if value is None:
        return "–"
    return f"{value:.0%}" if share else f"{value:g}"


def heatmap_html(rows: list[StatementReadiness]) -> str:
    head = "".join(f"<th>{escape(label)}</th>" for label, *_ in COLUMNS)
    body = []
    for r in rows:
        cells = "".join(
            f'<td style="background:{_shade(get(r), full)}" title="{escape(label)}">{escape(_cell(get(r), share))}</td>'
            for label, get, full, share in COLUMNS
        )
        body.append(f"<tr><th scope=\"row\">{escape(r.title)}</th>{cells}</tr>")
    return (
        '<table class="pb-heatmap"><thead><tr><th>Quality statement</th>'
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


HEATMAP_CSS = """
.pb-heatmap {border-collapse:collapse; font-size:0.9em; width:100%}
.pb-heatmap th, .pb-heatmap td {border:1px solid #fff; padding:6px 8px; text-align:center}
.pb-heatmap tbody th {text-align:left; background:#f6f8fa; font-weight:600}
.pb-heatmap td {color:#fff; font-weight:700; text-shadow:0 0 2px rgba(0,0,0,0.5); min-width:70px}
.pb-formula {font-size:0.85em; color:#57606a}
"""


def unanswered_items(r: StatementReadiness, with_passage: bool = False) -> str:
    """<li> items for the likely questions without strong evidence, with the best evidence."""
    return "".join(
        f"<li>{escape(u.text)} <span class=\"pb-formula\">(best evidence {u.best_score:.3f}"
        f"{': ' + escape(u.citation) if u.citation else ''})</span>"
        + (f"<blockquote>{escape(u.best_passage)}</blockquote>" if with_passage and u.best_passage else "")
        + "</li>"
        for u in r.unanswered
    )


def unaddressed_items(r: StatementReadiness, limit: int) -> str:
    """<li> items for areas for improvement no practice answer has addressed."""
    return "".join(f"<li>{escape(u['text'])} <i>({escape(u['citation'])})</i></li>" for u in r.unaddressed[:limit])


def readiness_html(rows: list[StatementReadiness], title: str = "prep-bot readiness report") -> str:
    ordered = sorted(rows, key=lambda r: r.readiness)
    sections = []
    for r in ordered:
        unanswered = unanswered_items(r) or "<li>None: every likely question has evidence behind it.</li>"
        unaddressed = unaddressed_items(r, limit=8)
        sections.append(
            f"<h3>{escape(r.title)}: readiness {r.readiness}</h3>"
            f"<p>{r.evidence_passages} evidence passages ({r.strengths} strengths, {r.improvements} to improve), "
            f"{r.data_points} data points; {r.practice['attempts']} practice attempts, mean score {r.practice['mean_score']}.</p>"
            f"<h4>Questions the evidence cannot yet answer ({len(r.unanswered)} of {r.questions})</h4><ul>{unanswered}</ul>"
            + (f"<h4>Areas for improvement no practice answer has addressed</h4><ul>{unaddressed}</ul>" if unaddressed else "")
        )
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
        f"<style>body{{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}}{HEATMAP_CSS}</style></head>"
        f"<body><h1>{escape(title)}</h1><p class=\"pb-formula\">Generated {generated}.</p>"
        f"<h2>Readiness across the 9 quality statements</h2>{heatmap_html(rows)}"
        f"<p class=\"pb-formula\">{escape(READINESS_FORMULA)}. A question counts as unanswered when its best "
        f"passage has cosine similarity below {WEAK_EVIDENCE}.</p><h2>Weakest first</h2>{''.join(sections)}</body></html>"
    )


def readiness_markdown(rows: list[StatementReadiness]) -> str:
    lines = ["# prep-bot readiness report", "", "| Quality statement | Readiness | Passages | Strengths | To improve | Data points | Categories | Attempts | Mean score | Unanswered |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r.title} | {r.readiness} | {r.evidence_passages} | {r.strengths} | {r.improvements} | {r.data_points} | "
            f"{sum(1 for v in r.evidence_categories.values() if v)}/{len(CATEGORY_NAMES)} | {r.practice['attempts']} | "
            f"{r.practice['mean_score']} | {len(r.unanswered)}/{r.questions} |"
        )
    lines += ["", f"_{READINESS_FORMULA}. Unanswered: best passage below {WEAK_EVIDENCE} cosine similarity._", ""]
    for r in sorted(rows, key=lambda r: r.readiness):
        lines.append(f"## {r.title} (readiness {r.readiness})")
        for u in r.unanswered:
            lines.append(f"- Unanswered: {_md(u.text)} (best evidence {u.best_score:.3f})")
        for u in r.unaddressed[:8]:
            lines.append(f"- Not yet addressed in practice: {_md(u['text'])} ({_md(u['citation'])})")
        lines.append("")
    return "\n".join(lines)


def readiness_csv(rows: list[StatementReadiness]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["qs", "title", "readiness", "evidence_passages", "strengths", "improvements", "data_points",
                     *[f"category: {n}" for n in CATEGORY_NAMES], "practice_attempts", "practice_mean_score", "unanswered", "questions"])
    for r in rows:
        writer.writerow([r.qs, r.title, r.readiness, r.evidence_passages, r.strengths, r.improvements, r.data_points,
                         *[r.evidence_categories[n] for n in CATEGORY_NAMES], r.practice["attempts"], r.practice["mean_score"],
                         len(r.unanswered), r.questions])
    return out.getvalue()


def _md(text: str) -> str:
    """Text shown as typed in Markdown: no raw HTML, no links or emphasis, no entities."""
    return "".join("\\" + ch if ch in "\\`*_[]#|<>&" else ch for ch in text)


# -- team story ---------------------------------------------------------------------------------
def team_story_markdown(story: dict) -> str:
    lines = [f"# Team story: {_md(story['team'])}", ""]
    for s in story["statements"]:
        lines.append(f"## {s['title']}")
        if not s["attempts"]:
            lines.append("No practice yet.")
        else:
            dims = ", ".join(f"{k} {v:g}" for k, v in s["dimensions"].items())
            lines.append(f"{s['attempts']} attempts, mean score {s['mean_score']}; {dims}.")
            if s["figures_used"]:
                lines.append(f"Figures used: {_md(', '.join(s['figures_used']))}.")
            for e in s["examples_used"]:
                lines.append(f"- Example used: {_md(e)}")
        for m in s["key_messages"]:
            mark = "mentioned" if m["mentioned"] else "NOT mentioned"
            lines.append(f"- Key message ({m['polarity']}, {mark}): {_md(m['message'])} ({_md(m['citation'])})")
        lines.append("")
    lines.append("## Consistency")
    if not story["conflicts"]:
        lines.append("No conflicting figures found.")
    for c in story["conflicts"]:
        a, b = c["first"], c["second"]
        lines.append(f"- {c['kind']}: {_md(a['who'])} said “{_md(a['said'])}” ({a['when']}) — {_md(b['who'])}: “{_md(b['said'])}” {_md(b['when'] or b['question'])}")
    return "\n".join(lines) + "\n"


def team_story_html(story: dict) -> str:
    parts = [f"<h2>Team story: {escape(story['team'])}</h2>"]
    for s in story["statements"]:
        head = f"<h3>{escape(s['title'])}</h3>"
        if s["attempts"]:
            dims = ", ".join(f"{escape(k)} {v:g}" for k, v in s["dimensions"].items())
            body = f"<p>{s['attempts']} attempts, mean score {s['mean_score']}; {dims}.</p>"
            if s["figures_used"]:
                body += f"<p>Figures used: {escape(', '.join(s['figures_used']))}</p>"
            body += "".join(f"<blockquote>{escape(e)}</blockquote>" for e in s["examples_used"])
        else:
            body = "<p>No practice yet.</p>"
        messages = "".join(
            f"<li class=\"{'pb-said' if m['mentioned'] else 'pb-unsaid'}\">{'✓' if m['mentioned'] else '✗'} "
            f"<b>{escape(m['polarity'])}</b>: {escape(m['message'])} <i>({escape(m['citation'])})</i></li>"
            for m in s["key_messages"]
        )
        parts.append(head + body + (f"<ul>{messages}</ul>" if messages else ""))
    rows = "".join(
        f"<tr><td>{escape(c['kind'])}</td><td><b>{escape(c['first']['who'])}</b>: {escape(c['first']['said'])}"
        f"<br><i>{escape(c['first']['when'])} · {escape(c['first']['question'])}</i></td>"
        f"<td><b>{escape(c['second']['who'])}</b>: {escape(c['second']['said'])}<br><i>{escape(c['second']['when'] or c['second']['question'])}</i></td></tr>"
        for c in story["conflicts"]
    ) or '<tr><td colspan="3">No conflicting figures found.</td></tr>'
    parts.append(f"<h3>Consistency</h3><table class=\"pb-claims\"><thead><tr><th>What</th><th>Statement</th><th>Against</th></tr></thead><tbody>{rows}</tbody></table>")
    return "".join(parts)
