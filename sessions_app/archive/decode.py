"""Turns what the archiver read from Redis into domain objects, and fingerprints a snapshot.

A member that cannot be decoded is not dropped: it goes to quarantine with its raw bytes, so the
archiver may still trim it from Redis without destroying anything. Nothing here logs content.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import sessions_app.state.codec as codec
from sessions_app.domain import (
    Breakthrough,
    Citation,
    EmotionTransition,
    Message,
    Milestone,
    SessionState,
    UnreadableEntry,
)
from sessions_app.state.jsonshape import jsonable
from sessions_app.state.live import LiveRead


@dataclass
class DecodedRead:
    messages: list[Message] = field(default_factory=list)
    citations: list[tuple[Citation, int | None]] = field(default_factory=list)
    quarantine: list[tuple[str, bytes]] = field(default_factory=list)
    state: SessionState | None = None
    transitions: list[tuple[int, EmotionTransition]] = field(default_factory=list)
    milestones: list[tuple[int, Milestone]] = field(default_factory=list)
    breakthroughs: list[tuple[int, Breakthrough]] = field(default_factory=list)


def _citation_with_version(data: dict[str, Any]) -> tuple[Citation, int | None]:
    # The update_context script adds the note version to its citation; the domain type has no slot.
    version = data.get("version")
    return codec.citation_from(data), version if isinstance(version, int) else None


BUILDERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "message": codec.message_from,
    "citation": _citation_with_version,
    "emotion transition": codec.transition_from,
    "milestone": codec.milestone_from,
    "breakthrough": codec.breakthrough_from,
}


def decode(read: LiveRead) -> DecodedRead:
    out = DecodedRead()
    by_seq: dict[int, Message] = {}

    def members(raws: tuple[bytes, ...], kind: str) -> list[tuple[int, Any]]:
        decoded = []
        for position, raw in enumerate(raws):
            item = codec.decode_member(raw, kind, position, BUILDERS[kind], key=read.session_id)
            if isinstance(item, UnreadableEntry):
                out.quarantine.append((kind, raw))
            else:
                decoded.append((position, item))
        return decoded

    for _, message in members(read.overflow, "message"):
        by_seq[message.seq] = message
    out.citations = [citation for _, citation in members(read.citations, "citation")]
    full = read.full
    if full is not None:
        window = [message for _, message in members(full.messages, "message")]
        for message in window:
            by_seq[message.seq] = message
        out.transitions = members(full.emotion_log, "emotion transition")
        out.milestones = members(full.milestones, "milestone")
        out.breakthroughs = members(full.breakthroughs, "breakthrough")
        out.state = SessionState(
            metadata=codec.metadata_from(read.user_id, read.session_id, read.metadata),
            emotion=codec.emotion_state_from(full.emotion),
            emotion_log=tuple(t for _, t in out.transitions),
            messages=tuple(window),
            milestones=tuple(m for _, m in out.milestones),
            breakthroughs=tuple(b for _, b in out.breakthroughs),
            context=codec.context_from(full.context),
        )
    out.messages = [by_seq[seq] for seq in sorted(by_seq)]
    return out


def fingerprint(state: SessionState) -> str:
    """SHA-256 of the canonical snapshot, without what archiving itself changes (``archived_at``,
    the overflow and pending citations, which the archiver drains)."""
    canonical = replace(
        state,
        metadata=replace(state.metadata, archived_at=None),
        overflow_count=0,
        pending_citations=(),
    )
    text = json.dumps(jsonable(asdict(canonical)), sort_keys=True, ensure_ascii=False, allow_nan=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
