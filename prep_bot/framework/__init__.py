"""The CQC framework: quality statements and themes, fixed vocabularies, the glossary."""
