"""The review inbox and "mark reviewed": server time for a therapist with 200 clients x 20 sessions.

Run: ``.venv/bin/python bench/inbox_bench.py [--clients 200] [--per-client 20] [--live 2] [--requests 60]``

Everything is private and on loopback: a ``redis-server`` (AOF on) and a migrated SQLite database in a
temporary directory, stopped at the end; DEBUG off. Of each client's sessions, ``--live`` are live in
Redis (40 messages, emotion changes, a milestone) and the rest are archived rows in the database (30
messages each, a few emotion changes and milestones), as after weeks of use. The therapist has
reviewed about half of the sessions; a few are held.

Measured in process with Django's test client (middleware, access checks, audit rows and template
rendering included; the network is not), p50 over ``--requests`` calls:
- GET /inbox/ (the home page): target p50 <= 150 ms;
- POST "mark reviewed" of one live session (access check, one Redis read, the cursor upsert, the
  audit row): target p50 <= 20 ms; and of an archived session, for comparison.
For scale, the same run times the session list of the same therapist (page 1 of 4,000 sessions),
the inbox computation without rendering, and the session page of a 100-message session (the
dashboard bench's reference page): the ratio inbox / session page is comparable between runs on a
busy machine, where wall times are not. CPU times (this process: Django and SQLite) are printed too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from ifemotion.embedded_redis import REDIS_SERVER, RedisServer  # noqa: E402

INBOX_TARGET_MS = 150.0
MARK_TARGET_MS = 20.0
EMOTIONS = ["anxious", "exploring", "frustrated", "neutral", "happy", "breakthrough", "integrated"]
TEXT = "I keep replaying the meeting from this morning; the pause before she said it was fine."


def log(message: str) -> None:
    print(message, flush=True)


def configure(tmp: Path, redis_url: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "ifemotion.settings",
            "SECRET_KEY": "inbox-bench-only-" + uuid.uuid4().hex,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
            "IFEMOTION_VAR_DIR": str(tmp / "var"),
            "REDIS_URL": redis_url,
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(clients: int, per_client: int, live: int) -> tuple[Any, list[str], list[tuple[str, str]]]:
    """The therapist, their client ids, and (client, session) of every live session."""
    from ifemotion.accounts.models import CareAssignment, User
    from sessions_app.models import (
        ArchivedEmotionTransition,
        ArchivedMessage,
        ArchivedMilestone,
        ArchivedSession,
    )
    from sessions_app.review.models import ReviewCursor, SessionHold
    from sessions_app.state.configured import get_state_manager

    manager = get_state_manager()
    user = User.objects.create_user(username="bench-inbox", password=uuid.uuid4().hex, role="therapist")
    client_ids = [f"inbox-client-{n:04d}" for n in range(clients)]
    CareAssignment.objects.bulk_create(CareAssignment(therapist=user, client_id=c) for c in client_ids)
    live_sessions: list[tuple[str, str]] = []
    start = datetime(2026, 1, 1, tzinfo=UTC)
    sessions, messages, transitions, milestones, cursors, holds = [], [], [], [], [], []
    for n, client_id in enumerate(client_ids):
        for m in range(per_client - live):  # archived sessions, oldest first
            sid = f"archived-{n:04d}-{m:02d}"
            at = start + timedelta(days=m, minutes=n)
            sessions.append(
                ArchivedSession(
                    user_id=client_id, session_id=sid, status="closed", started_at=at, last_updated=at,
                    message_count=30, milestone_count=1, breakthrough_count=0,
                    current_emotion=EMOTIONS[(n + m) % 7], emotion_intensity=0.5, fingerprint="0" * 64,
                )
            )  # fmt: skip
            messages += [
                ArchivedMessage(
                    user_id=client_id, session_id=sid, seq=s, message_id=f"m{s}", role="user", content=TEXT,
                    timestamp=at, citation_id=f"if://citation/{sid}-{s}",
                )
                for s in range(1, 31)
            ]  # fmt: skip
            transitions += [
                ArchivedEmotionTransition(
                    user_id=client_id, session_id=sid, position=p, citation_id=f"if://citation/{sid}-e{p}",
                    to_emotion=EMOTIONS[p % 7], intensity=0.5, confidence=0.7, at=at,
                )
                for p in range(4)
            ]  # fmt: skip
            milestones.append(
                ArchivedMilestone(
                    user_id=client_id, session_id=sid, milestone_id=f"{sid}-ms", position=0,
                    description="named a feeling", at=at, citation_id=f"if://citation/{sid}-ms",
                )
            )  # fmt: skip
            if (n + m) % 2 == 0:
                cursors.append(
                    ReviewCursor(clinician=user, client_id=client_id, session_id=sid, seq=30, milestones=1,
                                 emotion_changes=4)
                )  # fmt: skip
        for m in range(live):
            sid = manager.initialize_session(client_id, model="bench-model")
            for s in range(40):
                feeling = EMOTIONS[(s + m) % 7] if s % 8 == 0 else None
                manager.append_message(
                    client_id, sid, role="user" if s % 2 == 0 else "assistant", content=TEXT, emotion=feeling,
                    intensity=0.5 if feeling else None, confidence=0.7 if feeling else None,
                )  # fmt: skip
            manager.record_milestone(client_id, sid, description="named a feeling")
            live_sessions.append((client_id, sid))
            if n % 3 == 0:
                cursors.append(ReviewCursor(clinician=user, client_id=client_id, session_id=sid, seq=20))
            if n % 25 == 0 and m == 0:
                holds.append(SessionHold(client_id=client_id, session_id=sid, messages=40, milestones=1))
    ArchivedSession.objects.bulk_create(sessions, batch_size=500)
    ArchivedMessage.objects.bulk_create(messages, batch_size=2000)
    ArchivedEmotionTransition.objects.bulk_create(transitions, batch_size=2000)
    ArchivedMilestone.objects.bulk_create(milestones, batch_size=2000)
    ReviewCursor.objects.bulk_create(cursors, batch_size=1000)
    SessionHold.objects.bulk_create(holds)
    return user, client_ids, live_sessions


CPU: list[float] = []  # the CPU time of each call timed last (this process: Django and SQLite)


def reference_page(user: Any, client_id: str) -> str:
    """The dashboard bench's reference: the session page of a session with 100 messages."""
    from sessions_app.state.configured import get_state_manager

    manager = get_state_manager()
    sid = manager.initialize_session(client_id, model="bench-model")
    for n in range(100):
        manager.append_message(client_id, sid, role="user" if n % 2 == 0 else "assistant", content=TEXT)
    return f"/clients/{client_id}/sessions/{sid}/"


def timed(call: Callable[[], Any], count: int, *, warmup: int = 3, status: int = 200) -> list[float]:
    """Wall-clock seconds of ``count`` calls (their CPU seconds go to ``CPU``)."""
    for _ in range(warmup):
        call()
    samples = []
    CPU.clear()
    for _ in range(count):
        started, cpu = time.perf_counter(), time.process_time()
        response = call()
        samples.append(time.perf_counter() - started)
        CPU.append(time.process_time() - cpu)
        if getattr(response, "status_code", status) != status:
            raise SystemExit(f"unexpected status {response.status_code}")
    return samples


def p50_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def report(**m: Any) -> int:
    """Print the figures; exit status 1 when a target is missed."""
    load = os.getloadavg()[0]
    log(f"inbox of {m['clients']} clients x {m['per_client']} sessions, p50 over {m['requests']} requests")
    log(f"(load average {load:.1f} on {os.cpu_count()} cores: wall time includes waiting for a core;")
    log(" CPU time is what this process spent in Django and SQLite; Redis runs apart)")
    inbox_ok, mark_ok = m["inbox"] <= INBOX_TARGET_MS, m["mark_live"] <= MARK_TARGET_MS
    log(
        f"  GET /inbox/: wall {m['inbox']:.1f} ms, CPU {m['inbox_cpu']:.1f} ms "
        f"(target <= {INBOX_TARGET_MS:.0f} ms: {'pass' if inbox_ok else 'MISS'})"
    )
    log(f"    inbox computation alone (no rendering): {m['compute']:.1f} ms")
    log(
        f"    session list of the same therapist: wall {m['listing']:.1f} ms, CPU {m['listing_cpu']:.1f} ms;"
        f" inbox / list = {m['inbox'] / m['listing']:.2f}"
    )
    log(f"    of which the review marks of its 50 rows (unread, clock, held): {m['marks']:.1f} ms")
    log(
        f"    session page of 100 messages: {m['session_page']:.1f} ms;"
        f" inbox / session page = {m['inbox'] / m['session_page']:.1f}"
    )
    log(
        f"  mark reviewed, live session: wall {m['mark_live']:.1f} ms, CPU {m['mark_live_cpu']:.1f} ms "
        f"(target <= {MARK_TARGET_MS:.0f} ms: {'pass' if mark_ok else 'MISS'})"
    )
    log(f"  mark reviewed, archived session: wall {m['mark_archived']:.1f} ms")
    return 0 if inbox_ok and mark_ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--per-client", type=int, default=20)
    parser.add_argument("--live", type=int, default=2, help="live sessions per client (the rest archived)")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--profile", action="store_true", help="print where the inbox's time goes")
    opts = parser.parse_args(argv)
    if REDIS_SERVER is None:
        raise SystemExit("redis-server is not installed")
    with tempfile.TemporaryDirectory(prefix="inbox-bench-") as tmp_name:
        tmp = Path(tmp_name)
        redis_server = RedisServer(tmp / "redis").start()
        try:
            configure(tmp, redis_server.url)
            from django.test import Client
            from django.utils import timezone

            from sessions_app.access import assigned_client_ids
            from sessions_app.review.inbox import InboxFilters
            from sessions_app.review.pages import inbox_for

            started = time.perf_counter()
            user, client_ids, live_sessions = seed(opts.clients, opts.per_client, opts.live)
            log(
                f"seeded {len(client_ids)} clients x {opts.per_client} sessions ({len(live_sessions)} live) "
                f"in {time.perf_counter() - started:.0f} s"
            )
            client = Client()
            client.force_login(user)
            first = client.get("/inbox/")
            shown = f"{len(client_ids)} of {len(client_ids)} clients".encode()
            assert first.status_code == 200, first.status_code
            assert shown in first.content
            if opts.profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.runcall(lambda: [client.get("/inbox/") for _ in range(5)])
                pstats.Stats(profiler).sort_stats("cumulative").print_stats("review|repository", 30)
            inbox = p50_ms(timed(lambda: client.get("/inbox/"), opts.requests))
            inbox_cpu = p50_ms(CPU)
            ids = assigned_client_ids(user)
            compute = p50_ms(
                timed(lambda: inbox_for(user, InboxFilters(), now=timezone.now()), opts.requests, status=0)
            )
            listing = p50_ms(timed(lambda: client.get("/sessions/"), opts.requests))
            listing_cpu = p50_ms(CPU)
            from sessions_app.dashboard.listing import ListFilters, list_sessions
            from sessions_app.review.pages import list_marks

            page_rows = list_sessions(ids, ListFilters()).rows
            marks = p50_ms(
                timed(lambda: list_marks(user, page_rows, now=timezone.now()), opts.requests, status=0)
            )
            live_client, live_sid = live_sessions[1]
            archived_client = client_ids[1]
            mark_live = p50_ms(
                timed(
                    lambda: client.post(
                        f"/clients/{live_client}/review/mark",
                        {"scope": "session", "session_id": live_sid, "next": "/inbox/"},
                    ),
                    opts.requests * 2,
                    status=302,
                )
            )
            mark_live_cpu = p50_ms(CPU)
            mark_archived = p50_ms(
                timed(
                    lambda: client.post(
                        f"/clients/{archived_client}/review/mark",
                        {"scope": "session", "session_id": "archived-0001-03", "next": "/inbox/"},
                    ),
                    opts.requests * 2,
                    status=302,
                )
            )
            session_page = p50_ms(
                timed(lambda: client.get(reference_page(user, client_ids[0])), opts.requests)
            )
            return report(
                clients=len(ids), per_client=opts.per_client, requests=opts.requests, inbox=inbox,
                inbox_cpu=inbox_cpu, compute=compute, listing=listing, listing_cpu=listing_cpu, marks=marks,
                session_page=session_page, mark_live=mark_live, mark_live_cpu=mark_live_cpu,
                mark_archived=mark_archived,
            )  # fmt: skip
        finally:
            redis_server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
