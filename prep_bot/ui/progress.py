"""The My progress tab: the signed-in person's practice attempts, a chart of their scores by
date, any attempt opened again with its answer and feedback, and a download of it all (CSV and
a printable page). Managers and leads can name someone else; what each role may see is the
permission policy's, asked by the My progress use case (prep_bot/app/progress.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import gradio as gr

from prep_bot.coaching.delivery import PACE_HIGH, PACE_LOW
from prep_bot.services import Services
from prep_bot.ui.history import attempt_choices, attempt_html
from prep_bot.ui.identity import current_user
from prep_bot.ui.render import card_table, md_escape
from prep_bot.ui.files import export_folder, handed

HEADERS = ["score", "time", "statement", "question"]  # the score first: never off-screen
MIN_PAD = timedelta(minutes=5)  # a single sitting still gets a few minutes either side


def chart_axis(times: list[datetime]) -> dict:
    """The chart's x-axis settings for these attempt times, scaled to their own span: from a
    little before the first to a little after the last (a tenth of the span, at least MIN_PAD),
    never hours into the future; dates ("1 Dec") once the practice spans days, date and time
    ("1 Dec 14:50") within one or two days."""
    if not times:
        return {"x_axis_format": "%-d %b %Y", "x_lim": None}
    first, last = min(times), max(times)
    fmt = "%-d %b" if last - first >= timedelta(days=2) else "%-d %b %H:%M"
    pad = max((last - first) / 10, MIN_PAD)
    return {"x_axis_format": fmt, "x_lim": [_seconds(first - pad), _seconds(last + pad)]}


def _utc(stamp: datetime) -> datetime:
    """Stored times are UTC; SQLite gives them back without a zone."""
    return stamp.replace(tzinfo=timezone.utc) if stamp.tzinfo is None else stamp.astimezone(timezone.utc)


def _seconds(stamp: datetime) -> float:
    """A time as Gradio's x_lim takes it on a time axis: seconds since the epoch (the plot
    multiplies by 1000)."""
    return _utc(stamp).timestamp()


def build_progress_tab(services: Services, user_box: gr.Textbox, team_box: gr.Textbox, user_errors) -> gr.Row:
    """The tab; returns the row with the box for naming someone else (shown to those who may)."""
    framework = services.framework
    progress = services.progress
    titles = {q.slug: f"{q.number}. {q.title}" for q in framework.quality_statements}

    def me(typed_name, typed_team, request):
        return current_user(services.policy, request, typed_name, typed_team)

    def table_of(attempts) -> list[list]:
        return [
            [a.score, a.created_at.strftime("%Y-%m-%d %H:%M") if a.created_at else "", titles.get(a.qs, a.qs), a.question]
            for a in attempts
        ]

    def cards_of(attempts) -> str:
        """The attempts as cards (what a phone shows in place of the table), each opening its attempt."""
        if not attempts:
            return ""
        return '<p class="pb-meta">Attempts (tap one to read it)</p>' + card_table(
            [h.capitalize() for h in HEADERS], table_of(attempts), cls="pb-attempts", wide=3, row_attrs=lambda n: {"data-row": n})

    def overview_of(seen, viewer: str | None = None):
        """Score over time per statement (a chart), weakest dimensions, questions not yet tried."""
        import pandas as pd

        attempts, progress = seen.attempts, seen.progress
        frame = pd.DataFrame(progress["series"], columns=["time", "statement", "score"])
        frame["time"] = pd.to_datetime(frame["time"], utc=True)  # datetimes: a time axis, not labels
        if not attempts:  # no chart at all (never the previous person's), and says so
            whose = "You have" if not seen.person or seen.person == viewer else f"{seen.person} has"
            return gr.ScatterPlot(value=frame, visible=False), (
                f"**No practice yet.** {md_escape(whose)} no saved answers to show. Answers given in Practice or the "
                "Mock interview appear here with their scores."
            )
        axis = chart_axis([_utc(a.created_at) for a in attempts if a.created_at])
        lines = []
        if progress["weakest_dimensions"]:
            lines.append("**Weakest dimensions so far:** " + "; ".join(
                f"{md_escape(d['dimension'])} ({d['mean']:g})" for d in progress["weakest_dimensions"]))
        counts = [(titles[slug], len(qs)) for slug, qs in progress["untried"].items()]
        lines.append("**Questions not yet tried:** " + "; ".join(f"{md_escape(t)}: {n}" for t, n in counts))
        lines.append("_“My weakest statement” in Practice drills the statement with your lowest mean, "
                     "asking questions you have not tried first._")
        return gr.ScatterPlot(value=frame, visible=True, **axis), "\n\n".join(lines)

    def delivery_of(seen):
        """Pace and fillers a minute of the spoken answers (two small charts of points), hidden when
        there are none."""
        import pandas as pd

        spoken = seen.spoken
        frame = pd.DataFrame(spoken, columns=["time", "words_per_minute", "fillers_per_minute"])
        frame["time"] = pd.to_datetime(frame["time"], utc=True)
        axis = chart_axis([_utc(s["time"]) for s in spoken if s["time"]])
        return (
            gr.Column(visible=bool(spoken)), gr.ScatterPlot(value=frame[["time", "words_per_minute"]], **axis),
            gr.ScatterPlot(value=frame[["time", "fillers_per_minute"]], **axis),
        )

    def history_of(attempts):
        """The "Open an attempt" list (newest first), the ids in the table's order, and an empty detail."""
        return gr.Dropdown(choices=attempt_choices(attempts, framework), value=None), [a.id for a in attempts], ""

    def my_attempts(user: str | None = None, typed_name: str | None = None, typed_team: str | None = None, request: gr.Request = None) -> list[list]:
        """Attempts of the signed-in person, or of ``user`` when the role allows it. Oldest first."""
        with user_errors():
            return table_of(progress.practised(me(typed_name, typed_team, request), user).attempts)

    def overview(user: str | None = None, typed_name: str | None = None, typed_team: str | None = None, request: gr.Request = None):
        """Score over time per statement (a chart), weakest dimensions, questions not yet tried."""
        with user_errors():
            who = me(typed_name, typed_team, request)
            return overview_of(progress.overview(who, user), who.name)

    def everything(user: str | None = None, typed_name: str | None = None, typed_team: str | None = None, request: gr.Request = None):
        """One event, and one read of the attempts, for the whole tab: a refusal is said once."""
        with user_errors():
            who = me(typed_name, typed_team, request)
            seen = progress.overview(who, user)
            return (*overview_of(seen, who.name), *delivery_of(seen), table_of(seen.attempts), cards_of(seen.attempts),
                    *history_of(seen.attempts))

    def pick_row(ids: list[int], evt: gr.SelectData):
        """A row chosen in the table opens that attempt (the table lists attempts oldest first)."""
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        if isinstance(row, int) and 0 <= row < len(ids or []):
            return ids[row]
        return gr.skip()

    def pick_card(ids: list[int], picked: str):
        """A card tapped on a phone ("row:nonce", set by a script in ui/app.py) opens that attempt."""
        row = (picked or "").split(":", 1)[0]
        if row.isdigit() and int(row) < len(ids or []):
            return ids[int(row)]
        return gr.skip()

    def open_attempt(attempt_id: int | str | None, typed_name: str | None = None, typed_team: str | None = None, request: gr.Request = None) -> str:
        """One attempt, by its number, with its answer and feedback, if the signed-in person may
        read it (staff: their own; a manager: their team's; a lead: anyone's)."""
        with user_errors():
            attempt = progress.attempt(me(typed_name, typed_team, request), attempt_id)
            return attempt_html(attempt, framework, services.rubric) if attempt is not None else ""

    def download(user: str | None = None, typed_name: str | None = None, typed_team: str | None = None, request: gr.Request = None) -> list[str]:
        """The attempts on show as practice-NAME.csv and a printable practice-NAME.html."""
        with user_errors():
            folder = lambda: export_folder(services.settings.data_dir, "prep-bot-practice-")  # noqa: E731 - made once allowed
            who = me(typed_name, typed_team, request)
            return handed(progress.export(who, user, folder), who)

    with gr.Tab("My progress") as tab:
        gr.Markdown(
            "Your practice so far, oldest first (times in UTC). Choose an attempt to read your answer and its "
            "feedback again."
        )
        with gr.Row(elem_id="my-person-row") as person_row:  # shown to those who may name someone (ui/app.py)
            person = gr.Textbox(label="Person (empty: you)", placeholder="Leave empty for your own", scale=3,
                                info="Managers can look up someone in their team, leads anyone: type their name.")
            show = gr.Button("Show", variant="primary", scale=1)
        # Points, not lines: each attempt shows, even a statement tried once (a line needs two).
        chart = gr.ScatterPlot(
            x="time", y="score", color="statement", title="Score over time", x_title="Date", y_lim=[0, 100],
            x_axis_format="%-d %b %H:%M", elem_id="my-chart", visible=False,
        )
        with gr.Column(visible=False, elem_id="my-delivery") as spoken:
            with gr.Row():
                # Points, not lines: the first spoken answer shows as a point (a line needs two).
                pace = gr.ScatterPlot(
                    x="time", y="words_per_minute", title="Pace of spoken answers", x_title="Date", y_title="Words a minute",
                    y_lim=[60, 220], height=220, elem_id="my-pace",
                )
                fillers = gr.ScatterPlot(
                    x="time", y="fillers_per_minute", title="Fillers and hedges", x_title="Date", y_title="A minute",
                    y_lim=[0, 10], height=220, elem_id="my-fillers",
                )
            gr.Markdown(
                f"_Spoken answers only. An easy pace to follow is {PACE_LOW}-{PACE_HIGH} words a minute; fewer "
                "fillers (“um”, “sort of”, “you know”) a minute is better._", elem_id="my-delivery-caption",
            )
        summary = gr.Markdown(elem_id="my-summary")
        # Shares of its width: a long question wraps in its column (an "auto" column grew to the
        # question's length, and the table scrolled sideways even at 1400 px).
        table = gr.Dataframe(headers=HEADERS, value=None, interactive=False, wrap=True, label="Attempts (select one to read it)",
                             column_widths=["8%", "16%", "24%", "52%"], elem_id="my-attempts")
        cards = gr.HTML(elem_id="my-attempts-cards")
        card_pick = gr.Textbox(elem_id="my-card-pick", elem_classes=["pb-hidden"], container=False, show_label=False)
        ids = gr.State([])
        picker = gr.Dropdown(
            choices=[], value=None, label="Open an attempt (newest first)", allow_custom_value=True, elem_id="my-attempt-picker"
        )
        detail = gr.HTML(elem_id="my-attempt")
        with gr.Row():
            export = gr.Button("Download my practice", elem_id="my-practice-download")
            files = gr.File(
                label="Your practice (CSV and a printable page)", file_count="multiple", interactive=False, visible=False,
                elem_id="my-practice-files",
            )
        inputs = [person, user_box, team_box]
        for trigger in (show.click, person.submit, tab.select):
            # The chart is emptied first: given a new person's points in place of another's, the plot
            # kept drawing the previous person's (a stale chart on a new axis).
            trigger(lambda: gr.ScatterPlot(value=None), None, chart, api_name=False, show_progress="hidden").then(
                everything, inputs, [chart, summary, spoken, pace, fillers, table, cards, picker, ids, detail], api_name=False
            )
        # The parts on their own, for scripts and tests.
        parts = gr.Button(visible=False)
        parts.click(overview, inputs, [chart, summary], api_name="my_progress")
        parts.click(my_attempts, inputs, table, api_name="my_attempts")
        table.select(pick_row, ids, picker, api_name=False)
        card_pick.change(pick_card, [ids, card_pick], picker, api_name=False)
        picker.change(open_attempt, [picker, user_box, team_box], detail, api_name="attempt")
        export.click(lambda: gr.File(visible=True), None, files, api_name=False).then(  # the box shows once asked for
            download, inputs, files, api_name="my_practice_export"
        )
    return person_row
