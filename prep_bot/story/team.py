"""The agreed story in the manager's views: the Team story's grid of agreed messages x team
members, and which statements have an approved story (readiness, the briefing pack).

Each answer counts against the story version current when it was given (kept on the attempt;
for answers saved before the attempt kept it, the version approved by then): an answer given
before any story was agreed is not counted, and a message a later version added is not held
against an earlier answer."""

from __future__ import annotations

from prep_bot.evidence.provenance import display_date
from prep_bot.story.model import Improvement, StoryVersion


def version_label(version: StoryVersion) -> str:
    """ "agreed story, version 3 (Lee, 4 December 2026)" """
    return f"agreed story, version {version.version} ({version.by}, {display_date(version.at.date().isoformat())})"


class StoryViews:
    """Reads the story book (and judges answers with the story check) for the team views."""

    def __init__(self, check) -> None:
        self.check = check
        self.book = check.book

    def approved(self) -> dict[str, StoryVersion]:
        return self.book.approved()

    def grid_rows(self, qs: str, attempts) -> list[dict] | None:
        """The statement's agreed messages, each with who said it and who was judged on it
        (``said_by`` within ``judged_by``); None when the statement has no approved story."""
        current = self.book.current(qs)
        if current is None:
            return None
        said: dict[str, set[str]] = {}
        judged: dict[str, set[str]] = {}
        versions: dict[int, StoryVersion | None] = {}
        for a in attempts:
            if a.qs != qs:
                continue
            version = self._version_of(a, qs, versions)
            if version is None:
                continue  # given before the story was agreed
            for item in version.story.messages:
                judged.setdefault(_key(item.message), set()).add(a.user)
            for message in self._carried(a, version):
                said.setdefault(_key(message), set()).add(a.user)
        rows = []
        for item in current.story.messages:
            key = _key(item.message)
            row = {
                "polarity": "improvement" if isinstance(item, Improvement) else "strength",
                "message": item.message, "citation": version_label(current), "agreed": True,
                "said_by": sorted(said.get(key, set())), "judged_by": sorted(judged.get(key, set())),
                "title": "", "date": None, "dated": False, "passage_id": None,
            }
            row["mentioned"] = bool(row["said_by"])
            if isinstance(item, Improvement):
                row.update(action=item.action, how_we_know=item.how_we_know)
            rows.append(row)
        return rows

    def _version_of(self, attempt, qs: str, cache: dict) -> StoryVersion | None:
        if attempt.story_version is not None:
            if attempt.story_version not in cache:
                cache[attempt.story_version] = self.book.get(attempt.story_version)
            return cache[attempt.story_version]
        return self.book.current(qs, at=attempt.created_at)

    def _carried(self, attempt, version: StoryVersion) -> list[str]:
        """What the answer carried, as the coach judged it when it was given (kept with the
        attempt), else judged now against that same version."""
        kept = (attempt.feedback or {}).get("on_message") if attempt.feedback else None
        if isinstance(kept, dict) and (kept.get("story") or {}).get("id") == version.id:
            return [c.get("message", "") for c in kept.get("carried", []) if isinstance(c, dict)]
        found = self.check.check(attempt.qs, attempt.answer, version)
        return [c.message for c in found.carried] if found else []


def _key(message: str) -> str:
    return " ".join(message.lower().split())[:380]  # stored feedback keeps 400 characters of a text


def briefing_section(version: StoryVersion | None) -> dict | None:
    """The approved story as the briefing pack prints it (None without one)."""
    if version is None:
        return None
    s = version.story
    return {
        "version": version.version, "by": version.by, "at": display_date(version.at.date().isoformat()),
        "strengths": [m.message for m in s.strengths],
        "improvements": [{"message": m.message, "action": m.action, "how_we_know": m.how_we_know} for m in s.improvements],
        "figures": [
            {"value": f.value, "measure": f.measure, "comparator": f.comparator, "period": f.period,
             "source": f.source, "date": display_date(f.date)}
            for f in s.figures
        ],
        "questions": list(s.questions),
    }
