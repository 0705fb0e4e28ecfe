"""Who may do what: the one permission policy, asked at the top of every use case.

The rules (SECURITY.md has them as a table, with the tests that prove each):

- Anyone signed in may practise (questions, answers, follow-ups, the mock interview, spoken
  answers), search and ask the evidence, make the briefing pack and see their own account and
  their own attempts.
- A **manager** may also see the attempts of the staff of their team, saved in that team, and
  that team's story: not a lead's attempts nor another manager's, even when their account
  names the same team, and nothing of another team.
- A **lead** may see everyone's attempts, every team's story and readiness, and look after
  the library: list, add and remove documents and correct a passage's tags; draft, edit and
  approve the council's agreed story (the "Our story" room, `prep-bot story set --by`); and
  manage accounts and move the whole store (on the command line, which runs as the local person).
- Only the person who gave an answer adds to it (a follow-up, the language model's help), lead
  or not.
- Without accounts (one person at this machine's keyboard, loopback only, or the command
  line run by whoever holds the data dir), the person asking may do everything.

A request without a sign-in is the local person only while no account exists (``identify``).
Every decision is logged at debug level on ``prep_bot.app.policy`` (who, what, yes or no:
never an answer or a passage).
"""

from __future__ import annotations

import logging
from enum import Enum
from typing import TYPE_CHECKING

from prep_bot.people.identity import AccessDenied, Identity, name_key

if TYPE_CHECKING:
    from prep_bot.people.accounts import UserStore
    from prep_bot.practice.attempts import Attempt

log = logging.getLogger(__name__)


class Action(str, Enum):
    """Everything the policy is asked about. The target each takes is in brackets."""

    PRACTISE = "practise"  # draw and answer questions, follow-ups, mock interview, spoken answers
    SEE_ACCOUNT = "see their own account"
    READ_ATTEMPT = "read an attempt"  # [an Attempt; none: "read some attempt at all"]
    CONTINUE_ATTEMPT = "add to an attempt"  # [an Attempt: a follow-up to it, the model's help kept with it]
    SEE_PERSON = "see a person's practice"  # [a name; none: "someone other than themselves"]
    SEE_TEAM = "see a team's practice and story"  # [a team; none: "any team at all"]
    SEE_READINESS = "see readiness"
    SEARCH_EVIDENCE = "search the evidence"
    MAKE_BRIEFING = "make the briefing pack"
    LIST_LIBRARY = "list the library"
    ADD_DOCUMENTS = "add documents"
    REMOVE_DOCUMENTS = "remove documents"
    CORRECT_TAGS = "correct a passage's tags"
    MANAGE_ACCOUNTS = "manage accounts"
    MOVE_STORE = "export or import the whole store"
    AGREE_STORY = "draft, edit and approve the agreed story"


EVERYONE = frozenset({Action.PRACTISE, Action.SEE_ACCOUNT, Action.SEARCH_EVIDENCE, Action.MAKE_BRIEFING})
LEADS_ONLY = {
    Action.SEE_READINESS: "readiness across the 9 quality statements is for leads",
    Action.LIST_LIBRARY: "the library's list of documents is for leads: ask your prep-bot lead what it holds",
    Action.ADD_DOCUMENTS: "adding documents to the library is for leads: ask your prep-bot lead to add them",
    Action.REMOVE_DOCUMENTS: "removing documents from the library is for leads: ask your prep-bot lead to remove it",
    Action.CORRECT_TAGS: "correcting tags is for leads: ask your prep-bot lead to correct this passage",
    Action.MANAGE_ACCOUNTS: "managing accounts is for leads",
    Action.MOVE_STORE: "exporting or importing the whole store is for leads",
}
STAFF_OWN = "staff can see their own attempts only"
STAFF_NO_TEAM = f"{STAFF_OWN}, not a team's: the team story is for managers and leads"
NO_TEAM = "a manager without a team can see no one's attempts"
OWN_ONLY = "only the person who gave an answer can add to it"
SIGN_IN_AGAIN = "accounts have been set up since prep-bot started: restart `prep-bot serve` to sign in"


def _team_only(team: str) -> str:
    return f"managers can see the attempts of their own team ({team}) only"


class Policy:
    """Answers "may this person do X (to Y)". ``users`` says who holds which role in which team
    (a manager's view depends on the role of the person whose attempt it is)."""

    def __init__(self, users: UserStore) -> None:
        self.users = users

    # -- who is asking -------------------------------------------------------------------------
    def identify(self, signed_in: str | None, typed_name: str | None = "", typed_team: str | None = "") -> Identity:
        """The identity of a request: the account signed in as ``signed_in``, else (only while no
        account exists) the local person with the name and team they typed. AccessDenied when a
        sign-in is needed and missing, or the account has been removed since."""
        if signed_in:
            user = self.users.get(signed_in)
            if user is None:
                raise AccessDenied(f"the account {signed_in!r} no longer exists: ask your prep-bot lead to add it again")
            return Identity.of(user)
        if self.users.count() > 0:
            # Accounts were added after this server started without sign-in: a typed name can no
            # longer be trusted. Restarting serves with sign-in.
            raise AccessDenied(SIGN_IN_AGAIN)
        return Identity.local(typed_name, typed_team)

    def named(self, name: str) -> Identity:
        """The person a command names (``prep-bot story set --by NAME``): their account, in its
        own spelling, once accounts exist; before that, the local person by that name.
        AccessDenied when accounts exist and none has that name."""
        name = " ".join((name or "").split())
        if self.users.count() == 0:
            return Identity.local(name, "")
        user = self.users.get(name)
        if user is None:
            raise AccessDenied(f"no account is named {name!r}: `prep-bot users list` shows who has one")
        return Identity.of(user)

    # -- the decisions -------------------------------------------------------------------------
    def may(self, who: Identity, action: Action, target=None) -> bool:
        """Whether ``who`` may do ``action`` (to ``target``)."""
        refusal = self._refusal(who, action, target)
        _log(who, action, target, refusal)
        return refusal is None

    def ensure(self, who: Identity, action: Action, target=None) -> None:
        """Raise AccessDenied, saying why, unless ``who`` may do ``action`` (to ``target``)."""
        refusal = self._refusal(who, action, target)
        _log(who, action, target, refusal)
        if refusal is not None:
            raise AccessDenied(refusal)

    def readable(self, who: Identity, attempts: list[Attempt]) -> list[Attempt]:
        """Those of ``attempts`` that ``who`` may read, in their order."""
        roles: dict[str, tuple[str, str] | None] = {}
        shown = [a for a in attempts if self._read_refusal(who, a, roles) is None]
        log.debug("policy: %s (%s) %s: %d of %d", who.name, who.role, Action.READ_ATTEMPT.value, len(shown), len(attempts))
        return shown

    # -- the rules -----------------------------------------------------------------------------
    def _refusal(self, who: Identity, action: Action, target) -> str | None:
        """None when allowed, else the sentence that says why not."""
        if not who.authenticated:
            return None  # the local person at the keyboard
        if action is Action.CONTINUE_ATTEMPT:
            return None if target is not None and name_key(target.user) == name_key(who.name) else OWN_ONLY
        if who.role == "lead" or action in EVERYONE:
            return None
        if action is Action.AGREE_STORY:
            return f"{who.name} is {who.role}: only a lead can change the agreed story"
        if action in LEADS_ONLY:
            return LEADS_ONLY[action]
        if action is Action.READ_ATTEMPT:
            return None if target is None else self._read_refusal(who, target, {})
        if action is Action.SEE_PERSON:
            return self._person_refusal(who, target)
        if action is Action.SEE_TEAM:
            return self._team_refusal(who, target)
        return f"unknown action {action!r}"  # pragma: no cover - every Action is handled above

    def _person_refusal(self, who: Identity, name: str | None) -> str | None:
        if name is not None and name_key(name) == name_key(who.name):
            return None  # everyone may see their own
        if who.role == "manager":
            if not who.team:
                return NO_TEAM
            if name is None:
                return None  # may name someone: the staff of their team
            member = self.users.get(name)
            if member is None or member.role != "staff" or name_key(member.team) != name_key(who.team):
                return _team_only(who.team)
            return None
        return STAFF_OWN

    def _team_refusal(self, who: Identity, team: str | None) -> str | None:
        if who.role == "manager":
            if not who.team:
                return NO_TEAM
            if team is not None and name_key(team) != name_key(who.team):
                return f"managers can see their own team's attempts only ({who.team})"
            return None
        return STAFF_NO_TEAM

    def _read_refusal(self, who: Identity, attempt: Attempt, roles: dict) -> str | None:
        if not who.authenticated or who.role == "lead" or name_key(attempt.user) == name_key(who.name):
            return None
        if who.role == "manager":
            if not who.team:
                return NO_TEAM
            if name_key(attempt.team) != name_key(who.team):
                return _team_only(who.team)
            if attempt.user not in roles:
                author = self.users.get(attempt.user)
                roles[attempt.user] = (author.role, author.team) if author else None
            author = roles[attempt.user]
            if author is None or author[0] != "staff" or name_key(author[1]) != name_key(who.team):
                return _team_only(who.team)
            return None
        return STAFF_OWN


def _log(who: Identity, action: Action, target, refusal: str | None) -> None:
    """One decision at debug level: "policy: sam (staff) list the library: no". A target is
    named by an attempt's number, or a person or team as asked for; nothing else of it."""
    if not log.isEnabledFor(logging.DEBUG):
        return
    number = getattr(target, "id", None)
    shown = "" if target is None else f" (attempt {number})" if number is not None else f" ({str(target)!r})"
    log.debug("policy: %s (%s) %s%s: %s", who.name, who.role, action.value, shown, "no" if refusal else "yes")
