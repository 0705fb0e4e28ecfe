"""The built-in dimension judges, one per rubric dimension, each registered by name.

Every judge decides from the learned reading of the answer's sentences (coaching/reading.py):
how strongly the best sentences show what the dimension asks for. Surface signs (a comparator
beside a figure, what the claim check found, the evidence's areas to improve) adjust that
decision; the reason is the rubric's template for the band the final score falls in, filled
with the sentence that earned it or with what is missing."""

from __future__ import annotations

import numpy as np

from prep_bot.coaching.judgement import SentenceJudge
from prep_bot.coaching.reading import VENTING_SHARE, AnswerReading, best, earned
from prep_bot.coaching.rubric import DimensionJudge, Verdict, find_cues, register, wrong_figures_text

WRONG_FIGURE_PENALTY = 20  # what each contradicted figure costs the figures beside it
WRONG_ALONE_MAX = 10  # a wrong figure with nothing confirmed beside it
HIDING_MAX = 12  # learning, when the answer says the opposite of a gap the evidence names
HIDING_COST = 20  # ... when it does so but owns another gap
OVERCLAIM_MAX = 25  # learning, when the answer claims nothing needs to improve
NOT_ENGLISH_MAX = 20  # focus, when the answer is not in English
OVERCLAIM_SURE = 0.7  # a sentence read this surely as claiming all is well (and not as a gap) ...
OVERCLAIM_COST = 15  # ... costs learning this much beside a gap owned elsewhere
OWNED_EVIDENCE_BONUS = 10  # learning, when the gap owned is the one the evidence names


def _plain(reading: AnswerReading) -> np.ndarray:
    """How plainly each sentence speaks: buzzwords and venting take away what it shows."""
    return reading.on_subject * (1.0 - 0.85 * reading.p("buzz")) * (1.0 - 0.7 * reading.p("venting"))


@register("outcome")
class Outcome(DimensionJudge):
    def judge(self, r: AnswerReading) -> Verdict:
        if not r.sentences:
            return Verdict(0)
        strength = r.shown("outcome") * _plain(r) * (1.0 - 0.6 * r.p("activity"))
        strength[list(r.contradicted)] *= 0.5  # a wrong figure is not an outcome to be praised for
        strength[list(r.hiding)] = 0.0  # nor is saying all is well where the evidence names a gap
        score = 100 * earned(strength.tolist())
        top = best(strength, exclude=r.contradicted | r.hiding)
        fields = {"quote": r.quote(top) if top is not None else ""}
        quoted = [r.sentences[top]] if top is not None else []
        counts = [c for cs in r.activity for c in cs]
        activity = r.p("activity")
        if counts or (len(activity) and activity.max() >= 0.5):
            listed = counts or [r.sentences[int(np.argmax(activity))][:60]]
            return Verdict(score, "activity", {**fields, "counts": ", ".join(listed[:3])}, quoted)
        claimed = r.p("outcome") * r.p("buzz")
        if len(claimed) and claimed.max() >= 0.3:
            i = int(np.argmax(claimed))
            return Verdict(score, "buzz", {**fields, "quote": fields["quote"] or r.quote(i, 70)}, quoted or [r.sentences[i]])
        return Verdict(score, "", fields, quoted)


@register("data")
class Data(DimensionJudge):
    def judge(self, r: AnswerReading) -> Verdict:
        counts = [c for cs in r.activity for c in cs]
        counted = {c.split()[0] for c in counts}
        measures = np.zeros(len(r.sentences))
        compared = np.zeros(len(r.sentences), dtype=bool)
        raw: list[str] = []
        said_wrong = {w.said for w in r.wrong}
        for i, points in enumerate(r.figures):
            points = [p for p in points if p.raw.split()[0] not in counted]
            raw += [p.raw for p in points]
            points = [p for p in points if p.raw not in said_wrong]  # a wrong figure earns nothing
            if not points:
                continue
            comparator = any(p.comparator or p.is_comparator for p in points) or bool(
                find_cues(self.rubric.cues.get("comparator", []), r.sentences[i]))
            compared[i] = comparator
            period = any(p.period for p in points)
            quality = 0.6 + (0.25 if comparator else 0.0) + (0.15 if period else 0.0)
            quality += 0.1 if i in r.supported else 0.0
            measures[i] = r.shown("data")[i] * _plain(r)[i] * min(1.0, quality)
        score = 100 * earned(measures.tolist(), (1.0, 0.45, 0.2))
        top = best(measures, exclude=r.contradicted)  # never quote a sentence stating a wrong figure
        fields = {"quote": r.quote(top) if top is not None else "", "counts": ", ".join(counts[:3]),
                  "figures": ", ".join(raw[:4])}
        quoted = [r.sentences[top]] if top is not None else []
        if r.wrong:
            return self._with_wrong(r, score, fields, quoted)
        if top is None or score < self.rubric.band_min("fair"):
            if raw and not counts:
                return Verdict(score, "dropped", fields, quoted)
            if counts:
                return Verdict(score, "activity", fields, quoted)
        # The reason says "with a comparison" only of a sentence that makes one.
        variant = "_".join(v for v in ("supported" if top is not None and top in r.supported else "",
                                        "plain" if top is not None and not compared[top] else "") if v)
        return Verdict(score, variant, fields, quoted)

    def _with_wrong(self, r: AnswerReading, score: float, fields: dict, quoted: list[str]) -> Verdict:
        n_wrong = len(r.wrong)
        lead = "Your figure differs" if n_wrong == 1 else f"{n_wrong} of your figures differ"
        fields = {**fields, "wrong_lead": lead, "wrong": wrong_figures_text(r.wrong)}
        if not r.supported_count or score <= 0:
            return Verdict(min(score, WRONG_ALONE_MAX), "wrong", fields, [])
        # A wrong figure among right ones costs that figure, not the whole dimension; while it
        # stands, the figures cannot be the answer's strength.
        score = min(score - WRONG_FIGURE_PENALTY * n_wrong, self.rubric.good - 1)
        total = max(r.checked, r.supported_count + n_wrong)
        matched = (f"{r.supported_count} of your {total} figure{'' if total == 1 else 's'} "
                   f"{'matches' if r.supported_count == 1 else 'match'} the evidence")
        if any((p.comparator or p.is_comparator) and ("england" in (p.comparator or p.sentence).lower() or "national" in (p.comparator or p.sentence).lower())
               for points in r.figures for p in points):
            matched += ", with an England comparison"
        elif any(p.comparator or p.is_comparator for points in r.figures for p in points):
            matched += ", with a comparator"
        tail = "one does not" if n_wrong == 1 else f"{n_wrong} do not"
        fields.update(matched=matched, wrong_detail=f"{tail}: {wrong_figures_text(r.wrong)}")
        return Verdict(max(score, 0), "wrong", fields, [])


@register("example")
class Example(DimensionJudge):
    def judge(self, r: AnswerReading) -> Verdict:
        strength = r.shown("example") * _plain(r)
        score = 100 * earned(strength.tolist(), (1.0, 0.3, 0.1))
        top = best(strength, exclude=r.contradicted)
        return Verdict(score, "", {"quote": r.quote(top) if top is not None else ""},
                       [r.sentences[top]] if top is not None else [])


@register("practice")
class Practice(DimensionJudge):
    def judge(self, r: AnswerReading) -> Verdict:
        strength = r.practice_shown() * _plain(r) * (1.0 - 0.5 * r.p("activity"))
        score = 100 * earned(strength.tolist(), (1.0, 0.6, 0.3))
        top = best(strength)
        return Verdict(score, "", {"quote": r.quote(top) if top is not None else ""},
                       [r.sentences[top]] if top is not None else [])


@register("learning")
class Learning(DimensionJudge):
    def judge(self, r: AnswerReading) -> Verdict:
        if not r.sentences:
            return Verdict(0)
        plain = r.on_subject * (1.0 - 0.8 * r.p("venting")) * (1.0 - 0.6 * r.p("buzz"))
        owned = [f for f in r.findings if f.kind == "owns"]
        # A sentence that says a problem is not there ("no issues with people not knowing who to
        # ring") owns no gap, however many of a gap's words it holds, unless it owns one the evidence names.
        denied = r.denies()
        denied[[f.sentence for f in owned]] = 0.0
        gaps = r.shown("gap") * plain * (1.0 - r.p("overclaim")) * (1.0 - denied)
        # A sentence owning a problem in so many words ("we did overspend, by £4.2m") about the gap
        # the evidence names names a gap, however the label model read its figures.
        for f in owned:
            if SentenceJudge.owns_a_problem(r.sentences[f.sentence]):
                gaps[f.sentence] = max(gaps[f.sentence], plain[f.sentence] * f.probability)
        plans = r.shown("plan") * plain
        g, l = float(gaps.max()), float(plans.max())
        score = 100 * (0.45 * g + 0.45 * l + 0.1 * min(g, l))
        gi, li = int(np.argmax(gaps)), int(np.argmax(plans))
        hidden = [f for f in r.findings if f.kind == "claims"]
        if hidden:
            f = hidden[0]
            fields = {"evidence": f.cite(), "quote": r.quote(gi, 80) if g >= 0.5 else r.quote(f.sentence)}
            if g < 0.5:  # nothing owned: the answer hides what the evidence says
                return Verdict(min(score, HIDING_MAX), "hiding", fields, [r.sentences[f.sentence]])
            # Owns one gap but says the opposite of the evidence on another.
            return Verdict(score - HIDING_COST, "hiding", fields, [r.sentences[gi]])
        claims = r.p("overclaim") * r.on_subject
        if len(claims) and claims.max() >= 0.5 and g < 0.5:
            i = int(np.argmax(claims))
            return Verdict(min(score, OVERCLAIM_MAX * (1.5 - claims[i])), "overclaim", {"quote": r.quote(i)}, [r.sentences[i]])
        if owned and g >= 0.4:
            score = min(100.0, score + OWNED_EVIDENCE_BONUS)
        # Owns one gap, but says all is well, for everyone and everywhere, on something else ("it's
        # joined up right across the borough, so staff always know who to ring"): an answer that
        # owns that too is the more honest one.
        sure = claims * (1.0 - r.p("gap"))
        sure[[f.sentence for f in owned]] = 0.0
        if g >= 0.5 and sure.max() >= OVERCLAIM_SURE and int(np.argmax(sure)) != gi:
            i = int(np.argmax(sure))
            return Verdict(score - OVERCLAIM_COST, "overclaim_too", {"quote": r.quote(gi, 80), "claim": r.quote(i, 80)},
                           [r.sentences[gi], r.sentences[i]])
        both = g >= 0.4 and l >= 0.4
        if both:
            picked = [gi] if gi == li else sorted({gi, li})
            quote = " … ".join(r.quote(i, 80) for i in picked)
            return Verdict(score, "evidence" if owned else "", {"quote": quote}, [r.sentences[i] for i in picked])
        if l > g:
            return Verdict(score, "plan", {"quote": r.quote(li)}, [r.sentences[li]] if l >= 0.2 else [])
        return Verdict(score, "", {"quote": r.quote(gi) if g >= 0.2 else ""}, [r.sentences[gi]] if g >= 0.2 else [])


@register("focus")
class Focus(DimensionJudge):
    def judge(self, r: AnswerReading) -> Verdict:
        limits = {"too_short": 25, "ideal_min": 45, "ideal_max": 190, "too_long": 320, **self.spec.length}
        value, notes = 100.0, []
        if r.words < limits["too_short"]:
            value -= 45
            notes.append("too short to show anything")
        elif r.words < limits["ideal_min"]:
            value -= 15
            notes.append("a little thin")
        elif r.words > limits["too_long"]:
            value -= 40
            notes.append("too long: keep it to two minutes")
        elif r.words > limits["ideal_max"]:
            value -= 15
            notes.append("long: lead with the point")
        venting = r.venting_share()
        if venting >= VENTING_SHARE or (len(r.sentences) and r.venting().max() >= 0.6):
            value -= min(90.0, 25 + 140 * venting)
            notes.append("venting")
        off = r.share("off")
        if r.off_question or off >= 0.3:
            value -= 45 if r.off_question else min(70.0, 120 * off)
            notes.append("drifts from the question")
        buzz = r.share("buzz")
        if buzz >= 0.2:
            value -= min(50.0, 70 * buzz)
            notes.append("general claims and buzzwords")
        if not r.english:  # the judgement reads English: say so, with a score that claims nothing
            return Verdict(min(value, NOT_ENGLISH_MAX), "english", {"notes": "; ".join(notes)})
        text = "; ".join(notes) if notes else "concise, factual and on the question"
        return Verdict(value, "", {"notes": text[0].upper() + text[1:]})
