"""Alembic's entry point for this script folder: prep_bot.platform.migrations runs it on a connection."""

from prep_bot.platform.migrations import run_in_alembic

run_in_alembic()
