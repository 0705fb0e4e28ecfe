"""The coach's judgement of answer sentences, learned from labelled examples.

Each sentence of an answer is read as a sentence embedding (the bundled MiniLM) plus a few
surface signs (figures, a comparator or a period beside them, a quoted voice, a count of
activity, the rubric's cue phrases): evidence, not decisions. One logistic regression per label
(knowledge/sentences/README.md) turns them into the probability that the sentence shows an
outcome, data, an example, practice, an honest gap, a plan, activity, buzzwords, venting,
something off the subject, or a claim that nothing needs to improve. The rubric's dimensions
(coaching/dimensions.py) are decided from these probabilities.

The models are trained at first use from knowledge/sentences/*.txt (a second or two) and kept in
the data dir's cache, keyed by a digest of the sentences, the cues and this module's version,
so a changed set retrains itself and a fresh data dir rebuilds the same models. The sentences'
embeddings are shipped beside them (knowledge/sentences/vectors.npz, written by
``python -m prep_bot.evals.judgement`` after editing the set), so a fresh data dir need not
embed 1,400 sentences first; a sentence missing from that file is embedded then. Vectors are
rounded to float16 whichever way they come, so both ways train the same models."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from prep_bot.coaching.labelled import (  # noqa: F401  (the labelled sets, read where they are learned)
    FOLDS, HELD_OUT_SHARE, LABELS, LETTERS, NOT_ANSWERS, PAIR_KINDS, LabelledPair, LabelledSentence, fold,
    read_evidence, read_pairs, read_sentences, sentence_files,
)
from prep_bot.coaching.shipped_models import FILE_NAME as MODELS_FILE, read_models, write_models
from prep_bot.coaching.surface_signs import (
    ABSOLUTE, ACTION, DENIED, FILLER, FUTURE, NEGATION, NUMBER_WORD, PERCENT, PERIOD, PERSON, PROBLEM, QUOTED, SHORT_OF, WELL,
)
from prep_bot.evidence.figures import extract_figures

VERSION = 13  # bump when features or training change: cached models are then rebuilt
REGULARISATION = 0.1  # logistic regression C: the set is small, the features many
NEIGHBOURS = 5  # the labelled sentences closest in meaning that vote beside the linear model
NEIGHBOUR_SHARE = 0.3  # their vote's share of each probability
MIN_WORDS_TO_SPLIT = 32  # a run-on spoken sentence longer than this is read in clauses


# -- reading an answer ---------------------------------------------------------------------------
_END = re.compile(r"(?<=[.!?;])[\"”’']?\s+")
_CLAUSE = re.compile(r",?\s+(?=(?:and then|and so|but|so (?:now|we|I|the|he|she|they|that)|which meant|and as a result|and now|and honestly|and to be honest|and we|and I)\b)", re.I)


def split_answer(text: str) -> list[str]:
    """An answer's sentences, as it was written or spoken: split at full stops, question marks
    and semicolons whatever the next letter's case, and a long run-on at its clause joints
    ("... and then ...", "... but ...") so that one sentence carries one thing."""
    text = re.sub(r"\s+", " ", text).strip()
    out: list[str] = []
    for part in _END.split(text):
        part = part.strip()
        if not part:
            continue
        if len(part.split()) <= MIN_WORDS_TO_SPLIT:
            out.append(part)
            continue
        pieces, current = [], ""
        for clause in _CLAUSE.split(part):
            current = f"{current} {clause}".strip() if current else clause.strip()
            if len(current.split()) >= 10:
                pieces.append(current)
                current = ""
        if current:
            if pieces and len(current.split()) < 6:
                pieces[-1] = f"{pieces[-1]} {current}"
            else:
                pieces.append(current)
        out.extend(pieces)
    return [s for s in out if re.search(r"\w", s)]


def _cue_count(cues: list[str], lowered: str) -> int:
    return sum(1 for c in cues if c in lowered and re.search(r"(?<![\w-])" + re.escape(c) + r"(?![\w-])", lowered))


def surface_features(sentence: str, cues: dict[str, list[str]], activity_nouns: list[str]) -> list[float]:
    """Signs a sentence carries on its surface, each scaled to about 0-1."""
    lowered = sentence.lower().replace("’", "'")
    words = max(1, len(sentence.split()))
    figures = extract_figures(sentence)
    counted = _activity_counts(sentence, activity_nouns)
    row = [
        math.log1p(words) / 4,
        min(len(NUMBER_WORD.findall(sentence)), 4) / 4,
        min(len(figures), 3) / 3,
        1.0 if PERCENT.search(sentence) else 0.0,
        1.0 if any(p.comparator or p.is_comparator for p in figures) else 0.0,
        1.0 if any(p.period for p in figures) or PERIOD.search(sentence) else 0.0,
        min(len(counted), 2) / 2,
        1.0 if QUOTED.search(sentence) else 0.0,
        min(len(PERSON.findall(sentence)), 2) / 2,
        min(len(ACTION.findall(sentence)), 2) / 2,
        min(len(NEGATION.findall(sentence)), 2) / 2,
        min(len(DENIED.findall(lowered)), 2) / 2,
        min(len(ABSOLUTE.findall(sentence)), 3) / 3,
        min(len(FUTURE.findall(sentence)), 2) / 2,
        min(len(FILLER.findall(sentence)), 3) / 3,
        1.0 if "?" in sentence else 0.0,
    ]
    row += [min(_cue_count(cues.get(group, []), lowered), 3) / 3 for group in sorted(cues)]
    return row


def _activity_counts(text: str, nouns: list[str]) -> list[str]:
    if not nouns:
        return []
    pattern = r"\b(\d[\d,]*|hundreds|thousands|dozens)\s+(?:of\s+)?(?:[\w-]+\s+){0,2}?(" + "|".join(
        re.escape(n) for n in sorted(nouns, key=len, reverse=True)) + r")\b"
    return [f"{m.group(1)} {m.group(2)}" for m in re.finditer(pattern, text, re.I)]


# -- the models ----------------------------------------------------------------------------------
SURFACE_MEMO = 8192  # sentences whose surface signs a judge remembers (the labelled set is about 2,000)


@dataclass
class LinearModel:
    """Standardised features -> one logistic output per class (binary: one column)."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (n_features, n_outputs)
    intercept: np.ndarray  # (n_outputs,)

    def logits(self, x: np.ndarray) -> np.ndarray:
        return _dot((x - self.mean) / self.scale, self.coef) + self.intercept

    def to_dict(self) -> dict:
        return {k: getattr(self, k).tolist() for k in ("mean", "scale", "coef", "intercept")}

    @classmethod
    def from_dict(cls, d: dict) -> LinearModel:
        return cls(*(np.asarray(d[k], dtype=np.float32) for k in ("mean", "scale", "coef", "intercept")))


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A small matrix product without BLAS threads (which contend with the model's and with
    other requests', and cost more than they save at this size)."""
    return np.einsum("ij,jk->ik", a, b)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def fit_labels(x: np.ndarray, labels: list[frozenset[str]], c: float = REGULARISATION, only: tuple[str, ...] = LABELS) -> LinearModel:
    """One logistic regression per label, side by side in one linear model (one not in ``only`` reads 0)."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    coefs, intercepts = [], []
    for label in LABELS:
        if label not in only:
            coefs, intercepts = [*coefs, np.zeros(x.shape[1])], [*intercepts, -30.0]
            continue
        y = np.array([label in ls for ls in labels], dtype=int)
        model = LogisticRegression(C=c, max_iter=3000)
        model.fit(z, y)
        coefs.append(model.coef_[0])
        intercepts.append(model.intercept_[0])
    return LinearModel(mean.astype(np.float32), scale.astype(np.float32),
                       np.stack(coefs, axis=1).astype(np.float32), np.array(intercepts, dtype=np.float32))


def fit_pairs(x: np.ndarray, kinds: list[str], c: float = 1.0) -> LinearModel:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
    model.fit((x - mean) / scale, [PAIR_KINDS.index(k) for k in kinds])
    return LinearModel(mean.astype(np.float32), scale.astype(np.float32), model.coef_.T.astype(np.float32),
                       model.intercept_.astype(np.float32))


def fit_binary(x: np.ndarray, y: list[bool], c: float = REGULARISATION) -> LinearModel:
    """One balanced logistic regression; its one output is the logit of ``True``."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
    model.fit((x - mean) / scale, np.array(y, dtype=int))
    return LinearModel(mean.astype(np.float32), scale.astype(np.float32), model.coef_.T.astype(np.float32),
                       model.intercept_.astype(np.float32))


PAIR_LABELS = ("gap", "overclaim", "plan", "outcome", "practice")  # the labels the pair model reads
PAIR_FEATURES = ("similarity", "gap", "overclaim", "plan", "outcome", "practice", "negation owning", "sim x gap", "sim x claim",
                 "denies", "sim x denies", "less a gap than the evidence", "sim x less a gap", "owns a problem",
                 "says all is well", "sim x well, nothing owned", "sim x owned",
                 "evidence short, answer not", "sim x evidence short, answer not")


def pair_features(similarity: float, answer_probs: dict[str, float], signs: tuple[float, float, float, float],
                  evidence_gap: float, evidence_short: float) -> list[float]:
    """What decides whether an answer sentence claims the opposite of an evidence sentence,
    owns it, or is about something else: how close they are in meaning, and whether the
    answer sentence admits a gap or asserts that all is well. ``signs``: how negative the answer
    sentence is on its surface, and whether it says a problem is not there (``SentenceJudge.signs``).
    A negative that says things are well and owns no problem ("nobody waits longer in the north")
    owns nothing. ``evidence_gap``: how much the same reading takes the evidence sentence for a gap. A sentence
    on a subject that is mostly written about as a gap reads a little like one whatever it says
    ("young people have their adult assessment well before 18"); how far the answer reads less
    like a gap than the evidence it is set beside is what tells its stance. ``evidence_short``:
    whether the evidence sentence says in so many words that something falls short
    (``falls_short``); beside it, an answer sentence on the same subject that says nothing falls
    short ("we have checked the threshold and it is consistent", against "had not yet tested
    whether its threshold was applied consistently") tells its stance in its words, however
    much its subject reads like a gap."""
    negation, denies, owned, well = signs
    gap, claim = answer_probs["gap"], answer_probs["overclaim"]
    short = max(owned, 1.0 if negation and not denies else 0.0)  # the answer says something falls short
    asserts = 1.0 - gap
    less = evidence_gap - gap
    return [similarity, gap, claim, answer_probs["plan"], answer_probs["outcome"], answer_probs["practice"],
            negation * (1.0 - denies) * (1.0 - well * (1.0 - owned)), similarity * gap, similarity * max(asserts, claim), denies, similarity * denies,
            less, similarity * less, owned, well, similarity * well * (1.0 - owned), similarity * owned,
            evidence_short * (1.0 - short), similarity * evidence_short * (1.0 - short)]


def falls_short(text: str) -> float:
    """1 when a sentence says in so many words that something falls short: a negative, a
    problem word, "only" or "fewer" ("had not yet tested", "too long", "only 41% of carers")."""
    lowered = text.lower().replace("’", "'")
    return 1.0 if NEGATION.search(text) or PROBLEM.search(lowered) or SHORT_OF.search(lowered) else 0.0


class Neighbours:
    """The labelled sentences as vectors, voting by closeness in meaning."""

    def __init__(self, vectors: np.ndarray, labels: list[frozenset[str]], k: int = NEIGHBOURS) -> None:
        norms = np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
        self.vectors = np.ascontiguousarray((vectors / norms).astype(np.float32).T)  # (384, sentences)
        self.labels = np.array([[label in ls for label in LABELS] for ls in labels], dtype=np.float32)
        self.k = k

    def vote(self, vectors: np.ndarray) -> np.ndarray:
        sims = _dot(vectors.astype(np.float32), self.vectors)
        k = min(self.k, sims.shape[1])
        idx = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        weights = np.take_along_axis(sims, idx, 1).clip(0) ** 2
        return (self.labels[idx] * weights[..., None]).sum(1) / (weights.sum(1, keepdims=True) + 1e-9)


def blend(linear: np.ndarray, votes: np.ndarray) -> np.ndarray:
    return (1 - NEIGHBOUR_SHARE) * linear + NEIGHBOUR_SHARE * votes


class SentenceJudge:
    """The trained label models, and reading sentences with them."""

    def __init__(self, embedder, cues: dict[str, list[str]], activity_nouns: list[str], folder: Path, cache=None) -> None:
        self.embedder = embedder
        self.cues = {k: [c.lower() for c in v] for k, v in cues.items()}
        self.activity_nouns = list(activity_nouns)
        self.folder = Path(folder)
        self.cache = cache
        self._models: tuple[LinearModel, LinearModel, LinearModel] | None = None
        self._neighbours: Neighbours | None = None
        self._lock = threading.Lock()
        # A sentence's surface signs, remembered: training and its evaluation read the same
        # labelled sentences many times over (bounded, as answers are read by the same judge).
        self._surface = functools.lru_cache(maxsize=SURFACE_MEMO)(
            lambda text: tuple(surface_features(text, self.cues, self.activity_nouns))
        )
        self._shipped_memo: tuple[int, dict[str, np.ndarray]] | None = None

    # features
    def features(self, texts: list[str], vectors: np.ndarray | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384 + 15 + len(self.cues)), dtype=np.float32)
        if vectors is None:
            vectors = self.embedder.encode_cached(texts)
        surface = np.array([self._surface(t) for t in texts], dtype=np.float32)
        return np.hstack([vectors.astype(np.float32), surface])

    # training and the cache
    def digest(self) -> str:
        h = hashlib.sha256(f"judgement v{VERSION} {getattr(self.embedder, 'model_key', '')}".encode())
        for path in [*sentence_files(self.folder), *(self.folder / name for name in NOT_ANSWERS)]:
            h.update(path.name.encode() + path.read_bytes())
        h.update(json.dumps([self.cues, self.activity_nouns], sort_keys=True).encode())
        return h.hexdigest()[:24]

    # training vectors: shipped, else embedded (rounded to float16 either way)
    @property
    def shipped_file(self) -> Path:
        return self.folder / "vectors.npz"

    def _shipped(self) -> dict[str, np.ndarray]:
        """The shipped vectors by text, read once per version of the file."""
        try:
            stamp = self.shipped_file.stat().st_mtime_ns
            if self._shipped_memo is None or self._shipped_memo[0] != stamp:
                with np.load(self.shipped_file) as data:
                    same_model = str(data["model"]) == str(getattr(self.embedder, "model_key", ""))
                    found = dict(zip((str(t) for t in data["texts"]), data["vectors"])) if same_model else {}
                self._shipped_memo = (stamp, found)
            return dict(self._shipped_memo[1])
        except (OSError, ValueError, KeyError):
            return {}

    def vectors(self, texts: list[str]) -> np.ndarray:
        """The training texts' embeddings, from the shipped file where it has them."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        shipped = self._shipped()
        missing = [t for t in dict.fromkeys(texts) if t not in shipped]
        if missing:
            shipped.update(zip(missing, self.embedder.encode_cached(missing, persist=True).astype(np.float16)))
        return np.stack([np.asarray(shipped[t], dtype=np.float16) for t in texts]).astype(np.float32)

    def save_shipped(self) -> Path:
        """Write the embeddings of every labelled sentence and pair, and the models trained on
        them (after editing the set)."""
        texts = list(dict.fromkeys([s.text for s in read_sentences(self.folder)]
                                   + [t for p in read_pairs(self.folder) for t in (p.answer, p.evidence)]
                                   + [t for t, _ in read_evidence(self.folder)]))
        vectors = self.embedder.encode(texts).astype(np.float16)
        np.savez_compressed(self.shipped_file, model=np.array(str(self.embedder.model_key)),
                            texts=np.array(texts), vectors=vectors)
        self._shipped_memo = None
        trained = self.train(read_sentences(self.folder), read_pairs(self.folder), read_evidence(self.folder))
        write_models(self.folder / MODELS_FILE, self.digest(), trained)
        return self.shipped_file

    def train(self, sentences: list[LabelledSentence], pairs: list[LabelledPair],
              evidence: list[tuple[str, bool]]) -> tuple[LinearModel, LinearModel, LinearModel]:
        texts = [s.text for s in sentences]
        x = self.features(texts, self.vectors(texts))
        labels_model = fit_labels(x, [s.labels for s in sentences])
        return labels_model, self._train_pairs(sentences, x, pairs, evidence), self._train_evidence(evidence)

    def _train_evidence(self, evidence: list[tuple[str, bool]]) -> LinearModel:
        texts = [t for t, _ in evidence]
        x = self.features(texts, self.vectors(texts))
        return fit_binary(x, [weak for _, weak in evidence])

    @staticmethod
    def _fold_readers(sentences: list[LabelledSentence], x: np.ndarray) -> list[tuple[LinearModel, Neighbours]]:
        """Per fold, the label model and neighbours learned without that fold's sentences."""
        fold_of = [fold(s.text) for s in sentences]
        readers = []
        for held in range(FOLDS):
            keep = [i for i, f in enumerate(fold_of) if f != held]
            kept = [sentences[i].labels for i in keep]
            readers.append((fit_labels(x[keep], kept, only=PAIR_LABELS), Neighbours(x[keep, :384], kept)))
        return readers

    def _train_pairs(self, sentences: list[LabelledSentence], x: np.ndarray, pairs: list[LabelledPair],
                     evidence_sentences: list[tuple[str, bool]],
                     readers: list[tuple[LinearModel, Neighbours]] | None = None) -> LinearModel:
        """The pair model, from each answer's label probabilities as read by models fitted without
        its fifth of the sentences: read by a model that learned them, labelled answers look surer
        than any new one would, and "claims the opposite" learned how sure the label was.
        ``readers`` are ``_fold_readers(sentences, x)`` when the caller already has them (the
        evaluation trains the pair model once per evidence sentence left out, on the same folds)."""
        readers = readers or self._fold_readers(sentences, x)
        answers = [p.answer for p in pairs]
        evidence = [p.evidence for p in pairs]
        a_vec = self.vectors(answers)
        e_vec = self.vectors(evidence)
        a_feat, e_feat = self.features(answers, a_vec), self.features(evidence, e_vec)
        probs = np.zeros((len(answers), len(LABELS)), dtype=np.float32)
        e_probs = np.zeros_like(probs)
        weak = np.zeros(len(evidence), dtype=np.float32)
        voice_texts = [t for t, _ in evidence_sentences]
        voice_x = self.features(voice_texts, self.vectors(voice_texts))
        voice_fold = np.array([fold(t) for t in voice_texts])
        answer_fold, evidence_fold = np.array([fold(a) for a in answers]), np.array([fold(e) for e in evidence])
        for held, (model, near) in enumerate(readers):
            for out, feat, vec, at in ((probs, a_feat, a_vec, answer_fold), (e_probs, e_feat, e_vec, evidence_fold)):
                rows = np.flatnonzero(at == held)
                out[rows] = blend(_sigmoid(model.logits(feat[rows])), near.vote(vec[rows]))
            voice = np.flatnonzero(voice_fold != held)
            voice_model = fit_binary(voice_x[voice], [evidence_sentences[i][1] for i in voice])
            rows = np.flatnonzero(evidence_fold == held)
            weak[rows] = _sigmoid(voice_model.logits(e_feat[rows])[:, 0])
        gap = LABELS.index("gap")
        rows = [
            pair_features(float(a_vec[i] @ e_vec[i]), dict(zip(LABELS, probs[i])), self.signs(answers[i]),
                          max(float(e_probs[i, gap]), float(weak[i])), falls_short(evidence[i]))
            for i in range(len(pairs))
        ]
        return fit_pairs(np.array(rows, dtype=np.float32), [p.kind for p in pairs])

    _MEMO: dict[str, tuple[LinearModel, LinearModel, LinearModel]] = {}  # trained models shared within a process

    def models(self) -> tuple[LinearModel, LinearModel, LinearModel]:
        with self._lock:
            if self._models is not None:
                return self._models
            key = self.digest()
            found = self._MEMO.get(key) or read_models(self.folder / MODELS_FILE, key, LinearModel)
            if found is None and self.cache is not None:
                stored = self.cache.result(f"judgement:{key}")
                if isinstance(stored, dict) and {"labels", "pairs", "evidence"} <= set(stored):
                    found = tuple(LinearModel.from_dict(stored[k]) for k in ("labels", "pairs", "evidence"))
            if found is None:
                found = self.train(read_sentences(self.folder), read_pairs(self.folder), read_evidence(self.folder))
                if self.cache is not None:
                    self.cache.put_result(f"judgement:{key}", dict(zip(("labels", "pairs", "evidence"), (m.to_dict() for m in found))), "judgement")
            self._MEMO[key] = found
            self._models = found
            return found

    # reading
    def read(self, texts: list[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """Per sentence, the probability of each label (columns in LABELS order)."""
        if not texts:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        return self._labels(self.features(texts, vectors))

    def _labels(self, x: np.ndarray) -> np.ndarray:
        return blend(_sigmoid(self.models()[0].logits(x)), self.neighbours().vote(x[:, :384]))

    def neighbours(self) -> Neighbours:
        if self._neighbours is None:
            sentences = read_sentences(self.folder)
            self._neighbours = Neighbours(self.vectors([s.text for s in sentences]), [s.labels for s in sentences])
        return self._neighbours

    def weakness(self, texts: list[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """Per evidence sentence, the probability that it names an area to improve."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        return _sigmoid(self.models()[2].logits(self.features(texts, vectors))[:, 0])

    def evidence_gap(self, texts: list[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """Per evidence sentence, how surely it reads as a gap: as an answer's sentence would, or
        in the evidence's own voice, whichever is surer ("We overspent our budget again", a
        self-assessment's plain admission, reads as no answer's gap would)."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        x = self.features(texts, vectors)
        return np.maximum(self._labels(x)[:, LABELS.index("gap")], _sigmoid(self.models()[2].logits(x)[:, 0]))

    @staticmethod
    def signs(text: str) -> tuple[float, float, float, float]:
        """How negative a sentence is on its surface (0, 0.5 or 1); whether it says a problem is
        not there ("no issues with", "aren't late here": 1) rather than owning one; whether it
        owns a problem in so many words ("too long", "not always"); how far it says things are
        well ("well before 18", "on time")."""
        lowered = text.lower().replace("’", "'")
        denies = 1.0 if DENIED.search(lowered) else 0.0
        owned = 1.0 if not denies and PROBLEM.search(lowered) else 0.0
        return min(len(NEGATION.findall(text)), 2) / 2, denies, owned, min(len(WELL.findall(lowered)), 2) / 2

    @classmethod
    def owns_a_problem(cls, text: str) -> bool:
        """Whether a sentence owns a problem in so many words ("too long", "we did overspend")."""
        _, denies, owned, _ = cls.signs(text)
        return bool(owned and not denies)

    def pair_kind(self, similarity: float, probs: dict[str, float], signs: tuple[float, float, float, float],
                  evidence_gap: float, evidence: str) -> dict[str, float]:
        """How likely an answer sentence is to claim the opposite of, own, or be beside an
        evidence sentence naming an area to improve (read as a gap ``evidence_gap`` surely)."""
        pairs_model = self.models()[1]
        z = pairs_model.logits(np.array([pair_features(similarity, probs, signs, evidence_gap, falls_short(evidence))], dtype=np.float32))[0]
        e = np.exp(z - z.max())
        return dict(zip(PAIR_KINDS, (e / e.sum()).tolist()))
