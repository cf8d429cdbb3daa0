"""What the state layer's scripts store: JSON bodies of citations and emotion transitions.

Built in Python so the Lua scripts only place them; every citation gets a fresh ``if://citation/`` id.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sessions_app.domain import CitationType, Emotion


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def number(value: float) -> str:
    return repr(float(value))


def build_citation(
    ctype: CitationType,
    user_id: str,
    session_id: str,
    now: datetime,
    *,
    event: str | None,
    evidence: Iterable[str] = (),
    confidence: float | None = None,
) -> tuple[str, str]:
    citation_id = f"if://citation/{uuid.uuid4()}"
    data: dict[str, Any] = {
        "citation_id": citation_id,
        "type": ctype.value,
        "timestamp": now.isoformat(),
        "user_id": user_id,
        "session_id": session_id,
    }
    if event is not None:  # the resume script fills in the event, which only it knows
        data["event"] = event
    data["evidence"] = list(evidence)
    if confidence is not None:
        data["confidence"] = confidence
    data["status"] = "verified"
    return citation_id, dumps(data)


def build_emotion_args(
    user_id: str,
    session_id: str,
    now: datetime,
    emotion: Emotion,
    intensity: float,
    confidence: float,
    *,
    message_id: str | None = None,
) -> list[str]:
    citation_id, citation = build_citation(
        CitationType.EMOTION_STATE_UPDATE,
        user_id,
        session_id,
        now,
        event=f"emotion set to {emotion.value} (intensity {intensity:.2f})",
        evidence=[message_id] if message_id else [],
        confidence=confidence,
    )
    entry: dict[str, Any] = {
        "to": emotion.value,
        "intensity": intensity,
        "confidence": confidence,
        "at": now.isoformat(),
        "citation_id": citation_id,
    }
    if message_id:
        entry["message_id"] = message_id
    return [emotion.value, number(intensity), number(confidence), citation_id, dumps(entry), citation]
