"""The labelled figure sets the figure models learn from and are measured on: each sentence with
every figure in it labelled (a performance figure or not, whose, which measure), read against the
figures the extractor finds.

- ``eval/figures.yaml``: the labelled set, written across registers (its folds are the
  evaluation's);
- ``eval/figures_more/``: further sets written by other sessions in their own words (each first
  used untouched as a held-out set; the same-measure and performance models are fitted on them
  too);
- ``eval/figures_holdout.yaml``: the set kept untouched, never fitted to nor read while writing
  rules (``prep-bot eval figures --holdout``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from prep_bot.errors import ConfigError
from prep_bot.evidence.figure_features import _kind
from prep_bot.evidence.figures import SUBJECTS, DataPoint, content_words, extract_figures
from prep_bot.evidence.number_words import spoken_numbers
from prep_bot.infra.config import REPO_ROOT

FIGURES_FILE = REPO_ROOT / "eval" / "figures.yaml"
MORE_DIR = REPO_ROOT / "eval" / "figures_more"
CROSS_TOPIC = 3  # different-topic pairs per figure in the labelled pairs (the most alike)


def more_sets(path: Path) -> list[Path]:
    """The further sets fitted beside a labelled set: those of ``eval/figures_more/`` for the
    shipped set, none for another."""
    return sorted(MORE_DIR.glob("*.yaml")) if Path(path).resolve() == FIGURES_FILE.resolve() else []


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


def labelled_pairs(figures: list[LabelledFigure]) -> list[tuple[int, int, bool]]:
    """Pairs of labelled figures (indexes) with whether they measure the same thing: every two
    figures with one key; and, as different measures, every two of one unit whose keys share a
    topic (the part before the dot: the hard negatives), plus each figure against the nearest
    following figure of the same unit in another topic."""
    keyed = [i for i, f in enumerate(figures) if f.key and f.point is not None]
    kind = {i: _kind(figures[i].point) for i in keyed}
    topic = {i: figures[i].key.split(".")[0] for i in keyed}
    words = {i: content_words(figures[i].point.measure) for i in keyed}
    # Two figures of one sentence are never compared by the claim check: no pairs within one.
    pairs: list[tuple[int, int, bool]] = []
    for n, i in enumerate(keyed):
        fi = figures[i]
        across = []
        for j in keyed[n + 1 :]:
            fj = figures[j]
            if fj.sentence_id == fi.sentence_id or (kind[i] != kind[j] and fi.key != fj.key):
                continue
            if fi.key == fj.key:
                pairs.append((i, j, True))
            elif topic[i] == topic[j]:
                pairs.append((i, j, False))
            else:  # across topics, the same-unit figures whose measure phrases share most words
                across.append((len(words[i] & words[j]) / max(1, len(words[i] | words[j])), j))
        pairs += [(i, j, False) for _, j in sorted(across, reverse=True)[:CROSS_TOPIC]]
    return pairs
