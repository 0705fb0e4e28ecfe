"""A person's practice outside the live chat: each attempt as a view (answer, scores and the
feedback it was given), and every attempt the viewer is looking at as a CSV file and a
printable HTML page. Who may see which attempts is the permission policy's (prep_bot/app)."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone
from pathlib import Path

from prep_bot.practice.attempts import Attempt
from prep_bot.coaching.delivery import Delivery
from prep_bot.coaching.rubric import score_tone
from prep_bot.evidence.provenance import display_date
from prep_bot.infra.templating import render

STATUS_LABEL = {"supported": "Supported", "contradicted": "Contradicted", "unverified": "Not found in evidence"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run a cell starting with these


# -- one attempt as a view -----------------------------------------------------------------------
def statement_titles(framework) -> dict[str, str]:
    return {q.slug: f"{q.number}. {q.title}" for q in framework.quality_statements}


def dimension_labels(rubric) -> dict[str, str]:
    """Dimension name to label, in the rubric's order."""
    return {d.name: d.label for d in rubric.dimensions}


def when(attempt: Attempt) -> str:
    """The attempt's time as "2026-12-01 14:53 UTC" (stored times are UTC)."""
    if attempt.created_at is None:
        return ""
    stamp = attempt.created_at
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(timezone.utc)
    return stamp.strftime("%Y-%m-%d %H:%M UTC")


def audience_name(audience: str) -> str:
    return (audience or "").replace("-", " ").capitalize()


def citation(item: dict) -> str:
    """ "Title (May 2025), p. 4, Section" from a stored evidence, figure or claim dict."""
    dated = display_date(item.get("date"))
    title = str(item.get("title") or "")
    parts = [f"{title} ({dated})" if dated else title]
    if item.get("page"):
        parts.append(f"p. {item['page']}")
    if item.get("section"):
        parts.append(str(item["section"]))
    return ", ".join(p for p in parts if p)


def _score(value) -> int:
    try:
        return max(0, min(100, int(value)))
    except (TypeError, ValueError):
        return 0


def _texts(value) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v not in (None, "")]
    return [str(value)] if value not in (None, "") else []


def _said(part: dict, *keys: str) -> str:
    """ "Label. Why or what to do." from a stored strength or change."""
    label = str(part.get("label") or part.get("name") or "").strip()
    text = next((str(part[k]) for k in keys if part.get(k)), "")
    if not label:
        return text
    return f"{label[:1].upper()}{label[1:].lower()}." + (f" {text}" if text else "")


def attempt_view(attempt: Attempt, titles: dict[str, str], labels: dict[str, str]) -> dict:
    """Everything a page shows of one attempt, as plain values (the templates escape them).
    An attempt saved before feedback was kept has its scores and claim statuses only."""
    fb = attempt.feedback or {}
    stored = fb.get("dimensions") or {}
    names = [n for n in labels if n in stored or n in attempt.dimensions]
    names += [n for n in (*stored, *attempt.dimensions) if n not in names]
    dimensions = []
    for name in names:
        entry = stored.get(name)
        score = _score(entry.get("score") if isinstance(entry, dict) else attempt.dimensions.get(name))
        dimensions.append({
            "label": labels.get(name, name.replace("_", " ").capitalize()), "score": score,
            "reason": str(entry.get("reason") or "") if isinstance(entry, dict) else "",
            "tone": score_tone(score),  # the rubric's bands (knowledge/rubric.yaml)
        })
    claims = []
    for claim in fb.get("claims", attempt.claims) or []:
        evidence = claim.get("evidence") or {}
        claims.append({
            "text": str(claim.get("text") or ""), "status": str(claim.get("status") or ""),
            "status_label": STATUS_LABEL.get(claim.get("status"), str(claim.get("status") or "")),
            "figure": str(evidence.get("figure") or ""), "sentence": str(evidence.get("text") or ""),
            "citation": citation(evidence) if evidence else "",
        })
    reply = fb.get("reply") if isinstance(fb.get("reply"), dict) else {}
    strength, change = reply.get("strength"), reply.get("change")
    said = Delivery.from_dict(attempt.delivery)
    return {
        "id": attempt.id, "when": when(attempt), "person": attempt.user, "team": attempt.team,
        "statement": titles.get(attempt.qs, attempt.qs), "audience": audience_name(attempt.audience),
        "question": attempt.question, "answer": attempt.answer, "score": _score(attempt.score),
        "has_feedback": attempt.feedback is not None, "dimensions": dimensions, "claims": claims,
        # The coach's reply as the chat gave it (prep_bot/coaching/feedback.py), when it was stored.
        "strength": _said(strength, "reason") if isinstance(strength, dict) else str(reply.get("no_strength") or ""),
        "change": _said(change, "advice", "reason") if isinstance(change, dict) else "",
        "figure_note": str(reply.get("figure_note") or ""),
        # How a spoken answer was said (None for a typed one): beside the score, never part of it.
        "delivery": {"summary": said.summary(), "notes": said.notes()} if said else None,
        "missed": _texts(reply["not_covered"] if "not_covered" in reply else fb.get("missed")),
        "follow_up": str(reply.get("follow_up") or fb.get("follow_up") or ""),
        # The language model's checked help, when it gave some (prep_bot/llm/advisor.py CoachHelp).
        "model_help": _model_help(fb.get("model_help")),
        "evidence": [
            {"citation": citation(hit), "text": str(hit.get("text") or ""), "polarity": str(hit.get("polarity") or "")}
            for hit in fb.get("evidence") or [] if isinstance(hit, dict)
        ],
        "data": [
            {"figure": str(card.get("raw") or ""), "text": str(card.get("text") or ""), "citation": citation(card),
             "meta": " · ".join(str(card[k]) for k in ("comparator", "period") if card.get(k))}
            for card in fb.get("data") or [] if isinstance(card, dict)
        ],
    }


def _model_help(stored) -> dict | None:
    if not isinstance(stored, dict) or stored.get("error") or not stored.get("stronger_answer"):
        return None
    return {
        "feedback": str(stored.get("feedback") or ""), "stronger_answer": str(stored["stronger_answer"]),
        "flags": [f[:1].upper() + f[1:] for f in _texts(stored.get("flags"))],
        "sources": [f"[{c.get('n')}] {citation(c)}" for c in stored.get("citations") or [] if isinstance(c, dict)],
    }


def attempt_fragment(attempt: Attempt, titles: dict[str, str], labels: dict[str, str]) -> str:
    """One attempt as an HTML fragment (escaped by the template), for the app and the page."""
    return render("attempt.html.j2", a=attempt_view(attempt, titles, labels))


# -- exports -------------------------------------------------------------------------------------
def safe_cell(value):
    """A CSV cell a spreadsheet will show, not run: text starting with = + - @ (or a tab or
    carriage return) gets a leading apostrophe. Numbers are left as numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def attempts_csv(attempts: list[Attempt], titles: dict[str, str], labels: dict[str, str]) -> str:
    """One row per attempt: time (UTC), person, statement, audience, question, answer, score and
    each dimension's score (the rubric's dimensions, then any others stored)."""
    names = list(labels)
    names += sorted({n for a in attempts for n in a.dimensions if n not in names})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["time (UTC)", "person", "statement", "audience", "question", "answer", "score",
                     *(labels.get(n, n) for n in names)])
    for a in attempts:
        row = [when(a).removesuffix(" UTC"), a.user, titles.get(a.qs, a.qs), audience_name(a.audience), a.question,
               a.answer, a.score, *(a.dimensions.get(n, "") for n in names)]
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def practice_html(attempts: list[Attempt], person: str, titles: dict[str, str], labels: dict[str, str],
                  generated: datetime | None = None) -> str:
    """A printable page of every attempt with its answer and feedback, oldest first."""
    generated = generated or datetime.now(timezone.utc)
    views = [attempt_view(a, titles, labels) for a in attempts]
    mean = round(sum(v["score"] for v in views) / len(views)) if views else None
    return render(
        "practice.html.j2", person=person, attempts=views, mean=mean, unfold=True,  # on paper, nothing folded
        generated=generated.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )


def write_practice_files(attempts: list[Attempt], person: str, framework, rubric, folder: Path) -> list[Path]:
    """Writes practice-<person>.csv (UTF-8 with a byte-order mark, so spreadsheets read it as
    UTF-8) and practice-<person>.html into ``folder``; returns their paths."""
    titles, labels = statement_titles(framework), dimension_labels(rubric)
    slug = re.sub(r"[^a-z0-9]+", "-", person.lower()).strip("-") or "practice"
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / f"practice-{slug}.csv"
    csv_path.write_text(attempts_csv(attempts, titles, labels), encoding="utf-8-sig", newline="")
    html_path = folder / f"practice-{slug}.html"
    html_path.write_text(practice_html(attempts, person, titles, labels), encoding="utf-8")
    return [csv_path, html_path]
