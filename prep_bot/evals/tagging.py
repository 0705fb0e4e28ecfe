"""Tagging evaluation: documents written without quality statement headings, each paragraph
labelled with the statement it is mostly about. Each document goes through the real pipeline
(loader, chunking, embedding, tagging, packing) as a plain-text file; a paragraph counts as
right when the passage that holds it has its label as first quality statement."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from prep_bot.infra.config import REPO_ROOT
from prep_bot.errors import ConfigError
from prep_bot.framework.statements import QS_SLUGS


@dataclass
class LabelledDocument:
    name: str
    style: str
    lines: list[str]  # the document as plain-text lines (title, headings, paragraphs)
    labels: list[tuple[str, str]] = field(default_factory=list)  # (paragraph text, statement)


def default_tagging_set() -> Path:
    return REPO_ROOT / "eval" / "tagging.yaml"


def load_tagging_set(path: Path) -> list[LabelledDocument]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        documents = []
        for doc in data["documents"]:
            lines = [line for line in str(doc.get("title") or "").split("\n") if line.strip()]
            labels = []
            for block in doc["blocks"]:
                if "heading" in block:
                    lines.append(str(block["heading"]).strip())
                    continue
                text = " ".join(str(block["text"]).split())
                if block["qs"] not in QS_SLUGS:
                    raise ConfigError(f"tagging set {path}: unknown quality statement {block['qs']!r}")
                lines.append(text)
                labels.append((text, block["qs"]))
            documents.append(LabelledDocument(str(doc["name"]), str(doc.get("style") or ""), lines, labels))
        return documents
    except (OSError, yaml.YAMLError, KeyError, TypeError) as e:
        raise ConfigError(f"tagging set {path} is unreadable: {e}") from e


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9%]+", " ", text.lower()).split())


def evaluate_tagging(ingestor, documents: list[LabelledDocument]) -> dict:
    """First-tag accuracy overall, per statement and per document, and the confusion matrix
    (rows: the label; columns: the first tag given)."""
    confusion = {a: {b: 0 for b in [*QS_SLUGS, "none"]} for a in QS_SLUGS}
    per_doc: dict[str, dict] = {}
    wrong: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        for doc in documents:
            path = Path(tmp) / f"{doc.name}.txt"
            path.write_text("\n\n".join(doc.lines) + "\n", encoding="utf-8")
            tagged = ingestor.preview(path)
            passages = [(_norm(t.draft.text), t.tags.quality_statements) for t in tagged]
            right = 0
            for text, label in doc.labels:
                got = _first_tag(_norm(text), passages)
                confusion[label][got or "none"] += 1
                if got == label:
                    right += 1
                else:
                    wrong.append({"document": doc.name, "label": label, "tagged": got, "text": text[:120]})
            per_doc[doc.name] = {"style": doc.style, "paragraphs": len(doc.labels), "accuracy": right / max(1, len(doc.labels)),
                                 "passages": len(tagged)}
    total = sum(sum(row.values()) for row in confusion.values())
    correct = sum(confusion[q][q] for q in QS_SLUGS)
    return {
        "paragraphs": total,
        "accuracy": correct / max(1, total),
        "per_statement": {q: confusion[q][q] / max(1, sum(confusion[q].values())) for q in QS_SLUGS},
        "support": {q: sum(confusion[q].values()) for q in QS_SLUGS},
        "documents": per_doc,
        "confusion": confusion,
        "wrong": wrong,
    }


def _first_tag(paragraph: str, passages: list[tuple[str, list[str]]]) -> str | None:
    """The first tag of the passage holding the paragraph (its opening words when it was
    split; else the passage sharing most of its words)."""
    opening = paragraph[:80]
    for text, tags in passages:
        if opening and opening in text:
            return tags[0] if tags else None
    words = set(paragraph.split())
    best = max(passages, key=lambda p: len(words & set(p[0].split())), default=None)
    return best[1][0] if best and best[1] else None


def format_tagging_table(r: dict) -> str:
    short = {q: "".join(w[0] for w in q.split("-")) for q in QS_SLUGS}
    lines = [f"Tagging on {r['paragraphs']} labelled paragraphs: first-tag accuracy {r['accuracy']:.3f}", ""]
    lines.append(f"{'quality statement':<28} {'n':>4} {'accuracy':>9}")
    for q in QS_SLUGS:
        lines.append(f"{q:<28} {r['support'][q]:>4} {r['per_statement'][q]:>9.3f}")
    lines.append("")
    lines.append(f"{'document':<40} {'n':>4} {'accuracy':>9}")
    for name, d in r["documents"].items():
        lines.append(f"{name:<40} {d['paragraphs']:>4} {d['accuracy']:>9.3f}")
    lines.append("")
    lines.append("Confusion (rows: label, columns: first tag)")
    lines.append(" " * 6 + "".join(f"{short[q]:>5}" for q in QS_SLUGS) + f"{'none':>6}")
    for q in QS_SLUGS:
        row = r["confusion"][q]
        lines.append(f"{short[q]:<6}" + "".join(f"{row[c]:>5}" for c in QS_SLUGS) + f"{row['none']:>6}")
    return "\n".join(lines)
