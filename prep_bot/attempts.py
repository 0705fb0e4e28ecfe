"""Practice history: every coached attempt, stored with SQLAlchemy (SQLite in the data dir by
default, any database through PREP_BOT_DATABASE_URL)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import DateTime, Integer, String, Text, create_engine, event, func, select
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

    @classmethod
    def from_row(cls, row: AttemptRow) -> Attempt:
        return cls(
            row.id, row.user, row.team, row.audience, row.qs, row.question_id, row.question, row.answer,
            row.score, json.loads(row.dimensions), json.loads(row.claims or "[]"), row.created_at,
        )


class AttemptLog:
    """Stores and reads practice attempts."""

    def __init__(self, url: str) -> None:
        self.url = url
        sqlite = url.startswith("sqlite")
        self.engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30} if sqlite else {})
        if sqlite:
            @event.listens_for(self.engine, "connect")
            def _pragmas(connection, _record):  # durable and concurrent: WAL, full sync
                cursor = connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=FULL")
                cursor.execute("PRAGMA busy_timeout=30000")
                cursor.close()
        Base.metadata.create_all(self.engine)
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        self._lock = threading.Lock()

    def add(
        self, *, user: str, team: str, audience: str, qs: str, question_id: str, question: str, answer: str,
        score: int, dimensions: dict[str, int], claims: list[dict] | None = None,
    ) -> Attempt:
        row = AttemptRow(
            user=user.strip() or "anonymous", team=team.strip(), audience=audience, qs=qs, question_id=question_id,
            question=question, answer=answer, score=int(score), dimensions=json.dumps(dimensions),
            claims=json.dumps(claims or []),
        )
        with self._session() as session, session.begin():
            session.add(row)
        return Attempt.from_row(row)

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
