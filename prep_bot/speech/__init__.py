"""Spoken answers: transcription of recordings."""
