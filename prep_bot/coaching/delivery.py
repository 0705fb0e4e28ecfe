"""How a spoken answer was said: speaking time, pace, long pauses, filler and hedge phrases, and
length. Worked out from the transcript's word timestamps; it sits beside the content score and
never changes it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PACE_LOW, PACE_HIGH = 110, 170  # words a minute that sound unhurried but not slow in an interview
LONG_PAUSE_S = 3.0  # a silence between two words longer than this is a long pause
LONG_ANSWER_S = 120.0  # past two minutes an interview answer is long
PACE_WINDOW_S = 10.0  # the pace across the answer: words in a 10-second window...
PACE_STEP_S = 5.0  # ...every 5 seconds
STRETCH_S = 10.0  # a change of pace worth a note lasts this long


@dataclass(frozen=True)
class Word:
    """One transcribed word with its start and end in seconds from the start of the recording."""

    text: str
    start: float
    end: float
    glued: bool = False  # written straight after the word before, with no space ("82" ".4%")


@dataclass
class Delivery:
    duration_s: float  # the recording's length
    words_per_minute: int  # over the time spent speaking (first word to last, less long pauses)
    long_pauses: list[dict] = field(default_factory=list)  # [{"at_s", "seconds", "before"}]
    fillers: dict[str, int] = field(default_factory=dict)  # phrase -> count
    filler_at: list[dict] = field(default_factory=list)  # [{"phrase", "at_s"}], in the order said
    pace: list[dict] = field(default_factory=list)  # [{"at_s", "wpm"}]: words a minute across the answer
    cut_off: str = ""  # one sentence when the end of the recording may be missing from the transcript

    def to_dict(self) -> dict:
        return {
            "duration_s": self.duration_s, "words_per_minute": self.words_per_minute,
            "long_pauses": [dict(p) for p in self.long_pauses], "fillers": dict(self.fillers),
            "filler_at": [dict(f) for f in self.filler_at], "pace": [dict(p) for p in self.pace],
            "cut_off": self.cut_off,
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> Delivery | None:
        """A stored delivery (one stored before pace, filler times and cut-off were kept reads
        without them)."""
        if not isinstance(data, dict) or "words_per_minute" not in data:
            return None
        return cls(
            float(data.get("duration_s") or 0), int(data.get("words_per_minute") or 0),
            [dict(p) for p in data.get("long_pauses") or [] if isinstance(p, dict)],
            {str(k): int(v) for k, v in (data.get("fillers") or {}).items()},
            [dict(f) for f in data.get("filler_at") or [] if isinstance(f, dict)],
            [dict(p) for p in data.get("pace") or [] if isinstance(p, dict)],
            str(data.get("cut_off") or ""),
        )

    @property
    def filler_total(self) -> int:
        return sum(self.fillers.values())

    @property
    def pace_label(self) -> str:
        return self.pace_of(self.words_per_minute)

    @property
    def is_long(self) -> bool:
        return self.duration_s > LONG_ANSWER_S

    @staticmethod
    def pace_of(wpm: int) -> str:
        """"fast", "slow" or "steady"."""
        if wpm > PACE_HIGH:
            return "fast"
        if 0 < wpm < PACE_LOW:
            return "slow"
        return "steady"

    def stretches(self) -> list[tuple[str, float, float]]:
        """Where the pace left the band for at least ``STRETCH_S`` seconds: (fast|slow, from, to)."""
        out: list[tuple[str, float, float]] = []
        for point in self.pace:
            kind = self.pace_of(int(point.get("wpm") or 0)) if point.get("wpm") else "steady"
            at = float(point.get("at_s") or 0)
            if out and out[-1][0] == kind and at - out[-1][2] <= PACE_STEP_S + 0.01:
                out[-1] = (kind, out[-1][1], at)
            elif kind != "steady":
                out.append((kind, at, at))
        return [s for s in out if s[0] != "steady" and s[2] - s[1] >= STRETCH_S - PACE_STEP_S]

    def notes(self) -> list[str]:
        """What to keep or change about the delivery, one sentence each, most useful first: the
        pace and where it changed, length, long pauses, fillers and where, and a cut-off."""
        notes = []
        if self.cut_off:
            notes.append(self.cut_off)
        if self.pace_label == "fast":
            notes.append(
                f"At {self.words_per_minute} words a minute you are speaking fast: slow down and let each "
                f"figure land (aim for {PACE_LOW}-{PACE_HIGH})."
            )
        elif self.pace_label == "slow":
            notes.append(
                f"At {self.words_per_minute} words a minute the answer drags: tighten it to the outcome, "
                f"the figure and the example (aim for {PACE_LOW}-{PACE_HIGH})."
            )
        else:
            notes.append(f"{self.words_per_minute} words a minute is an easy pace to follow.")
        stretches = self.stretches()
        if stretches:
            said = "; ".join(
                f"{kind} from {clock(start)} to {clock(end + PACE_STEP_S)}" for kind, start, end in stretches[:3]
            )
            notes.append(f"Your pace changed along the way ({said}): keep it even where the figures are.")
        if self.is_long:
            notes.append(
                f"{clock(self.duration_s)} is long for an interview answer: lead with the outcome and stop "
                "within two minutes; the inspector will ask for more."
            )
        if self.long_pauses:
            count = len(self.long_pauses)
            where = ", ".join(f"{p['seconds']:.0f} s at {clock(p['at_s'])}" for p in self.long_pauses[:4])
            notes.append(
                f"{count} long pause{'s' if count != 1 else ''} (over {LONG_PAUSE_S:.0f} seconds: {where}): "
                "a short pause to think is fine; if you lose the thread, go back to the outcome for people."
            )
        if self.fillers:
            listed = ", ".join(
                f"“{p}” ×{n}" + self._where(p) for p, n in sorted(self.fillers.items(), key=lambda kv: -kv[1])
            )
            notes.append(f"Fillers and hedges: {listed}. Pause instead; hedges make a sound result sound unsure.")
        else:
            notes.append("No fillers or hedges heard.")
        return notes

    def _where(self, phrase: str) -> str:
        times = [clock(f["at_s"]) for f in self.filler_at if f.get("phrase") == phrase][:4]
        return f" (at {', '.join(times)})" if times else ""

    def summary(self) -> str:
        """One line: "1:05 spoken · 142 words a minute · no long pauses · 2 fillers"."""
        pauses = len(self.long_pauses)
        fillers = self.filler_total
        return " · ".join([
            f"{clock(self.duration_s)} spoken",
            f"{self.words_per_minute} words a minute" + ("" if self.pace_label == "steady" else f" ({self.pace_label})"),
            f"{pauses} long pause{'s' if pauses != 1 else ''}" if pauses else "no long pauses",
            f"{fillers} filler{'s' if fillers != 1 else ''}" if fillers else "no fillers",
            *(["may be cut off"] if self.cut_off else []),
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
    tokens, owners = _word_tokens(spoken)
    count = sum(1 for t in tokens if t not in PUNCTUATION)
    wpm = round(count / span * 60) if span > 1.0 else 0
    found = find_fillers(tokens)
    fillers: dict[str, int] = {}
    for _, phrase, _ in found:
        fillers[phrase] = fillers.get(phrase, 0) + 1
    filler_at = [{"phrase": phrase, "at_s": round(spoken[owners[i - size + 1]].start, 1)} for i, phrase, size in found]
    return Delivery(round(float(duration_s), 1), wpm, pauses, fillers, filler_at, pace_across(spoken))


def pace_across(words: list[Word]) -> list[dict]:
    """Words a minute across the answer: for every ``PACE_STEP_S`` seconds from the first word to
    the last, the words said in the ``PACE_WINDOW_S`` seconds around that moment (a window cut
    short by the start or end of the answer is scaled to its length). A long pause shows as a dip."""
    if len(words) < 2:
        return []
    first, last = words[0].start, words[-1].end
    if last - first < PACE_WINDOW_S:
        return []
    middles = [(w.start + w.end) / 2 for w in words]
    out = []
    at = first + PACE_WINDOW_S / 2
    while at <= last - PACE_WINDOW_S / 2 + PACE_STEP_S / 2:
        low, high = max(first, at - PACE_WINDOW_S / 2), min(last, at + PACE_WINDOW_S / 2)
        said = sum(1 for m in middles if low <= m < high)
        out.append({"at_s": round(at, 1), "wpm": round(said / (high - low) * 60) if high > low else 0})
        at += PACE_STEP_S
    return out


def _word_tokens(words: list[Word]) -> tuple[list[str], list[int]]:
    """The tokens of the words in turn, and which word each token came from."""
    tokens, owners = [], []
    for n, word in enumerate(words):
        for token in tokenise(word.text):
            tokens.append(token)
            owners.append(n)
    return tokens, owners


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


_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[,.?!;:…—–-]")


def tokenise(text: str) -> list[str]:
    """Lower-case words with punctuation kept as separate tokens (the commas Whisper writes around
    a filler are part of how it is recognised)."""
    return _TOKEN.findall(text.lower().replace("’", "'"))


def count_fillers(tokens: list[str]) -> dict[str, int]:
    """Filler and hedge phrases in a transcript: "you know", "sort of", "kind of", "basically",
    "I mean", "like" used as a filler, and "um"/"er" when the transcript keeps them."""
    found: dict[str, int] = {}
    for _, phrase, _ in find_fillers(tokens):
        found[phrase] = found.get(phrase, 0) + 1
    return found


def filler_spans(text: str) -> list[tuple[int, int, str]]:
    """Where the fillers are in ``text``: (start, end, phrase) by character."""
    spans = [m.span() for m in _TOKEN.finditer(text.lower().replace("’", "'"))]
    tokens = tokenise(text)
    return [(spans[i - size + 1][0], spans[i][1], phrase) for i, phrase, size in find_fillers(tokens)]


def find_fillers(tokens: list[str]) -> list[tuple[int, str, int]]:
    """Each filler in ``tokens``: (index of its last token, phrase, how many tokens it spans)."""
    found: list[tuple[int, str, int]] = []
    for i, token in enumerate(tokens):
        before = tokens[i - 1] if i > 0 else "."
        after = tokens[i + 1] if i + 1 < len(tokens) else "."
        if token in HESITATIONS:
            found.append((i, HESITATIONS[token], 1))
        elif token == "basically":
            found.append((i, "basically", 1))
        elif token == "know" and before == "you" and _is_aside(tokens, i - 1, after):
            found.append((i, "you know", 2))
        elif token == "mean" and before == "i" and _is_aside(tokens, i - 1, after):
            found.append((i, "I mean", 2))
        elif token == "of" and before in ("sort", "kind") and (tokens[i - 2] if i > 1 else ".") not in NOUN_PHRASE:
            found.append((i, f"{before} of", 2))
        elif token == "like" and _filler_like(before, after):
            found.append((i, "like", 1))
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
