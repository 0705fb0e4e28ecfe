"""The question bank and the challenge questions derived from the evidence."""

import re

from prep_bot.infra.config import Settings
from prep_bot.framework.statements import QS_SLUGS
from prep_bot.framework.questions import QuestionBank
from prep_bot.framework.vocab import AUDIENCES
from prep_bot.practice.questions import challenge_questions


def test_bank_covers_every_statement_and_audience():
    bank = QuestionBank.load(Settings().knowledge_dir / "questions")
    for slug in QS_SLUGS:
        questions = bank.select(qs=slug)
        assert len(questions) >= 8, slug
        assert {q.audience for q in questions} == set(AUDIENCES), slug
        for q in questions:
            assert 2 <= len(q.probes) <= 3 and 3 <= len(q.looks_for) <= 5, q.id
            assert q.text.endswith("?") or q.text.endswith("."), q.id


def test_bank_names_no_real_people_or_the_sample_council():
    bank = QuestionBank.load(Settings().knowledge_dir / "questions")
    text = " ".join(q.text + " ".join(q.probes) + " ".join(q.looks_for) for q in bank.questions)
    assert "Stockton" not in text
    # Names of people in the sample reports' team lists and contact details must not appear.
    reports = " ".join(p.read_text() for p in (Settings().knowledge_dir / "evidence").glob("*.txt"))
    names = set(re.findall(r"\*\*([A-Z][a-z]+ [A-Z][a-z]+)\*\*", reports)) | set(re.findall(r"Contact:?\s+([A-Z][a-z]+ [A-Z][a-z]+)", reports))
    assert names, "the reports list their peer teams"
    assert not [n for n in names if n in text]


def test_pick_avoids_repeats_until_exhausted():
    bank = QuestionBank.load(Settings().knowledge_dir / "questions")
    pool = bank.select(qs="governance", audience="partner")
    seen = []
    for _ in range(len(pool)):
        q = bank.pick("governance", audience="partner", exclude=seen)
        assert q.id not in seen
        seen.append(q.id)
    assert bank.pick("governance", audience="partner", exclude=seen) is not None  # then repeats
    # ...but never the question just asked, so "Next question" always moves on.
    import random

    rng = random.Random(7)
    asked = [q.id for q in bank.select(qs="governance", audience="frontline")]
    assert len(asked) >= 2
    for _ in range(200):
        again = bank.pick("governance", audience="frontline", exclude=asked, recent=asked, rng=rng)
        assert again.id != asked[-1]
        asked.append(again.id)


def test_challenge_questions_come_from_improvement_passages(sample_services):
    passages = {p.id: p for p in sample_services.store.passages()}
    challenges = challenge_questions(passages.values())
    assert len(challenges) >= 20
    for q in challenges:
        source = passages[q.passage_id]
        assert source.polarity == "improvement"
        assert q.qs == source.quality_statements[0]
        quoted = re.search(r"“(.+)”", q.text).group(1)
        assert quoted in " ".join(source.text.replace("*", "").split())
        assert q.text.endswith("What has changed since, and what difference has it made for people?")
    assert len({q.qs for q in challenges}) >= 5  # spread across the framework, not one statement
