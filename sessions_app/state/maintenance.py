"""Index maintenance: the per-user and global session sets keep members whose keys expired (a set
member cannot carry a TTL), so this sweeps them and re-indexes live orphans (guarantee 9)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import redis

import sessions_app.state.codec as codec
from sessions_app.errors import InvalidInput
from sessions_app.state.connection import translate_errors
from sessions_app.state.keys import (
    GLOBAL_ACTIVE,
    SessionKeys,
    global_member,
    metadata_pattern,
    parse_metadata_key,
    split_global_member,
    user_index,
)

T = TypeVar("T")


def cleanup_expired_sessions(client: redis.Redis) -> int:
    """Remove index members of expired sessions and re-index live orphans. Returns removals.

    Index sets keep members whose keys expired (their TTL cannot cover a member); the archiver
    runs this after every pass. Lookups go in pipelines of ``CLEANUP_BATCH`` members.
    """
    removed = 0
    with translate_errors("cleanup"):
        members = [codec.text(raw) for raw in client.sscan_iter(GLOBAL_ACTIVE, count=500)]
        for batch in _batches(members):
            ghosts = _missing(client, batch, lambda member: _metadata_of(split_global_member(member)))
            pipe = client.pipeline(transaction=False)
            for member in ghosts:
                pipe.srem(GLOBAL_ACTIVE, member)
                parsed = split_global_member(member)
                if parsed is not None:
                    pipe.srem(user_index(parsed[0]), parsed[1])
            pipe.execute()
            removed += len(ghosts)
        orphans = [
            parse_metadata_key(codec.text(key))
            for key in client.scan_iter(match=metadata_pattern(), count=500)
        ]
        for pairs in _batches([o for o in orphans if o is not None]):
            pipe = client.pipeline(transaction=False)
            for user_id, session_id in pairs:
                pipe.sadd(GLOBAL_ACTIVE, global_member(user_id, session_id))
                pipe.sadd(user_index(user_id), session_id)
            pipe.execute()
        removed += _sweep_user_indexes(client)
    return removed


def _missing(client: redis.Redis, items: list[Any], metadata_key: Callable[[Any], str | None]) -> list[Any]:
    """The items whose session metadata key does not exist (or that name no valid session)."""
    keys = [metadata_key(item) for item in items]
    pipe = client.pipeline(transaction=False)
    for key in keys:
        if key is not None:
            pipe.exists(key)
    found = iter(pipe.execute())
    return [item for item, key in zip(items, keys, strict=True) if key is None or not next(found)]


def _sweep_user_indexes(client: redis.Redis) -> int:
    removed = 0
    for raw_key in client.scan_iter(match="sessions:user:{*}:index", count=500):
        key = codec.text(raw_key)
        user_id = key[len("sessions:user:{") : -len("}:index")]
        pairs = [(user_id, codec.text(raw)) for raw in client.smembers(key)]
        for batch in _batches(pairs):
            ghosts = [session_id for _, session_id in _missing(client, batch, _metadata_of)]
            if ghosts:
                client.srem(key, *ghosts)
                removed += len(ghosts)
    return removed


CLEANUP_BATCH = 500


def _batches(items: list[T]) -> Iterator[list[T]]:
    for start in range(0, len(items), CLEANUP_BATCH):
        yield items[start : start + CLEANUP_BATCH]


def _metadata_of(parsed: tuple[str, str] | None) -> str | None:
    """The metadata key of a (user, session) pair, or None when either id is invalid."""
    if parsed is None:
        return None
    try:
        return SessionKeys.for_session(*parsed).metadata
    except InvalidInput:
        return None
