"""Evidence: loading files, chunking them into passages, tagging, redaction and ingest."""
