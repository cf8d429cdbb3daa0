"""What each write script receives: its named parameters and the members it stores (``members.py``).

Built in Python so the scripts only place them; every change gets a fresh ``if://citation/`` id, and
each function returns the citation id with the payload.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import sessions_app.state.ids as ids
import sessions_app.state.members as members
from sessions_app.domain import Breakthrough, CitationType, Emotion, Role


@dataclass
class Payload:
    params: dict[str, object]
    members: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Retention:
    """A session's sliding TTL and how far it may slide before a write refreshes it (``_prelude.lua``)."""

    ttl_ms: int
    slack_ms: int

    def params(self, now: datetime) -> dict[str, object]:
        return {"ttl_ms": self.ttl_ms, "slack_ms": self.slack_ms, "now": now.isoformat()}


def number(value: float) -> str:
    """A float as the emotion hash stores it (text that reads back exactly)."""
    return repr(float(value))


def initialize(
    retention: Retention,
    now: datetime,
    *,
    model: str,
    session_id: str,
    seed: Mapping[str, str] | None = None,
    guidance_version: str = "0",
) -> Payload:
    """A new session; ``seed``: context fields (the client's guidance) written in the same step."""
    event = f"session started with {model}"
    if seed:
        event += f" (guidance v{guidance_version} seeded)"
    citation = members.citation_member(CitationType.SESSION_INITIALIZED, ids.new_uuid(), now, event=event)
    params = retention.params(now) | {
        "conversation_id": ids.new_id(),
        "model": model,
        "session_id": session_id,
    }
    if seed:
        params["context"] = dict(seed)
    return Payload(params, {"citation": citation})


def append(
    retention: Retention,
    now: datetime,
    *,
    window: int,
    message_id: str,
    role: Role,
    content: str,
    feeling: tuple[Emotion, float, float] | None,
) -> tuple[str, Payload]:
    """The append script's payload (with an emotion, also the emotion update's); the message's citation id."""
    cid = ids.new_uuid()
    body = members.message_body(message_id, role, content, now, cid, feeling)
    citation = members.citation_member(
        CitationType.MESSAGE_APPENDED,
        cid,
        now,
        event=f"{role.value} message appended",
        evidence=(message_id,),
    )
    params = retention.params(now)
    params["window"] = window
    params["id"] = message_id
    payload = Payload(params, {"message": body, "citation": citation})
    if feeling is not None:
        emotion(payload, now, *feeling, message_id=message_id)
    return ids.citation_text(cid), payload


def emotion(
    payload: Payload,
    now: datetime,
    to: Emotion,
    intensity: float,
    confidence: float,
    *,
    message_id: str | None = None,
) -> str:
    """Adds an emotion update to ``payload``; returns its citation id (the emotion's tracking id)."""
    cid = ids.new_uuid()
    cited = ids.citation_text(cid)
    payload.params.update(
        emotion=to.value,
        intensity=number(intensity),
        confidence=number(confidence),
        emotion_citation_id=cited,
    )
    payload.members["transition"] = members.transition_body(to, intensity, confidence, now, cid, message_id)
    payload.members["emotion_citation"] = members.citation_member(
        CitationType.EMOTION_STATE_UPDATE,
        cid,
        now,
        event=f"emotion set to {to.value} (intensity {intensity:.2f})",
        evidence=(message_id,) if message_id else (),
        confidence=confidence,
    )
    return cited


def milestone(
    retention: Retention, now: datetime, *, description: str, emotion: Emotion | None
) -> tuple[str, Payload]:
    """The milestone's payload; returns the milestone id (its citation id is in the stored member)."""
    milestone_id = ids.new_id()
    cid = ids.new_uuid()
    params = retention.params(now) | {"epoch": now.timestamp()}
    if emotion is not None:
        params["emotion"] = emotion.value
    citation = members.citation_member(
        CitationType.MILESTONE_RECORDED, cid, now, event="milestone recorded", evidence=(milestone_id,)
    )
    body = members.milestone_body(milestone_id, description, now, cid)
    return milestone_id, Payload(params, {"milestone": body, "citation": citation})


def breakthrough(retention: Retention, now: datetime, item: Breakthrough, cid: bytes) -> Payload:
    citation = members.citation_member(
        CitationType.BREAKTHROUGH_RECORDED,
        cid,
        now,
        event=f"breakthrough recorded ({item.category.value})",
        evidence=item.evidence,
        confidence=item.confidence,
    )
    params = retention.params(now) | {"epoch": now.timestamp()}
    return Payload(params, {"breakthrough": members.breakthrough_member(item, cid), "citation": citation})


def context(
    retention: Retention | None,
    now: datetime,
    *,
    fields: Mapping[str, str],
    expected: int | None,
    author: str,
    extra_fields: Mapping[str, str] | None = None,
) -> Payload:
    """A notes save; ``retention`` None keeps the session's lifetime as it is (a therapist's save).
    ``extra_fields`` are written with ``fields`` but are not the edit itself (who wrote the guidance)."""
    event = f"context snapshot updated ({', '.join(sorted(fields))})" + (f" by {author}" if author else "")
    citation = members.citation_member(
        CitationType.CONTEXT_SNAPSHOT_UPDATED, ids.new_uuid(), now, event=event, server_fields=1
    )
    params: dict[str, object] = retention.params(now) if retention else {"now": now.isoformat()}
    params.update(fields={**fields, **(extra_fields or {})}, author=author)
    if expected is not None:
        params["expected_version"] = expected
    return Payload(params, {"citation": citation})


def close(retention: Retention, now: datetime) -> Payload:
    citation = members.citation_member(
        CitationType.SESSION_CLOSED, ids.new_uuid(), now, event="session closed"
    )
    return Payload(retention.params(now), {"citation": citation})


def resume(retention: Retention, now: datetime, *, model: str | None) -> Payload:
    citation = members.citation_member(
        CitationType.SESSION_RESUMED, ids.new_uuid(), now, event=None, server_fields=2
    )
    params = retention.params(now)
    if model is not None:
        params["model"] = model
    return Payload(params, {"citation": citation})
