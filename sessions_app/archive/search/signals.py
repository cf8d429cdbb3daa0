"""When records are deleted, their index entries go too.

Deleting archived messages or sessions (a retention job, an erasure request, the admin) queues the
session in ``PendingDeletion``; once the transaction commits, the entries are removed at once if the
index is reachable, else by the next indexing pass. Whatever of the session is left is indexed again.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_delete

from sessions_app.models import ArchivedMessage, ArchivedSession

logger = logging.getLogger(__name__)


class _Queued(threading.local):
    """Sessions queued in the current transaction: deleting a session's 10,000 messages queues it
    once. A transaction's end (commit or rollback) replaces the connection's ``run_on_commit`` list,
    which is how a new transaction is recognised."""

    marker: object = None
    keys: set[tuple[str, str]]

    def __init__(self) -> None:
        self.keys = set()


_queued = _Queued()


def _queue(sender: Any, instance: ArchivedMessage | ArchivedSession, using: str = DEFAULT_DB_ALIAS,
           **kwargs: Any) -> None:  # fmt: skip
    from sessions_app.archive.search import indexer

    connection = connections[using]
    key = (instance.user_id, instance.session_id)
    if connection.in_atomic_block:
        if _queued.marker is not connection.run_on_commit:
            _queued.marker, _queued.keys = connection.run_on_commit, set()
        if key in _queued.keys:
            return
        _queued.keys.add(key)
    indexer.request_forget(*key)
    transaction.on_commit(_carry_out, using=using)


def _carry_out() -> None:
    from sessions_app.archive.search import chroma, indexer, locking

    try:
        with locking.writer_lock(wait_seconds=2.0) as mine:
            if mine:
                indexer.carry_out_deletions()
    except chroma.SearchUnavailable:
        logger.warning("search index unavailable: deleted records leave it at the next indexing pass")


def connect() -> None:
    for model in (ArchivedMessage, ArchivedSession):
        post_delete.connect(_queue, sender=model, dispatch_uid=f"search-forget-{model.__name__}")
