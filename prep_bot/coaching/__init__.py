"""Judging an answer: the rubric and its dimensions, the claim check of figures, the coach and its reply,
and delivery of spoken answers."""

# The built-in judges of the rubric's dimensions register themselves (see rubric.register).
from prep_bot.coaching import dimensions  # noqa: E402,F401
