"""How a spoken answer was said: speaking time, pace, long pauses, filler and hedge phrases, and
length. Worked out from the transcript's word timestamps; it sits beside the content score and
never changes it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PACE_LOW, PACE_HIGH = 110, 170  # words a minute that sound unhurried but not slow in an interview
LONG_PAUSE_S = 3.0  # a silence between two words longer than this is a long pause
LONG_ANSWER_S = 120.0  # past two minutes an interview answer is long


@dataclass(frozen=True)
class Word:
    """One transcribed word with its start and end in seconds from the start of the recording."""

    text: str
    start: float
    end: float


@dataclass
class Delivery:
    duration_s: float  # the recording's length
    words_per_minute: int  # over the time spent speaking (first word to last, less long pauses)
    long_pauses: list[dict] = field(default_factory=list)  # [{"at_s", "seconds"}]
    fillers: dict[str, int] = field(default_factory=dict)  # phrase -> count

    def to_dict(self) -> dict:
        return {
            "duration_s": self.duration_s, "words_per_minute": self.words_per_minute,
            "long_pauses": [dict(p) for p in self.long_pauses], "fillers": dict(self.fillers),
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> Delivery | None:
        if not isinstance(data, dict) or "words_per_minute" not in data:
            return None
        return cls(
            float(data.get("duration_s") or 0), int(data.get("words_per_minute") or 0),
            [dict(p) for p in data.get("long_pauses") or [] if isinstance(p, dict)],
            {str(k): int(v) for k, v in (data.get("fillers") or {}).items()},
        )

    @property
    def filler_total(self) -> int:
        return sum(self.fillers.values())

    @property
    def pace(self) -> str:
        """"fast", "slow" or "steady"."""
        if self.words_per_minute > PACE_HIGH:
            return "fast"
        if 0 < self.words_per_minute < PACE_LOW:
            return "slow"
        return "steady"

    @property
    def is_long(self) -> bool:
        return self.duration_s > LONG_ANSWER_S

    def notes(self) -> list[str]:
        """What to keep or change about the delivery, one sentence each, most useful first."""
        notes = []
        if self.pace == "fast":
            notes.append(
                f"At {self.words_per_minute} words a minute you are speaking fast: slow down and let each "
                f"figure land (aim for {PACE_LOW}-{PACE_HIGH})."
            )
        elif self.pace == "slow":
            notes.append(
                f"At {self.words_per_minute} words a minute the answer drags: tighten it to the outcome, "
                f"the figure and the example (aim for {PACE_LOW}-{PACE_HIGH})."
            )
        else:
            notes.append(f"{self.words_per_minute} words a minute is an easy pace to follow.")
        if self.is_long:
            notes.append(
                f"{clock(self.duration_s)} is long for an interview answer: lead with the outcome and stop "
                "within two minutes; the inspector will ask for more."
            )
        if self.long_pauses:
            where = ", ".join(clock(p["at_s"]) for p in self.long_pauses[:3])
            count = len(self.long_pauses)
            notes.append(
                f"{count} long pause{'s' if count != 1 else ''} (over {LONG_PAUSE_S:.0f} seconds, at {where}): "
                "a short pause to think is fine; if you lose the thread, go back to the outcome for people."
            )
        if self.fillers:
            listed = ", ".join(f"“{p}” ×{n}" for p, n in sorted(self.fillers.items(), key=lambda kv: -kv[1]))
            notes.append(f"Fillers and hedges: {listed}. Pause instead; hedges make a sound result sound unsure.")
        return notes

    def summary(self) -> str:
        """One line: "1:05 spoken · 142 words a minute · no long pauses · 2 fillers"."""
        pauses = len(self.long_pauses)
        fillers = self.filler_total
        return " · ".join([
            f"{clock(self.duration_s)} spoken",
            f"{self.words_per_minute} words a minute" + ("" if self.pace == "steady" else f" ({self.pace})"),
            f"{pauses} long pause{'s' if pauses != 1 else ''}" if pauses else "no long pauses",
            f"{fillers} filler{'s' if fillers != 1 else ''}" if fillers else "no fillers",
        ])


def clock(seconds: float) -> str:
    seconds = int(round(max(0.0, seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


def analyse(words: list[Word], duration_s: float) -> Delivery:
    """The delivery of a transcript whose words carry timestamps."""
    spoken = [w for w in words if w.text.strip()]
    pauses = []
    for before, after in zip(spoken, spoken[1:]):
        gap = after.start - before.end
        if gap > LONG_PAUSE_S:
            pauses.append({"at_s": round(before.end, 1), "seconds": round(gap, 1)})
    # Speaking time: first word to last, less the long pauses (reported on their own).
    span = (spoken[-1].end - spoken[0].start - sum(p["seconds"] for p in pauses)) if spoken else 0.0
    tokens = tokenise(" ".join(w.text for w in spoken))
    count = sum(1 for t in tokens if t not in PUNCTUATION)
    wpm = round(count / span * 60) if span > 1.0 else 0
    return Delivery(round(float(duration_s), 1), wpm, pauses, count_fillers(tokens))


# --- fillers -------------------------------------------------------------------------------------

PUNCTUATION = {",", ".", "?", "!", ";", ":", "-", "—", "–", "…"}
# Sounds that are only ever fillers, as a transcript spells them (Whisper usually drops them).
HESITATIONS = {"um": "um", "umm": "um", "uh": "er", "er": "er", "erm": "er", "uhm": "um", "ah": "er", "hmm": "um"}
# A determiner or question word before "kind of"/"sort of" makes it a noun phrase ("what kind of
# support"), not a hedge.
NOUN_PHRASE = {
    "what", "which", "this", "that", "these", "those", "the", "a", "an", "any", "every", "some", "one",
    "same", "different", "new", "other", "right", "only", "first", "no", "each", "another", "our", "their",
}
# "like" after these is a verb or a comparison ("we would like", "looks like", "things like").
LIKE_NOT_FILLER = {
    "i", "we", "you", "they", "people", "would", "'d", "to", "do", "did", "does", "don't", "didn't", "doesn't",
    "looks", "look", "looked", "feel", "feels", "felt", "sounds", "sound", "seems", "things", "something",
    "much", "more", "just", "be", "is", "was", "not", "really", "carers", "families", "staff", "he", "she",
    "exactly", "anything", "nothing", "everyone", "services", "partners", "would've", "what",
}


def tokenise(text: str) -> list[str]:
    """Lower-case words with punctuation kept as separate tokens (the commas Whisper writes around
    a filler are part of how it is recognised)."""
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?|[,.?!;:…—–-]", text.lower().replace("’", "'"))


def count_fillers(tokens: list[str]) -> dict[str, int]:
    """Filler and hedge phrases in a transcript: "you know", "sort of", "kind of", "basically",
    "I mean", "like" used as a filler, and "um"/"er" when the transcript keeps them."""
    found: dict[str, int] = {}

    def add(phrase: str) -> None:
        found[phrase] = found.get(phrase, 0) + 1

    for i, token in enumerate(tokens):
        before = tokens[i - 1] if i > 0 else "."
        after = tokens[i + 1] if i + 1 < len(tokens) else "."
        if token in HESITATIONS:
            add(HESITATIONS[token])
        elif token == "basically":
            add("basically")
        elif token == "know" and before == "you" and _is_aside(tokens, i - 1, after):
            add("you know")
        elif token == "mean" and before == "i" and _is_aside(tokens, i - 1, after):
            add("I mean")
        elif token == "of" and before in ("sort", "kind") and (tokens[i - 2] if i > 1 else ".") not in NOUN_PHRASE:
            add(f"{before} of")
        elif token == "like" and _filler_like(before, after):
            add("like")
    return found


def _is_aside(tokens: list[str], start: int, after: str) -> bool:
    """Whether "you know"/"I mean" starting at ``start`` is an aside rather than the sentence's
    verb: set off by a comma ("you know, we...", "it was, I mean, fine"), after a hesitation, or
    "as you know"; not "do you know whether" or "I mean that the waits fell"."""
    before = tokens[start - 1] if start > 0 else "."
    if before == "as":
        return True
    if after in PUNCTUATION:
        return True
    return before in (",", "um", "er", "uh") and after not in CLAUSE_OPENERS


CLAUSE_OPENERS = {"that", "what", "how", "whether", "if", "why", "when", "where", "who", "about", "it", "to"}


def _filler_like(before: str, after: str) -> bool:
    """"like" as a filler: followed by a comma ("and, like, the waits...") or after a hesitation;
    never a verb or a comparison ("we would like", "looks like", "services like ours")."""
    if before in LIKE_NOT_FILLER:
        return False
    return after in PUNCTUATION or before in ("um", "er", "uh")
