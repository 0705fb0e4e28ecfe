"""An answer to the coach's follow-up says which attempt it follows, in a column of its own.

Until now a follow-up was saved with "#probe" added to its question's id. Each such attempt
gets the plain id back and ``follows`` the attempt it answered: the latest earlier attempt by
the same person at the same question (else by anyone, for practice saved without sign-in under
a name changed in between). An old follow-up with no earlier attempt left to follow keeps the
plain id and no link: nothing read the difference before, so nothing shown changes.

Revision ID: accounts_0003
Revises: accounts_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "accounts_0003"
down_revision = "accounts_0002"
branch_labels = None
depends_on = None

SUFFIX = "#probe"  # how releases before this one marked a follow-up


def upgrade() -> None:
    bind = op.get_bind()
    if "follows" not in {c["name"] for c in sa.inspect(bind).get_columns("attempts")}:
        op.add_column("attempts", sa.Column("follows", sa.Integer, nullable=True))
    attempts = sa.table("attempts", sa.column("id", sa.Integer), sa.column("user", sa.String),
                        sa.column("question_id", sa.String), sa.column("follows", sa.Integer))
    latest_by_person: dict[tuple[str, str], int] = {}
    latest: dict[str, int] = {}
    rows = bind.execute(sa.select(attempts.c.id, attempts.c.user, attempts.c.question_id).order_by(attempts.c.id)).all()
    for number, user, question_id in rows:
        question_id = question_id or ""
        base = question_id.removesuffix(SUFFIX)
        if base != question_id:
            earlier = latest_by_person.get((user, base), latest.get(base))
            bind.execute(attempts.update().where(attempts.c.id == number).values(question_id=base, follows=earlier))
        latest_by_person[(user, base)] = latest[base] = number


def downgrade() -> None:
    bind = op.get_bind()
    attempts = sa.table("attempts", sa.column("question_id", sa.String), sa.column("follows", sa.Integer))
    bind.execute(attempts.update().where(attempts.c.follows.is_not(None))
                 .values(question_id=attempts.c.question_id + SUFFIX))
    op.drop_column("attempts", "follows")
