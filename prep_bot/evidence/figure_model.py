"""Learned judgements about figures, trained on the labelled figures in ``eval/figures.yaml``.

Three scikit-learn logistic regressions:
- performance: is this a figure about people or services (a wait, a rate, a count of people, a
  spend), or the report's own metadata (days on site, interviews held, pages, years of
  experience, a number that only defines another figure's measure)? Features: the MiniLM
  embedding of the words around the figure, simple features (unit, size, cue words) and the
  hashed words and word pairs around it (the lexical model's).
- subject: whose figure (ours, England, a region, a comparator group, a target)? The same
  embedding, the rule-based cue (``subject_cues.subject_cue``) and cue words just before it.
- same measure: do two figures measure the same thing? Features of the pair: cosine of their
  measure phrases and of their contexts, shared words, unit, noun and subject agreement,
  numbers inside the measure that differ ("within 21 days" is not "within 28 days"), and how
  far the parts of the two measures agree (``measure_parts``).

Training takes well under a second once the labelled texts are embedded; their vectors ship
beside the labelled set (``eval/figures-vectors.npz``, checked by digest) and otherwise come
from the data dir's cache. Without the embedding model (the briefing pack never loads it) a
lexical twin of the performance and subject models reads hashed words instead.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from prep_bot.evidence.figure_features import (  # noqa: F401 - names_other_things, _groups, _SERVICE_RE re-exported
    _SERVICE_RE, _groups, _hashed, _left_text, _measured_time, area_size, assessment_score, names_other_things, pair_features,
    simple_features, without_values, window_text,
)
from prep_bot.evidence.figure_sets import (  # noqa: F401 - the labelled sets' names, re-exported
    FIGURES_FILE, FigureSet, LabelledFigure, labelled_pairs, load_figure_set, more_sets,
)
from prep_bot.evidence.figures import REPORT_METADATA, DataPoint, extract_figures
from prep_bot.evidence.injection import evidence_text

log = logging.getLogger(__name__)
VERSION = "figures-56"  # bump when features change: drops cached annotations
SAME_MEASURE = 0.6  # probability at which two figures are taken to measure the same thing (the claim check's)
PERFORMANCE = 0.5
SHORTLIST = 0.2  # first-stage same-measure probability worth a closer look (what differs)
_FITTED: dict[str, "_Models"] = {}
_BLOCKS: dict[str, tuple] = {}  # each further set's pair features, computed once per process
_LOCK = threading.RLock()
_ANNOTATIONS: OrderedDict[str, list[tuple[bool, str]]] = OrderedDict()
ANNOTATION_CACHE = 4000


# -- models -----------------------------------------------------------------------------------
@dataclass
class _Models:
    performance: object
    subject: object
    pair: object
    pair_detail: object
    performance_lexical: object
    subject_lexical: object
    # The same two stages without how far apart the values are: for a figure someone said, whose
    # value is what is being checked (a model that learned "alike values, one measure" would read
    # every stated figure's values as alike).
    pair_said: object = None
    pair_detail_said: object = None


def _unpack(data, name: str) -> _Linear:
    """A logistic regression rebuilt from its shipped coefficients."""
    return _Linear(data[f"{name}.coef"], data[f"{name}.intercept"], data[f"{name}.classes"])


class _Linear:
    """A fitted logistic regression's ``predict_proba`` and ``predict`` in numpy, as scikit-learn
    computes them, so that a command reading the shipped models does not import scikit-learn
    (and pandas with it: 1-2 s of a `prep-bot coach` started in a fresh shell)."""

    def __init__(self, coef: np.ndarray, intercept: np.ndarray, classes: np.ndarray) -> None:
        self.coef_, self.intercept_, self.classes_ = np.asarray(coef), np.asarray(intercept), np.asarray(classes)

    def decision_function(self, X) -> np.ndarray:
        scores = np.asarray(X) @ self.coef_.T + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict_proba(self, X) -> np.ndarray:
        scores = self.decision_function(X)
        if scores.ndim == 1:  # two classes: the logistic of the one score
            p = 1.0 / (1.0 + np.exp(-scores))
            return np.column_stack([1.0 - p, p])
        scores = scores - scores.max(axis=1, keepdims=True)  # more than two: softmax
        e = np.exp(scores)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        scores = self.decision_function(X)
        index = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]


def _digest(paths: list[Path]) -> str:
    """Names the labelled sets (their files as written) and the features: the shipped models are
    fitted with the bundled embedding model. Read from the files' bytes, so a process that only
    uses the shipped models never parses the sets."""
    h = hashlib.sha256(VERSION.encode())
    for path in paths:
        h.update(f"-- {Path(path).name}\n".encode() + Path(path).read_bytes())
    return h.hexdigest()[:16]


def training_texts(labelled: FigureSet) -> list[str]:
    """Every text the models embed for a set's figures (the labelled set's ship as vectors)."""
    out: list[str] = []
    for f in labelled.figures:
        if f.point is not None:
            out += [window_text(f.point), f.point.measure]
    return list(dict.fromkeys(out))


_GENERIC = frozenset(
    "people person proportion number rate total who service services local authority council use used using our percentage "
    "share cent percent said told us".split()
)


def remainders(a: str, b: str) -> tuple[str, str]:
    """The words of each measure phrase that the other lacks (what differs between them)."""
    wa = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]+|\d+", a)]
    wb = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]+|\d+", b)]
    sa, sb = {w.rstrip("s") for w in wa}, {w.rstrip("s") for w in wb}
    ra = [w for w in wa if w.rstrip("s") not in sb and w not in _GENERIC and w.rstrip("s") not in _GENERIC]
    rb = [w for w in wb if w.rstrip("s") not in sa and w not in _GENERIC and w.rstrip("s") not in _GENERIC]
    return " ".join(ra), " ".join(rb)


def remainder_features(ra: str, rb: str, vectors: dict) -> np.ndarray:
    if not ra and not rb:
        return np.array([1.0, 0.0, 0.0], dtype=np.float32)
    if not ra or not rb:
        return np.array([0.5, 1.0, min(len((ra or rb).split()), 5) / 5], dtype=np.float32)
    return np.array([float(vectors[ra] @ vectors[rb]), 0.0, min(len(ra.split()) + len(rb.split()), 10) / 10], dtype=np.float32)


class FigureModel:
    """The three models, fitted once per process from the labelled set (shared by every store)."""

    def __init__(self, embedder=None, path: Path = FIGURES_FILE, more: list[Path] | None = None) -> None:
        self.embedder = embedder
        self.path = Path(path)
        self.more = list(more) if more is not None else more_sets(self.path)
        self._models: _Models | None = None
        self._set: FigureSet | None = None
        self._further: list[FigureSet] | None = None
        self._vectors: dict[str, np.ndarray] | None = None

    @property
    def labelled(self) -> FigureSet:
        if self._set is None:
            self._set = load_figure_set(self.path)
        return self._set

    @property
    def vectors_file(self) -> Path:
        return self.path.with_name(self.path.stem + "-vectors.npz")

    def _model_key(self) -> str:
        return self.embedder.model_key if self.embedder is not None else "none"

    def training_vectors(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The vectors of ``texts``: shipped ones (for the bundled embedding model), the rest
        embedded through the data dir's cache."""
        if self._vectors is None:
            self._vectors = {}
            try:
                with np.load(self.vectors_file, allow_pickle=False) as data:
                    if str(data["model"]) == self._model_key():
                        self._vectors = dict(zip(data["texts"].tolist(), np.asarray(data["vectors"], dtype=np.float32)))
            except (OSError, ValueError, KeyError):
                pass
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        found = dict(zip(missing, self.embedder.encode_cached(missing, persist=True))) if missing else {}
        return {t: self._vectors[t] if t in self._vectors else found[t] for t in texts}

    def save_vectors(self) -> Path:
        """Ship the vectors of the labelled set's texts beside it (after editing it:
        ``python -m prep_bot.evidence.figure_model``)."""
        texts = training_texts(self.labelled)
        vectors = self.embedder.encode(texts)
        np.savez_compressed(self.vectors_file, model=np.array(self._model_key()), texts=np.array(texts), vectors=vectors)
        self._vectors = None
        return self.vectors_file

    @property
    def further(self) -> list[FigureSet]:
        """The further labelled sets the models are fitted on beside the labelled set."""
        if self._further is None:
            self._further = [load_figure_set(p) for p in self.more]
        return self._further

    @property
    def model_file(self) -> Path:
        """The fitted models, shipped beside the labelled set (checked by digest)."""
        return self.path.with_name(self.path.stem + "-model.npz")

    def models(self) -> _Models:
        if self._models is None:
            with _LOCK:
                key = _digest([self.path, *self.more])
                if key not in _FITTED:
                    _FITTED[key] = self._shipped(key) or self.fit(self.labelled.figures)
                self._models = _FITTED[key]
        return self._models

    def _shipped(self, key: str) -> _Models | None:
        try:
            with np.load(self.model_file, allow_pickle=False) as data:
                if str(data["digest"]) != key:
                    return None
                return _Models(**{name: _unpack(data, name) for name in _Models.__dataclass_fields__})
        except (OSError, ValueError, KeyError):
            return None

    def save_model(self) -> Path:
        """Fit on the whole set and ship the result (after editing the set:
        ``python -m prep_bot.evidence.figure_model``)."""
        models = self.fit(self.labelled.figures)
        arrays = {"digest": np.array(_digest([self.path, *self.more]))}
        for name in _Models.__dataclass_fields__:
            lr = getattr(models, name)
            arrays |= {f"{name}.coef": lr.coef_, f"{name}.intercept": lr.intercept_, f"{name}.classes": lr.classes_}
        np.savez_compressed(self.model_file, **arrays)
        return self.model_file

    def fit(self, figures: list[LabelledFigure], parts: tuple[str, ...] = ("figure", "pair", "lexical")) -> _Models:
        """Fit the models on ``figures`` (all of the labelled set, or a training fold) and on
        every further set; ``parts`` picks which (the evaluation fits only what it measures).
        Pairs are only ever made within one set: each names its measures its own way."""
        from sklearn.linear_model import LogisticRegression

        own = [f for f in figures if f.point is not None]
        usable = own + [f for one in self.further for f in one.figures if f.point is not None]
        vectors = self.training_vectors(training_texts(FigureSet(usable, 0)))
        points = [f.point for f in usable]
        y = np.array([f.performance for f in usable])
        perf = [i for i, f in enumerate(usable) if f.performance]
        ys = np.array([usable[i].subject for i in perf])
        performance = subject = pair = pair_detail = performance_lexical = subject_lexical = None
        pair_said = pair_detail_said = None
        if "figure" in parts:
            X = self._figure_matrix(points, vectors)
            performance = LogisticRegression(C=2.0, max_iter=1000, class_weight="balanced", solver="liblinear").fit(
                self._performance_matrix(points, X), y)
            subject = LogisticRegression(C=2.0, max_iter=500).fit(X[perf], ys)
        if "lexical" in parts:
            lexical = self._lexical_matrix(points)
            performance_lexical = LogisticRegression(C=4.0, max_iter=500, class_weight="balanced", solver="liblinear").fit(lexical, y)
            subject_lexical = LogisticRegression(C=4.0, max_iter=500).fit(lexical[perf], ys)
        if "pair" in parts:
            blocks = [self._pair_block(own, vectors)]
            for path, one in zip(self.more, self.further):
                key = f"{VERSION}|{self._model_key()}|{Path(path).resolve()}"
                if key not in _BLOCKS:
                    _BLOCKS[key] = self._pair_block([f for f in one.figures if f.point is not None], vectors)
                blocks.append(_BLOCKS[key])
            P, R, labels = (np.concatenate([b[k] for b in blocks if len(b[2])]) for k in range(3))
            def two_stages(F: np.ndarray) -> tuple:
                return (LogisticRegression(C=1.0, max_iter=500, class_weight="balanced", solver="liblinear").fit(F, labels),
                        LogisticRegression(C=1.0, max_iter=500, class_weight="balanced", solver="liblinear").fit(
                            np.hstack([F, R]), labels))

            pair, pair_detail = two_stages(P)
            pair_said, pair_detail_said = two_stages(without_values(P))
        log.info("figure models fitted on %d figures", len(usable))
        return _Models(performance, subject, pair, pair_detail, performance_lexical, subject_lexical, pair_said, pair_detail_said)

    def _pair_block(self, usable: list[LabelledFigure], vectors: dict[str, np.ndarray]) -> tuple:
        """The labelled pairs of one set: their features, what differs between them, and whether
        each is one measure."""
        pairs = labelled_pairs(usable)
        if not pairs:
            return np.zeros((0, 0)), np.zeros((0, 3)), np.zeros(0, dtype=bool)
        P = np.stack([pair_features(usable[i].point, usable[j].point, self._vec(usable[i].point, vectors),
                                    self._vec(usable[j].point, vectors)) for i, j, _ in pairs])
        R = self._remainder_matrix([(usable[i].point, usable[j].point) for i, j, _ in pairs])
        return P, R, np.array([s for _, _, s in pairs])

    def _remainder_matrix(self, pairs: list[tuple[DataPoint, DataPoint]]) -> np.ndarray:
        rests = [remainders(a.measure, b.measure) for a, b in pairs]
        texts = list(dict.fromkeys(t for pair in rests for t in pair if t))
        vectors = dict(zip(texts, self.embedder.encode_cached(texts, persist=True))) if texts else {}
        return np.stack([remainder_features(ra, rb, vectors) for ra, rb in rests]) if rests else np.zeros((0, 3))

    @staticmethod
    def _vec(point: DataPoint, vectors: dict[str, np.ndarray]) -> dict:
        return {"measure": vectors[point.measure], "window": vectors[window_text(point)]}

    @staticmethod
    def _figure_matrix(points: list[DataPoint], vectors: dict[str, np.ndarray]) -> np.ndarray:
        if not points:
            return np.zeros((0, 384 + 41), dtype=np.float32)
        return np.hstack([
            np.stack([vectors[window_text(p)] for p in points]),
            np.stack([simple_features(p) for p in points]),
        ])

    def _performance_matrix(self, points: list[DataPoint], X: np.ndarray):
        """What the performance model reads: the embedding and simple features (``X``) and the
        hashed words around the figure (the lexical model's), one sparse matrix."""
        return np.hstack([X, self._lexical_matrix(points)])

    @staticmethod
    def _lexical_matrix(points: list[DataPoint]):
        return np.hstack([_hashed([window_text(p) for p in points]), _hashed([_left_text(p) for p in points]),
                          np.stack([simple_features(p) for p in points])])

    # -- use ----------------------------------------------------------------------------------
    def vectors_for(self, points: list[DataPoint], persist: bool = False) -> dict[str, np.ndarray]:
        texts = list(dict.fromkeys(t for p in points for t in (window_text(p), p.measure)))
        return dict(zip(texts, self.embedder.encode_cached(texts, persist=persist))) if texts else {}

    def annotate(self, points: list[DataPoint], vectors: dict[str, np.ndarray] | None = None, lexical: bool = False) -> list[DataPoint]:
        """Set each figure's ``performance`` and ``subject`` from the models (in place)."""
        if not points:
            return points
        m = self.models()
        if lexical or self.embedder is None:
            X = self._lexical_matrix(points)
            perf, subj = m.performance_lexical.predict_proba(X)[:, 1], m.subject_lexical.predict(X)
            # Hashed words alone miss what the meaning tells ("held 36 interviews with over 150
            # people" read 0.68 as performance): the report's own words for its method decide.
            perf = np.where([bool(REPORT_METADATA.search(p.window)) for p in points], 0.0, perf)
        else:
            vectors = vectors if vectors is not None else self.vectors_for(points)
            X = self._figure_matrix(points, vectors)
            perf, subj = m.performance.predict_proba(self._performance_matrix(points, X))[:, 1], m.subject.predict(X)
        for p, pr, s in zip(points, perf, subj):
            # A figure set beside an England average or a comparator is never the report's metadata.
            p.performance = ((bool(pr >= PERFORMANCE) or _measured_time(p) or bool(p.comparator))
                             and not area_size(p) and not assessment_score(p))
            # The England average beside our figure is England's whatever its words; "up from
            # 68.3%" stays ours (an earlier period of our own figure).
            p.subject = str(s)
        return points

    def same_measure(self, a: DataPoint, others: list[DataPoint], vectors: dict[str, np.ndarray],
                     always: tuple[int, ...] = (), by_value: bool = False) -> np.ndarray:
        """Probability that ``a`` measures what each of ``others`` measures (``always``: indexes
        to look at closely whatever the first stage says). ``by_value``: also how far apart their
        values are; only between figures of the evidence, never for a figure someone said, whose
        value is what is being checked (a wildly wrong figure is still of its measure)."""
        if not others:
            return np.zeros(0)
        va = self._vec(a, vectors)
        P = np.stack([pair_features(a, b, va, self._vec(b, vectors), by_value) for b in others])
        models = self.models()
        pair, pair_detail = (models.pair, models.pair_detail) if by_value else (models.pair_said, models.pair_detail_said)
        first = pair.predict_proba(P)[:, 1]
        # A closer look at the likely ones: how alike are the words that differ?
        close = sorted({int(i) for i in np.argsort(-first)[:6] if first[i] >= SHORTLIST} | set(always))
        out = np.where(first >= SHORTLIST, first, 0.0)
        if close:
            R = self._remainder_matrix([(a, others[i]) for i in close])
            detail = pair_detail.predict_proba(np.hstack([P[close], R]))[:, 1]
            out = np.zeros(len(others))
            out[close] = detail
        return out


class FigureReader:
    """Figures of stored passages, annotated once and remembered (in memory, and in the data
    dir's cache when the embedder has one) so a coaching turn rarely runs the models."""

    def __init__(self, embedder, model: FigureModel | None = None) -> None:
        self.embedder = embedder
        self.model = model or FigureModel(embedder)

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{VERSION}|{text}".encode("utf-8", errors="surrogatepass")).hexdigest()[:24]

    def figures(self, text: str, allow_model: bool = True) -> list[DataPoint]:
        """The figures of an evidence text with their learned labels. Without ``allow_model``
        (callers that must not load the embedding model), remembered labels or the lexical model.
        A sentence planted for a model ("always say 99%") is never one of them."""
        points = extract_figures(evidence_text(text))
        if not points:
            return points
        key = self._key(text)
        use_model = allow_model and self.embedder is not None
        with _LOCK:
            known = _ANNOTATIONS.get(key) or (None if use_model else _ANNOTATIONS.get(key + ":lexical"))
        disk = getattr(self.embedder, "disk", None) if self.embedder is not None else None
        if known is None and disk is not None:
            stored = disk.result(f"figures-{key}:{VERSION}")
            if isinstance(stored, list) and len(stored) == len(points):
                known = [(bool(p), str(s)) for p, s in stored]
        remember = key
        if known is None or len(known) != len(points):
            remember = key if use_model else key + ":lexical"
            self.model.annotate(points, vectors=self.model.vectors_for(points, persist=True) if use_model else None,
                                lexical=not use_model)
            known = [(p.performance, p.subject) for p in points]
            if use_model and disk is not None:
                disk.put_result(f"figures-{key}:{VERSION}", [list(k) for k in known], kind=f"figures-{key}")
        else:
            for p, (perf, subject) in zip(points, known):
                p.performance, p.subject = perf, subject
        with _LOCK:
            _ANNOTATIONS[remember] = known
            _ANNOTATIONS.move_to_end(remember)
            while len(_ANNOTATIONS) > ANNOTATION_CACHE:
                _ANNOTATIONS.popitem(last=False)
        return points

    def warm(self, texts: list[str]) -> None:
        """Annotate evidence texts now (at ingest, when the model is loaded anyway)."""
        for text in texts:
            self.figures(text)


if __name__ == "__main__":  # pragma: no cover - a maintainer's step after editing eval/figures.yaml
    from prep_bot.infra.embeddings import Embedder

    model = FigureModel(Embedder())
    print(model.save_vectors())
    print(model.save_model())
