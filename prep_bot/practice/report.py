"""The readiness report and the team story, as HTML (with the heatmap), Markdown or CSV. The
HTML is rendered from the Jinja2 templates in ``prep_bot/templates`` with autoescaping on, so
every piece of text from documents, names or answers is escaped."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

from markupsafe import Markup

from prep_bot.practice.insights import CATEGORY_NAMES, READINESS_FORMULA, WEAK_EVIDENCE, StatementReadiness
from prep_bot.infra.templating import render

# Heatmap columns: label, the row's value (None: nothing to show), the value shown in full
# colour, and whether the value is a share (shown as a percentage).
COLUMNS = [
    ("Readiness", lambda r: r.readiness, 100, False),  # the number that matters, first: in sight on any screen
    ("Evidence passages", lambda r: r.evidence_passages, 40, False),
    # Both sides said (green), one (amber) or neither (red); the cell says how many of each.
    ("Strengths / to improve", lambda r: r.components["balance"], 1, False, lambda r: f"{r.strengths} / {r.improvements}"),
    ("Evidence categories", lambda r: sum(1 for v in r.evidence_categories.values() if v), len(CATEGORY_NAMES), False),
    ("Data points", lambda r: r.data_points, 20, False),
    ("Practice attempts", lambda r: r.practice["attempts"], 10, False),
    ("Mean practice score", lambda r: r.practice["mean_score"] if r.practice["attempts"] else None, 100, False),
    ("Questions with evidence", lambda r: r.components["coverage"], 1, True),
    # Marked, not scored: green with an approved story (its version), red without one.
    ("Agreed story", lambda r: 1.0 if r.agreed_story else 0.0, 1, False,
     lambda r: f"v{r.agreed_story['version']}" if r.agreed_story else "none"),
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


def heatmap_table(rows: list[StatementReadiness]) -> dict:
    """The heatmap as data for the ``heatmap`` template macro: column labels, and per row the
    statement's title and each cell's text, colour and label."""
    return {
        "columns": [label for label, *_ in COLUMNS],
        "rows": [
            {"title": r.title, "cells": [
                {"text": text(r) if text else _cell(get(r), share), "shade": _shade(get(r), full), "label": label}
                for label, get, full, share, *custom in COLUMNS for text in [custom[0] if custom else None]
            ]}
            for r in rows
        ],
    }


def story_mark(r: StatementReadiness) -> str:
    """ "agreed story v3" or "no approved story" """
    return f"agreed story v{r.agreed_story['version']}" if r.agreed_story else "no approved story"


def heatmap_html(rows: list[StatementReadiness]) -> str:
    """The heatmap table alone (the Readiness tab shows it in the app)."""
    return render("heatmap.html.j2", table=heatmap_table(rows))


HEATMAP_CSS = """
.pb-heatmap {border-collapse:collapse; font-size:0.9em; width:100%}
.pb-heatmap th, .pb-heatmap td {border:1px solid #fff; padding:6px 8px; text-align:center}
.pb-heatmap tbody th {text-align:left; background:#f6f8fa; font-weight:600}
.pb-heatmap td {color:#fff; font-weight:700; text-shadow:0 0 2px rgba(0,0,0,0.5); min-width:70px}
.pb-formula {font-size:0.85em; color:#57606a}
"""


def readiness_details_html(rows: list[StatementReadiness]) -> str:
    """Per statement, weakest first and folded: the likely questions without strong evidence
    (with the best passage found) and the areas for improvement not yet addressed in practice."""
    return render("readiness_details.html.j2", ordered=sorted(rows, key=lambda r: r.readiness))


def readiness_html(rows: list[StatementReadiness], title: str = "prep-bot readiness report") -> str:
    """The readiness report as a printable page: the heatmap, the formula, then each statement
    weakest first."""
    return render(
        "readiness.html.j2", title=title, generated=_now(), heatmap=heatmap_table(rows),
        heatmap_css=Markup(HEATMAP_CSS), formula=READINESS_FORMULA, weak=WEAK_EVIDENCE,
        ordered=sorted(rows, key=lambda r: r.readiness),
    )


def readiness_markdown(rows: list[StatementReadiness]) -> str:
    lines = ["# prep-bot readiness report", "", "| Quality statement | Readiness | Passages | Strengths | To improve | Data points | Categories | Attempts | Mean score | Unanswered | Agreed story |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r.title} | {r.readiness} | {r.evidence_passages} | {r.strengths} | {r.improvements} | {r.data_points} | "
            f"{sum(1 for v in r.evidence_categories.values() if v)}/{len(CATEGORY_NAMES)} | {r.practice['attempts']} | "
            f"{r.practice['mean_score']} | {len(r.unanswered)}/{r.questions} | {story_mark(r)} |"
        )
    lines += ["", f"_{READINESS_FORMULA}. Unanswered: best passage below {WEAK_EVIDENCE} cosine similarity._", ""]
    for r in sorted(rows, key=lambda r: r.readiness):
        lines.append(f"## {r.title} (readiness {r.readiness}, {story_mark(r)})")
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
                     *[f"category: {n}" for n in CATEGORY_NAMES], "practice_attempts", "practice_mean_score", "unanswered", "questions",
                     "agreed_story_version"])
    for r in rows:
        writer.writerow([r.qs, r.title, r.readiness, r.evidence_passages, r.strengths, r.improvements, r.data_points,
                         *[r.evidence_categories[n] for n in CATEGORY_NAMES], r.practice["attempts"], r.practice["mean_score"],
                         len(r.unanswered), r.questions, r.agreed_story["version"] if r.agreed_story else ""])
    return out.getvalue()


def _md(text: str) -> str:
    """Text shown as typed in Markdown: no raw HTML, no links or emphasis, no entities."""
    return "".join("\\" + ch if ch in "\\`*_[]#|<>&" else ch for ch in text)


# -- team story ---------------------------------------------------------------------------------
def team_story_markdown(story: dict) -> str:
    """The team story in Markdown, in the order of the page: consistency, the key messages and
    who said them, then each statement."""
    members = story.get("members", [])
    lines = [f"# Team story: {_md(story['team'])}", "", "## Consistency"]
    if not story["conflicts"]:
        lines.append("No conflicting figures found.")
    for c in story["conflicts"]:
        a, b = c["first"], c["second"]
        where = f" ({_md(a['statement'])})" if a.get("statement") else ""
        first = f"{_md(a['who'])} ({a['when']}, answering “{_md(a['question'])}”) said “{_md(a['said'])}”"
        if c["kind"] == "contradicts the evidence":
            lines.append(f"- {c['kind']}{where}: {first}; the evidence ({_md(b['question'])}) says “{_md(b['said'])}”")
        else:
            lines.append(f"- {c['kind']}{where}: {first}; {_md(b['who'])} ({b['when']}, answering “{_md(b['question'])}”) said “{_md(b['said'])}”")
    said = story.get("said_differently")
    if said:
        lines += ["", "### Said differently", ""]
        if said["notice"]:
            lines.append(f"_{_md(said['notice'])}_")
        for d in said["items"]:
            a, b = d["first"], d["second"]
            lines.append(
                f"- {_md(d['about'] or 'said differently')} ({_md(d['statement'])}): "
                f"{_md(a['who'])} ({a['when']}, answering “{_md(a['question'])}”) said “{_md(a['said'])}”; "
                f"{_md(b['who'])} ({b['when']}, answering “{_md(b['question'])}”) said “{_md(b['said'])}”"
            )
        if not said["items"] and not said["notice"]:
            lines.append("No answers that contradict each other in words found.")
    lines += ["", "## Key messages and who said them", ""]
    lines.append(
        "A member said a message when one of their answers on that statement comes close to it in meaning; "
        "“–”: no practice on that statement."
    )
    unagreed = [s["title"] for s in story["statements"] if not s.get("agreed") and s.get("practised_by")]
    if any(s.get("agreed") for s in story["statements"]):
        lines.append(
            "Agreed messages come from the story a lead approved: each answer is judged against the version "
            "current when it was given, and “–” means no answer on the statement since the story was agreed."
        )
        if unagreed:
            lines.append(f"No approved story on {', '.join(unagreed)}: their rows are the evidence's own messages.")
    else:
        lines.append("No agreed story yet: no lead has approved the council's story on any statement, so the rows "
                     "are the evidence's own messages.")
    lines.append("")
    lines.append("| Quality statement | Key message | " + " | ".join(_md(m) for m in members) + (" |" if members else "|"))
    lines.append("|---|---|" + "---|" * len(members))
    for s in story["statements"]:
        for m in s["key_messages"]:
            asked = m.get("judged_by", []) if m.get("agreed") else s.get("practised_by", [])
            cells = ["said" if who in m.get("said_by", []) else "not said" if who in asked else "–" for who in members]
            label = ("Agreed " if m.get("agreed") else "") + ("strength" if m["polarity"] == "strength" else "to improve")
            label = label[:1].upper() + label[1:]
            lines.append(
                f"| {_md(s['title'])} | {label}: {_md(m['message'])} ({_md(m['citation'])}) | "
                + " | ".join(cells) + (" |" if cells else "|")
            )
    lines.append("")
    for s in story["statements"]:
        lines.append(f"## {s['title']}")
        if not s["attempts"]:
            lines.append("No practice yet.")
        else:
            dims = ", ".join(f"{k} {v:g}" for k, v in s["dimensions"].items())
            lines.append(f"{s['attempts']} attempt{'' if s['attempts'] == 1 else 's'}, mean score {s['mean_score']}; {dims}.")
            if s["figures_used"]:
                lines.append(f"Figures used: {_md(', '.join(s['figures_used']))}.")
            for e in s["examples_used"]:
                lines.append(f"- Example used: {_md(e)}")
        for m in s["key_messages"]:
            mark = "mentioned" if m["mentioned"] else "NOT mentioned"
            lines.append(f"- Key message ({m['polarity']}, {mark}): {_md(m['message'])} ({_md(m['citation'])})")
        lines.append("")
    return "\n".join(lines) + "\n"


def team_story_html(story: dict, standalone: bool = False) -> str:
    """The team story: consistency, the key messages x members grid, then each statement folded.
    A fragment with its own ``pb-story`` styles (for the app's gr.HTML), or with ``standalone``
    a whole printable page (the export)."""
    context = {
        "story": story, "open": False,
        "grid": [s for s in story["statements"] if s["key_messages"]],
    }
    if standalone:
        return render("team_story_page.html.j2", generated=_now(), **context)
    return render("team_story.html.j2", **context)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
