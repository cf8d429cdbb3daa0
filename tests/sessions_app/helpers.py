"""Small helpers for state-layer tests."""

from __future__ import annotations

import redis

from sessions_app.state.keys import GLOBAL_ACTIVE, SessionKeys


def dump_keys(client: redis.Redis, user_id: str, session_id: str) -> dict[str, bytes | None]:
    """Byte-exact image of a session's keys (DUMP), to prove that a refused write changed nothing."""
    keys = SessionKeys.for_session(user_id, session_id)
    image: dict[str, bytes | None] = {key: client.dump(key) for key in keys.all()}
    image[GLOBAL_ACTIVE] = client.dump(GLOBAL_ACTIVE)
    return image


def raw_messages(client: redis.Redis, user_id: str, session_id: str) -> list[bytes]:
    keys = SessionKeys.for_session(user_id, session_id)
    raws = list(client.lrange(keys.overflow, 0, -1)) + list(client.lrange(keys.messages, 0, -1))
    return [raw if isinstance(raw, bytes) else raw.encode() for raw in raws]
