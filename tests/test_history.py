"""Practice history without a server: the attempts store keeps each attempt's feedback (and
upgrades an older store in place), one attempt is read under the same role rule as the lists,
and the practice export (CSV and printable HTML) is complete and safe."""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest

from prep_bot.practice.attempts import MAX_STORED_TEXT, AttemptLog, compact_feedback
from prep_bot.infra.config import Settings
from prep_bot.app.policy import Action, Policy
from prep_bot.app.progress import read_attempt, visible_attempts as attempts_seen
from prep_bot.practice.export import (
    dimension_labels, practice_html, safe_cell, statement_titles, write_practice_files,
)
from prep_bot.services import Services
from prep_bot.ui.history import attempt_choices, attempt_html
from prep_bot.ui.progress import MIN_PAD, chart_axis
from prep_bot.people.accounts import AccessDenied, Identity, UserStore

SCRIPT = "<script>alert(1)</script>"
OLD_SCHEMA = """CREATE TABLE attempts (
    id INTEGER NOT NULL PRIMARY KEY, user VARCHAR(120) NOT NULL, team VARCHAR(120) NOT NULL,
    audience VARCHAR(40) NOT NULL, qs VARCHAR(40) NOT NULL, question_id VARCHAR(200) NOT NULL,
    question TEXT NOT NULL, answer TEXT NOT NULL, score INTEGER NOT NULL, dimensions TEXT NOT NULL,
    claims TEXT NOT NULL, created_at DATETIME NOT NULL)"""


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory):
    """The real framework and rubric (YAML only: no model, no store)."""
    services = Services(Settings(data_dir=tmp_path_factory.mktemp("knowledge")))
    return services.framework, services.rubric


def feedback_dict(rubric, reason: str = "You said what changed for Mrs B.", passage_text: str = "Carers wait too long. " * 100) -> dict:
    """The shape of ``Feedback.to_dict()``, with a long evidence passage and the optional "reply"."""
    return {
        "score": 62,
        "dimensions": {d.name: {"score": 50 + i, "reason": f"{reason} ({d.label})"} for i, d in enumerate(rubric.dimensions)},
        "evidence": [{
            "id": "doc-1:4", "text": passage_text, "doc_id": "doc-1", "title": "Carers survey", "source": "/x/carers.pdf",
            "page": 4, "section": "Findings", "quality_statements": ["safeguarding"], "theme": "", "polarity": "improvement",
            "doc_type": "data", "date": "2025-05", "council": None, "tag_confidence": 0.9, "tag_source": "content",
            "score": 0.5, "similarity": 0.61,
        }],
        "data": [{"text": "47.83% of carers were satisfied.", "value": 47.83, "unit": "%", "raw": "47.83%", "measure": "satisfied",
                  "comparator": "England 36.83%", "period": "2023-24", "doc_id": "doc-1", "title": "Carers survey", "page": 4}],
        "claims": [{"text": "57.83%", "sentence": "57.83% of carers were satisfied.", "status": "contradicted",
                    "evidence": {"figure": "47.83%", "text": "47.83% of carers were satisfied.", "measure": "satisfied",
                                 "doc_id": "doc-1", "title": "Carers survey", "page": 4, "section": "Findings"}}],
        "missed": ["Not covered: how you know it worked", f"The evidence says: “{SCRIPT}” (Carers survey, p. 4)"],
        "follow_up": "How do you know people felt safer?",
        "reply": {
            "score": 62, "strength": {"name": "example", "label": "A specific example", "score": 70, "reason": "A clear example."},
            "no_strength": None, "follow_up": "How do you know people felt safer?",
            "change": {"name": "data", "label": "Data and comparators", "score": 40, "reason": "No figure.", "advice": "Say what you measured."},
            "not_covered": ["Not covered: how you know it worked", "waiting times"], "figure_note": None,
        },
    }


def add(log, user="Ana", team="Front door", score=60, feedback=None, **extra):
    return log.add(user=user, team=team, audience="frontline", qs="safeguarding", question_id="q1",
                   question=extra.get("question", "How do you keep people safe?"), answer=extra.get("answer", "We listen first."),
                   score=score, dimensions=extra.get("dimensions", {"outcome": score}), claims=[{"text": "97%", "status": "supported"}],
                   feedback=feedback)


# -- 1. the store ---------------------------------------------------------------------------------
def test_an_old_store_is_upgraded_in_place_and_keeps_its_rows(tmp_path, knowledge):
    _, rubric = knowledge
    path = tmp_path / "attempts.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(OLD_SCHEMA)
        db.execute(
            "INSERT INTO attempts (user, team, audience, qs, question_id, question, answer, score, dimensions, claims, created_at) "
            "VALUES ('Ana', 'Front door', 'frontline', 'safeguarding', 'q1', 'Old question?', 'Old answer.', 44, ?, '[]', '2026-11-30 09:15:00')",
            (json.dumps({"outcome": 40, "evidence": 48}),),
        )
    db.close()

    log = AttemptLog(f"sqlite:///{path}")
    [old] = log.list()
    assert (old.question, old.answer, old.score, old.dimensions, old.feedback) == (
        "Old question?", "Old answer.", 44, {"outcome": 40, "evidence": 48}, None)
    assert log.get(old.id) == old
    columns = {row[1] for row in sqlite3.connect(path).execute("PRAGMA table_info(attempts)")}
    assert "feedback" in columns

    new = add(log, feedback=feedback_dict(rubric))
    got = log.get(new.id)
    assert got.feedback["follow_up"] == "How do you know people felt safer?"
    assert got.feedback["dimensions"]["outcome"]["reason"].startswith("You said what changed")
    assert got.feedback["reply"]["not_covered"] == ["Not covered: how you know it worked", "waiting times"]  # kept whole
    assert log.get(new.id + 100) is None
    log.close()

    again = AttemptLog(f"sqlite:///{path}")  # opening an upgraded store changes nothing
    assert [a.id for a in again.list()] == [old.id, new.id] and again.get(new.id).feedback == got.feedback
    again.close()


def test_stored_feedback_keeps_citations_and_short_texts_only(knowledge):
    _, rubric = knowledge
    full = feedback_dict(rubric)
    small = compact_feedback(full)
    [hit] = small["evidence"]
    assert {k: hit[k] for k in ("title", "page", "section", "date", "doc_id")} == {
        "title": "Carers survey", "page": 4, "section": "Findings", "date": "2025-05", "doc_id": "doc-1"}
    assert "source" not in hit and "quality_statements" not in hit  # not needed to show it again
    assert len(hit["text"]) == MAX_STORED_TEXT and hit["text"].endswith("…") and len(full["evidence"][0]["text"]) > 2000
    assert small["claims"] == full["claims"] and small["missed"] == full["missed"] and small["data"] == full["data"]
    assert len(json.dumps(small)) < 5000


# -- 2. who may read one attempt ------------------------------------------------------------------
def test_one_attempt_is_readable_exactly_when_the_lists_show_it(tmp_path):
    log = AttemptLog(f"sqlite:///{tmp_path / 'a.sqlite'}")
    users = UserStore(log)
    policy = Policy(users)  # the one rule (prep_bot/app/policy.py), for lists and for one attempt

    def may_read(identity, attempt):
        return policy.may(identity, Action.READ_ATTEMPT, attempt)

    def readable_attempt(identity, log, number):
        return read_attempt(policy, log, identity, number)

    def visible_attempts(identity, log, user=None, *, users):
        return attempts_seen(policy, log, identity, person=user)

    for name, role, team in (("sam", "staff", "Front door"), ("kim", "staff", "Front door"), ("mo", "manager", "Front door"),
                             ("sue", "staff", "Hospital"), ("lee", "lead", "")):
        users.add(name, f"{name}-password-1", role=role, team=team)
    people = {u.name: Identity.of(u) for u in users.list()}
    for name in ("sam", "kim", "mo", "sue", "lee"):
        add(log, user=name, team=users.get(name).team)
    everything = log.list()

    for identity in people.values():
        shown = {a.id for a in visible_attempts(identity, log, users=users)}
        for other in people:  # and whatever narrowing the role allows
            try:
                shown |= {a.id for a in visible_attempts(identity, log, user=other, users=users)}
            except AccessDenied:
                pass
        assert {a.id for a in everything if may_read(identity, a)} == shown, identity

    sam, kim, sue = (next(a for a in everything if a.user == n) for n in ("sam", "kim", "sue"))
    assert readable_attempt(people["sam"], log, sam.id) == sam
    with pytest.raises(AccessDenied, match="own attempts only"):
        readable_attempt(people["sam"], log, kim.id)  # staff: not even a teammate's
    assert readable_attempt(people["mo"], log, str(kim.id)) == kim  # a manager: their team's
    with pytest.raises(AccessDenied, match=r"own team \(Front door\)"):
        readable_attempt(people["mo"], log, sue.id)
    assert readable_attempt(people["lee"], log, sue.id) == sue  # a lead: anyone's
    assert readable_attempt(Identity.local("", ""), log, sue.id) == sue  # local mode, no accounts
    with pytest.raises(ValueError, match="no attempt number 999"):
        readable_attempt(people["lee"], log, 999)
    with pytest.raises(ValueError, match="Choose an attempt"):
        readable_attempt(people["lee"], log, "not a number")
    log.close()


# -- 3. shown again, and exported -----------------------------------------------------------------
def test_an_attempt_shows_its_answer_and_full_feedback_escaped(tmp_path, knowledge):
    framework, rubric = knowledge
    log = AttemptLog(f"sqlite:///{tmp_path / 'a.sqlite'}")
    attempt = log.get(add(log, answer=f"I said {SCRIPT} & more.", question=f"Why {SCRIPT}?", feedback=feedback_dict(rubric, reason=SCRIPT)).id)
    html = attempt_html(attempt, framework, rubric)
    assert "<script>" not in html.replace("<style>", "") and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    text = visible_text(html)
    for label in (d.label for d in rubric.dimensions):
        assert label in text
    assert f"I said {SCRIPT} & more." in text and f"Why {SCRIPT}?" in text
    assert "57.83%" in text and "Contradicted" in text and "47.83%: “47.83% of carers were satisfied.” Carers survey, p. 4, Findings" in text
    assert "Not covered: how you know it worked" in text  # what could have been used
    assert "How do you know people felt safer?" in text  # the follow-up
    assert "Carers survey (May 2025), p. 4, Findings" in text  # the evidence's citation
    # The reply as the chat gave it: the strength, the one change with what to do, what was not covered.
    assert "Strength: A specific example. A clear example." in text
    assert "Change one thing: Data and comparators. Say what you measured." in text and "waiting times" in text
    assert "Check your figure" not in text  # no figure note was stored: none is shown
    log.close()


def test_an_old_attempt_shows_what_was_stored(tmp_path, knowledge):
    framework, rubric = knowledge
    log = AttemptLog(f"sqlite:///{tmp_path / 'a.sqlite'}")
    old = add(log, score=44, dimensions={"data": 48, "outcome": 40}, answer="Old answer.")
    text = visible_text(attempt_html(old, framework, rubric))
    labels = dimension_labels(rubric)
    assert "Old answer." in text and "44 /100" in text
    assert f"{labels['outcome']} 40 {labels['data']} 48" in text  # the dimension scores, in the rubric's order
    assert "Saved before prep-bot kept the full feedback" in text
    assert "97%" in text and "Supported" in text  # the claim statuses it did store
    assert "Follow-up" not in text
    [(label, number)] = attempt_choices([old], framework)
    assert number == old.id and "44/100" in label and "Safeguarding" in label
    log.close()


def test_csv_has_every_column_and_cannot_run_formulas(tmp_path, knowledge):
    framework, rubric = knowledge
    log = AttemptLog(f"sqlite:///{tmp_path / 'a.sqlite'}")
    dims = {d.name: 10 + i for i, d in enumerate(rubric.dimensions)}
    hostile = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTab", "Plain, with a comma\nand a line"]
    for text in hostile:
        add(log, answer=text, question=text, dimensions=dims, feedback=feedback_dict(rubric))
    add(log, user="=cmd|' /C calc'!A0", answer="fine")
    csv_path, html_path = write_practice_files(log.list(), "Ana Example", framework, rubric, tmp_path / "out")
    assert (csv_path.name, html_path.name) == ("practice-ana-example.csv", "practice-ana-example.html")
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM: spreadsheets read it as UTF-8
    with csv_path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    assert header == ["time (UTC)", "person", "statement", "audience", "question", "answer", "score",
                      *dimension_labels(rubric).values()]
    assert len(body) == len(hostile) + 1
    for row, text in zip(body, hostile):
        expected = text if text[0] not in "=+-@\t" else "'" + text
        assert row[4] == expected and row[5] == expected
        assert row[2] == statement_titles(framework)["safeguarding"] and row[3] == "Frontline" and row[6] == "60"
        assert row[7:] == [str(v) for v in dims.values()]
        datetime.strptime(row[0], "%Y-%m-%d %H:%M")
    assert body[-1][1] == "'=cmd|' /C calc'!A0"
    for row in body:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t")) for cell in row), row
    assert safe_cell(-5) == -5 and safe_cell("fine") == "fine" and safe_cell("-") == "'-"
    log.close()


def test_printable_page_has_every_attempt_escaped(tmp_path, knowledge):
    framework, rubric = knowledge
    log = AttemptLog(f"sqlite:///{tmp_path / 'a.sqlite'}")
    add(log, score=40, dimensions={"outcome": 40})  # before feedback was kept
    add(log, score=70, answer=f"My answer {SCRIPT}", feedback=feedback_dict(rubric, reason=SCRIPT))
    page = practice_html(log.list(), f"Ana {SCRIPT}", statement_titles(framework), dimension_labels(rubric),
                         generated=datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc))
    tags = Tags()
    tags.feed(page)
    assert tags.seen.get("script", 0) == 0 and tags.seen["article"] == 2
    assert "&lt;script&gt;" in page and '<meta name="viewport"' in page and "@media print" in page
    text = visible_text(page)
    assert f"Practice: Ana {SCRIPT}" in text and "2 attempts, mean score 55/100" in text and "2026-12-01 09:30 UTC" in text
    assert f"My answer {SCRIPT}" in text and "How do you know people felt safer?" in text
    assert "Saved before prep-bot kept the full feedback" in text
    empty = practice_html([], "Ana", {}, {})
    assert "No practice attempts yet." in empty
    log.close()


# -- 4. the chart's axis --------------------------------------------------------------------------
def test_chart_axis_shows_dates_not_seconds():
    start = datetime(2026, 12, 1, 14, 53, tzinfo=timezone.utc)
    end = start + timedelta(minutes=2)
    sitting = chart_axis([start, start + timedelta(seconds=40), end])
    assert sitting["x_axis_format"] == "%-d %b %H:%M"
    low, high = sitting["x_lim"]  # seconds: the plot multiplies by 1000
    # The sitting's own span, a few minutes either side: not an axis running hours into the future.
    assert low == (start - MIN_PAD).timestamp() and high == (end + MIN_PAD).timestamp()
    weeks = chart_axis([start, start + timedelta(days=20)])
    assert weeks["x_axis_format"] == "%-d %b"
    low, high = weeks["x_lim"]
    assert low == (start - timedelta(days=2)).timestamp() and high == (start + timedelta(days=22)).timestamp()
    assert chart_axis([])["x_lim"] is None


# -- helpers --------------------------------------------------------------------------------------
class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[str, int] = {}

    def handle_starttag(self, tag, attrs):
        self.seen[tag] = self.seen.get(tag, 0) + 1


class Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = False

    def handle_starttag(self, tag, attrs):
        self.skip = tag == "style"

    def handle_endtag(self, tag):
        self.skip = False

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())
