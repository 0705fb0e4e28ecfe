"""The composition root: builds every service from the settings, once."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from prep_bot.infra.config import Settings
from prep_bot.infra.embeddings import Embedder
from prep_bot.framework.statements import Framework, load_framework


class Services:
    """Every part, built from the settings at first use. A part can be given instead of built
    (``Services(settings, embedder=loaded)``): processes that hold several data dirs at once
    (the benchmark, the tests) share one loaded model that way."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None) -> None:
        self.settings = settings
        if embedder is not None:
            self.embedder = embedder  # takes the place of the built one (a cached_property)

    def __repr__(self) -> str:
        return f"Services(data_dir={self.settings.data_dir!s})"

    @cached_property
    def framework(self) -> Framework:
        return load_framework(self.settings.framework_file)

    @cached_property
    def cache(self):
        """Embeddings and computed results kept on disk in the data dir (see vector_cache)."""
        from prep_bot.infra.vector_cache import VectorCache

        return VectorCache(self.settings.cache_path)

    @cached_property
    def embedder(self) -> Embedder:
        return Embedder(
            self.settings.model_path, batch_size=self.settings.embed_batch_size, threads=self.settings.torch_threads,
            disk=self.cache, onnx_dir=self.settings.onnx_dir, backend=self.settings.embed_backend,
        )

    @cached_property
    def glossary(self):
        from prep_bot.framework.glossary import Glossary

        return Glossary.load(self.settings.knowledge_dir / "glossary.yaml")

    @cached_property
    def store(self):
        from prep_bot.evidence.store import EvidenceStore

        return EvidenceStore(self.settings, self.embedder, lambda: self.glossary)  # loaded at the first search

    @cached_property
    def rubric(self):
        from prep_bot.coaching.rubric import load_rubric

        return load_rubric(self.settings.knowledge_dir / "rubric.yaml")

    @cached_property
    def questions(self):
        from prep_bot.framework.questions import QuestionBank

        return QuestionBank.load(self.settings.knowledge_dir / "questions")

    @cached_property
    def coach(self):
        from prep_bot.coaching.coach import Coach

        return Coach(self.store, self.framework, self.rubric, self.questions, cache=self.cache, reviewers=(self.story_check,))

    @cached_property
    def stories(self):
        """The council's agreed story per statement, every version (beside the attempts)."""
        from prep_bot.story.book import StoryBook

        return StoryBook(self.attempts.engine)

    @cached_property
    def working(self):
        """Where each account is in its practice, kept on the server (beside the attempts)."""
        from prep_bot.practice.working import WorkingState

        return WorkingState(self.attempts.engine)

    @cached_property
    def story_check(self):
        """Answers against the agreed story: on message, agreed figures, hidden areas to improve."""
        from prep_bot.story.rehearsal import StoryCheck

        return StoryCheck(self.stories, self.embedder)

    @cached_property
    def advisor(self):
        """The council's language model behind the guardrails (off unless PREP_BOT_LLM_URL is set)."""
        from prep_bot.llm.advisor import Advisor

        return Advisor(self.settings, self.store, self.framework, self.coach.claims)

    @cached_property
    def transcriber(self):
        """Speech to text for spoken answers; the model loads at the first recording."""
        from prep_bot.speech.terms import TermSpeller
        from prep_bot.speech.transcription import Transcriber

        return Transcriber(self.settings.stt_model_path, self.settings.max_audio_s, terms=TermSpeller(self.glossary))

    @cached_property
    def attempts(self):
        from prep_bot.practice.attempts import AttemptLog

        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        return AttemptLog(self.settings.attempts_url)

    @cached_property
    def users(self):
        from prep_bot.people.accounts import UserStore

        return UserStore(self.attempts)  # the users table lives beside the attempts

    @cached_property
    def insights(self):
        from prep_bot.practice.insights import Insights

        from prep_bot.story.team import StoryViews

        return Insights(self.store, self.framework, self.questions, self.attempts, self.embedder, cache=self.cache,
                        stories=StoryViews(self.story_check))

    @cached_property
    def ingestor(self):
        from prep_bot.evidence.ingest import Ingestor

        return Ingestor(self.store, self.framework, self.settings.max_file_mb, self.settings.chunk_tokens)

    # -- the use cases (prep_bot/app), each with what it needs and the one permission policy -----
    # Each part is handed over as ``Later``: built the first time the use case touches it, so a
    # command builds only what it uses (`prep-bot search` opens no accounts database).
    def _later(self, name: str) -> Later:
        return Later(lambda: getattr(self, name))

    @cached_property
    def policy(self):
        from prep_bot.app.policy import Policy

        return Policy(self._later("users"))

    @cached_property
    def practice(self):
        from prep_bot.app.practice import Practice

        parts = (self._later(n) for n in ("framework", "questions", "coach", "attempts", "store", "advisor", "transcriber"))
        return Practice(self.policy, *parts, self.settings, self._later("stories"), self._later("working"))

    @cached_property
    def interview(self):
        from prep_bot.app.interview import MockInterview

        return MockInterview(self.policy, *(self._later(n) for n in ("framework", "questions", "coach", "attempts", "working")))

    @cached_property
    def progress(self):
        from prep_bot.app.progress import Progress

        return Progress(self.policy, *(self._later(n) for n in ("attempts", "framework", "questions", "rubric")))

    @cached_property
    def team_story(self):
        from prep_bot.app.team import TeamStory

        return TeamStory(self.policy, *(self._later(n) for n in ("attempts", "insights", "advisor")))

    @cached_property
    def agreed_story(self):
        from prep_bot.app.story import AgreedStory

        return AgreedStory(self.policy, *(self._later(n) for n in ("stories", "framework", "store", "questions")))

    @cached_property
    def readiness(self):
        from prep_bot.app.readiness import Readiness

        return Readiness(self.policy, self._later("insights"))

    @cached_property
    def library(self):
        from prep_bot.app.library import Library

        return Library(self.policy, *(self._later(n) for n in ("store", "ingestor", "framework")), self.settings.data_dir,
                       shared_database=self.settings.shared_database)

    @cached_property
    def evidence(self):
        from prep_bot.app.evidence import Evidence

        parts = ("store", "advisor", "framework", "rubric", "questions", "coach", "embedder", "stories")
        return Evidence(self.policy, *(self._later(n) for n in parts))

    @cached_property
    def accounts(self):
        from prep_bot.app.accounts import Accounts

        return Accounts(self.policy, *(self._later(n) for n in ("users", "attempts", "cache")))

    @cached_property
    def transfer(self):
        from prep_bot.app.transfer import StoreTransfer

        return StoreTransfer(self.policy, self.settings, self._later("store"), self._later("attempts"))

    def close(self) -> None:
        """Close the databases this instance opened (nothing is opened just to close it)."""
        if "attempts" in self.__dict__:
            self.attempts.close()
        if "store" in self.__dict__:
            self.store.close()
        if "cache" in self.__dict__:
            self.cache.close()


class Later:
    """A part of the services, built the first time it is used and then used as itself (every
    attribute is the part's). Nothing else: isinstance and equality see the stand-in."""

    __slots__ = ("_build", "_part")

    def __init__(self, build: Callable[[], object]) -> None:
        self._build = build
        self._part = None

    def __getattr__(self, name: str):
        if self._part is None:
            self._part = self._build()
        return getattr(self._part, name)


def build_services(settings: Settings | None = None, *, embedder: Embedder | None = None) -> Services:
    return Services(settings or Settings(), embedder=embedder)
