"""Practice history: every coached attempt, stored with SQLAlchemy (SQLite in the data dir by
default, any database through PREP_BOT_DATABASE_URL), with the feedback it was given.

The schema is made and upgraded by Alembic (prep_bot/migrations, the ``accounts`` scripts): a
SQLite store upgrades itself on open, a database server needs ``prep-bot migrate``."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import DateTime, Integer, String, Text, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker


class Base(DeclarativeBase):
    pass


class AttemptRow(Base):
    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user: Mapped[str] = mapped_column(String(120), index=True)
    team: Mapped[str] = mapped_column(String(120), index=True, default="")
    audience: Mapped[str] = mapped_column(String(40), default="")
    qs: Mapped[str] = mapped_column(String(40), index=True)
    question_id: Mapped[str] = mapped_column(String(200), default="")
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    score: Mapped[int] = mapped_column(Integer)
    dimensions: Mapped[str] = mapped_column(Text)  # JSON: name -> score
    claims: Mapped[str] = mapped_column(Text, default="[]")  # JSON: [{text, status}]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: datetime.now(timezone.utc))
    # JSON: the coach's feedback, compacted (see compact_feedback); NULL for attempts saved before it was kept
    feedback: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)
    # JSON: how a spoken answer was said (delivery.Delivery.to_dict()); NULL for typed answers
    delivery: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)
    # The version of the council's story (story_versions.id) the answer was judged against; NULL: none
    story_version: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)
    # The attempt whose follow-up question this one answers; NULL for an answer to the question itself
    follows: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)
    # JSON: [{question, answer}] per turn when replies to follow-ups were coached with the answer;
    # NULL for one turn (``answer`` is then the whole answer)
    turns: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)


# Evidence fields worth keeping with an attempt: enough to cite it again, not the whole passage.
EVIDENCE_KEYS = ("id", "doc_id", "title", "page", "section", "date", "council", "polarity", "doc_type", "similarity")
MAX_STORED_TEXT = 400  # characters kept of any one text in stored feedback
MAX_STORED_ITEMS = 12  # items kept of any one list in stored feedback
MAX_STORED_HELP = 2000  # characters kept of the language model's note or stronger answer


def _short(value, limit: int = MAX_STORED_TEXT):
    """``value`` with every string cut to ``limit`` characters and every list to MAX_STORED_ITEMS."""
    if isinstance(value, str):
        return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"
    if isinstance(value, dict):
        return {str(k): _short(v, limit) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_short(v, limit) for v in value[:MAX_STORED_ITEMS]]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return _short(str(value), limit)


def compact_feedback(feedback: dict) -> dict:
    """A Feedback's ``to_dict()`` small enough to keep with every attempt: evidence keeps its
    citation (title, page, section, date...) and the start of its text; every other text is
    kept up to MAX_STORED_TEXT characters. Keys it does not know (such as "reply") are kept."""
    out = dict(feedback)
    if isinstance(out.get("evidence"), list):
        out["evidence"] = [
            {**{k: hit.get(k) for k in EVIDENCE_KEYS if k in hit}, "text": hit.get("text", "")}
            for hit in out["evidence"] if isinstance(hit, dict)
        ]
    return _short(out)


def judged_against(feedback: dict | None) -> int | None:
    """The story version a coached answer was judged against, from its feedback (None: none)."""
    on_message = (feedback or {}).get("on_message")
    story = on_message.get("story") if isinstance(on_message, dict) else None
    found = story.get("id") if isinstance(story, dict) else None
    return int(found) if isinstance(found, int) else None


LEGACY_FOLLOW_UP = "#probe"  # how releases before the ``follows`` column marked a follow-up's question id


def linked_follow_ups(rows: Iterable[dict]) -> Iterator[dict]:
    """Attempt rows (dicts, in the order they were saved) with each follow-up saved the old way
    ("#probe" after its question's id, no ``follows``) given its plain question id and the
    attempt it follows: the latest earlier one by the same person at that question, else by
    anyone (the rule of the accounts_0003 migration, for exports made before it)."""
    by_person: dict[tuple[str, str], int] = {}
    latest: dict[str, int] = {}
    for row in rows:
        question_id = str(row.get("question_id") or "")
        base = question_id.removesuffix(LEGACY_FOLLOW_UP)
        if base != question_id and row.get("follows") is None:
            row = {**row, "question_id": base, "follows": by_person.get((row.get("user"), base), latest.get(base))}
        by_person[(row.get("user"), base)] = latest[base] = row["id"]
        yield row


@dataclass
class Attempt:
    id: int
    user: str
    team: str
    audience: str
    qs: str
    question_id: str
    question: str
    answer: str
    score: int
    dimensions: dict[str, int]
    claims: list[dict]
    created_at: datetime
    feedback: dict | None = None  # None: saved before feedback was kept
    delivery: dict | None = None  # None: a typed answer
    follows: int | None = None  # the attempt whose follow-up this answers; None: the question itself
    turns: list[dict] | None = None  # [{question, answer}]; None: one turn
    story_version: int | None = None  # the story version it was judged against; None: no agreed story then

    @property
    def is_follow_up(self) -> bool:
        """Saved apart from the attempt it follows (releases before turns were kept)."""
        return self.follows is not None

    @classmethod
    def from_row(cls, row: AttemptRow) -> Attempt:
        return cls(
            row.id, row.user, row.team, row.audience, row.qs, row.question_id, row.question, row.answer,
            row.score, json.loads(row.dimensions), json.loads(row.claims or "[]"), row.created_at,
            json.loads(row.feedback) if row.feedback else None, json.loads(row.delivery) if row.delivery else None,
            follows=row.follows, turns=json.loads(row.turns) if row.turns else None, story_version=row.story_version,
        )

    @property
    def answers(self) -> list[str]:
        """The answer and each reply to a follow-up, oldest first."""
        return [t.get("answer", "") for t in self.turns] if self.turns else [self.answer]


class AttemptLog:
    """Stores and reads practice attempts."""

    def __init__(self, url: str) -> None:
        from prep_bot.infra import migrations
        from prep_bot.infra.database import make_engine

        self.url = url
        self.engine = make_engine(url)  # SQLite: WAL, synchronous=FULL, 30 s busy timeout
        try:
            migrations.ensure(self.engine, migrations.ACCOUNTS)
        except BaseException:
            self.engine.dispose()
            raise
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        self._lock = threading.Lock()

    def add(
        self, *, user: str, team: str, audience: str, qs: str, question_id: str, question: str, answer: str,
        score: int, dimensions: dict[str, int], claims: list[dict] | None = None, feedback: dict | None = None,
        delivery: dict | None = None, follows: int | None = None, story_version: int | None = None,
    ) -> Attempt:
        """Save one attempt. ``feedback`` is the coach's ``Feedback.to_dict()``; it is compacted
        (see ``compact_feedback``) before it is stored. ``delivery`` is how a spoken answer was
        said (``Delivery.to_dict()``). ``follows``: the attempt whose follow-up question this
        answers (``question_id`` stays that of the question it all began with). ``story_version``:
        the agreed story's version the answer was judged against (default: the one the
        feedback's ``on_message`` names)."""
        if story_version is None:
            story_version = judged_against(feedback)
        row = AttemptRow(
            user=user.strip() or "anonymous", team=team.strip(), audience=audience, qs=qs, question_id=question_id,
            question=question, answer=answer, score=int(score), dimensions=json.dumps(dimensions),
            claims=json.dumps(claims or []),
            feedback=json.dumps(compact_feedback(feedback), ensure_ascii=False) if feedback else None,
            delivery=json.dumps(_short(delivery), ensure_ascii=False) if delivery else None, follows=follows,
            story_version=story_version,
        )
        with self._session() as session, session.begin():
            session.add(row)
        return Attempt.from_row(row)

    def add_turn(
        self, attempt_id: int, *, question: str, answer: str, score: int, dimensions: dict[str, int],
        claims: list[dict] | None = None, feedback: dict | None = None, delivery: dict | None = None,
    ) -> Attempt | None:
        """Add a reply to a follow-up to a saved attempt: the turn is kept, and the attempt's score,
        dimensions, claims and feedback become those of the whole answer coached together (the
        answer column holds every turn, so readers of one answer see all of it). None when the
        attempt is gone."""
        with self._session() as session, session.begin():
            row = session.get(AttemptRow, int(attempt_id))
            if row is None:
                return None
            turns = json.loads(row.turns) if row.turns else [{"question": row.question, "answer": row.answer}]
            turns.append({"question": question, "answer": answer})
            row.turns = json.dumps(turns, ensure_ascii=False)
            row.answer = "\n\n".join(t["answer"] for t in turns)
            row.score = int(score)
            row.dimensions = json.dumps(dimensions)
            row.claims = json.dumps(claims or [])
            if feedback:
                row.feedback = json.dumps(compact_feedback(feedback), ensure_ascii=False)
            if delivery:
                row.delivery = json.dumps(_short(delivery), ensure_ascii=False)
        return Attempt.from_row(row)

    def add_model_help(self, attempt_id: int, help: dict) -> bool:
        """Keep the language model's checked help (``CoachHelp.to_dict()``) with a saved attempt's
        feedback, so rereading it shows the help again. False when the attempt is gone."""
        with self._session() as session, session.begin():
            row = session.get(AttemptRow, int(attempt_id))
            if row is None:
                return False
            feedback = json.loads(row.feedback) if row.feedback else {}
            feedback["model_help"] = _short(help, MAX_STORED_HELP)
            row.feedback = json.dumps(feedback, ensure_ascii=False)
        return True

    def list(self, user: str | None = None, team: str | None = None, qs: str | None = None, limit: int | None = None) -> list[Attempt]:
        query = select(AttemptRow).order_by(AttemptRow.created_at, AttemptRow.id)
        if user is not None:
            query = query.where(AttemptRow.user == user)
        if team is not None:
            query = query.where(AttemptRow.team == team)
        if qs is not None:
            query = query.where(AttemptRow.qs == qs)
        if limit:
            query = query.limit(limit)
        with self._session() as session:
            return [Attempt.from_row(r) for r in session.scalars(query)]

    def get(self, attempt_id: int) -> Attempt | None:
        """One attempt by its id, or None. Callers showing it to someone ask the permission policy
        first (prep_bot/app/policy.py)."""
        with self._session() as session:
            row = session.get(AttemptRow, int(attempt_id))
            return Attempt.from_row(row) if row is not None else None

    def count(self) -> int:
        with self._session() as session:
            return session.scalar(select(func.count()).select_from(AttemptRow)) or 0

    def mean_by_qs(self, user: str | None = None) -> dict[str, float]:
        query = select(AttemptRow.qs, func.avg(AttemptRow.score)).group_by(AttemptRow.qs)
        if user is not None:
            query = query.where(AttemptRow.user == user)
        with self._session() as session:
            return {qs: float(mean) for qs, mean in session.execute(query)}

    def delete_user(self, user: str) -> int:
        with self._session() as session, session.begin():
            rows = session.scalars(select(AttemptRow).where(AttemptRow.user == user)).all()
            for row in rows:
                session.delete(row)
        return len(rows)

    def close(self) -> None:
        self.engine.dispose()

