"""``manage.py reindex_archive``: rebuild every ChromaDB collection from the archive of record.

Use it after the index directory was lost or corrupted, or after changing ``CHROMA_EMBEDDING``.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sessions_app.archive.search import chroma, indexer


class Command(BaseCommand):
    help = "Drop and rebuild the search index (messages, session snapshots, citations) from the database."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        chroma.reset_client()  # a deleted directory must be reopened, not served from memory
        total = indexer.pending_all()
        bar = tqdm(total=total, desc="indexing", unit="doc", leave=False) if self.stdout.isatty() else None

        def advance(done: int) -> None:
            if bar is not None:
                bar.update(done)

        try:
            result = indexer.reindex(progress=advance)
        except chroma.SearchUnavailable as exc:
            raise CommandError(f"search index not rebuilt: {exc}") from exc
        finally:
            if bar is not None:
                bar.close()
        if result.error:
            raise CommandError(
                f"search index partly rebuilt ({result.documents} documents, {result.pending} waiting): "
                f"{result.error}"
            )
        self.stdout.write(
            f"reindexed {result.documents} documents in {time.monotonic() - started:.2f} s "
            f"({chroma.embedding().label})"
        )
