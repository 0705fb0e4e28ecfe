"""The story book: every version of every statement's story, in the shared database beside the
attempts (SQLAlchemy Core; the ``accounts`` migrations make the table). Saving never overwrites:
each save is a new version with who saved it and when. The story people rehearse against is
the newest approved version; an attempt keeps the id of the version it was judged against."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from prep_bot.story.model import APPROVED, Story, StoryError, StoryVersion, from_dict

METADATA = sa.MetaData()
story_versions = sa.Table(
    "story_versions", METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("qs", sa.String(40), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("body", sa.Text, nullable=False),  # JSON: Story.to_dict()
    sa.Column("by", sa.String(120), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("qs", "version", name="uq_story_versions_qs_version"),
    sa.Index("ix_story_versions_qs", "qs"),
)
_T = story_versions.c
SAVE_TRIES = 3  # two leads saving the same statement at once: the second takes the next number


class StoryBook:
    """Saves and reads story versions. ``engine``: the attempts database's (its schema current)."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()

    def save(self, story: Story, by: str) -> StoryVersion:
        """Keep ``story`` as the statement's next version, saved by ``by`` now."""
        by = " ".join((by or "").split())
        if not by:
            raise StoryError("say who is saving the story (a lead's name)")
        body = json.dumps({k: v for k, v in story.to_dict().items() if k != "qs"}, ensure_ascii=False)
        for attempt in range(SAVE_TRIES):
            at = datetime.now(timezone.utc)
            try:
                with self._lock, self.engine.begin() as db:
                    newest = db.execute(sa.select(sa.func.max(_T.version)).where(_T.qs == story.qs)).scalar() or 0
                    row_id = db.execute(story_versions.insert().values(
                        qs=story.qs, version=newest + 1, status=story.status, body=body, by=by[:120], at=at,
                    )).inserted_primary_key[0]
                return StoryVersion(int(row_id), story.qs, newest + 1, story, by[:120], at)
            except IntegrityError:
                if attempt == SAVE_TRIES - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    # -- reading -------------------------------------------------------------------------------
    def current(self, qs: str, at: datetime | None = None) -> StoryVersion | None:
        """The story people rehearse against: the newest approved version (saved by ``at``, when
        given: the one that was current then)."""
        query = sa.select(story_versions).where(_T.qs == qs, _T.status == APPROVED)
        if at is not None:
            query = query.where(_T.at <= _aware(at))
        return self._one(query.order_by(_T.version.desc()).limit(1))

    def latest(self, qs: str) -> StoryVersion | None:
        """The newest version, approved or not (what a lead goes on editing)."""
        return self._one(sa.select(story_versions).where(_T.qs == qs).order_by(_T.version.desc()).limit(1))

    def get(self, version_id: int | None) -> StoryVersion | None:
        if version_id is None:
            return None
        return self._one(sa.select(story_versions).where(_T.id == int(version_id)))

    def history(self, qs: str) -> list[StoryVersion]:
        """Every version of a statement's story, oldest first."""
        with self.engine.connect() as db:
            return [_version(r) for r in db.execute(sa.select(story_versions).where(_T.qs == qs).order_by(_T.version))]

    def approved(self) -> dict[str, StoryVersion]:
        """The current approved version of each statement that has one."""
        with self.engine.connect() as db:
            rows = db.execute(sa.select(story_versions).where(_T.status == APPROVED).order_by(_T.qs, _T.version)).all()
        return {v.qs: v for v in map(_version, rows)}  # the last of each statement wins: the newest

    def _one(self, query) -> StoryVersion | None:
        with self.engine.connect() as db:
            row = db.execute(query).first()
        return _version(row) if row is not None else None


def _version(row) -> StoryVersion:
    data = json.loads(row.body)
    return StoryVersion(int(row.id), row.qs, int(row.version), from_dict({**data, "qs": row.qs, "status": row.status}, stored=True),
                        row.by, _aware(row.at))


def _aware(when: datetime) -> datetime:
    """SQLite hands back naive datetimes: they were saved in UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)
