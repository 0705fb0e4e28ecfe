"""Challenge questions: questions made from the evidence's own areas for improvement, drawn
beside the bank's (prep_bot/framework/questions.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from prep_bot.evidence.figures import sentences
from prep_bot.evidence.passage import Passage
from prep_bot.evidence.provenance import display_date, is_dated
from prep_bot.framework.questions import CHALLENGE_PREFIX, Question

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
