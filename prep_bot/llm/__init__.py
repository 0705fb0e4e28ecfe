"""The council's own language model (optional): the client, prompts, guardrails and what it adds."""
