"""The use cases: one module per job a person does, each asking the permission policy first."""
