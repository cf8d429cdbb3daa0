"""One writer at a time for the embedded index (the archiver, the search indexer, a deletion)."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from sessions_app.archive.search.errors import SearchUnavailable


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
