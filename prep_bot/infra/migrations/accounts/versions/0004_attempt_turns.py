"""An attempt keeps its turns: the answer, then each reply to a follow-up, coached as one.

Attempts saved before keep NULL (one turn: the answer). A column another release already added
is left as it is.

Revision ID: accounts_0004
Revises: accounts_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "accounts_0004"
down_revision = "accounts_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("attempts")}
    if "turns" not in columns:
        op.add_column("attempts", sa.Column("turns", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("attempts", "turns")
