"""Synthetic evidence for `prep-bot bench`: realistic stand-in passages made from the sample
library, to grow a store to 10k and 100k passages without embedding each one."""

from __future__ import annotations

import hashlib
import random
import re
import time

import numpy as np

from prep_bot.evidence.figures import sentences
from prep_bot.evidence.passage import DocumentInfo, Passage

SYNTHETIC_DOC = 1000  # passages per synthetic document


class Synthesizer:
    """Realistic stand-in passages made from the sample library: the sentences of a real
    passage plus one to three from others on the same quality statement, reshuffled, with every
    number varied; tagged like the passage they started from. A passage's vector is the mean of
    its sentences' real embeddings plus a little noise (embedding 100k passages one by one
    would take hours on this machine; what is measured is storing and searching them)."""

    def __init__(self, services, seed: int = 11) -> None:
        self.rng = random.Random(seed)
        self.noise = np.random.default_rng(seed)
        self.sources = [p for p in services.store.passages() if p.doc_type != "data"]
        self.sentences: list[list[str]] = [[s for s in sentences(p.text) if len(s.split()) >= 4] for p in self.sources]
        distinct = sorted({s for group in self.sentences for s in group})
        vectors = services.embedder.encode(distinct)
        self.vector = dict(zip(distinct, vectors))
        self.by_statement: dict[str, list[int]] = {}
        for index, p in enumerate(self.sources):
            for slug in p.quality_statements[:1]:
                self.by_statement.setdefault(slug, []).append(index)
        self.made = 0

    def document(self, size: int) -> tuple[DocumentInfo, list[Passage], list[str], np.ndarray]:
        doc_number = self.made // SYNTHETIC_DOC
        doc_id = f"synthetic-{doc_number:05d}"
        sha = hashlib.sha256(f"{doc_id}:{self.made}".encode()).hexdigest()
        passages, vectors = [], []
        for position in range(size):
            index = self.rng.randrange(len(self.sources))
            source = self.sources[index]
            picked = list(self.sentences[index]) or [source.text]
            kin = self.by_statement.get(source.quality_statements[0], []) if source.quality_statements else []
            for other in self.rng.sample(kin, min(len(kin), self.rng.randint(1, 3))):
                if self.sentences[other]:
                    picked.append(self.rng.choice(self.sentences[other]))
            self.rng.shuffle(picked)
            picked = picked[: self.rng.randint(3, 8)]
            text = " ".join(_vary_numbers(s, self.rng) for s in picked)
            mean = np.mean([self.vector.get(s, self.vector[next(iter(self.vector))]) for s in picked], axis=0)
            mean = mean + self.noise.normal(0.0, 0.01, mean.shape)
            vectors.append(mean / np.linalg.norm(mean))
            passages.append(
                Passage(
                    id=f"{doc_id}:{sha[:12]}:{position:05d}", text=text, doc_id=doc_id, title=f"Synthetic evidence {doc_number}",
                    source=f"synthetic/{doc_id}.txt", page=None, section=source.section,
                    quality_statements=list(source.quality_statements), theme=source.theme, polarity=source.polarity,
                    doc_type=source.doc_type, position=position,
                )
            )
        self.made += size
        info = DocumentInfo(doc_id=doc_id, title=f"Synthetic evidence {doc_number}", source=f"synthetic/{doc_id}.txt",
                            doc_type="other", sha256=sha)
        return info, passages, [p.text for p in passages], np.asarray(vectors, dtype=np.float32)


_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])")


def _vary_numbers(sentence: str, rng: random.Random) -> str:
    """Every number scaled by 0.5-1.5 (years left alone), keeping its written form."""

    def vary(m: re.Match) -> str:
        whole = int(m.group(1).replace(",", ""))
        if 1900 <= whole <= 2100 and not m.group(2):
            return m.group(0)
        value = float(m.group(0).replace(",", "")) * rng.uniform(0.5, 1.5)
        if m.group(2):
            return f"{value:.{len(m.group(2)) - 1}f}"
        return f"{int(round(value)):,}" if "," in m.group(1) else str(int(round(value)))

    return _NUMBER.sub(vary, sentence)


def grow(services, synth: Synthesizer, target: int) -> float:
    """Add synthetic documents until the store holds ``target`` passages; seconds taken."""
    store = services.store
    start = time.perf_counter()
    while (have := store.catalog.passage_count()) < target:
        size = min(SYNTHETIC_DOC - synth.made % SYNTHETIC_DOC, target - have)
        info, passages, texts, vectors = synth.document(size)
        store.put_document(info, passages, texts, vectors)
    store.lexical.ensure_current(store.catalog)
    return time.perf_counter() - start
