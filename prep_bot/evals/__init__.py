"""Measurements: retrieval, tagging, coach and speech evaluations, the benchmark and the load test."""
