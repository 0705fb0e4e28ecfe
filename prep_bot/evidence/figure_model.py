"""Learned judgements about figures, trained on the labelled figures in ``eval/figures.yaml``.

Three scikit-learn logistic regressions:
- performance: is this a figure about people or services (a wait, a rate, a count of people, a
  spend), or the report's own metadata (days on site, interviews held, pages, years of
  experience, a number that only defines another figure's measure)? Features: the MiniLM
  embedding of the words around the figure, simple features (unit, size, cue words) and the
  hashed words and word pairs around it (the lexical model's).
- subject: whose figure (ours, England, a region, a comparator group, a target)? The same
  embedding, the rule-based cue (``measures.subject_cue``) and cue words just before it.
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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from prep_bot.errors import ConfigError
from prep_bot.evidence.injection import evidence_text
from prep_bot.evidence.figure_features import (  # noqa: F401 - names_other_things, _groups, _SERVICE_RE re-exported
    _SERVICE_RE, _groups, _hashed, _kind, _left_text, _measured_time, area_size, names_other_things, pair_features, simple_features,
    window_text,
)
from prep_bot.evidence.figures import SUBJECTS, DataPoint, content_words, extract_figures
from prep_bot.evidence.number_words import spoken_numbers
from prep_bot.infra.config import REPO_ROOT

log = logging.getLogger(__name__)
FIGURES_FILE = REPO_ROOT / "eval" / "figures.yaml"
VERSION = "figures-34"  # bump when features change: drops cached annotations
SAME_MEASURE = 0.45  # probability at which two figures are taken to measure the same thing (the claim check's)
PERFORMANCE = 0.5
SHORTLIST = 0.2  # first-stage same-measure probability worth a closer look (what differs)
CROSS_TOPIC = 3  # different-topic pairs per figure in the labelled pairs (the most alike)
_FITTED: dict[str, "_Models"] = {}
_LOCK = threading.RLock()
_ANNOTATIONS: OrderedDict[str, list[tuple[bool, str]]] = OrderedDict()
ANNOTATION_CACHE = 4000


@dataclass
class LabelledFigure:
    sentence_id: str
    register: str
    text: str
    raw: str
    performance: bool
    kind: str = "perf"  # perf | context (the area: population, deprivation) | meta | part (defines a measure)
    subject: str = "ours"
    key: str = ""  # figures with the same key measure the same thing
    measure: str = ""
    point: DataPoint | None = None  # the extracted figure it labels (None: not extracted)


@dataclass
class FigureSet:
    figures: list[LabelledFigure]
    sentences: int
    registers: dict[str, int] = field(default_factory=dict)


def number_of(raw: str) -> str:
    m = re.search(r"\d[\d,]*(?:\.\d+)?", raw)
    if m:
        return m.group(0).replace(",", "")
    said = spoken_numbers(raw)  # "seventy-one per cent": 71
    return f"{said[0][2]:.10g}" if said else raw.strip().lower()


def load_figure_set(path: Path = FIGURES_FILE) -> FigureSet:
    """The labelled sentences, each labelled figure matched to the figure extracted from it."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        items = data["sentences"]
        assert isinstance(items, list)
    except (OSError, yaml.YAMLError, KeyError, TypeError, AssertionError) as e:
        raise ConfigError(f"figure set {path} is unreadable: {e}") from e
    figures: list[LabelledFigure] = []
    registers: dict[str, int] = {}
    for n, item in enumerate(items):
        text = " ".join(str(item["text"]).split())
        register = str(item.get("register", ""))
        registers[register] = registers.get(register, 0) + 1
        points = extract_figures(text)
        used: set[int] = set()
        for line in item.get("figures", []):
            parts = [p.strip() for p in str(line).split("|")]
            raw, kind = parts[0], (parts[1] if len(parts) > 1 else "perf")
            if kind not in ("perf", "context", "meta", "part"):
                raise ConfigError(f"figure set {path}: sentence {n + 1}: kind {kind!r} is not perf, context, meta or part")
            subject = parts[2] if len(parts) > 2 and parts[2] else "ours"
            if subject not in SUBJECTS:
                raise ConfigError(f"figure set {path}: sentence {n + 1}: subject {subject!r} is not one of {', '.join(SUBJECTS)}")
            label = LabelledFigure(
                str(item.get("id", n + 1)), register, text, raw, kind == "perf", kind, subject,
                parts[3] if len(parts) > 3 else "", parts[4] if len(parts) > 4 else "",
            )
            for i, p in enumerate(points):
                if i not in used and number_of(p.raw) == number_of(raw):
                    used.add(i)
                    label.point = p
                    break
            figures.append(label)
    return FigureSet(figures, len(items), registers)


# -- models -----------------------------------------------------------------------------------
@dataclass
class _Models:
    performance: object
    subject: object
    pair: object
    pair_detail: object
    performance_lexical: object
    subject_lexical: object


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


def _digest(labelled: FigureSet) -> str:
    """Names the labelled set and the features (the shipped models are fitted with the bundled
    embedding model)."""
    h = hashlib.sha256(VERSION.encode())
    for f in labelled.figures:
        h.update(f"{f.text}|{f.raw}|{f.kind}|{f.subject}|{f.key}\n".encode())
    return h.hexdigest()[:16]


def training_texts(labelled: FigureSet) -> list[str]:
    """Every text the models embed for their training data (shipped as vectors)."""
    out: list[str] = []
    for f in labelled.figures:
        if f.point is not None:
            out += [window_text(f.point), f.point.measure]
    return list(dict.fromkeys(out))


def labelled_pairs(figures: list[LabelledFigure]) -> list[tuple[int, int, bool]]:
    """Pairs of labelled figures (indexes) with whether they measure the same thing: every two
    figures with one key; and, as different measures, every two of one unit whose keys share a
    topic (the part before the dot: the hard negatives), plus each figure against the nearest
    following figure of the same unit in another topic."""
    keyed = [i for i, f in enumerate(figures) if f.key and f.point is not None]
    # Two figures of one sentence are never compared by the claim check: no pairs within one.
    pairs: list[tuple[int, int, bool]] = []
    for n, i in enumerate(keyed):
        fi = figures[i]
        other_topic = 0
        for j in keyed[n + 1 :]:
            fj = figures[j]
            if fj.sentence_id == fi.sentence_id:
                continue
            if fi.key == fj.key:
                pairs.append((i, j, True))
            elif _kind(fi.point) == _kind(fj.point) and fi.key.split(".")[0] == fj.key.split(".")[0]:
                pairs.append((i, j, False))
        # Across topics, the same-unit figures whose measure phrases share most words.
        words = content_words(fi.point.measure)
        across = [
            (len(words & content_words(figures[j].point.measure)) / max(1, len(words | content_words(figures[j].point.measure))), j)
            for j in keyed[n + 1 :]
            if figures[j].sentence_id != fi.sentence_id and _kind(figures[j].point) == _kind(fi.point)
            and figures[j].key.split(".")[0] != fi.key.split(".")[0]
        ]
        pairs += [(i, j, False) for _, j in sorted(across, reverse=True)[:CROSS_TOPIC]]
    return pairs


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

    def __init__(self, embedder=None, path: Path = FIGURES_FILE) -> None:
        self.embedder = embedder
        self.path = Path(path)
        self._models: _Models | None = None
        self._set: FigureSet | None = None

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
        digest = hashlib.sha256(("\n".join(texts) + "|" + self._model_key()).encode()).hexdigest()[:16]
        try:
            with np.load(self.vectors_file) as data:
                if str(data["digest"]) == digest:
                    return dict(zip(texts, np.asarray(data["vectors"], dtype=np.float32)))
        except (OSError, ValueError, KeyError):
            pass
        vectors = self.embedder.encode_cached(texts, persist=True)
        return dict(zip(texts, vectors))

    def save_vectors(self) -> Path:
        """Ship the training vectors beside the set (after editing it:
        ``python -m prep_bot.evidence.figure_model``)."""
        texts = training_texts(self.labelled)
        digest = hashlib.sha256(("\n".join(texts) + "|" + self._model_key()).encode()).hexdigest()[:16]
        vectors = self.embedder.encode(texts)
        np.savez_compressed(self.vectors_file, digest=np.array(digest), vectors=vectors)
        return self.vectors_file

    @property
    def model_file(self) -> Path:
        """The fitted models, shipped beside the labelled set (checked by digest)."""
        return self.path.with_name(self.path.stem + "-model.npz")

    def models(self) -> _Models:
        if self._models is None:
            with _LOCK:
                key = _digest(self.labelled)
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
        arrays = {"digest": np.array(_digest(self.labelled))}
        for name in _Models.__dataclass_fields__:
            lr = getattr(models, name)
            arrays |= {f"{name}.coef": lr.coef_, f"{name}.intercept": lr.intercept_, f"{name}.classes": lr.classes_}
        np.savez_compressed(self.model_file, **arrays)
        return self.model_file

    def fit(self, figures: list[LabelledFigure], parts: tuple[str, ...] = ("figure", "pair", "lexical")) -> _Models:
        """Fit the models on ``figures`` (all of the set, or a training fold); ``parts`` picks
        which (the evaluation fits only what it measures)."""
        from sklearn.linear_model import LogisticRegression

        usable = [f for f in figures if f.point is not None]
        vectors = self.training_vectors(training_texts(FigureSet(usable, 0)))
        points = [f.point for f in usable]
        y = np.array([f.performance for f in usable])
        perf = [i for i, f in enumerate(usable) if f.performance]
        ys = np.array([usable[i].subject for i in perf])
        performance = subject = pair = performance_lexical = subject_lexical = None
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
            pairs = labelled_pairs(usable)
            P = np.stack([pair_features(usable[i].point, usable[j].point, self._vec(usable[i].point, vectors),
                                        self._vec(usable[j].point, vectors)) for i, j, _ in pairs])
            labels = np.array([s for _, _, s in pairs])
            pair = LogisticRegression(C=1.0, max_iter=500, class_weight="balanced", solver="liblinear").fit(P, labels)
            R = self._remainder_matrix([(usable[i].point, usable[j].point) for i, j, _ in pairs])
            pair_detail = LogisticRegression(C=1.0, max_iter=500, class_weight="balanced", solver="liblinear").fit(
                np.hstack([P, R]), labels)
        else:
            pair_detail = None
        log.info("figure models fitted on %d figures", len(usable))
        return _Models(performance, subject, pair, pair_detail, performance_lexical, subject_lexical)

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
        else:
            vectors = vectors if vectors is not None else self.vectors_for(points)
            X = self._figure_matrix(points, vectors)
            perf, subj = m.performance.predict_proba(self._performance_matrix(points, X))[:, 1], m.subject.predict(X)
        for p, pr, s in zip(points, perf, subj):
            # A figure set beside an England average or a comparator is never the report's metadata.
            p.performance = (bool(pr >= PERFORMANCE) or _measured_time(p) or bool(p.comparator)) and not area_size(p)
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
        first = models.pair.predict_proba(P)[:, 1]
        # A closer look at the likely ones: how alike are the words that differ?
        close = sorted({int(i) for i in np.argsort(-first)[:6] if first[i] >= SHORTLIST} | set(always))
        out = np.where(first >= SHORTLIST, first, 0.0)
        if close:
            R = self._remainder_matrix([(a, others[i]) for i in close])
            detail = models.pair_detail.predict_proba(np.hstack([P[close], R]))[:, 1]
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
