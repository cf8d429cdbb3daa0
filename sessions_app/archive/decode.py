"""Turns what the archiver read from Redis into domain objects, and fingerprints a snapshot.

A member that cannot be decoded is not dropped: it goes to quarantine with its raw bytes, so the
archiver may still trim it from Redis without destroying anything. Nothing here logs content.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import sessions_app.state.codec as codec
import sessions_app.state.members as members
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


def decode(read: LiveRead) -> DecodedRead:
    out = DecodedRead()
    by_seq: dict[int, Message] = {}
    # The update_context script records the note version in its citation; the domain type has no slot.
    decoders: dict[str, Callable[..., Sequence[Any]]] = {
        "message": members.messages,
        "citation": lambda raws, key: members.citations_with_versions(
            raws, read.user_id, read.session_id, key=key
        ),
        "emotion transition": members.transitions,
        "milestone": members.milestones,
        "breakthrough": members.breakthroughs,
    }

    def decoded(raws: tuple[bytes, ...], kind: str) -> list[tuple[int, Any]]:
        items = []
        for position, (raw, item) in enumerate(
            zip(raws, decoders[kind](raws, key=read.session_id), strict=True)
        ):
            if isinstance(item, UnreadableEntry):
                out.quarantine.append((kind, raw))
            else:
                items.append((position, item))
        return items

    for _, message in decoded(read.overflow, "message"):
        by_seq[message.seq] = message
    out.citations = [citation for _, citation in decoded(read.citations, "citation")]
    full = read.full
    if full is not None:
        window = [message for _, message in decoded(full.messages, "message")]
        for message in window:
            by_seq[message.seq] = message
        out.transitions = decoded(full.emotion_log, "emotion transition")
        out.milestones = decoded(full.milestones, "milestone")
        out.breakthroughs = decoded(full.breakthroughs, "breakthrough")
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
