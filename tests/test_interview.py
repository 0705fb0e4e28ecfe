"""The mock interview follows lines of enquiry (each next question from what the answers left
open, within the time box, saying why), and ends with what an inspector might write: every
sentence quoting only what was said and citing what it was checked against; drafted by the
council's model under the guardrails when one is set up (tests/llm_server.py plays it)."""

from __future__ import annotations

import random
import re

import pytest

from conftest import services_with
from llm_server import FakeLLM, Scripted, user_text
from prep_bot.interview.drafting import inspector_summary
from prep_bot.interview.enquiry import LinesOfEnquiry, as_said_to_them
from prep_bot.interview.summary import summary
from prep_bot.interview.turns import Turn
from prep_bot.story.model import APPROVED, Improvement, Story, Strength
from test_story import COUNCIL, LIBRARY

UNSUPPORTED = "Waiting times have improved a lot since we changed the front door."
WRONG_FIGURE = "We complete 85% of assessments within 28 days, which is better than last year."
RIGHT_FIGURE = "In 2025/26, 91.5% of people who use services said they feel safe, against an England average of 70.1%."
HIDING = "There is no duplication at all between our teams on safeguarding enquiries, everyone is completely clear."
STRONG = (
    "When Mrs K raised a concern about her neighbour, I asked her first what she wanted to happen, and she said she "
    "wanted to stay in her flat and feel safe. We agreed a plan with her and the housing officer, and she told us "
    "she feels safe at home again. In 2025/26, 91.5% of people who use services said they feel safe, against an "
    "England average of 70.1%. We still duplicate work between teams on section 42 enquiries, so we are agreeing one "
    "pathway and will check hand-offs in the quarterly audit."
)


@pytest.fixture(scope="module")
def council(tmp_path_factory, embedder):
    services = services_with(embedder, data_dir=tmp_path_factory.mktemp("interview"), council=COUNCIL)
    assert services.ingestor.ingest([LIBRARY]).ingested == 2
    services.stories.save(Story(
        "safeguarding",
        strengths=(Strength("People say they feel safe after a safeguarding enquiry."),),
        improvements=(Improvement("Roles in section 42 enquiries are duplicated between teams.", "One pathway", "Quarterly audit"),),
        status=APPROVED,
    ), "Lee")
    yield services
    services.close()


def turn(services, qs: str, answer: str, question: str = "Tell me about this.", seconds: float = 90, **extra) -> Turn:
    feedback = services.coach.coach(qs, question, answer).to_dict()
    return Turn.from_feedback(question, qs, answer, feedback, seconds=seconds, **extra)


def interview(services, minutes: float = 20) -> LinesOfEnquiry:
    return LinesOfEnquiry(services.questions, services.framework, services.rubric, minutes, audience="frontline",
                          rng=random.Random(7))


def test_an_unsupported_claim_is_asked_how_do_you_know(council):
    lines = interview(council)
    said = turn(council, "assessing-needs", UNSUPPORTED)
    asked = lines.next([said], elapsed_s=100)
    assert asked.kind == "unsupported" and asked.follows == 0 and asked.qs == "assessing-needs"
    assert asked.text == "You said waiting times have improved a lot since you changed the front door; how do you know?"
    assert "Assessing needs" in asked.why


def test_a_wrong_figure_is_followed_up_before_anything_else(council):
    said = turn(council, "assessing-needs", f"{UNSUPPORTED} {WRONG_FIGURE}")
    asked = interview(council).next([said], elapsed_s=100)
    assert asked.kind == "figure" and asked.text.startswith("You said 85%;") and "72%" in asked.text


def test_hiding_an_agreed_area_to_improve_is_put_to_the_speaker(council):
    said = turn(council, "safeguarding", HIDING)
    assert said.on_message["hidden"], said.on_message
    asked = interview(council).next([said], elapsed_s=100)
    assert asked.kind == "hidden-gap"
    assert asked.text.startswith("You said there is no duplication at all between your teams")
    assert "Roles in section 42 enquiries are duplicated between teams." in asked.text


def answered(qs: str, score: int, question_id: str, kind: str = "opening", follows: int | None = None) -> Turn:
    """A turn as the coach would leave it after a sound answer: every part scored, nothing open."""
    return Turn("Q?", qs, "We agreed a plan with her and she told us she feels safe at home again.", score,
                {"outcome": score, "data": score, "example": score}, question_id=question_id, kind=kind, follows=follows)


def test_a_strong_answer_moves_on_and_the_weakest_statement_is_revisited_once(council):
    lines = interview(council)
    weak = turn(council, "assessing-needs", "We are very busy and the phones never stop ringing.", question_id="x")
    followed = lines.next([weak], elapsed_s=100)
    assert followed.follows == 0 and followed.kind in ("unsupported", "dimension") and followed.qs == "assessing-needs"
    reply = answered("assessing-needs", 30, "x", kind=followed.kind, follows=0)
    strong = answered("safeguarding", 80, "safeguarding-frontline-1")
    # A strong answer leaves nothing open: the weakest statement so far is revisited, from a new question.
    after_strong = lines.next([weak, reply, strong], elapsed_s=300)
    assert after_strong.kind == "revisit" and after_strong.qs == "assessing-needs" and after_strong.follows is None
    assert "weakest so far" in after_strong.why and after_strong.question_id not in ("x", "")
    revisit = answered("assessing-needs", 45, after_strong.question_id, kind="revisit")
    moved = lines.next([weak, reply, strong, revisit], elapsed_s=400)  # still weak, but revisited once already
    assert moved.kind == "new-statement" and moved.qs not in ("assessing-needs", "safeguarding")


def test_the_time_box_ends_the_interview(council):
    lines = interview(council, minutes=5)
    said = turn(council, "assessing-needs", UNSUPPORTED, seconds=100)
    assert lines.next([said], elapsed_s=180) is not None
    assert lines.next([said], elapsed_s=230) is None  # 70 s left, answers take 100 s
    with pytest.raises(ValueError, match="between 1 and 120 minutes"):
        interview(council, minutes=0)


def test_what_the_speaker_said_is_put_back_to_them():
    assert as_said_to_them("We've cut our waits and I'm proud of my team.") == "you've cut your waits and you're proud of your team"


# -- what an inspector might write ---------------------------------------------------------------
@pytest.fixture(scope="module")
def turns(council):
    return [
        turn(council, "assessing-needs", f"{UNSUPPORTED} {WRONG_FIGURE}"),
        turn(council, "safeguarding", f"{RIGHT_FIGURE} {HIDING}"),
    ]


def test_the_summary_quotes_only_what_was_said_and_cites_what_it_was_checked_against(turns):
    written = summary(turns, "frontline")
    kinds = [f.kind for f in written]
    assert {"evidenced", "asserted", "contradicted", "hidden"} <= set(kinds)
    assert kinds.index("evidenced") < kinds.index("asserted") < kinds.index("contradicted")
    for f in written:
        answer = " ".join(turns[f.turn].answer.split())
        assert f.quote in answer  # the speaker's own words, whole
        for quoted_words in re.findall(r"“([^”]+)”", f.text):
            assert quoted_words in answer or quoted_words in _story_areas(turns)
        assert f.checked_against
        assert f.text.startswith(("Staff told us", "Staff were open", "Staff quoted"))
    evidenced = next(f for f in written if f.kind == "evidenced")
    assert evidenced.turn == 1 and "91.5%" in evidenced.text
    assert evidenced.checked_against == "Wexcombe adult social care performance report, March 2026"
    wrong = next(f for f in written if f.kind == "contradicted")
    assert wrong.turn == 0 and "which showed 72%" in wrong.text
    asserted = next(f for f in written if f.kind == "asserted")
    assert asserted.quote == UNSUPPORTED and asserted.checked_against.startswith("searched: ")
    hidden = next(f for f in written if f.kind == "hidden")
    assert hidden.checked_against == "agreed story, version 1" and hidden.quote.startswith("There is no duplication")
    assert written == summary(turns, "frontline")  # built from the findings alone: the same every time


def _story_areas(turns) -> str:
    return " ".join(h["area"] for t in turns for h in (t.on_message or {}).get("hidden", []))


def inspector(body: dict) -> Scripted:
    """One faithful sentence, then one of each mistake the guardrails catch."""
    prompt = user_text(body)
    first = re.search(r"<<<ANSWER A\[1\]>>>\n(.*?)\n", prompt).group(1)
    said = re.split(r"(?<=[.!?])\s+", first)[0]
    checks = [(int(n), int(a), text) for n, a, text in re.findall(r"F\[(\d+)\] about A\[(\d+)\]: (.*)", prompt)]
    asserted = next(n for n, a, text in checks if a == 1 and "did not see evidence" in text)
    other = next(n for n, a, _ in checks if a == 2)
    return Scripted(
        f"Staff told us “{said}” but we did not see evidence of this [A1, F{asserted}]. "
        f"There was evidence that 99% of people felt safe [A2, F{other}]. "
        f"Staff told us “waits have vanished completely” [A1, F{asserted}]. "
        f"People could not always get an assessment quickly [A9, F{asserted}]. "
        f"Staff said their teams work well together [A1, F{other}]. "
        "Leaders described their plans."
    )


def test_the_councils_model_drafts_it_under_the_guardrails(turns, council):
    from prep_bot.llm.advisor import Advisor

    with FakeLLM() as llm:
        llm.scripts["inspector"] = inspector
        settings = council.settings.model_copy(update={"llm_url": llm.url("inspector")})
        advisor = Advisor(settings, council.store, council.framework, council.coach.claims)
        drafted = inspector_summary(turns, "frontline", advisor)
        assert drafted.by_model and len(drafted.sentences) == 1
        kept = drafted.sentences[0]
        assert kept.text == f"Staff told us “{UNSUPPORTED}” but we did not see evidence of this."
        assert kept.kind == "asserted" and kept.turn == 0 and kept.checked_against.startswith("searched: ")
        assert any("99%" in f for f in drafted.flags)
        assert any("quotation is not what was said" in f for f in drafted.flags)
        assert any("does not exist" in f for f in drafted.flags)
        assert any("about another answer" in f for f in drafted.flags)
        assert any("does not cite an answer and a check" in f for f in drafted.flags)
        sent = user_text(llm.last("inspector"))
        assert "<<<ANSWER A[2]>>>" in sent and "F[1] about A[" in sent

        failing = Advisor(council.settings.model_copy(update={"llm_url": llm.url("error500")}), council.store,
                          council.framework, council.coach.claims)
        fallback = inspector_summary(turns, "frontline", failing)
        assert not fallback.by_model and fallback.sentences == summary(turns, "frontline")
        assert "built from the coach's checks instead" in fallback.notice
    assert inspector_summary(turns, "frontline", None).sentences == summary(turns, "frontline")


def test_a_session_keeps_the_interview_as_plain_data_and_ends_with_the_time_box(council):
    import json

    from prep_bot.interview.session import Interviewer, Session

    interviewer = Interviewer(council.questions, council.framework, council.rubric, random.Random(3))
    session = interviewer.begin("frontline", 5, now=1000.0)
    first = interviewer.question(session)
    assert first.id == session.current["question_id"] and session.current["kind"] == "opening"
    feedback = {"score": 35, "dimensions": {"outcome": {"score": 30, "reason": "r"}, "data": {"score": 20, "reason": "r"}},
                "claims": [], "evidence": []}
    session = interviewer.record(session, UNSUPPORTED, feedback, now=1090.0, attempt_id=41)
    session = Session.from_dict(json.loads(json.dumps(session.to_dict())))  # as a page keeps it
    assert session.current["kind"] == "unsupported" and session.current["follows"] == 0
    assert interviewer.followed_attempt(session) == 41
    follow_up = interviewer.question(session)
    assert follow_up.id == first.id and follow_up.text.startswith("You said waiting times have improved")
    assert session.turns[0]["seconds"] == 90.0 and session.turns[0]["why"].startswith("The first question")
    session = interviewer.record(session, "We track it monthly on the dashboard.", feedback, now=1250.0, attempt_id=42)
    assert session.ended  # 50 s of the 5 minutes left: not enough for another answer
    assert [t.follows for t in interviewer.turns(session)] == [None, 0]
    with pytest.raises(ValueError, match="has ended"):
        interviewer.question(session)
    with pytest.raises(ValueError, match="between 5 and 60 minutes"):
        interviewer.begin("frontline", 90, now=0.0)
