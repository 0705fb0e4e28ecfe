"""Practice: a likely question drawn for a person, their answer coached and saved, and the
coach's follow-up answered in turn. The Practice tab and `prep-bot questions` / `coach` use it.

Where a person is in their practice is a ``Session`` the page keeps between requests: the
question being answered, the questions asked so far, and, after an answer, the follow-up it
led to and the attempt that follow-up follows."""

from __future__ import annotations

from prep_bot.errors import InputError
import json
import random
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from prep_bot.app.policy import Action, Policy
from prep_bot.inputs import clean_text
from prep_bot.people.identity import Identity
from prep_bot.framework.questions import Question
from prep_bot.practice.questions import challenge_questions

if TYPE_CHECKING:
    from prep_bot.coaching.coach import Coach, Feedback
    from prep_bot.evidence.passage import SearchHit
    from prep_bot.framework.statements import Framework
    from prep_bot.infra.config import Settings
    from prep_bot.practice.attempts import Attempt, AttemptLog
    from prep_bot.framework.questions import QuestionBank
    from prep_bot.speech.transcription import Transcript

MIX = "mix"
WEAKEST = "my weakest"
ASKED_KEPT = 200  # questions remembered per session, so a long sitting does not repeat itself
# Who a signed-in person practises as until they choose otherwise.
ROLE_AUDIENCE = {"staff": "frontline", "manager": "team-manager", "lead": "senior-leader"}
# Other councils' findings on a question's subject, by kind of report, and who made them.
ELSEWHERE_FROM = (("cqc-assessment", "CQC"), ("peer-challenge", "peer teams"))
ELSEWHERE_SHOWN = 3
SHOWN_KEPT_CHARS = 1_000_000  # a longer conversation is kept without its oldest turns (the question stays)


def audience_for(who: Identity, chosen: str) -> str:
    """The audience a person practises as when the page opens: their role's, when signed in."""
    return ROLE_AUDIENCE.get(who.role, chosen) if who.authenticated else chosen


@dataclass
class Session:
    """Where a person is in their practice, kept by the page between requests."""

    question_id: str | None = None
    asked: list[str] = field(default_factory=list)
    probe: str | None = None  # the coach's follow-up now being answered, if any
    follows: int | None = None  # the attempt that follow-up follows (a reply is a turn of it)
    last: int | None = None  # the last score on the question itself ("+5 since your last try")
    turns: list[str] = field(default_factory=list)  # the attempt's answer and replies so far

    @classmethod
    def of(cls, state: dict | None) -> Session:
        state = state or {}
        known = {k: state[k] for k in cls.__dataclass_fields__ if k in state}
        return cls(**{**known, "asked": list(known.get("asked") or []), "turns": list(known.get("turns") or [])})

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def answering(self) -> str | None:
        """A key naming what is being answered now (the question, or its follow-up), so that a
        recording made for one is never used for another."""
        return f"{self.question_id}|{self.probe or ''}" if self.question_id else None


@dataclass
class Drawn:
    """A question drawn for a person, with what other councils were told about its subject."""

    session: Session
    question: Question
    elsewhere: list[SearchHit]
    elsewhere_from: str  # who made those findings ("CQC", "peer teams"), "" when none


@dataclass
class Turn:
    """One answer, coached and saved."""

    session: Session
    question: Question  # as asked: a follow-up's text when it answered one
    feedback: Feedback
    attempt: Attempt
    previous: int | None  # the score of the last try at the same question (None for a follow-up)
    said: str = ""  # this turn's own words (the attempt holds every turn of it)


@dataclass
class Resumed:
    """Where a person left off in the Practice room: the question (with what other councils were
    told about it), the conversation as it was shown, and the audience and statement chosen."""

    drawn: Drawn
    shown: list
    audience: str
    choice: str


def save_attempt(attempts: AttemptLog, who: Identity, audience: str, question: Question, answer: str,
                 feedback: Feedback, delivery: dict | None = None, follows: int | None = None) -> Attempt:
    """The saved record of one coached answer (Practice and the mock interview write the same)."""
    return attempts.add(
        user=who.name, team=who.team, audience=audience, qs=question.qs, question_id=question.id,
        question=question.text, answer=answer, score=feedback.score,
        dimensions={d.name: d.score for d in feedback.dimensions},
        claims=[{"text": c.text, "status": c.status} for c in feedback.claims], feedback=feedback.to_dict(),
        delivery=delivery, follows=follows,
    )


class Practice:
    """The practice use case."""

    def __init__(self, policy: Policy, framework: Framework, bank: QuestionBank, coach: Coach, attempts: AttemptLog,
                 store, advisor, transcriber, settings: Settings, stories=None, working=None) -> None:
        """``store``: the evidence store (challenge questions, other councils' findings);
        ``advisor``: the council's language model (its help under a reply); ``settings``: how old
        evidence may be for a challenge question, and whether recordings are kept; ``working``:
        where each account is, kept on the server (practice/working.py; None: nothing kept)."""
        self.policy = policy
        self.framework = framework
        self.bank = bank
        self.coach = coach
        self.attempts = attempts
        self.store = store
        self.advisor = advisor
        self.transcriber = transcriber
        self.settings = settings
        self.stories = stories  # the council's agreed story per statement (story/book.py)
        self.working = working
        self._challenges: dict[int, list[Question]] = {}
        self._lock = threading.Lock()

    # -- questions -----------------------------------------------------------------------------
    def calls_for_a_question(self, who: Identity, audience: str, choice: str, drawn_for: list | None) -> bool:
        """Whether "I am" and the statement now differ from what the question on screen was drawn
        for (``drawn_for``: [audience, choice]); the same means the page set them to match it."""
        self.policy.ensure(who, Action.PRACTISE)
        return list(drawn_for or []) != [audience, choice]

    def draw(self, who: Identity, audience: str, choice: str, with_challenges: bool = False,
             session: Session | None = None) -> Drawn:
        """The next question for ``who``: for one quality statement, all of them (``MIX``) or
        their weakest so far (``WEAKEST``: statements never practised count as weakest, and
        questions they have not tried come first), with challenge questions from the evidence
        when asked (at most one in four)."""
        self.policy.ensure(who, Action.PRACTISE)
        session = session or Session()
        wanted = self._statements(who, choice)
        avoid = list(session.asked)
        if choice == WEAKEST:
            avoid += [a.question_id for a in self.attempts.list(user=who.name)]
        question = self.bank.pick(
            wanted, audience=audience, exclude=avoid, extra=self._challenge_pool() if with_challenges else (),
            recent=session.asked,
        )
        if question is None:
            raise InputError("No question matches those choices; pick another audience or statement.")
        asked = Session(question.id, [*session.asked, question.id][-ASKED_KEPT:])
        hits, source = self._elsewhere(question)
        return Drawn(asked, question, hits, source)

    def again(self, who: Identity, session: Session) -> tuple[Session, Question]:
        """The same question once more (its follow-up put aside)."""
        self.policy.ensure(who, Action.PRACTISE)
        question = self._find(session.question_id)
        if question is None:
            raise InputError("There is no question to try again yet: press “Next question” to get one.")
        return Session(session.question_id, list(session.asked), None, None, session.last, []), question

    def questions(self, who: Identity, qs: str | None = None, audience: str | None = None,
                  challenges: bool = False) -> list[Question]:
        """The likely questions for a statement and audience, and challenge questions made from
        the evidence's areas to improve when asked."""
        self.policy.ensure(who, Action.PRACTISE)
        chosen = self.bank.select(qs=qs, audience=audience)
        if challenges:
            chosen += [q for q in self._challenge_pool() if (not qs or q.qs == qs) and (not audience or q.audience == audience)]
        return chosen

    # -- answers -------------------------------------------------------------------------------
    def respond(self, who: Identity, session: Session, text: str, audience: str, delivery: dict | None = None) -> Turn:
        """The person's answer to what they are being asked now: the question, or the coach's
        follow-up to their last answer."""
        self.policy.ensure(who, Action.PRACTISE)
        if session.probe:
            return self.follow_up(who, session, text, audience, delivery)
        return self.answer(who, session, text, audience, delivery)

    def answer(self, who: Identity, session: Session, text: str, audience: str, delivery: dict | None = None) -> Turn:
        """An answer to the question itself, coached and saved."""
        self.policy.ensure(who, Action.PRACTISE)
        question = self._question(session)
        text = clean_text(text)  # a lone surrogate from the browser would fail to save
        feedback = self.coach.coach(question.qs, question, text)
        saved = save_attempt(self.attempts, who, audience, question, text, feedback, delivery)
        after = Session(session.question_id, list(session.asked), feedback.follow_up, saved.id, feedback.score, [text])
        return Turn(after, question, feedback, saved, session.last, text)

    def follow_up(self, who: Identity, session: Session, text: str, audience: str, delivery: dict | None = None) -> Turn:
        """A reply to the coach's follow-up: coached with the answer it follows (one score for the
        whole answer, and what the reply added) and kept as a turn of the same attempt."""
        self.policy.ensure(who, Action.PRACTISE)
        question = self._question(session)
        if not session.probe:
            raise InputError("There is no follow-up to answer: answer the question first.")
        earlier = self.attempts.get(session.follows) if session.follows is not None else None
        if earlier is not None:
            self.policy.ensure(who, Action.CONTINUE_ATTEMPT, earlier)
        before = list(session.turns) or (earlier.answers if earlier is not None else [])
        text = clean_text(text)
        feedback = self.coach.coach(question.qs, question, text, earlier=before)
        scored = dict(score=feedback.score, dimensions={d.name: d.score for d in feedback.dimensions},
                      claims=[{"text": c.text, "status": c.status} for c in feedback.claims],
                      feedback=feedback.to_dict(), delivery=delivery)
        saved = self.attempts.add_turn(earlier.id, question=session.probe, answer=text, **scored) if earlier else None
        if saved is None:  # the attempt it follows is gone: the whole conversation is saved anew
            saved = save_attempt(self.attempts, who, audience, question, "\n\n".join([*before, text]), feedback, delivery)
        after = Session(session.question_id, list(session.asked), feedback.follow_up, saved.id, session.last, [*before, text])
        asked = Question(question.id, question.qs, question.audience, session.probe, question.probes, question.looks_for)
        return Turn(after, asked, feedback, saved, None, text)

    def coach_once(self, who: Identity, qs: str, question: str, answer: str, earlier: list[str] | None = None) -> Feedback:
        """Feedback on one answer to any question, not saved (`prep-bot coach`); with ``earlier``
        (the answers it follows, oldest first) the conversation is coached as one answer."""
        self.policy.ensure(who, Action.PRACTISE)
        return self.coach.coach(qs, question, answer, earlier=earlier)

    # -- where the person is, kept on the server -------------------------------------------------
    def keep(self, who: Identity, session: Session, shown: list, audience: str | None = None,
             choice: str | None = None) -> None:
        """Keep where ``who`` is: the question, the conversation as shown (its oldest turns
        dropped when it grows very long), and the audience and statement chosen (None: as kept
        before), so a reload or a dropped connection brings them back. Signed-in accounts only:
        nameless local practice has no account to keep it for."""
        self.policy.ensure(who, Action.PRACTISE)
        if self.working is None or not who.authenticated or not session.question_id:
            return
        if audience is None or choice is None:
            before = self.working.load(who.name, "practice") or {}
            audience = before.get("audience", "") if audience is None else audience
            choice = before.get("choice", "") if choice is None else choice
        shown = json.loads(json.dumps(list(shown or []), default=str))  # plain JSON, whatever the page sent
        while len(shown) > 1 and len(json.dumps(shown)) > SHOWN_KEPT_CHARS:
            del shown[1]
        kept = {"session": session.to_dict(), "shown": shown, "audience": audience, "choice": choice}
        self.working.save(who.name, "practice", kept)

    def resume(self, who: Identity) -> Resumed | None:
        """Where ``who`` left off in the Practice room; None when nothing is kept, or its question
        is no longer in the bank (a new one is drawn then)."""
        self.policy.ensure(who, Action.PRACTISE)
        if self.working is None or not who.authenticated:
            return None
        kept = self.working.load(who.name, "practice") or {}
        session = Session.of(kept.get("session") if isinstance(kept.get("session"), dict) else None)
        question = self._find(session.question_id)
        shown = kept.get("shown")
        if question is None or not isinstance(shown, list) or not shown:
            return None
        hits, source = self._elsewhere(question)
        return Resumed(Drawn(session, question, hits, source), shown, str(kept.get("audience") or question.audience),
                       str(kept.get("choice") or MIX))

    # -- the language model's help, and spoken answers ------------------------------------------
    def model_help(self, who: Identity, feedback: Feedback | None, answer: str) -> Iterator:
        """The council's model's note and stronger answer for a coached answer, streamed: its
        draft as text, then the checked ``CoachHelp``. Nothing when no model is set up (or no
        answer is waiting for help)."""
        self.policy.ensure(who, Action.PRACTISE)
        if feedback is None or not self.advisor.configured:
            return iter(())
        return self.advisor.coach_stream(feedback, answer)

    def keep_model_help(self, who: Identity, attempt_id: int, help_: dict) -> bool:
        """Keep the model's checked help with the person's own saved attempt (shown when it is
        read again). False when the attempt is gone."""
        self.policy.ensure(who, Action.PRACTISE)
        attempt = self.attempts.get(attempt_id)
        if attempt is None:
            return False
        self.policy.ensure(who, Action.CONTINUE_ATTEMPT, attempt)
        return self.attempts.add_model_help(attempt.id, help_)

    def transcribe(self, who: Identity, path: Path | str | None, keep_file: bool = False) -> Transcript:
        """A recorded answer in words, with how it was said. The recording is then deleted (or
        kept in the recordings folder when that is set up), unless ``keep_file``: a file of the
        person's own, given on the command line."""
        self.policy.ensure(who, Action.PRACTISE)
        from prep_bot.speech.transcription import AudioError, dispose

        if not path:
            raise AudioError("No recording arrived: record your answer or choose a file again.")
        try:
            return self.transcriber.transcribe(Path(path))
        finally:
            if not keep_file:  # deleted, or with PREP_BOT_KEEP_AUDIO=1 kept in the recordings folder
                dispose(Path(path), self.settings.recordings_dir if self.settings.keep_audio else None)

    def study_card(self, who: Identity, session: Session) -> dict:
        """The agreed story of the statement being practised as a study card for ``who``'s role:
        ``{"title", "card"}``, the card None when no story is approved for it; ``{}`` before a
        question is asked."""
        self.policy.ensure(who, Action.PRACTISE)
        question = self._find(session.question_id)
        if question is None or not question.qs or self.stories is None:
            return {}
        from prep_bot.story.card import study_card

        title = self.framework.qs(question.qs).title
        version = self.stories.current(question.qs)
        return {"title": title, "card": study_card(version, title, who.role, self.bank) if version else None}

    # -- inside ----------------------------------------------------------------------------------
    def _statements(self, who: Identity, choice: str) -> str | list[str]:
        slugs = [q.slug for q in self.framework.quality_statements]
        if choice == MIX:
            return slugs
        if choice == WEAKEST:
            means = self.attempts.mean_by_qs(user=who.name)
            return min(slugs, key=lambda s: (means.get(s, -1.0), random.random()))
        return choice

    def _challenge_pool(self) -> list[Question]:
        """Challenge questions from the evidence's areas to improve, made again when it changes."""
        generation = self.store.catalog.generation
        with self._lock:
            pool = self._challenges.get(generation)
        if pool is None:
            pool = challenge_questions(self.store.passages(polarity="improvement"), self.settings.stale_years)
            with self._lock:
                self._challenges = {generation: pool}
        return pool

    def _find(self, question_id: str | None) -> Question | None:
        if not question_id:
            return None
        return self.bank.get(question_id) or next((q for q in self._challenge_pool() if q.id == question_id), None)

    def _question(self, session: Session) -> Question:
        question = self._find(session.question_id)
        if question is None:
            raise InputError("There is no question to answer yet: press “Next question” to get one.")
        return question

    def _elsewhere(self, question: Question) -> tuple[list[SearchHit], str]:
        """Other councils' findings on the question's subject (none without a home council)."""
        from prep_bot.evidence.store import ELSEWHERE

        if not self.store.home_council:
            return [], ""
        for doc_type, source in ELSEWHERE_FROM:
            hits = self.store.search(question.text, k=ELSEWHERE_SHOWN, qs=question.qs, council=ELSEWHERE, doc_type=doc_type)
            if hits:
                return hits, source
        return [], ""
