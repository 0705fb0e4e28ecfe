"""Judging an answer: the rubric and its dimensions, the claim check of figures, the coach and its reply,
and delivery of spoken answers."""
