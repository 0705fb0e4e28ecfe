"""Attempts and users as the first releases made them (attempts without feedback or delivery).

A database made before migrations already has these tables: they are kept as they are.

Revision ID: accounts_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "accounts_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "attempts" not in existing:
        op.create_table(
            "attempts",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("user", sa.String(120), nullable=False),
            sa.Column("team", sa.String(120), nullable=False),
            sa.Column("audience", sa.String(40), nullable=False),
            sa.Column("qs", sa.String(40), nullable=False),
            sa.Column("question_id", sa.String(200), nullable=False),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("answer", sa.Text, nullable=False),
            sa.Column("score", sa.Integer, nullable=False),
            sa.Column("dimensions", sa.Text, nullable=False),
            sa.Column("claims", sa.Text, nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        )
        for column in ("user", "team", "qs"):
            op.create_index(f"ix_attempts_{column}", "attempts", [column])
    if "users" not in existing:
        op.create_table(
            "users",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(120), nullable=False, unique=True),
            sa.Column("name_key", sa.String(360), nullable=False),
            sa.Column("role", sa.String(20), nullable=False),
            sa.Column("team", sa.String(120), nullable=False),
            sa.Column("password_hash", sa.Text, nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        )
        op.create_index("ix_users_name_key", "users", ["name_key"], unique=True)
        op.create_index("ix_users_team", "users", ["team"])


def downgrade() -> None:
    op.drop_table("users")
    op.drop_table("attempts")
