"""Mapping between Redis values and domain objects: the hashes (metadata, emotion, context snapshot),
and list members in the JSON form written before the compact encoding (``members.py`` reads both).

Redis is read with ``decode_responses=False``: one member with invalid UTF-8 must not make the whole
LRANGE fail. Each member is decoded on its own; one that cannot be read becomes an ``UnreadableEntry``
and is logged with its kind and position, never its content.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import orjson

from sessions_app.domain import (
    Breakthrough,
    BreakthroughCategory,
    Citation,
    CitationType,
    ContextSnapshot,
    Emotion,
    EmotionState,
    EmotionTransition,
    Message,
    Milestone,
    Role,
    SessionMetadata,
    SessionStatus,
    UnreadableEntry,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

Raw = bytes | str


def text(raw: Raw | None) -> str:
    if raw is None:
        return ""
    return raw.decode("utf-8") if isinstance(raw, bytes) else raw


def hash_to_dict(raw: Mapping[Any, Any] | Sequence[Any] | None) -> dict[str, str]:
    """HGETALL result (a dict from redis-py, or a flat list from a Lua script) as text.

    A field that is not valid UTF-8 is replaced with U+FFFD rather than failing the whole hash.
    """
    if not raw:
        return {}
    if type(raw) is dict:  # RESP3's HGETALL: on a resume's path, one comprehension for the usual case
        try:
            return {key.decode(): value.decode() for key, value in raw.items()}
        except (AttributeError, UnicodeDecodeError):  # text, a number or bytes that are not UTF-8
            pass
    pairs = raw.items() if isinstance(raw, Mapping) else zip(raw[0::2], raw[1::2], strict=True)
    items = list(pairs)
    result: dict[str, str] = {}
    for key, value in items:
        k = key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)
        v = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        result[k] = v
    return result


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("naive timestamp")
    return parsed


def _required_time(value: object) -> datetime:
    if not isinstance(value, str):
        raise TypeError("timestamp must be a string")
    parsed = parse_time(value)
    if parsed is None:
        raise ValueError("missing timestamp")
    return parsed


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def _float(value: str | None, default: float = 0.0) -> float:
    try:
        return float(value) if value else default
    except ValueError:
        return default


def _optional_float(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("expected a number")
    return float(value)


def _optional_emotion(value: object) -> Emotion | None:
    return None if value is None else Emotion(str(value))


def decode_members(
    raws: Sequence[Raw], kind: str, build: Callable[[dict[str, Any]], T], *, key: str = ""
) -> tuple[T | UnreadableEntry, ...]:
    return tuple(decode_member(raw, kind, position, build, key=key) for position, raw in enumerate(raws))


def decode_member(
    raw: Raw, kind: str, position: int, build: Callable[[dict[str, Any]], T], *, key: str = ""
) -> T | UnreadableEntry:
    try:
        # orjson validates UTF-8 itself and parses about 3x faster than json (resume decodes 100s).
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:  # a ValueError: invalid JSON or invalid UTF-8
        if isinstance(raw, bytes) and _invalid_utf8(raw):
            return unreadable(kind, position, "not valid UTF-8", key)
        return unreadable(kind, position, "not valid JSON", key)
    if not isinstance(data, dict):
        return unreadable(kind, position, "not a JSON object", key)
    try:
        return build(data)
    except (KeyError, TypeError, ValueError):
        return unreadable(kind, position, "JSON of the wrong shape", key)


def _invalid_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def unreadable(kind: str, position: int, reason: str, key: str) -> UnreadableEntry:
    # Never the raw value: it may hold a client's words.
    logger.warning("unreadable %s entry at position %d of %s: %s", kind, position, key or "?", reason)
    return UnreadableEntry(kind=kind, position=position, reason=reason)


def message_from(data: dict[str, Any]) -> Message:
    content = data["content"]
    if not isinstance(content, str):
        raise TypeError("content must be text")
    return Message(
        id=str(data["id"]),
        seq=int(data["seq"]),
        role=Role(data["role"]),
        content=content,
        timestamp=_required_time(data["timestamp"]),
        citation_id=str(data["citation_id"]),
        emotion=_optional_emotion(data.get("emotion")),
        intensity=_optional_float(data.get("intensity")),
        confidence=_optional_float(data.get("confidence")),
    )


def transition_from(data: dict[str, Any]) -> EmotionTransition:
    return EmotionTransition(
        from_emotion=_optional_emotion(data.get("from")),
        to_emotion=Emotion(data["to"]),
        intensity=float(data["intensity"]),
        confidence=float(data["confidence"]),
        at=_required_time(data["at"]),
        citation_id=str(data["citation_id"]),
        message_id=data.get("message_id"),
    )


def milestone_from(data: dict[str, Any]) -> Milestone:
    description = data["description"]
    if not isinstance(description, str):
        raise TypeError("description must be text")
    return Milestone(
        id=str(data["id"]),
        description=description,
        emotion=_optional_emotion(data.get("emotion")),
        at=_required_time(data["at"]),
        message_count=int(data["message_count"]),
        citation_id=str(data["citation_id"]),
    )


def breakthrough_from(data: dict[str, Any]) -> Breakthrough:
    description = data["description"]
    if not isinstance(description, str):
        raise TypeError("description must be text")
    evidence = data.get("evidence") or []
    if not isinstance(evidence, list):
        raise TypeError("evidence must be a list")
    return Breakthrough(
        id=str(data["id"]),
        description=description,
        category=BreakthroughCategory(data["category"]),
        confidence=float(data["confidence"]),
        evidence=tuple(str(item) for item in evidence),
        at=_required_time(data["at"]),
        citation_id=str(data["citation_id"]),
    )


def citation_from(data: dict[str, Any]) -> Citation:
    evidence = data.get("evidence") or []
    if not isinstance(evidence, list):
        raise TypeError("evidence must be a list")
    return Citation(
        citation_id=str(data["citation_id"]),
        type=CitationType(data["type"]),
        timestamp=_required_time(data["timestamp"]),
        user_id=str(data["user_id"]),
        session_id=str(data["session_id"]),
        event=str(data["event"]),
        evidence=tuple(str(item) for item in evidence),
        confidence=_optional_float(data.get("confidence")),
        status=str(data.get("status", "verified")),
    )


def emotion_state_from(fields: Mapping[str, str]) -> EmotionState:
    try:
        emotion = Emotion(fields.get("current_emotion") or "neutral")
    except ValueError:
        logger.warning("unknown emotion in an emotion hash; shown as neutral")
        emotion = Emotion.NEUTRAL
    try:
        changed = parse_time(fields.get("last_emotion_change"))
    except ValueError:
        changed = None
    return EmotionState(
        current_emotion=emotion,
        emotion_intensity=_float(fields.get("emotion_intensity")),
        emotion_confidence=_float(fields.get("emotion_confidence")),
        last_emotion_change=changed,
        emotion_tracking_id=fields.get("emotion_tracking_id") or None,
    )


def context_from(fields: Mapping[str, str]) -> ContextSnapshot:
    try:
        summarized = parse_time(fields.get("last_summarized"))
    except ValueError:
        summarized = None
    return ContextSnapshot(
        current_theme=fields.get("current_theme", ""),
        therapeutic_focus=fields.get("therapeutic_focus", ""),
        client_state_summary=fields.get("client_state_summary", ""),
        session_notes=fields.get("session_notes", ""),
        last_summarized=summarized,
        version=_int(fields.get("version")),
        notes_updated_by=fields.get("notes_updated_by", ""),
        topics_to_avoid=fields.get("topics_to_avoid", ""),
        guidance_version=_int(fields.get("guidance_version")),
        guidance_updated_by=fields.get("guidance_updated_by", ""),
    )


def _lenient_time(value: str | None) -> datetime | None:
    try:
        return parse_time(value)
    except ValueError:
        return None


def metadata_from(user_id: str, session_id: str, fields: Mapping[str, str]) -> SessionMetadata:
    started = _lenient_time(fields.get("started_at")) or datetime.fromtimestamp(0, tz=UTC)
    try:
        status = SessionStatus(fields.get("status") or "active")
    except ValueError:
        status = SessionStatus.ACTIVE
    return SessionMetadata(
        user_id=user_id,
        session_id=session_id,
        conversation_id=fields.get("conversation_id", ""),
        started_at=started,
        last_updated=_lenient_time(fields.get("last_updated")) or started,
        last_model=fields.get("last_model", ""),
        status=status,
        message_count=_int(fields.get("message_count")),
        milestone_count=_int(fields.get("milestone_count")),
        breakthrough_count=_int(fields.get("breakthrough_count")),
        last_resumed=_lenient_time(fields.get("last_resumed")),
        closed_at=_lenient_time(fields.get("closed_at")),
        archived_at=_lenient_time(fields.get("archived_at")),
    )
