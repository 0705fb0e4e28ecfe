"""What changed between two versions of a story, in a line a lead can read in the history."""

from __future__ import annotations

from prep_bot.story.model import Story


def changes(before: Story | None, after: Story) -> list[str]:
    """Short phrases: "first version", "approved", "+1 strength", "figure for X: 94% -> 92%"."""
    if before is None:
        return ["first version"]
    found = []
    if before.status != after.status:
        found.append(after.status)
    for label, old, new in (
        ("strength", [s.message for s in before.strengths], [s.message for s in after.strengths]),
        ("area to improve", [i.message for i in before.improvements], [i.message for i in after.improvements]),
        ("question", list(before.questions), list(after.questions)),
    ):
        added, removed = len([m for m in new if m not in old]), len([m for m in old if m not in new])
        if added:
            found.append(f"+{added} {label}{'' if added == 1 else 's'}")
        if removed:
            found.append(f"-{removed} {label}{'' if removed == 1 else 's'}")
    edited = [
        b for b in after.improvements for a in before.improvements
        if a.message == b.message and (a.action, a.how_we_know) != (b.action, b.how_we_know)
    ]
    if edited:
        found.append(f"{len(edited)} action{'' if len(edited) == 1 else 's'} edited")
    old_figures = {f.measure: f for f in before.figures}
    new_figures = {f.measure: f for f in after.figures}
    for measure, figure in new_figures.items():
        if measure not in old_figures:
            found.append(f"+figure {figure.value} ({measure})")
        elif old_figures[measure].value != figure.value:
            found.append(f"figure for {measure}: {old_figures[measure].value} -> {figure.value}")
    for measure, figure in old_figures.items():
        if measure not in new_figures:
            found.append(f"-figure {figure.value} ({measure})")
    return found or ["no change to the messages or figures"]
