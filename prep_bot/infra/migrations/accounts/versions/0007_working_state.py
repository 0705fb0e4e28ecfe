"""Each account's working state on the server: the Practice room's question and conversation and
the mock interview in progress, so a reload or a dropped connection loses nothing (and nothing
is kept in the browser).

Revision ID: accounts_0007
Revises: accounts_0006
"""

import sqlalchemy as sa
from alembic import op

revision = "accounts_0007"
down_revision = "accounts_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "working_state",
        sa.Column("user_key", sa.String(120), primary_key=True),
        sa.Column("practice", sa.Text, nullable=True),
        sa.Column("interview", sa.Text, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("working_state")
