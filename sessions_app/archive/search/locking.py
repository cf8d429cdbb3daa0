"""Processes sharing the embedded index: one writer at a time (the archiver, the search indexer, a
deletion), and a generation file that tells readers (web processes) the index changed."""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from sessions_app.archive.search.errors import SearchUnavailable

logger = logging.getLogger(__name__)

GENERATION_FILE = "ifemotion-generation"


@contextmanager
def writer_lock(*, wait_seconds: float = 0.0) -> Iterator[bool]:
    """Yield True when this process may write the embedded index, False while another one does
    (after waiting up to ``wait_seconds`` for it to finish).

    ChromaDB's embedded store is not safe with two writing processes (the archiver and the search
    indexer): an exclusive lock file in ``CHROMA_PATH`` makes the second one wait or leave the work to
    the first. A Chroma server serialises writers itself.
    """
    if settings.CHROMA_URL:
        yield True
        return
    path = Path(settings.CHROMA_PATH)
    try:
        path.mkdir(parents=True, exist_ok=True)
        handle = (path / "ifemotion-writer.lock").open("a")
    except OSError as exc:  # a read-only or vanished mount: the index is unusable, the archive is not
        raise SearchUnavailable(f"the index directory is not writable ({exc.strerror})") from exc
    deadline = time.monotonic() + wait_seconds
    with handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.1)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_generation() -> str:
    try:
        return (Path(settings.CHROMA_PATH) / GENERATION_FILE).read_text(encoding="ascii")
    except OSError:
        return ""


def write_generation() -> str | None:
    """Mark the embedded index as changed; the new generation, or None when it cannot be written."""
    folder = Path(settings.CHROMA_PATH)
    generation = f"{os.getpid()}-{time.time_ns()}"
    try:
        spare = folder / f".{GENERATION_FILE}.{os.getpid()}"
        spare.write_text(generation, encoding="ascii")
        spare.replace(folder / GENERATION_FILE)  # atomic: a reader never sees half a name
    except OSError:
        logger.warning("could not mark the search index as changed; other processes see it later")
        return None
    return generation
