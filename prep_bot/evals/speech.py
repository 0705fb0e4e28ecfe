"""Speech for tests and the spoken evaluation: answers read aloud by Debian's espeak-ng (a British
English voice), so no recording of a real person is needed.

``evaluate_speech`` speaks every strong and weak answer of the labelled pairs, transcribes them
with the app's own Transcriber, and measures the word error rate of the transcripts and whether
the coach still ranks the strong answer above the weak one when it reads the transcript.
``evaluate_spoken_figures`` speaks answers whose figures are written in words the way people say
them and counts the figures that reach the coach as the same figure (spoken-figure recall)."""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import time
from pathlib import Path
from typing import Callable

from prep_bot.errors import ConfigError
from prep_bot.speech.numbers import UNITS, read_cardinal

VOICE = "en-gb"
WORDS_PER_MINUTE = 150
TARGET_MEDIAN_WER = 0.15  # issue 11
TARGET_ORDER_KEPT = 0.90
TARGET_FIGURE_RECALL = 0.90  # issue 22


def synthesise(text: str, out: Path, voice: str = VOICE, speed: int = WORDS_PER_MINUTE) -> Path:
    """Speak ``text`` into the WAV file ``out`` with espeak-ng."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise ConfigError("espeak-ng is not installed: `make test` installs it (apt-get install espeak-ng).")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([binary, "-v", voice, "-s", str(speed), "-w", str(out), "--", text], check=True, capture_output=True)
    return out


# -- word error rate -----------------------------------------------------------------------------
_MONEY = re.compile(r"£\s*(\d[\d,]*(?:\.\d+)?)\s*(m|million|bn|billion|k|thousand)?\b")
_MONEY_SCALE = {"m": "million", "bn": "billion", "k": "thousand"}
# Contractions that have one reading (Whisper writes "we are" for "we're" about half the time).
_CONTRACTIONS = [
    (re.compile(r"\bcan't\b"), "can not"), (re.compile(r"\bwon't\b"), "will not"), (re.compile(r"n't\b"), " not"),
    (re.compile(r"'re\b"), " are"), (re.compile(r"'ve\b"), " have"), (re.compile(r"'ll\b"), " will"),
    (re.compile(r"\bi'm\b"), "i am"), (re.compile(r"\b(it|that|there|here|what|who|he|she)'s\b"), r"\1 is"),
]
_DECADES = {
    w: f"{10 * i}s" for i, w in enumerate("twenties thirties forties fifties sixties seventies eighties nineties".split(), 2)
}


def normalise(text: str) -> list[str]:
    """The words of ``text`` as compared for the word error rate.

    Only differences of writing, not of hearing, are removed, because a transcript is right when
    a reader would take it to say the same thing: case; punctuation and hyphens (``strengths-based``
    = ``strengths based``); contractions with one reading (``we're`` = ``we are``, ``don't`` = ``do
    not``; other apostrophes dropped); ``seventies`` = ``70s``; ``%``, ``per cent`` and
    ``percent``; ``&`` and ``and``; ``£5m`` and ``5 million pounds``; digits and number words
    (``twelve`` = ``12``, ``1,200`` = ``1200``, ``ninety point six`` = ``90.6``), since Whisper
    writes numbers either way. British and US spellings are kept apart: on eval/answers.yaml
    spelling-only slips (``programme``/``program``) were 11 of 6,260 words, 0.2 points of WER.
    Compounds (``wellbeing``/``well being``) also count. A number said as two pairs (``twenty
    twenty four``) stays two numbers."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    for pattern, full in _CONTRACTIONS:
        text = pattern.sub(full, text)
    text = text.replace("'", "")
    text = _MONEY.sub(lambda m: f" {m.group(1)} {_MONEY_SCALE.get(m.group(2), m.group(2) or '')} pounds ", text)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = text.replace("%", " percent ").replace("&", " and ")
    text = re.sub(r"(?<=\d)(?=[a-z])(?!s\b)|(?<=[a-z])(?=\d)", " ", text)  # 3am -> 3 am, but 1960s stays
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)  # keep only decimal points
    text = re.sub(r"[^a-z0-9.\s]", " ", text)
    words = _number_words([_DECADES.get(w, w) for w in text.split()])
    out: list[str] = []
    for word in words:
        if word == "cent" and out and out[-1] == "per":
            out[-1] = "percent"
        else:
            out.append(word)
    return out


def _number_words(words: list[str]) -> list[str]:
    """Runs of number words as digits (``two thousand four hundred and thirty six`` -> ``2436``)."""
    out: list[str] = []
    i = 0
    while i < len(words):
        end, value = read_cardinal(words, i)
        if end == i:
            out.append(words[i])
            i += 1
            continue
        if end + 1 < len(words) and words[end] == "point" and words[end + 1] in UNITS and UNITS[words[end + 1]] < 10:
            digits = []
            end += 1
            while end < len(words) and words[end] in UNITS and UNITS[words[end]] < 10:
                digits.append(str(UNITS[words[end]]))
                end += 1
            out.append(f"{value}.{''.join(digits)}")
        else:
            out.append(str(value))
        i = end
    return out


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(substitutions + deletions + insertions, words in the reference), after ``normalise``."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h))
        previous = current
    return previous[-1], len(ref)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level edit distance over the reference's length (0 is perfect; can exceed 1)."""
    errors, words = word_errors(reference, hypothesis)
    if words == 0:
        return 0.0 if errors == 0 else 1.0
    return errors / words


# -- the spoken evaluation -------------------------------------------------------------------------
def evaluate_speech(
    coach, transcriber, data: dict, workdir: Path, limit: int | None = None, voice: str = VOICE,
    speed: int = WORDS_PER_MINUTE, progress: Callable[[str], None] | None = None,
) -> dict:
    """Speak, transcribe and coach both answers of each pair in ``data`` (an answer set from
    ``evaluation.load_answer_set``; ``limit``: the first N pairs). One answer whose audio cannot be
    made or transcribed is recorded as failed and its pair counts as not kept when spoken."""
    from prep_bot.speech.transcription import AudioError

    pairs = data["pairs"][:limit] if limit else data["pairs"]
    workdir = Path(workdir)
    answers: list[dict] = []
    results: list[dict] = []
    started = time.perf_counter()
    for pair in pairs:
        row = {"id": pair["id"], "kind": pair.get("weak_kind", ""), "typed": {}, "spoken": {}}
        for side in ("strong", "weak"):
            text = pair[side]
            answer = {"id": f"{pair['id']}/{side}", "words": len(normalise(text))}
            row["typed"][side] = answer["typed_score"] = coach.coach(pair["qs"], pair["question"], text).score
            try:
                wav = synthesise(text, workdir / f"{pair['id']}-{side}.wav", voice=voice, speed=speed)
                transcript = transcriber.transcribe(wav)
            except (AudioError, subprocess.CalledProcessError) as e:
                answer["failed"] = str(e)
                row["spoken"][side] = None
                answers.append(answer)
                if progress:
                    progress(f"[{len(answers)}/{2 * len(pairs)}] {answer['id']}: failed ({e})")
                continue
            errors, words = word_errors(text, transcript.text)
            answer.update(
                errors=errors, wer=round(errors / max(1, words), 4), audio_s=transcript.duration_s,
                transcribe_s=round(transcript.seconds_taken, 2), transcript=transcript.text,
            )
            try:
                feedback = coach.coach(pair["qs"], pair["question"], transcript.text)
                row["spoken"][side] = answer["spoken_score"] = feedback.score
            except ValueError as e:  # the coach refuses the transcript (no words in it)
                row["spoken"][side] = None
                answer["coach_failed"] = str(e)
            answers.append(answer)
            if progress:
                progress(f"[{len(answers)}/{2 * len(pairs)}] {answer['id']}: WER {answer['wer']:.3f}, "
                         f"{answer['audio_s']:.0f} s of speech in {answer['transcribe_s']:.1f} s")
        row["typed"]["kept"] = row["typed"]["strong"] > row["typed"]["weak"]
        spoken = row["spoken"]
        spoken["kept"] = None not in (spoken["strong"], spoken["weak"]) and spoken["strong"] > spoken["weak"]
        results.append(row)
    return summarise(answers, results, voice, speed, time.perf_counter() - started)


def summarise(answers: list[dict], pairs: list[dict], voice: str, speed: int, wall_s: float) -> dict:
    """The figures of one spoken evaluation from its per-answer and per-pair rows."""
    done = [a for a in answers if "failed" not in a]
    rates = [a["wer"] for a in done]
    audio = sum(a["audio_s"] for a in done)
    n = max(1, len(pairs))
    kept_typed = sum(p["typed"]["kept"] for p in pairs)
    kept_spoken = sum(p["spoken"]["kept"] for p in pairs)
    median = statistics.median(rates) if rates else None
    typed_margins = [p["typed"]["strong"] - p["typed"]["weak"] for p in pairs]
    spoken_margins = [
        p["spoken"]["strong"] - p["spoken"]["weak"] for p in pairs if None not in (p["spoken"]["strong"], p["spoken"]["weak"])
    ]
    return {
        "voice": voice,
        "speed_wpm": speed,
        "answers": len(answers),
        "transcribed": len(done),
        "failed": [{"id": a["id"], "reason": a["failed"]} for a in answers if "failed" in a],
        "wer_median": round(median, 4) if rates else None,
        "wer_mean": round(statistics.fmean(rates), 4) if rates else None,
        "wer_pooled": round(sum(a["errors"] for a in done) / max(1, sum(a["words"] for a in done)), 4) if done else None,
        "wer_worst": [{"id": a["id"], "wer": a["wer"]} for a in sorted(done, key=lambda a: -a["wer"])[:5]],
        "pairs": len(pairs),
        "kept_typed": kept_typed,
        "kept_spoken": kept_spoken,
        "kept_typed_share": round(kept_typed / n, 4),
        "kept_spoken_share": round(kept_spoken / n, 4),
        "lost_when_spoken": [p["id"] for p in pairs if p["typed"]["kept"] and not p["spoken"]["kept"]],
        "gained_when_spoken": [p["id"] for p in pairs if p["spoken"]["kept"] and not p["typed"]["kept"]],
        "margin_typed_mean": round(statistics.fmean(typed_margins), 1) if typed_margins else None,
        "margin_spoken_mean": round(statistics.fmean(spoken_margins), 1) if spoken_margins else None,
        "margin_typed_min": min(typed_margins, default=None),
        "margin_spoken_min": min(spoken_margins, default=None),
        "audio_s": round(audio, 1),
        "transcribe_s": round(sum(a["transcribe_s"] for a in done), 1),
        "rtf": round(sum(a["transcribe_s"] for a in done) / audio, 4) if audio else None,
        "wall_s": round(wall_s, 1),
        "targets": {
            "wer_median": TARGET_MEDIAN_WER, "order_kept": TARGET_ORDER_KEPT,
            "wer_met": median is not None and median <= TARGET_MEDIAN_WER,
            "order_met": kept_spoken / n >= TARGET_ORDER_KEPT if pairs else False,
        },
        "details": {"answers": answers, "pairs": pairs},
    }


def format_speech_table(r: dict) -> str:
    """The spoken evaluation as a short plain-text table (like the other evals)."""

    def met(ok: bool) -> str:
        return "met" if ok else "missed"

    wer = "n/a" if r["wer_median"] is None else f"{r['wer_median']:.3f}"
    lines = [
        f"Spoken answers: {r['pairs']} pairs, {r['answers']} answers read by espeak-ng ({r['voice']}, "
        f"{r['speed_wpm']} wpm) and transcribed; {len(r['failed'])} failed",
        f"WER median                      {wer}   (target <= {r['targets']['wer_median']}: {met(r['targets']['wer_met'])})",
    ]
    if r["wer_mean"] is not None:
        lines.append(f"WER mean / pooled               {r['wer_mean']:.3f} / {r['wer_pooled']:.3f}")
        lines.append("worst                           " + ", ".join(f"{w['id']} {w['wer']:.2f}" for w in r["wer_worst"][:3]))
    lines += [
        f"strong above weak, typed        {r['kept_typed']}/{r['pairs']} ({r['kept_typed_share']:.0%})",
        f"strong above weak, spoken       {r['kept_spoken']}/{r['pairs']} ({r['kept_spoken_share']:.0%})"
        f"   (target >= {r['targets']['order_kept']:.0%}: {met(r['targets']['order_met'])})",
    ]
    if r["margin_spoken_mean"] is not None:
        lines.append(f"mean margin typed / spoken      {r['margin_typed_mean']:.1f} / {r['margin_spoken_mean']:.1f} points"
                     f"   (smallest {r['margin_typed_min']} / {r['margin_spoken_min']})")
    if r["lost_when_spoken"]:
        lines.append("order lost when spoken          " + ", ".join(r["lost_when_spoken"]))
    if r["rtf"] is not None:
        lines.append(f"transcription real-time factor  {r['rtf']:.3f}   "
                     f"({r['transcribe_s']:.0f} s for {r['audio_s']:.0f} s of speech)")
    for failure in r["failed"]:
        lines.append(f"failed: {failure['id']}: {failure['reason']}")
    return "\n".join(lines)


# -- spoken figures ---------------------------------------------------------------------------------
def load_spoken_figures(path: Path) -> list[dict]:
    """The answers of a spoken-figures set (eval/speech_figures.yaml): id, qs, spoken, written."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        answers = [
            {"id": str(a["id"]), "qs": str(a.get("qs") or ""), "spoken": str(a["spoken"]).strip(), "written": str(a["written"]).strip()}
            for a in data["answers"]
        ]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as e:
        raise ConfigError(f"The spoken-figures set {path} is unreadable ({e}): each answer needs an id, spoken and written.") from e
    return answers


def figure_keys(text: str) -> list[tuple[float, str]]:
    """The figures the coach finds in ``text``, as (value, unit)."""
    from prep_bot.evidence.figures import extract_figures

    return [(round(p.value, 4), p.unit) for p in extract_figures(text)]


def matched(expected: list, found: list) -> tuple[list, list, list]:
    """(found as expected, expected but missing, found but not expected), each figure used once."""
    left = list(found)
    hits, missing = [], []
    for key in expected:
        if key in left:
            left.remove(key)
            hits.append(key)
        else:
            missing.append(key)
    return hits, missing, left


def evaluate_spoken_figures(
    transcriber, answers: list[dict], workdir: Path, claims=None, limit: int | None = None, voice: str = VOICE,
    speed: int = WORDS_PER_MINUTE, progress: Callable[[str], None] | None = None,
) -> dict:
    """Speak each answer's ``spoken`` form, transcribe it, and count the figures of its
    ``written`` form that the coach finds in the transcript with the same value and unit (as it
    is coached, and as the model heard it before numbers were read). With ``claims`` (the coach's
    ClaimChecker), also whether each figure found gets the same claim-check status spoken as
    typed."""
    from prep_bot.speech.transcription import AudioError

    answers = answers[:limit] if limit else answers
    workdir = Path(workdir)
    rows: list[dict] = []
    started = time.perf_counter()
    for n, answer in enumerate(answers, 1):
        expected = figure_keys(answer["written"])
        row = {"id": answer["id"], "figures": len(expected)}
        try:
            wav = synthesise(answer["spoken"], workdir / f"figures-{answer['id']}.wav", voice=voice, speed=speed)
            transcript = transcriber.transcribe(wav)
        except (AudioError, subprocess.CalledProcessError) as e:
            row.update(failed=str(e), found=0, heard=0, missing=[list(k) for k in expected], extra=[])
            rows.append(row)
            if progress:
                progress(f"[{n}/{len(answers)}] {answer['id']}: failed ({e})")
            continue
        hits, missing, extra = matched(expected, figure_keys(transcript.text))
        heard_hits, _, _ = matched(expected, figure_keys(transcript.heard or transcript.text))
        errors, words = word_errors(answer["written"], transcript.text)
        row.update(
            found=len(hits), heard=len(heard_hits), missing=[list(k) for k in missing], extra=[list(k) for k in extra],
            wer=round(errors / max(1, words), 4), transcript=transcript.text, as_heard=transcript.heard,
            cut_off=transcript.delivery.cut_off,
        )
        if claims is not None:
            row["claims"] = _same_claims(claims, answer["written"], transcript.text)
        rows.append(row)
        if progress:
            progress(f"[{n}/{len(answers)}] {answer['id']}: {len(hits)}/{len(expected)} figures, WER {row['wer']:.3f}")
    return summarise_figures(rows, time.perf_counter() - started)


def _same_claims(claims, written: str, spoken: str) -> dict:
    """How many figures of the typed answer get the same claim-check status in the transcript."""
    typed = {}
    for claim in claims.check(written):
        key = figure_keys(claim.text)
        if key:
            typed.setdefault(key[0], claim.status)
    said = {}
    for claim in claims.check(spoken):
        key = figure_keys(claim.text)
        if key:
            said.setdefault(key[0], claim.status)
    same = sum(1 for key, status in typed.items() if said.get(key) == status)
    return {"checked": len(typed), "same": same, "supported_typed": sum(s == "supported" for s in typed.values()),
            "supported_spoken": sum(said.get(k) == "supported" for k, s in typed.items() if s == "supported")}


def summarise_figures(rows: list[dict], wall_s: float) -> dict:
    total = sum(r["figures"] for r in rows)
    found = sum(r["found"] for r in rows)
    heard = sum(r["heard"] for r in rows)
    rates = [r["wer"] for r in rows if "wer" in r]
    recall = found / total if total else None
    claims = [r["claims"] for r in rows if "claims" in r]
    return {
        "answers": len(rows),
        "figures": total,
        "recall": round(recall, 4) if recall is not None else None,
        "recall_as_heard": round(heard / total, 4) if total else None,
        "extra": sum(len(r["extra"]) for r in rows),
        "wer_median": round(statistics.median(rates), 4) if rates else None,
        "wer_mean": round(statistics.fmean(rates), 4) if rates else None,
        "claims_checked": sum(c["checked"] for c in claims),
        "claims_same": sum(c["same"] for c in claims),
        "supported_typed": sum(c["supported_typed"] for c in claims),
        "supported_spoken": sum(c["supported_spoken"] for c in claims),
        "cut_off": [r["id"] for r in rows if r.get("cut_off")],
        "failed": [{"id": r["id"], "reason": r["failed"]} for r in rows if "failed" in r],
        "missed": [{"id": r["id"], "missing": r["missing"], "transcript": r.get("transcript", "")} for r in rows if r["missing"]],
        "wall_s": round(wall_s, 1),
        "target": TARGET_FIGURE_RECALL,
        "met": recall is not None and recall >= TARGET_FIGURE_RECALL,
        "details": rows,
    }


def format_figures_table(r: dict) -> str:
    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.3f}"

    lines = [
        f"Spoken figures: {r['answers']} answers with {r['figures']} figures said in words; {len(r['failed'])} failed",
        f"figures reaching the coach      {pct(r['recall'])}   (target >= {r['target']}: {'met' if r['met'] else 'missed'})",
        f"  as the model heard them       {pct(r['recall_as_heard'])}   (before numbers are read as figures)",
        f"figures not said                {r['extra']}",
        f"WER median (mean)               {pct(r['wer_median'])} ({pct(r['wer_mean'])})",
    ]
    if r["claims_checked"]:
        lines.append(f"claim check same as typed       {r['claims_same']}/{r['claims_checked']}   "
                     f"(supported typed {r['supported_typed']}, still supported spoken {r['supported_spoken']})")
    for miss in r["missed"][:8]:
        lines.append(f"missed in {miss['id']}: " + ", ".join(f"{v:g} {u}" for v, u in miss["missing"]))
    if r["cut_off"]:
        lines.append("said to be cut off             " + ", ".join(r["cut_off"]))
    return "\n".join(lines)
