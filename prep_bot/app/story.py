"""The agreed story use case: a lead opens a statement's story (the newest version, or a draft
from the evidence when there is none), edits it and saves it as a new version, approved or as a
draft, with who and when. The "Our story" room and `prep-bot story set` both come here; the
permission policy decides who may (leads, and the local person without accounts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prep_bot.app.policy import Action, Policy
from prep_bot.people.identity import ANONYMOUS, Identity
from prep_bot.framework.vocab import QS_SLUGS
from prep_bot.story.model import APPROVED, DRAFT, Story, StoryError, StoryVersion, from_dict

if TYPE_CHECKING:
    from prep_bot.story.book import StoryBook

HISTORY_SHOWN = 12  # the newest versions the room lists (the CLI's `story history` has them all)


@dataclass
class Room:
    """One statement's story as a lead opens it."""

    qs: str
    title: str
    story: Story  # what the editor starts from: the newest version, else a draft from the evidence
    latest: StoryVersion | None  # the newest saved version (approved or not)
    current: StoryVersion | None  # the approved version people rehearse against
    history: list[tuple[StoryVersion, list[str]]] = field(default_factory=list)  # newest first, with what changed
    drafted: bool = False  # ``story`` was drafted from the evidence just now (nothing saved yet)


@dataclass
class Saved:
    """What a save did: the version (None when nothing changed) and the room after it."""

    version: StoryVersion | None
    room: Room


class AgreedStory:
    """Drafting, editing and approving the council's story per quality statement (leads)."""

    def __init__(self, policy: Policy, book: StoryBook, framework, store, questions) -> None:
        self.policy = policy
        self.book = book
        self.framework = framework
        self.store = store
        self.questions = questions

    def room(self, who: Identity, qs: str) -> Room:
        """The statement's story to edit, its approved version and its history."""
        self.policy.ensure(who, Action.AGREE_STORY)
        return self._room(qs)

    def save(self, who: Identity, qs: str, data: object, approve: bool = False) -> Saved:
        """Keep ``data`` (a story as plain data, as `story show --json` prints it) as the next
        version, saved by ``who``; approved with ``approve`` (else with the status it says). The
        story is refused, field by field, before anything is saved (StoryError); an unchanged
        story saves nothing."""
        self.policy.ensure(who, Action.AGREE_STORY)
        if who.name == ANONYMOUS and not who.authenticated:
            raise StoryError("Type your name in “Your name” first: each version of the story keeps who saved it.")
        if approve:
            if isinstance(data, dict):
                data = {**data, "status": APPROVED}
            elif isinstance(data, list):
                data = [{**d, "status": APPROVED} if isinstance(d, dict) and d.get("qs") == qs else d for d in data]
        story = from_dict(data, self._slug(qs))
        latest = self.book.latest(qs)
        if latest is not None and latest.story == story:
            return Saved(None, self._room(qs))
        saved = self.book.save(story, who.name)
        return Saved(saved, self._room(qs))

    # -- inside ----------------------------------------------------------------------------------
    def _slug(self, qs: str) -> str:
        if qs not in QS_SLUGS:
            raise StoryError(f"{qs!r} is not a quality statement; choose one of {', '.join(QS_SLUGS)}")
        return qs

    def _room(self, qs: str) -> Room:
        from prep_bot.story.changes import changes

        title = self.framework.qs(self._slug(qs)).title
        versions = self.book.history(qs)
        latest = versions[-1] if versions else None
        current = next((v for v in reversed(versions) if v.approved), None)
        history, previous = [], None
        for v in versions:
            history.append((v, changes(previous.story if previous else None, v.story)))
            previous = v
        history = history[::-1][:HISTORY_SHOWN]
        if latest is not None:
            return Room(qs, title, latest.story, latest, current, history)
        return Room(qs, title, self._draft(qs), None, None, history, drafted=True)

    def _draft(self, qs: str) -> Story:
        """A first draft from the home council's evidence (empty when the library is)."""
        if self.store.is_empty():
            return Story(qs, status=DRAFT)
        from prep_bot.story.draft import draft_story

        return draft_story(self.store, self.questions, qs)
