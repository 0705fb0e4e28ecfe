"""Lines of enquiry: the mock interview picks each next question from what the answers so far
left open, as an inspector does, within the time the person set, and says why it asks.

After each answer, in this order, the first that applies:
1. a figure the evidence contradicts, or that differs from the council's agreed figure;
2. an agreed area to improve the answer hid ("You said there are no waits. Your council's own
   story says...");
3. a claim of change or result with nothing behind it ("You said waiting times have improved;
   how do you know?"), or a figure the evidence does not hold;
4. the answer's weakest part, when it scored low (the rubric's probe for it);
then, once a line has been followed up (one follow-up per opening question), the statement
answered worst so far is revisited from another question (once per statement), else a statement
not yet asked about is opened. The interview ends when the time left cannot hold another answer."""

from __future__ import annotations

from prep_bot.errors import InputError
import random
import re

from prep_bot.interview.turns import NextQuestion, Turn

WEAK_DIMENSION = 40  # a part of an answer scoring below this is followed up
WEAK_STATEMENT = 50  # a statement whose answers average below this is revisited
MIN_ANSWER_S = 60.0  # the least time an answer needs: less left ends the interview
DEFAULT_ANSWER_S = 120.0  # expected time of an answer before any has been timed
MAX_QUOTE_WORDS = 22
_PRONOUNS = {
    "we": "you", "we're": "you're", "we've": "you've", "we'd": "you'd", "we'll": "you'll", "our": "your",
    "ours": "yours", "us": "you", "i": "you", "i'm": "you're", "i've": "you've", "i'd": "you'd", "i'll": "you'll",
    "my": "your", "mine": "yours", "me": "you", "ourselves": "yourselves", "myself": "yourself",
}


def as_said_to_them(sentence: str) -> str:
    """A sentence of the answer put back to its speaker: "we have cut waits" -> "you have cut
    waits", shortened to its first clause when long."""
    text = sentence.strip().rstrip(".!?;:")
    words = text.split()
    if len(words) > MAX_QUOTE_WORDS:
        first = re.split(r"[,;:]|\s(?:and|but|which|because)\s", text)[0]
        text = first if len(first.split()) >= 4 else " ".join(words[:MAX_QUOTE_WORDS]) + "…"
    swapped = [_swap(w) for w in text.split()]
    out = " ".join(swapped)
    return out[:1].lower() + out[1:] if not out[:2].isupper() else out


def _swap(word: str) -> str:
    core = word.strip(",.;:!?\"'“”‘’()").replace("’", "'")
    replacement = _PRONOUNS.get(core.lower())
    if replacement is None:
        return word
    if core[:1].isupper() and core.lower() not in ("i", "i'm", "i've", "i'd", "i'll"):  # "I" is always a capital
        replacement = replacement.capitalize()
    return word.replace(core, replacement) if core in word else word.replace(core.replace("'", "’"), replacement)


class LinesOfEnquiry:
    """Chooses the questions of one mock interview. ``minutes``: the time box the person set;
    ``audience``: whose questions to ask (None: any)."""

    def __init__(self, bank, framework, rubric, minutes: float, audience: str | None = None,
                 rng: random.Random | None = None) -> None:
        if not 1 <= float(minutes) <= 120:
            raise InputError("Set the interview between 1 and 120 minutes.")
        self.bank = bank
        self.framework = framework
        self.rubric = rubric
        self.limit_s = float(minutes) * 60
        self.audience = audience
        self.rng = rng or random.Random()

    # -- the first and each next question ---------------------------------------------------------
    def first(self) -> NextQuestion:
        return self._open_statement([], "The first question: a statement picked at random, as an inspector may start anywhere.")

    def next(self, turns: list[Turn], elapsed_s: float) -> NextQuestion | None:
        """The next question, or None when the time left cannot hold another answer."""
        if self.limit_s - elapsed_s < self._answer_time(turns):
            return None
        if turns:
            last_index = len(turns) - 1
            opening = last_index if turns[-1].follows is None else None
            if opening is not None:
                found = self._follow_up(turns[-1], last_index)
                if found is not None:
                    return found
        revisit = self._revisit(turns)
        if revisit is not None:
            return revisit
        return self._open_statement(turns, "A statement not asked about yet, to cover the framework.")

    def _answer_time(self, turns: list[Turn]) -> float:
        timed = [t.seconds for t in turns if t.seconds > 0]
        expected = sum(timed) / len(timed) if timed else DEFAULT_ANSWER_S
        return max(MIN_ANSWER_S, min(expected, DEFAULT_ANSWER_S * 2))

    # -- following a line -----------------------------------------------------------------------
    def _follow_up(self, turn: Turn, index: int) -> NextQuestion | None:
        title = self.framework.qs(turn.qs).title
        for claim in turn.claims:
            if claim.status == "contradicted" and claim.evidence:
                says = claim.evidence.get("figure") or "something else"
                where = claim.evidence.get("title") or "the evidence"
                return NextQuestion(
                    f"You said {claim.text}; {where} says {says}. Which figure is right, and where does yours come from?",
                    turn.qs, "figure", f"A figure in your answer on {title} differs from the evidence.", index,
                )
        story = turn.on_message or {}
        for conflict in story.get("figure_conflicts", []):
            return NextQuestion(
                f"You said {conflict['said']}; the figure your council has agreed to use is {conflict['agreed']}. "
                "Which would you stand behind, and why?",
                turn.qs, "figure", f"A figure in your answer on {title} differs from the council's agreed figure.", index,
            )
        for hidden in story.get("hidden", []):
            return NextQuestion(
                f"You said {as_said_to_them(hidden['sentence'])}. Your council's own story says: “{hidden['area']}” "
                "What is the picture now, and what is being done?",
                turn.qs, "hidden-gap", f"Your answer on {title} left out an area the council has agreed to improve.", index,
            )
        unsupported = turn.unsupported()
        if unsupported:
            return NextQuestion(
                f"You said {as_said_to_them(unsupported[0])}; how do you know?",
                turn.qs, "unsupported", f"Your answer on {title} claimed a change with nothing to show for it.", index,
            )
        for claim in turn.claims:
            if claim.status == "unverified":
                return NextQuestion(
                    f"You said {claim.text}. Where does that figure come from, and how does it compare with England?",
                    turn.qs, "unverified", f"A figure in your answer on {title} is not in the evidence.", index,
                )
        weak = [(score, name) for name, score in turn.dimensions.items() if score < WEAK_DIMENSION]
        if weak:
            score, name = min(weak)
            dimension = self.rubric.dimension(name)
            return NextQuestion(
                self._probe(turn, name), turn.qs, "dimension",
                f"Your answer on {title} scored {score} on {dimension.label.lower()}.", index,
            )
        return None

    def _probe(self, turn: Turn, dimension: str) -> str:
        """The bank question's own follow-up about this part, else the rubric's probe for it."""
        question = self.bank.get(turn.question_id) if turn.question_id else None
        words = {"outcome": ("differen", "outcome", "changed"), "data": ("know", "data", "figure", "compare"),
                 "example": ("example", "person", "tell me about"), "learning": ("improve", "next", "plan"),
                 "practice": ("step", "talk me through", "what do you do"), "focus": ("one thing",)}
        for probe in (question.probes if question else []):
            if any(w in probe.lower() for w in words.get(dimension, ())):
                return probe
        return self.rubric.dimension(dimension).probe

    # -- moving on ------------------------------------------------------------------------------
    def _revisit(self, turns: list[Turn]) -> NextQuestion | None:
        revisited = {t.qs for t in turns if t.kind == "revisit"}
        scores: dict[str, list[int]] = {}
        for t in turns:
            scores.setdefault(t.qs, []).append(t.score)
        weak = sorted(
            (sum(v) / len(v), qs) for qs, v in scores.items() if qs not in revisited and sum(v) / len(v) < WEAK_STATEMENT
        )
        asked = {t.question_id for t in turns if t.question_id}
        for mean, qs in weak:
            question = self._bank_question(qs, asked)
            if question is None:
                continue
            title = self.framework.qs(qs).title
            return NextQuestion(
                question.text, qs, "revisit",
                f"Your answers on {title} were the weakest so far (average {mean:.0f}): back to it from another angle.",
                None, question.id, tuple(question.looks_for),
            )
        return None

    def _open_statement(self, turns: list[Turn], why: str) -> NextQuestion:
        asked_statements = {t.qs for t in turns}
        asked = {t.question_id for t in turns if t.question_id}
        slugs = [q.slug for q in self.framework.quality_statements]
        fresh = [s for s in slugs if s not in asked_statements] or slugs
        self.rng.shuffle(fresh)
        for qs in fresh:
            question = self._bank_question(qs, asked)
            if question is not None:
                return NextQuestion(question.text, qs, "opening" if not turns else "new-statement", why, None,
                                    question.id, tuple(question.looks_for))
        raise InputError("The question bank has no questions for this audience.")

    def _bank_question(self, qs: str, asked: set[str]):
        pool = [q for q in self.bank.select(qs=qs) if not self.audience or q.audience in (self.audience, "any")]
        fresh = [q for q in pool if q.id not in asked]
        return self.rng.choice(fresh) if fresh else None
