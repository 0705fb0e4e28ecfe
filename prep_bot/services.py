"""The composition root: builds every service from the settings, once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from prep_bot.config import Settings
from prep_bot.embeddings import Embedder
from prep_bot.framework import Framework, load_framework


@dataclass
class Services:
    settings: Settings

    @cached_property
    def framework(self) -> Framework:
        return load_framework(self.settings.framework_file)

    @cached_property
    def embedder(self) -> Embedder:
        return Embedder(self.settings.model_path, batch_size=self.settings.embed_batch_size)

    @cached_property
    def store(self):
        from prep_bot.store import EvidenceStore

        return EvidenceStore(self.settings, self.embedder)

    @cached_property
    def ingestor(self):
        from prep_bot.evidence.ingest import Ingestor

        return Ingestor(self.store, self.framework, self.settings.max_file_mb, self.settings.chunk_tokens)


def build_services(settings: Settings | None = None) -> Services:
    return Services(settings or Settings())
