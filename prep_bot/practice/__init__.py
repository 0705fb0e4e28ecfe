"""Practising: the question bank, attempts, readiness and the team story, briefing packs and exports."""
