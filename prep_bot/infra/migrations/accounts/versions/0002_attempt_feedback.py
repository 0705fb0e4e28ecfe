"""Attempts keep the coach's feedback and, for spoken answers, how they were said.

Releases before migrations may already have added either column: only missing ones are added.

Revision ID: accounts_0002
Revises: accounts_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "accounts_0002"
down_revision = "accounts_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("attempts")}
    for name in ("feedback", "delivery"):
        if name not in columns:
            op.add_column("attempts", sa.Column(name, sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("attempts", "delivery")
    op.drop_column("attempts", "feedback")
