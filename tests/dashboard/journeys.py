"""Real-length conversations for the client page and provenance tests: the demo's generator (alternating
client/assistant turns, emotional arcs, classifier revisions between messages, milestones and
breakthroughs) replayed through the state manager at back-dated times, then optionally archived."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sessions_app.archive.archiver import Archiver
from sessions_app.demo.management.commands.seed_demo import DemoClock, with_clock, write_session
from sessions_app.demo.narrative import ARCS, THEMES, DemoSession, generate_session
from sessions_app.domain import Emotion
from sessions_app.state.manager import ConversationStateManager

NOW = datetime.now(UTC).replace(microsecond=0)


def real_session(
    manager: ConversationStateManager,
    client_id: str,
    number: int,
    *,
    messages: int = 160,
    days_ago: float = 0.5,
    arc: tuple[Emotion, ...] | None = None,
    closed: bool = False,
    seed: int = 0,
) -> DemoSession:
    """Write one generated session of ``messages`` messages that started ``days_ago`` days ago."""
    rng = random.Random(f"client-page-test:{client_id}:{number}:{seed}")
    session = generate_session(
        rng,
        user_id=client_id,
        number=number,
        message_count=messages,
        theme=THEMES[number % len(THEMES)],
        arc=arc or ARCS[number % len(ARCS)],
        started_ago=timedelta(days=days_ago),
        closed=closed,
    )
    clock = DemoClock()
    write_session(with_clock(manager, clock), session, clock, NOW)
    return session


def drain(manager: ConversationStateManager, client_id: str, session_id: str) -> None:
    """The archiver's routine pass: overflow and citations into the database, the session stays live."""
    Archiver(manager.redis, margin_seconds=60, index=False).archive_session(
        user_id=client_id, session_id=session_id
    )


def archive_away(manager: ConversationStateManager, client_id: str, session_id: str) -> None:
    """Close, snapshot and remove from Redis: afterwards only the database has the session."""
    manager.close_session(client_id, session_id)
    Archiver(manager.redis, index=False, delete_closed_after_seconds=0).archive_session(
        user_id=client_id, session_id=session_id
    )
