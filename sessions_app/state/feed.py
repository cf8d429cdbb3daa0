"""New messages of live sessions, for workers that must see every message the chatbot writes through
either interface (risk assessment, the live search index), without slowing the append path.

The append script stays as it is: a worker polls. ``session_counts`` reads every live session's
message count (the global index, then one pipelined HMGET per batch); a worker keeps, per session,
the last seq it has processed (in its own store), and for a session whose count moved it asks
``messages_after`` for the rest. Nothing here writes or touches a TTL.

A message that the archiver has already drained from ``overflow`` into the database is no longer in
Redis: ``messages_after`` returns what Redis still holds and reports the gap (``missing_from``), and
the worker reads the rest from the archive (or its backfill command does).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import redis

import sessions_app.state.codec as codec
import sessions_app.state.members as members
from sessions_app.domain import Message
from sessions_app.state.connection import read_with_retry
from sessions_app.state.keys import GLOBAL_ACTIVE, SessionKeys, split_global_member
from sessions_app.state.script_loader import ScriptLoader

BATCH = 500


@dataclass(frozen=True)
class FeedPage:
    """Messages of one session after a seq, oldest first, and where Redis no longer had them."""

    messages: tuple[Message, ...]
    missing_from: int | None = None  # first seq after the cursor that Redis no longer holds
    missing_to: int | None = None  # last such seq (inclusive)
    unreadable: int = 0  # members that could not be decoded (logged by the codec, never content)


def session_counts(client: redis.Redis) -> dict[tuple[str, str], int]:
    """``(user_id, session_id) -> message_count`` of every live session (ghost members left out)."""

    def members() -> list[tuple[str, str]]:
        found = (
            split_global_member(codec.text(raw)) for raw in client.sscan_iter(GLOBAL_ACTIVE, count=BATCH)
        )
        return sorted({pair for pair in found if pair is not None})

    pairs = read_with_retry("feed: live sessions", members)
    counts: dict[tuple[str, str], int] = {}
    for batch in _batches(pairs):

        def read(batch: list[tuple[str, str]] = batch) -> list[Any]:
            pipe = client.pipeline(transaction=False)
            for user_id, session_id in batch:
                pipe.hget(SessionKeys.for_session(user_id, session_id).metadata, "message_count")
            return list(pipe.execute(raise_on_error=False))

        for pair, raw in zip(batch, read_with_retry("feed: message counts", read), strict=True):
            if raw is None or isinstance(raw, redis.ResponseError):
                continue  # expired (the sweeper removes the member) or damaged (the archiver reports it)
            try:
                counts[pair] = int(codec.text(raw))
            except ValueError:
                continue
    return counts


def messages_after(
    client: redis.Redis, user_id: str, session_id: str, after_seq: int, *, message_count: int
) -> FeedPage:
    """The session's messages with seq in (``after_seq``, ``message_count``] that Redis still holds,
    oldest first, in one atomic read-only step (overflow and window read together).

    ``message_count`` is what ``session_counts`` saw; messages appended since then come next time.
    """
    if message_count <= after_seq:
        return FeedPage(messages=())
    keys = SessionKeys.for_session(user_id, session_id)
    params = {"after_seq": after_seq, "upper_seq": message_count}
    scripts = ScriptLoader(client)
    first, overflow, window = read_with_retry(
        "feed: messages", lambda: scripts.run("feed_read", keys.ordered, params)
    )
    messages: list[Message] = []
    unreadable = 0
    for raws, key in ((overflow, keys.overflow), (window, keys.messages)):
        if isinstance(raws, redis.ResponseError):
            unreadable += 1
            continue
        for item in members.messages(raws, key=key):
            if isinstance(item, Message):
                messages.append(item)
            else:
                unreadable += 1
    held_from = max(int(first), after_seq + 1)
    if held_from > after_seq + 1:  # drained to the archive (or expired) before this read
        return FeedPage(tuple(messages), after_seq + 1, min(held_from, message_count + 1) - 1, unreadable)
    return FeedPage(tuple(messages), unreadable=unreadable)


def _batches(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]
