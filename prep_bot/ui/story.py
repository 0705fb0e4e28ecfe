"""The "Our story" room (leads): per quality statement, whether the council's story is approved
(by whom and when) first, then the story to edit as tables (key messages, areas to improve with
what is being done and how the council will know, agreed figures) and the questions expected,
saved as a draft or approved as a new version; the version history folded beneath. Every
callback goes through the agreed story use case (prep_bot/app/story.py), which asks the
permission policy."""

from __future__ import annotations

from prep_bot.errors import InputError
from html import escape

import gradio as gr

from prep_bot.app.story import Room
from prep_bot.evidence.provenance import display_date
from prep_bot.framework.vocab import QS_SLUGS
from prep_bot.services import Services
from prep_bot.ui.identity import current_user

STRENGTH_COLUMNS = ["Strength (what we say)", "Source"]
IMPROVEMENT_COLUMNS = ["Area to improve", "What we are doing", "How we will know", "Source"]
FIGURE_COLUMNS = ["Value", "Measure", "Comparator", "Period", "Source document", "Date (YYYY-MM)"]


# -- the story as tables and back ---------------------------------------------------------------
def tables(room: Room) -> tuple[list[list[str]], list[list[str]], list[list[str]], str]:
    """The story's strengths, areas to improve and figures as rows (each with an empty row to
    type a new one into), and its questions one a line."""
    s = room.story
    strengths = [[i.message, i.source] for i in s.strengths] + [[""] * len(STRENGTH_COLUMNS)]
    improvements = [[i.message, i.action, i.how_we_know, i.source] for i in s.improvements] + [[""] * len(IMPROVEMENT_COLUMNS)]
    figures = [[f.value, f.measure, f.comparator, f.period, f.source, f.date] for f in s.figures] + [[""] * len(FIGURE_COLUMNS)]
    return strengths, improvements, figures, "\n".join(s.questions)


def from_tables(qs: str, strengths, improvements, figures, questions: str, note: str, base: Room | None) -> dict:
    """The story the tables hold, as plain data for the use case (which checks every field).
    A row whose cells are all empty is left out; a figure keeps the stored document it was
    drafted from while its measure is unchanged."""
    doc_ids = {f.measure: f.doc_id for f in base.story.figures} if base is not None else {}
    figure_rows = [dict(zip(("value", "measure", "comparator", "period", "source", "date"), row)) for row in _rows(figures, 6)]
    return {
        "qs": qs, "note": note or "",
        "strengths": [dict(zip(("message", "source"), row)) for row in _rows(strengths, 2)],
        "improvements": [dict(zip(("message", "action", "how_we_know", "source"), row)) for row in _rows(improvements, 4)],
        "figures": [{**f, "doc_id": doc_ids.get(" ".join(f["measure"].split()), "")} for f in figure_rows],
        "questions": [line.strip() for line in (questions or "").splitlines() if line.strip()],
    }


def _rows(table, width: int) -> list[list[str]]:
    """A table's rows (a list of lists, or gradio_client's {"headers", "data"}) as text, padded
    to ``width``, without the empty ones."""
    if isinstance(table, dict):
        table = table.get("data") or []
    rows = []
    for row in table or []:
        cells = ["" if c is None else str(c).strip() for c in list(row)[:width]]
        cells += [""] * (width - len(cells))
        if any(cells):
            rows.append(cells)
    return rows


# -- what the room shows -----------------------------------------------------------------------
def status_html(room: Room) -> str:
    """The one thing that matters first: approved or not, by whom and when."""
    current, latest = room.current, room.latest
    if current is not None:
        line = (f'<p class="pb-story-state pb-story-approved"><b>Approved</b>: version {current.version}, '
                f"by {escape(current.by)} on {_when(current)}. Everyone rehearses against it.</p>")
        if latest is not None and latest.version != current.version:
            line += (f'<p class="pb-story-state">A newer draft (version {latest.version}, {escape(latest.by)}, '
                     f"{_when(latest)}) is below: approve it to use it.</p>")
    elif latest is not None:
        line = (f'<p class="pb-story-state pb-story-draft"><b>Not approved yet</b>: draft version {latest.version} '
                f"by {escape(latest.by)} on {_when(latest)}. Nobody rehearses against it until it is approved.</p>")
    else:
        line = ('<p class="pb-story-state pb-story-draft"><b>No story yet</b>: below is a draft from the evidence, '
                "not saved. Edit it, then save it as a draft or approve it.</p>")
    problems = room.story.problems()
    if problems:
        items = "".join(f"<li>{escape(p[0].upper() + p[1:])}.</li>" for p in problems)
        line += f'<details class="pb-story-todo"><summary>Before it can be approved ({len(problems)})</summary><ul>{items}</ul></details>'
    return f'<div class="pb-story-status">{line}</div>'


def history_html(room: Room) -> str:
    if not room.history:
        return '<p class="pb-empty">No versions saved yet.</p>'
    items = "".join(
        f'<li><b>Version {v.version}</b> · {escape(v.story.status)} · {escape(v.by)} · {_when(v)}'
        f'<br><span class="pb-meta">{escape("; ".join(changed))}{" · " + escape(v.story.note) if v.story.note else ""}</span></li>'
        for v, changed in room.history
    )
    return f'<ol class="pb-story-history">{items}</ol>'


def _when(version) -> str:
    return f"{display_date(version.at.date().isoformat())} {version.at:%H:%M} UTC"


STORY_CSS = """
.pb-story-state {margin:0 0 4px 0; font-size:1.05rem; overflow-wrap:anywhere}
.pb-story-approved b {color:#116329}
.pb-story-draft b {color:#953800}
.pb-story-todo {font-size:0.9em; color:#57606a}
.pb-story-history {padding-left:1.2rem; overflow-wrap:anywhere}
.pb-story-history li {margin-bottom:6px}
/* On a phone each column keeps a readable width and the table scrolls sideways in its own box. */
@media (max-width: 700px) {
  .pb-story-table th, .pb-story-table td, .pb-story-table [role=gridcell] {min-width:11rem !important; width:11rem !important; max-width:16rem !important}
  .pb-story-table th:first-child, .pb-story-table td:first-child, .pb-story-table [role=gridcell].first-column {min-width:15rem !important; width:15rem !important}
  #story-figures th:first-child, #story-figures td:first-child, #story-figures [role=gridcell].first-column {min-width:6rem !important; width:6rem !important}
  .pb-story-table .table-wrap, .pb-story-table .table-container {overflow-x:auto}
}
"""


def build_story_tab(services: Services, user_box: gr.Textbox, team_box: gr.Textbox, user_errors) -> None:
    """The tab; its callbacks call the agreed story use case, which asks the policy."""
    agreed = services.agreed_story
    choices = [(services.framework.qs(s).title, s) for s in QS_SLUGS]

    def shown(room: Room, message: str = ""):
        strengths, improvements, figures, questions = tables(room)
        return status_html(room), strengths, improvements, figures, questions, "", history_html(room), message

    def open_story(qs: str, typed_name: str, typed_team: str, request: gr.Request = None):
        with user_errors():
            me = current_user(services.policy, request, typed_name, typed_team)
            return shown(agreed.room(me, qs))

    def save(approve: bool):
        def saving(qs, strengths, improvements, figures, questions, note, typed_name, typed_team, request: gr.Request = None):
            with user_errors():
                me = current_user(services.policy, request, typed_name, typed_team)
                base = agreed.room(me, qs)
                data = from_tables(qs, strengths, improvements, figures, questions, note, base)
                if not approve and base.latest is None and not data["strengths"] and not data["improvements"]:
                    raise InputError("There is nothing to save yet: write a strength or an area to improve first.")
                done = agreed.save(me, qs, data, approve=approve)
                v = done.version
                if v is None:
                    message = f"No change: version {done.room.latest.version} already says this, so nothing was saved."
                elif v.approved:
                    message = f"Approved as version {v.version} by {v.by}: answers on this statement are judged against it from now on."
                else:
                    message = f"Saved version {v.version} as a draft by {v.by}. Approve it when it is ready for everyone to rehearse."
                return shown(done.room, message)
        return saving

    with gr.Tab("Our story") as tab:
        gr.Markdown(
            "For leads: agree what the council says on each quality statement. Edit the key messages, the figures "
            "everyone quotes and the questions you expect, then approve: everyone's practice is checked against the "
            "approved version, and each save is kept as a new version."
        )
        qs = gr.Dropdown(choices, value=QS_SLUGS[0], label="Quality statement", elem_id="story-qs")
        status = gr.HTML(elem_id="story-status")
        with gr.Accordion("Key messages", open=True, elem_id="story-messages"):
            gr.Markdown("Type in the empty last row to add one; clear a row to remove it.", elem_classes="pb-meta")
            strengths = gr.Dataframe(headers=STRENGTH_COLUMNS, type="array", interactive=True, wrap=True,
                                     column_count=len(STRENGTH_COLUMNS), column_widths=["78%", "22%"], label="Strengths", elem_id="story-strengths",
                                     elem_classes="pb-story-table")
            improvements = gr.Dataframe(headers=IMPROVEMENT_COLUMNS, type="array", interactive=True, wrap=True,
                                        column_count=len(IMPROVEMENT_COLUMNS), column_widths=["32%", "28%", "26%", "14%"],
                                        label="Areas to improve",
                                        elem_id="story-improvements", elem_classes="pb-story-table")
        with gr.Accordion("Agreed figures", open=False, elem_id="story-figures-box"):
            figures = gr.Dataframe(headers=FIGURE_COLUMNS, type="array", interactive=True, wrap=True,
                                   column_count=len(FIGURE_COLUMNS), label="One figure per measure",
                                   column_widths=["11%", "31%", "18%", "11%", "18%", "11%"],
                                   elem_id="story-figures", elem_classes="pb-story-table")
        with gr.Accordion("Questions we expect", open=False, elem_id="story-questions-box"):
            questions = gr.Textbox(label="One question a line", lines=4, elem_id="story-questions")
        note = gr.Textbox(label="What this version changes (optional)", elem_id="story-note")
        with gr.Row():
            draft = gr.Button("Save as draft", elem_id="story-save", scale=1, min_width=140)
            approve = gr.Button("Approve", variant="primary", elem_id="story-approve", scale=1, min_width=140)
        message = gr.Markdown(elem_id="story-message")
        with gr.Accordion("Version history", open=False, elem_id="story-history-box"):
            history = gr.HTML(elem_id="story-history")
        outputs = [status, strengths, improvements, figures, questions, note, history, message]
        qs.change(open_story, [qs, user_box, team_box], outputs, api_name="story")
        tab.select(open_story, [qs, user_box, team_box], outputs, api_name=False)
        inputs = [qs, strengths, improvements, figures, questions, note, user_box, team_box]
        draft.click(save(False), inputs, outputs, api_name="story_save")
        approve.click(save(True), inputs, outputs, api_name="story_approve")
