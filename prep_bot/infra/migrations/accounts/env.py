"""Alembic's entry point for this script folder: prep_bot.infra.migrations runs it on a connection."""

from prep_bot.infra.migrations import run_in_alembic

run_in_alembic()
