"""Prompt files in ``prompts/``: one YAML file per task with a version, a system and a human
template, loaded as LangChain chat prompt templates."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

TASKS = ("coach", "ask", "disagree", "inspector")


@dataclass(frozen=True)
class Prompt:
    task: str
    version: int
    template: object  # langchain_core.prompts.ChatPromptTemplate

    @property
    def label(self) -> str:
        return f"{self.task} v{self.version}"

    def messages(self, **values) -> list:
        return self.template.format_messages(**values)


@lru_cache(maxsize=16)
def load_prompt(prompts_dir: Path, task: str) -> Prompt:
    """The prompt for ``task``; raises ValueError naming the file when it is missing or malformed."""
    from langchain_core.prompts import ChatPromptTemplate

    path = Path(prompts_dir) / f"{task}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"Cannot read the prompt file {path}: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("system", "human")):
        raise ValueError(f"The prompt file {path} needs text under 'system' and 'human'.")
    if not isinstance(data.get("version"), int):
        raise ValueError(f"The prompt file {path} needs a 'version:' line with a whole number.")
    header = f"[prep-bot prompt: {task} v{data['version']}]\n"
    template = ChatPromptTemplate.from_messages([("system", header + data["system"]), ("human", data["human"])])
    return Prompt(task, data["version"], template)
