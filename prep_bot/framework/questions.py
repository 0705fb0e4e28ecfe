"""The question bank: the questions CQC is likely to ask, per quality statement and audience
(knowledge/questions/*.yaml), and how one is drawn for practice. Questions made from the
evidence's own findings (challenge questions) are made in prep_bot/practice/questions.py."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from prep_bot.errors import ConfigError
from prep_bot.framework.statements import QS_SLUGS
from prep_bot.framework.vocab import AUDIENCES

CHALLENGE_PREFIX = "challenge-"  # the id prefix of a question made from the evidence
CHALLENGE_SHARE = 0.25  # chance of a challenge question when one is allowed (never twice in four draws)


@dataclass
class Question:
    id: str
    qs: str
    audience: str
    text: str
    probes: list[str] = field(default_factory=list)
    looks_for: list[str] = field(default_factory=list)
    passage_id: str | None = None  # set for challenge questions: the passage they come from

    def to_dict(self) -> dict:
        d = asdict(self)
        if d["passage_id"] is None:
            d.pop("passage_id")
        return d

    @property
    def is_challenge(self) -> bool:
        return self.passage_id is not None


class QuestionBank:
    """Questions from knowledge/questions/*.yaml, validated on load."""

    def __init__(self, questions: Sequence[Question]) -> None:
        self.questions = list(questions)
        self._by_id = {q.id: q for q in self.questions}

    @classmethod
    def load(cls, folder: Path) -> QuestionBank:
        questions: list[Question] = []
        files = sorted(Path(folder).glob("*.yaml"))
        if not files:
            raise ConfigError(f"no question files in {folder}")
        for path in files:
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
                qs = data["qs"]
                for item in data["questions"]:
                    questions.append(
                        Question(
                            id=str(item["id"]), qs=qs, audience=item["audience"], text=item["text"].strip(),
                            probes=list(item.get("probes", [])), looks_for=list(item.get("looks_for", [])),
                        )
                    )
            except (OSError, yaml.YAMLError, KeyError, TypeError) as e:
                raise ConfigError(f"question file {path.name} is invalid: {e}") from e
        bank = cls(questions)
        bank._validate()
        return bank

    def _validate(self) -> None:
        if len(self._by_id) != len(self.questions):
            raise ConfigError("question ids must be unique")
        for q in self.questions:
            if q.qs not in QS_SLUGS:
                raise ConfigError(f"question {q.id}: unknown quality statement {q.qs!r}")
            if q.audience not in AUDIENCES:
                raise ConfigError(f"question {q.id}: unknown audience {q.audience!r}; expected one of {', '.join(AUDIENCES)}")

    def get(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    def select(self, qs: str | None = None, audience: str | None = None) -> list[Question]:
        return [q for q in self.questions if (not qs or q.qs == qs) and (not audience or q.audience == audience)]

    def pick(
        self,
        qs: str | Iterable[str] | None = None,
        audience: str | None = None,
        exclude: Iterable[str] = (),
        extra: Sequence[Question] = (),
        rng: random.Random | None = None,
        recent: Sequence[str] = (),
    ) -> Question | None:
        """A random question for the statement(s) and audience, avoiding ``exclude`` while
        anything else is left, and never the last of ``recent`` again when there is another. ``extra`` (challenge questions) may be drawn at most once in any
        four draws: never when one of the last three (``recent``, oldest first) was one, else
        with probability CHALLENGE_SHARE, or when the bank has nothing for the choice."""
        rng = rng or random.Random()
        wanted = {qs} if isinstance(qs, str) else set(qs or QS_SLUGS)
        avoid = set(exclude)
        last = list(recent)[-1:]

        def draw(candidates: Sequence[Question]) -> Question | None:
            pool = [q for q in candidates if q.qs in wanted and (not audience or q.audience in (audience, "any"))]
            fresh = [q for q in pool if q.id not in avoid]
            # Once every question has been asked, any but the one just asked (never twice running).
            choices = fresh or [q for q in pool if q.id not in last] or pool
            return rng.choice(choices) if choices else None

        challenge_recently = any(str(r).startswith(CHALLENGE_PREFIX) for r in list(recent)[-3:])
        if extra and not challenge_recently and rng.random() < CHALLENGE_SHARE:
            found = draw(extra)
            if found is not None:
                return found
        return draw(self.questions) or (None if challenge_recently else draw(extra))
