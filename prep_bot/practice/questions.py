"""The question bank: likely CQC questions per quality statement and audience, plus challenge
questions derived from the evidence's own areas for improvement."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from prep_bot.errors import ConfigError
from prep_bot.evidence.figures import sentences
from prep_bot.evidence.passage import Passage
from prep_bot.framework.statements import QS_SLUGS
from prep_bot.evidence.provenance import display_date, is_dated
from prep_bot.framework.vocab import AUDIENCES  # noqa: F401 - re-exported

CHALLENGE_PROBES = [
    "What has changed for people since then, and how do you know?",
    "What does the data show now compared with then?",
    "What is still not good enough, and what is the plan?",
]
CHALLENGE_LOOKS_FOR = [
    "acknowledges the finding honestly",
    "what has been done since, with dates",
    "evidence of the difference for people (data or an example)",
    "what still needs to improve and the plan",
]
_INTRO = {
    "peer-challenge": "The peer team noted",
    "cqc-assessment": "CQC's assessment found",
    "self-assessment": "Your own self-assessment says",
    "data": "Your performance data shows",
    "other": "Your evidence says",
}
_CONCERN = re.compile(
    r"\b(need|needs|should|not|lack|gap|delay|wait|backlog|inconsisten|concern|unclear|limited|"
    r"consider|challenge|pressure|improve|risk|frustrat|difficult)",
    re.I,
)


CHALLENGE_PREFIX = "challenge-"
CHALLENGE_SHARE = 0.25  # chance of a challenge question when one is allowed (never twice in four draws)
_AUDIENCE_WORDS = {
    "frontline": re.compile(
        r"\b(practitioners?|social workers?|front ?line|case (?:files?|notes?|records?)|assessments?|reviews?|"
        r"recording|records?|visits?|care plans?|support plans?|people told|carers? told|strengths[- ]based|"
        r"direct payments?|advocacy|mental capacity|safeguarding enquir\w*|section 42)\b", re.I),
    "team-manager": re.compile(
        r"\b(managers?|supervisions?|caseloads?|waiting lists?|backlogs?|allocation|audits?|quality assurance|"
        r"teams?|duty|triage|workloads?|rota)\b", re.I),
    "senior-leader": re.compile(
        r"\b(leaders?|leadership|strateg\w*|budgets?|financ\w*|savings|commissioning|market|transformation|"
        r"governance|performance|dashboards?|data|risk registers?|vision|workforce|recruitment|director)\b", re.I),
    "partner": re.compile(
        r"\b(partners?|partnerships?|nhs|icb|health colleagues|hospitals?|gps?|primary care|voluntary|"
        r"community sector|vcse|housing|providers?|police|healthwatch)\b", re.I),
    "elected-member": re.compile(
        r"\b(members|councillors?|elected|scrutiny|cabinet|political|portfolio holder|lead member)\b", re.I),
}
_STATEMENT_AUDIENCE = {
    "assessing-needs": "frontline", "supporting-healthier-lives": "frontline", "equity-in-experience": "frontline",
    "care-provision": "senior-leader", "partnerships-communities": "partner", "safe-pathways": "team-manager",
    "safeguarding": "frontline", "governance": "senior-leader", "learning-improvement": "senior-leader",
}


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


def challenge_questions(passages: Iterable[Passage], stale_years: float | None = None) -> list[Question]:
    """One challenge question per evidence passage tagged 'improvement': the finding, quoted,
    then "what has changed since?". Tied to its passage and aimed at the audience the finding
    concerns. With ``stale_years``, findings older than that are left out unless nothing newer
    exists. Callers pass the home council's passages (``store.passages()``)."""
    candidates = [
        p for p in passages if p.polarity == "improvement" and p.quality_statements and p.doc_type != "data"
    ]
    if stale_years is not None:
        recent = [p for p in candidates if not is_dated(p.date, stale_years)]
        candidates = recent or candidates
    questions = []
    for p in candidates:
        finding = _key_sentence(p.text)
        if not finding:
            continue
        intro = _INTRO.get(p.doc_type, _INTRO["other"])
        when = display_date(p.date)
        if when:
            intro = f"{intro} ({when})"
        questions.append(
            Question(
                id=f"{CHALLENGE_PREFIX}{p.id}",
                qs=p.quality_statements[0],
                audience=audience_for(p.quality_statements[0], finding),
                text=f"{intro}: “{finding}” What has changed since, and what difference has it made for people?",
                probes=list(CHALLENGE_PROBES),
                looks_for=list(CHALLENGE_LOOKS_FOR),
                passage_id=p.id,
            )
        )
    return questions


def audience_for(qs: str, finding: str) -> str:
    """Who a finding is for: the audience whose work its words name most, the statement's
    usual audience breaking ties (leadership findings to senior leaders, practice findings to
    frontline staff, partnership findings to partners)."""
    scores = {audience: float(len(pattern.findall(finding))) for audience, pattern in _AUDIENCE_WORDS.items()}
    scores[_STATEMENT_AUDIENCE.get(qs, "frontline")] += 0.5
    return max(scores, key=lambda a: (scores[a], a == _STATEMENT_AUDIENCE.get(qs)))


def _key_sentence(text: str) -> str | None:
    """The sentence of a passage that states the concern (short enough to read aloud)."""
    candidates = [s.strip(" -•") for s in sentences(text) if 8 <= len(s.split()) <= 45]
    if not candidates:
        return None
    concerned = [s for s in candidates if _CONCERN.search(s)]
    return (concerned or candidates)[0]
