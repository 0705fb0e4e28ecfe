"""People: accounts, roles and who may see whom."""
