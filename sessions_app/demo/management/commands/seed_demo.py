"""``manage.py seed_demo [--seed N] [--clients N] [--sessions-per-client N]``: synthetic demo sessions.

Writes fictional clients (``client-ava``, ``client-ben``, ...) with two or three sessions each into
live Redis through the state manager: alternating user/assistant messages, emotional arcs, milestones,
breakthroughs, working notes, one session longer than the message window (so overflow is exercised)
and closed earlier sessions. Deterministic for a seed, and idempotent: a session that already exists
is skipped, never duplicated. Never prints message content.

Timestamps are back-dated from now (``--real-time`` writes them at the moment of seeding instead), so
the dashboard shows sessions spread over the last hours with minutes between messages. TTLs are
always the real ones: every write refreshes them from the moment it is made.
"""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError

import sessions_app.state.configured as configured
from sessions_app.demo.narrative import (
    DEFAULT_CLIENTS,
    DEFAULT_SEED,
    DEMO_AUTHOR,
    Close,
    DemoSession,
    Feel,
    Insight,
    Mark,
    Notes,
    Say,
    generate_demo,
)
from sessions_app.errors import SessionAlreadyExists, StateError, StateUnavailable
from sessions_app.state.manager import ConversationStateManager


class DemoClock:
    """A settable clock for the state manager: each write happens at the step's simulated time."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at


def with_clock(base: ConversationStateManager, clock: Callable[[], datetime]) -> ConversationStateManager:
    """A manager like ``base`` (same client and limits) whose writes are stamped by ``clock``."""
    return ConversationStateManager(
        base.redis,
        ttl_seconds=base.ttl_seconds,
        window=base.window,
        max_content_chars=base.max_content_chars,
        max_note_chars=base.max_note_chars,
        max_label_chars=base.max_label_chars,
        archived_message_lookup=base.archived_message_lookup,
        clock=clock,
        ttl_slack_seconds=base.ttl_slack_seconds,
        context_seed=base.context_seed,
    )


@dataclass
class Tally:
    clients: set[str] = field(default_factory=set)
    created: int = 0
    existing: int = 0
    messages: int = 0
    closed: int = 0
    milestones: int = 0
    breakthroughs: int = 0
    overflowing: list[str] = field(default_factory=list)


def write_session(
    manager: ConversationStateManager, session: DemoSession, clock: DemoClock | None, now: datetime
) -> None:
    """Replay one demo session's steps. ``SessionAlreadyExists`` before anything is written."""
    start = now - session.started_ago

    def tick(offset: timedelta) -> None:
        if clock is not None:
            clock.at = start + offset

    user, sid = session.user_id, session.session_id
    tick(timedelta(0))
    manager.initialize_session(user, model=session.model, session_id=sid)
    for timed in session.steps:
        tick(timed.offset)
        step = timed.step
        if isinstance(step, Say):
            manager.append_message(
                user,
                sid,
                role=step.role.value,
                content=step.content,
                message_id=step.message_id,
                emotion=None if step.emotion is None else step.emotion.value,
                intensity=step.intensity,
                confidence=step.confidence,
            )
        elif isinstance(step, Feel):
            manager.update_emotion(
                user, sid, emotion=step.emotion.value, intensity=step.intensity, confidence=step.confidence
            )
        elif isinstance(step, Mark):
            manager.record_milestone(
                user,
                sid,
                description=step.description,
                emotion=None if step.emotion is None else step.emotion.value,
            )
        elif isinstance(step, Insight):
            manager.record_breakthrough(
                user,
                sid,
                description=step.description,
                category=step.category.value,
                confidence=step.confidence,
                evidence=step.evidence,
            )
        elif isinstance(step, Notes):
            fields: dict[str, Any] = dict(step.fields)  # only context fields; see demo.Notes
            # The demo's notes are a therapist's (the dashboard takes them over as revision 1).
            manager.update_context_snapshot(user, sid, clinician=DEMO_AUTHOR, **fields)
        elif isinstance(step, Close):
            manager.close_session(user, sid)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    verbose = True
    help = "Write synthetic, deterministic demo sessions into live Redis (idempotent; skips existing ones)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--seed", type=_non_negative, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
        )
        parser.add_argument(
            "--clients",
            type=_positive,
            default=DEFAULT_CLIENTS,
            help=f"demo clients (default {DEFAULT_CLIENTS})",
        )
        parser.add_argument(
            "--sessions-per-client",
            type=_positive,
            default=None,
            help="sessions per client (default: 2 or 3, chosen by the seed)",
        )
        parser.add_argument(
            "--real-time",
            action="store_true",
            help="stamp every write with the time of seeding instead of back-dated times",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            base = configured.get_state_manager()
        except StateUnavailable as exc:  # no Redis configured: nothing was written
            raise CommandError(str(exc)) from exc
        clock = None if options["real_time"] else DemoClock()
        manager = base if clock is None else with_clock(base, clock)
        clients = generate_demo(
            options["seed"],
            clients=options["clients"],
            sessions_per_client=options["sessions_per_client"],
            window=manager.window,
        )
        now = datetime.now(UTC).replace(microsecond=0)
        self.verbose = int(options.get("verbosity", 1)) >= 1
        tally = Tally()
        for client in clients:
            tally.clients.add(client.user_id)
            for session in client.sessions:
                self._seed_session(manager, session, clock, now, tally)
        self._summary(tally, manager.window)

    def _seed_session(
        self,
        manager: ConversationStateManager,
        session: DemoSession,
        clock: DemoClock | None,
        now: datetime,
        tally: Tally,
    ) -> None:
        label = f"{session.user_id}/{session.session_id}"
        try:
            write_session(manager, session, clock, now)
        except SessionAlreadyExists:
            tally.existing += 1
            if self.verbose:
                self.stdout.write(f"  exists   {label} (skipped)")
            return
        except StateUnavailable as exc:
            raise CommandError(f"Redis is unavailable; {label} may be partly written: {exc}") from exc
        except StateError as exc:
            raise CommandError(f"could not seed {label} ({type(exc).__name__}): {exc}") from exc
        steps = [t.step for t in session.steps]
        messages = sum(isinstance(s, Say) for s in steps)
        tally.created += 1
        tally.messages += messages
        tally.closed += session.closed
        tally.milestones += sum(isinstance(s, Mark) for s in steps)
        tally.breakthroughs += sum(isinstance(s, Insight) for s in steps)
        if messages > manager.window:
            tally.overflowing.append(label)
        status = "closed" if session.closed else "active"
        if self.verbose:
            self.stdout.write(f"  created  {label}: {messages} messages, {session.theme}, {status}")

    def _summary(self, tally: Tally, window: int) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_demo: {len(tally.clients)} clients; {tally.created} sessions created "
                f"({tally.closed} closed), {tally.existing} already existed; {tally.messages} messages, "
                f"{tally.milestones} milestones, {tally.breakthroughs} breakthroughs"
            )
        )
        if tally.overflowing:
            longer = ", ".join(tally.overflowing)
            self.stdout.write(f"longer than the {window}-message window (overflow exercised): {longer}")
