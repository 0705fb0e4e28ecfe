"""The agreed story as a short study card per statement, for a person's role: what to say, what
to be honest about (with what is being done), the figures to quote and the questions they may
be asked. Staff get the lines and the two main figures; managers and leads every figure and
how the council will know an area has improved."""

from __future__ import annotations

from prep_bot.evidence.provenance import display_date
from prep_bot.story.model import StoryVersion

AUDIENCE_OF_ROLE = {"staff": "frontline", "manager": "team-manager", "lead": "senior-leader"}
STAFF_FIGURES = 2
QUESTIONS = 3


def study_card(version: StoryVersion, title: str, role: str, bank=None) -> dict:
    """One statement's card for ``role`` (staff, manager or lead)."""
    story = version.story
    audience = AUDIENCE_OF_ROLE.get(role, "frontline")
    figures = list(story.figures) if role in ("manager", "lead") else list(story.figures[:STAFF_FIGURES])
    questions = list(story.questions)
    if bank is not None:  # the bank's questions for the role's audience, after the council's own
        questions += [q.text for q in bank.select(qs=version.qs, audience=audience) if q.text not in questions]
    return {
        "qs": version.qs, "title": title, "version": version.version, "by": version.by,
        "at": display_date(version.at.date().isoformat()), "role": role,
        "say": [s.message for s in story.strengths],
        "honest": [
            {"message": i.message, "action": i.action, "how_we_know": i.how_we_know if role != "staff" else ""}
            for i in story.improvements
        ],
        "figures": [
            {"value": f.value, "measure": f.measure, "comparator": f.comparator, "period": f.period,
             "cited": ", ".join(p for p in (f.source, display_date(f.date)) if p)}
            for f in figures
        ],
        "questions": questions[:QUESTIONS],
    }


def cards_html(cards: list[dict], missing: list[str]) -> str:
    """The study cards as an HTML fragment, with a line for each statement without a story."""
    from prep_bot.infra.templating import render

    return render("story_cards.html.j2", cards=cards, missing=missing)

