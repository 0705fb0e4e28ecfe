"""The council's story: every version of each quality statement's agreed story (who saved it and
when), and on each attempt the version it was judged against.

Revision ID: accounts_0005
Revises: accounts_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "accounts_0005"
down_revision = "accounts_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "story_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("qs", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("by", sa.String(120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("qs", "version", name="uq_story_versions_qs_version"),
    )
    op.create_index("ix_story_versions_qs", "story_versions", ["qs"])
    op.add_column("attempts", sa.Column("story_version", sa.Integer, nullable=True))


def downgrade() -> None:
    op.drop_column("attempts", "story_version")
    op.drop_index("ix_story_versions_qs", "story_versions")
    op.drop_table("story_versions")
