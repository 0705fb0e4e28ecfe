"""The evidence: searching the council's passages (with the figures in them), asking them a
question in words, and the printable briefing pack made from them."""

from __future__ import annotations

from prep_bot.errors import InputError
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prep_bot.app.policy import Action, Policy
from prep_bot.people.identity import Identity

if TYPE_CHECKING:
    from prep_bot.coaching.coach import Coach, DataCard
    from prep_bot.infra.embeddings import Embedder
    from prep_bot.coaching.rubric import Rubric
    from prep_bot.evidence.passage import SearchHit
    from prep_bot.framework.statements import Framework
    from prep_bot.framework.questions import QuestionBank

MAX_QUERY = 2000  # characters of a search or a question
FIGURES_SHOWN = 8


@dataclass
class Found:
    """The passages that answer a search best, and (when asked for) the figures in them."""

    hits: list[SearchHit]
    figures: list[DataCard]


class Evidence:
    """The evidence use case: search, ask, briefing pack."""

    def __init__(self, policy: Policy, store, advisor, framework: Framework, rubric: Rubric, bank: QuestionBank,
                 coach: Coach, embedder: Embedder, stories=None) -> None:
        """``store``: the evidence store; ``advisor``: the council's language model (answers in
        words when it is set up, the best passages otherwise); ``coach`` reads which figures are
        performance figures, nearest the query (``embedder``) first."""
        self.policy = policy
        self.store = store
        self.advisor = advisor
        self.coach = coach
        self.embedder = embedder
        self.framework = framework
        self.rubric = rubric
        self.bank = bank
        self.stories = stories  # the council's agreed story per statement, for the briefing pack

    def search(self, who: Identity, query: str, k: int = 5, qs: str | None = None, polarity: str | None = None,
               doc_type: str | None = None, council: str | None = None, mode: str = "hybrid",
               longest: int | None = MAX_QUERY, figures: bool = True) -> Found:
        """The ``k`` passages that answer ``query`` best, with the figures in them when asked for
        (the council's own performance figures, nearest the query first). ``council``: whose
        documents (default: the home council's and those naming none; "all"; "elsewhere").
        ``longest``: the most characters taken (the page's limit; None: any length, as the
        command line takes a pasted document)."""
        self.policy.ensure(who, Action.SEARCH_EVIDENCE)
        if not query or not query.strip():
            raise InputError("Type a question or some words to search the evidence for.")
        if longest is not None and len(query) > longest:
            raise InputError(f"That is too long for a search: use up to {longest:,} characters.")
        hits = self.store.search(query, k=int(k), qs=qs, polarity=polarity, doc_type=doc_type, council=council, mode=mode)
        if not figures:
            return Found(hits, [])
        from prep_bot.coaching.coach import Coach

        about = self.embedder.encode_cached([query])[0]
        return Found(hits, Coach.data_cards(hits, limit=FIGURES_SHOWN, reader=self.coach.claims.reader, about=about))

    def ask_stream(self, who: Identity, question: str, qs: str | None = None) -> Iterator:
        """An answer from the evidence as it is written (drafts as text, then the checked
        ``Answer``): in words from the council's model when set up, else the best passages."""
        self.policy.ensure(who, Action.SEARCH_EVIDENCE)
        question = (question or "").strip()
        if len(question) > MAX_QUERY:
            raise InputError("That is too long for a question: use up to 2,000 characters.")
        return self.advisor.ask_stream(question, qs)

    def ask(self, who: Identity, question: str, qs: str | None = None):
        """The checked ``Answer`` to a question about the evidence (`prep-bot ask`)."""
        self.policy.ensure(who, Action.SEARCH_EVIDENCE)
        return self.advisor.ask(question, qs)

    def briefing(self, who: Identity, qs: str | None = None, audience: str | None = None) -> str:
        """The printable briefing pack (HTML): per quality statement (all when ``qs`` is None) its
        key messages, figures, likely questions for ``audience`` (default: every audience) and
        what a good answer covers."""
        self.policy.ensure(who, Action.MAKE_BRIEFING)
        from prep_bot.practice.briefing import briefing_html

        return briefing_html(self.store, self.framework, self.rubric, self.bank, qs=qs, audience=audience, stories=self.stories)
