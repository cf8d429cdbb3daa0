"""Deep storage: moves live sessions from Redis into the archive of record, then into the index.

For each live session, under a per-session lock, the archiver:
1. drains ``overflow`` (messages pushed out of the window) and ``citations`` into the database, in
   batches: read the head of each list, commit, then trim exactly what was committed;
2. snapshots the whole session (metadata, emotion and its log, window, milestones, breakthroughs,
   context snapshot and note revision) when it is closed or its TTL is below the margin, verifies
   that every message is archived, and sets ``archived_at`` in its metadata;
3. removes a closed, verified session from Redis once it has been idle for a grace period, in the
   same atomic step that checks nothing new arrived since the commit.
After the pass, rows not yet in ChromaDB are indexed; an unreachable index never fails a pass.

Nothing leaves Redis before the database has committed it, and every write is an idempotent upsert:
a pass run twice, two passes at once, or a pass killed half-way and run again leave the same archive.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import redis
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from sessions_app.archive import store as archive_store
from sessions_app.archive.decode import DecodedRead, decode, fingerprint
from sessions_app.archive.search import indexer
from sessions_app.domain import CONTEXT_FIELDS, SessionStatus
from sessions_app.errors import InvalidInput, StateError, StateUnavailable
from sessions_app.models import ArchiverHeartbeat, NoteRevision
from sessions_app.state.keys import check_id
from sessions_app.state.live import LiveRead, LiveStore
from sessions_app.state.manager import ConversationStateManager
from sessions_app.state.validation import check_int, check_label, check_text

logger = logging.getLogger(__name__)

Outcome = Literal["locked", "gone", "idle", "drained", "snapshot", "unchanged", "deleted"]


@dataclass(frozen=True)
class ArchiveResult:
    user_id: str
    session_id: str
    outcome: Outcome
    messages: int = 0  # rows new to the archive
    citations: int = 0
    verified: bool = False


@dataclass(frozen=True)
class PassSummary:
    sessions: int  # sessions that had something archived
    messages: int
    citations: int
    failures: int
    seconds: float
    indexed: int
    index_pending: int
    index_error: str = ""
    index_busy: bool = False

    def line(self) -> str:
        index = f"indexed {self.indexed}"
        if self.index_error:
            index += f", {self.index_pending} waiting (search index unavailable)"
        elif self.index_busy:
            index += f", {self.index_pending} left to the archiver that is indexing"
        failed = f", {self.failures} FAILED" if self.failures else ""
        return (
            f"archived {self.sessions} sessions, {self.messages} messages, {self.citations} citations "
            f"in {self.seconds:.2f} s ({index}{failed})"
        )


class Archiver:
    """One archiver process's work. Safe to run in several processes at once."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        margin_seconds: int = 24 * 3600,
        delete_closed_after_seconds: int = 24 * 3600,
        batch_size: int = 1000,
        lock_seconds: int = 600,
        index: bool = True,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.live = LiveStore(client)
        self.margin_seconds = margin_seconds
        self.delete_closed_after = timedelta(seconds=delete_closed_after_seconds)
        self.batch_size = batch_size
        self.lock_seconds = lock_seconds
        self.index = index
        self._clock = clock or (lambda: datetime.now(UTC))

    # ---------------------------------------------------------------------- one session

    def archive_session(self, *, user_id: str, session_id: str) -> ArchiveResult:
        """Archive what one live session holds; see the module docstring for the steps."""
        check_id(user_id, "user_id")
        check_id(session_id, "session_id")
        with self.live.lock(user_id, session_id, seconds=self.lock_seconds) as acquired:
            if not acquired:
                return ArchiveResult(user_id, session_id, "locked")
            return self._archive_locked(user_id, session_id)

    def _snapshot_due(self, read: LiveRead) -> bool:
        closed = read.metadata.get("status") == SessionStatus.CLOSED.value
        # PTTL -1 (no TTL) never expires by itself; -2 means gone.
        return closed or 0 <= read.pttl_ms < self.margin_seconds * 1000

    def _archive_locked(self, user_id: str, session_id: str) -> ArchiveResult:
        read = self.live.read(user_id, session_id, batch=self.batch_size, full=False)
        if read.gone:
            return ArchiveResult(user_id, session_id, "gone")
        snapshot = self._snapshot_due(read)
        messages = citations = 0
        # Drain the backlog first, in batches, with light reads. Bounded: a chatbot writing faster
        # than we drain must not keep one session in this loop forever.
        rounds = (read.overflow_total + read.citations_total) // self.batch_size + 2
        while (read.overflow or read.citations) and not (snapshot and read.complete) and rounds > 0:
            rounds -= 1
            stored = self._commit(read, decode(read), fp="")
            messages, citations = messages + stored.messages, citations + stored.citations
            trimmed = self.live.trim(read, archived_at=None, delete=False)
            if trimmed.outcome == "gone":
                return ArchiveResult(user_id, session_id, "gone", messages, citations)
            if read.complete and (trimmed.overflow, trimmed.citations) == (
                len(read.overflow),
                len(read.citations),
            ):
                break  # all drained; no need to read again
            read = self.live.read(user_id, session_id, batch=self.batch_size, full=False)
            if read.gone:
                return ArchiveResult(user_id, session_id, "gone", messages, citations)
        if not snapshot:
            outcome: Outcome = "drained" if messages or citations else "idle"
            return ArchiveResult(user_id, session_id, outcome, messages, citations)
        return self._snapshot(user_id, session_id, messages, citations)

    def _snapshot(self, user_id: str, session_id: str, messages: int, citations: int) -> ArchiveResult:
        read = self.live.read(user_id, session_id, batch=self.batch_size, full=True)
        if read.gone:
            return ArchiveResult(user_id, session_id, "gone", messages, citations)
        decoded = decode(read)
        state = decoded.state
        if state is None:  # a full read always decodes to a state; this guards the type only
            raise StateError("the archive read of a session held no snapshot")
        fp = fingerprint(state)
        unchanged = (
            not read.overflow
            and not read.citations
            and archive_store.stored_fingerprint(user_id, session_id) == fp
        )
        if not unchanged:
            stored = self._commit(read, decoded, fp=fp)
            messages, citations = messages + stored.messages, citations + stored.citations
        meta = state.metadata
        verified = read.complete and archive_store.verify(user_id, session_id, meta.message_count)
        if not verified:
            # Never mark or delete a session whose record has a gap; an operator must look at it.
            logger.error(
                "session %s of user %s: the archive does not hold all %d messages; not marked archived",
                session_id,
                user_id,
                meta.message_count,
            )
        now = self._clock()
        delete = (
            verified
            and meta.status is SessionStatus.CLOSED
            and now - meta.last_updated >= self.delete_closed_after
        )
        if unchanged and not delete:
            return ArchiveResult(user_id, session_id, "unchanged", messages, citations, verified)
        trimmed = self.live.trim(read, archived_at=now if verified and not unchanged else None, delete=delete)
        if trimmed.outcome == "deleted":
            archive_store.mark_removed(user_id, session_id, now)
            return ArchiveResult(user_id, session_id, "deleted", messages, citations, verified)
        outcome: Outcome = "unchanged" if unchanged else "snapshot"
        return ArchiveResult(user_id, session_id, outcome, messages, citations, verified)

    def _commit(self, read: LiveRead, decoded: DecodedRead, *, fp: str) -> archive_store.StoreResult:
        # SQLite allows one writer at a time; a short wait and a retry beat failing the session.
        for attempt in range(4):
            try:
                return archive_store.store(
                    read.user_id, read.session_id, decoded, fingerprint=fp, now=self._clock()
                )
            except OperationalError as exc:
                if attempt == 3 or "locked" not in str(exc):
                    raise
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")

    # ---------------------------------------------------------------------- a pass

    def run_pass(
        self,
        *,
        progress: Callable[[list[tuple[str, str]]], Iterable[tuple[str, str]]] | None = None,
        index_progress: indexer.Progress | None = None,
        heartbeat: str = "archiver",
    ) -> PassSummary:
        """Archive every live session once, then index. Raises ``StateUnavailable`` if Redis is down.

        ``progress`` wraps the list of sessions (a progress bar); ``index_progress`` is told how many
        documents each indexing batch sent.
        """
        started = time.monotonic()
        started_at = timezone.now()
        sessions = self.live.sessions()
        touched = messages = citations = failures = 0
        for user_id, session_id in progress(sessions) if progress else sessions:
            try:
                result = self.archive_session(user_id=user_id, session_id=session_id)
            except StateUnavailable:
                raise
            except Exception as exc:  # one bad session must not stop the others
                # The session stays in Redis for the next pass. Our own errors carry no content;
                # others (a driver's, say) might quote data, so only their type is logged.
                reason = str(exc) if isinstance(exc, StateError) else type(exc).__name__
                logger.error("archiving session %s of user %s failed: %s", session_id, user_id, reason)
                logger.debug("archiving session %s failed", session_id, exc_info=True)
                failures += 1
                continue
            if result.messages or result.citations or result.outcome in ("snapshot", "deleted"):
                touched += 1
            messages += result.messages
            citations += result.citations
        # Index sets keep members whose keys expired or were removed (guarantee 9): sweep them.
        pruned = ConversationStateManager(self.live.redis).cleanup_expired_sessions()
        if pruned:
            logger.info("removed %d index members of sessions that no longer exist", pruned)
        if self.index:
            indexed = indexer.index_pending(progress=index_progress)
        else:
            indexed = indexer.IndexResult(0, indexer.pending())
        summary = PassSummary(
            sessions=touched,
            messages=messages,
            citations=citations,
            failures=failures,
            seconds=time.monotonic() - started,
            indexed=indexed.documents,
            index_pending=indexed.pending,
            index_error=indexed.error,
            index_busy=indexed.busy,
        )
        ArchiverHeartbeat.objects.update_or_create(
            name=heartbeat,
            defaults={
                "last_started_at": started_at,
                "last_finished_at": timezone.now(),
                "sessions": summary.sessions,
                "messages": summary.messages,
                "citations": summary.citations,
                "failures": summary.failures,
                "seconds": summary.seconds,
            },
        )
        return summary


def archiver_from_settings(client: redis.Redis | None = None, *, index: bool = True) -> Archiver:
    from sessions_app.state.connection import get_redis

    return Archiver(
        client if client is not None else get_redis(),
        margin_seconds=settings.ARCHIVE_MARGIN_SECONDS,
        delete_closed_after_seconds=settings.ARCHIVE_DELETE_CLOSED_AFTER_SECONDS,
        batch_size=settings.ARCHIVE_BATCH_SIZE,
        lock_seconds=settings.ARCHIVE_LOCK_SECONDS,
        index=index,
    )


def save_note_revision(
    *,
    user_id: str,
    session_id: str,
    version: int,
    author: str,
    fields: Mapping[str, str],
    saved_at: datetime | None = None,
) -> NoteRevision:
    """Keep a saved version of a session's notes in the database (idempotent per version).

    Call it right after a successful ``update_context_snapshot`` with the version and snapshot it
    returned (pass all four context fields, so the revision is the whole text). The archiver also
    records revisions from the citations and snapshots it drains; whichever comes first, the text
    given here is never overwritten.
    """
    check_id(user_id, "user_id")
    check_id(session_id, "session_id")
    check_int(version, "version", minimum=1)
    writer = check_label(author, "author") if author else ""
    unknown = sorted(set(fields) - set(CONTEXT_FIELDS))
    if unknown:
        raise InvalidInput(
            unknown[0], f"unknown context field {unknown[0]!r}; allowed: {', '.join(CONTEXT_FIELDS)}"
        )
    checked = {
        name: check_text(value, name, max_chars=settings.STATE_MAX_NOTE_CHARS, allow_empty=True)
        for name, value in fields.items()
    }
    return archive_store.record_revision(
        user_id=user_id,
        session_id=session_id,
        version=version,
        author=writer,
        saved_at=saved_at or timezone.now(),
        fields=checked,
        source="dashboard",
    )
