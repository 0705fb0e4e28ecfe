"""The briefing pack: per quality statement key messages with document and date, figures with
comparator and source, likely questions for an audience, what a good answer covers; offline
without the embedding model; escaped; written by `prep-bot briefing`."""

from __future__ import annotations

import os
import re

from pages import IMG, SCRIPT, inspect
from prep_bot.practice.briefing import AUDIENCE_NAMES, briefing, briefing_html
from prep_bot.infra.config import Settings
from prep_bot.services import Services

SECTION = '<section class="pb-statement"'


def test_all_statements_one_page_each(sample_services):
    html = briefing_html(sample_services.store, sample_services.framework, sample_services.rubric, sample_services.questions)
    assert html.count(SECTION) == 9 and 'class="pb-nav"' in html
    found, text = inspect(html)
    assert found == []
    for q in sample_services.framework.quality_statements:
        assert f'id="qs-{q.slug}"' in html and q.title in text
    assert "break-before:page" in html and "size:A4" in html  # one statement per printed page


def test_one_statement_carries_dated_messages_and_sourced_figures(sample_services):
    pack = briefing(sample_services.store, sample_services.framework, sample_services.rubric, sample_services.questions, qs="assessing-needs")
    assert [s["qs"] for s in pack["statements"]] == ["assessing-needs"]
    s = pack["statements"][0]
    polarities = {m["polarity"] for m in s["key_messages"]}
    assert polarities == {"strength", "improvement"}
    docs = {d.title: d for d in sample_services.store.documents()}
    for m in s["key_messages"]:
        assert m["title"] in docs and m["date"]  # every sample document is dated
    assert s["figures"] and all(f["title"] in docs and f["date"] for f in s["figures"])
    compared = [f for f in s["figures"] if f["comparator"]]
    assert compared, s["figures"]
    assert compared[0] == s["figures"][0]  # figures with a comparator come first
    html = briefing_html(sample_services.store, sample_services.framework, sample_services.rubric, sample_services.questions, qs="assessing-needs")
    assert html.count(SECTION) == 1 and 'class="pb-nav"' not in html
    _, text = inspect(html)
    for m in s["key_messages"]:
        assert f"{m['message']} — {m['title']}, {m['date']}" in text
    for f in s["figures"]:
        row = f"{f['figure']} {f['sentence']} {f['comparator'] or 'no comparator stated'} {f['title']}, {f['date']}"
        assert row in text, row
    # What a good answer covers: the questions' points and every rubric dimension.
    for d in sample_services.rubric.dimensions:
        assert f"{d.label}: {d.probe}" in text
    assert s["covers"] and s["covers"][0] in {p for q in sample_services.questions.select(qs="assessing-needs") for p in q.looks_for}


def test_audience_changes_the_questions(sample_services):
    def asked(audience):
        pack = briefing(sample_services.store, sample_services.framework, sample_services.rubric, sample_services.questions, qs="governance", audience=audience)
        return [q["text"] for q in pack["statements"][0]["questions"]]

    everyone, leaders, front = asked(None), asked("senior-leader"), asked("frontline")
    assert leaders and front and set(leaders).isdisjoint(front)
    assert set(leaders) < set(everyone) and set(front) < set(everyone)
    assert set(leaders) == {q.text for q in sample_services.questions.select(qs="governance", audience="senior-leader")}
    html = briefing_html(sample_services.store, sample_services.framework, sample_services.rubric, sample_services.questions, qs="governance", audience="senior-leader")
    assert f"Likely questions for {AUDIENCE_NAMES['senior-leader']}" in html
    assert all(q not in html for q in front)


def test_scoped_to_the_home_council_without_the_model(sample_services):
    # Fresh services on the sample store with their own (unloaded) model: the pack never loads it.
    home = Services(Settings(data_dir=sample_services.settings.data_dir, council="Stockton-on-Tees Borough Council"))
    other = Services(Settings(data_dir=sample_services.settings.data_dir, council="Another Borough Council"))
    try:
        ours = briefing(home.store, home.framework, home.rubric, home.questions, qs="governance")["statements"][0]
        theirs = briefing(other.store, other.framework, other.rubric, other.questions, qs="governance")["statements"][0]
        assert ours["key_messages"] and ours["figures"]
        assert theirs["key_messages"] == [] and theirs["figures"] == []  # the sample reports are another council's
        assert "No figures found" in briefing_html(other.store, other.framework, other.rubric, other.questions, qs="governance")
        for services in (home, other):
            assert not services.embedder.loaded
    finally:
        home.close()
        other.close()


def test_hostile_evidence_is_escaped(make_services, evidence_dir):
    (evidence_dir / "note.txt").write_text(
        f"Safeguarding review {SCRIPT} {IMG}\n\nSafeguarding\n\nAreas for consideration\n\n"
        f"Section 42 enquiries took too long {SCRIPT}: 57% were closed on time, below the England "
        f"average of 72% {IMG}, and people waited.\n\nStrengths\n\nPeople told us they felt safe {IMG} and listened to.\n",
        encoding="utf-8",
    )
    services = make_services()
    services.ingestor.ingest([evidence_dir])
    html = briefing_html(services.store, services.framework, services.rubric, services.questions, qs="safeguarding")
    found, text = inspect(html)
    assert found == [] and SCRIPT not in html and IMG not in html
    assert f"Safeguarding review {SCRIPT} {IMG}" in text  # the title, shown as typed
    assert "57%" in text and "England average 72%" in text and SCRIPT in text


def test_cli_writes_the_pack(sample_services, tmp_path, invoke):
    out = tmp_path / "pack" / "briefing.html"
    # A model path that does not exist, and no loaded model given: the command must not need one.
    done = invoke("briefing", "--qs", "governance", "--audience", "senior-leader", "--out", str(out),
                  data_dir=sample_services.settings.data_dir, env=dict(os.environ, PREP_BOT_MODEL_PATH=str(tmp_path / "no-model")),
                  own_model=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Wrote {out} (1 quality statement, likely questions for senior leaders)."
    assert out.read_text().count(SECTION) == 1
    every = tmp_path / "all.html"
    done = invoke("briefing", "--out", str(every), data_dir=sample_services.settings.data_dir)
    assert done.returncode == 0 and "(9 quality statements, likely questions for every audience)" in done.stdout
    assert every.read_text().count(SECTION) == 9
    bad = invoke("briefing", "--out", str(tmp_path / "b.pdf"), data_dir=sample_services.settings.data_dir)
    assert bad.returncode != 0 and "--out must end in .html" in bad.stderr
    wrong = invoke("briefing", "--audience", "inspectors", "--out", str(every), data_dir=sample_services.settings.data_dir)
    assert wrong.returncode != 0 and re.search(r"Invalid value for '--audience'", wrong.stderr)
