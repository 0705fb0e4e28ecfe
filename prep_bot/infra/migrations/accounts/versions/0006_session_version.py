"""Each account gets a session version: signing in records it, and removing the account or
changing its role, team or password raises it, which ends every session signed in before.

Revision ID: accounts_0006
Revises: accounts_0005
"""

import sqlalchemy as sa
from alembic import op

revision = "accounts_0006"
down_revision = "accounts_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "session_version" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("users")}:
        op.add_column("users", sa.Column("session_version", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("users", "session_version")
