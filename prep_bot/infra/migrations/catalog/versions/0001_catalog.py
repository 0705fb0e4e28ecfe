"""The document catalog: documents, passages, the generation counter and tag corrections.

A catalog.sqlite made before migrations already has these tables: they are kept as they are.

Revision ID: catalog_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "catalog_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "documents" not in existing:
        op.create_table(
            "documents",
            sa.Column("doc_id", sa.Text, primary_key=True),
            sa.Column("title", sa.Text, nullable=False),
            sa.Column("source", sa.Text, nullable=False),
            sa.Column("doc_type", sa.Text, nullable=False),
            sa.Column("sha256", sa.Text, nullable=False),
            sa.Column("council", sa.Text, nullable=False, server_default=""),
            sa.Column("date", sa.Text, nullable=False, server_default=""),
            sa.Column("chunks", sa.Integer, nullable=False),
            sa.Column("redactions", sa.Integer, nullable=False, server_default="0"),
            sa.Column("ingested_at", sa.Text, nullable=False),
        )
    if "passages" not in existing:
        op.create_table(
            "passages",
            sa.Column("id", sa.Text, primary_key=True),
            sa.Column("doc_id", sa.Text, nullable=False),
            sa.Column("position", sa.Integer, nullable=False),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("embed_text", sa.Text, nullable=False),
            sa.Column("meta", sa.Text, nullable=False),
        )
        op.create_index("passages_doc", "passages", ["doc_id", "position"])
    if "state" not in existing:
        op.create_table(
            "state",
            sa.Column("key", sa.Text, primary_key=True),
            sa.Column("value", sa.Integer, nullable=False),
        )
    if "corrections" not in existing:
        op.create_table(
            "corrections",
            sa.Column("key", sa.Text, primary_key=True),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("quality_statements", sa.Text, nullable=False),
            sa.Column("polarity", sa.Text, nullable=False, server_default=""),
            sa.Column("by", sa.Text, nullable=False),
            sa.Column("at", sa.Text, nullable=False),
        )
    state = sa.table("state", sa.column("key", sa.Text), sa.column("value", sa.Integer))
    bind = op.get_bind()
    if bind.execute(sa.select(state.c.key).where(state.c.key == "generation")).first() is None:
        op.bulk_insert(state, [{"key": "generation", "value": 0}])


def downgrade() -> None:
    for table in ("corrections", "state", "passages", "documents"):
        op.drop_table(table)
