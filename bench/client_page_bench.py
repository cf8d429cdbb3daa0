"""The client page and a long session's first screen (issue "How is this client doing").

Run: ``.venv/bin/python bench/client_page_bench.py [--requests 60]``

Everything is private: a ``redis-server`` on loopback (AOF on) and a migrated SQLite database in a
temporary directory; DEBUG off. Data are real-length generated conversations (the demo's generator:
alternating client/assistant turns, emotion updates with messages and between them, milestones,
breakthroughs), written through the state manager at back-dated times and archived like production.

1. Client page of a client with 50 sessions over a year (47 archived and gone from Redis, 2 live and
   drained, 1 live with its overflow waiting): server time p50 (Django test client, in process).
   Target: p50 <= 200 ms. The same run's session page p50 is printed as the ratio's yardstick.
2. Session page of 1,000 messages, first screen: messages decoded per view, with the archiver up to
   date (900 archived) and with 900 messages still in the live overflow; and the server time as a
   ratio to a 100-message session's page in the same run. Target: the window only (100 of 1,000).
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
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from ifemotion.embedded_redis import REDIS_SERVER, RedisServer  # noqa: E402

CLIENT = "bench-client"
TARGET_MS = 200.0


def log(message: str) -> None:
    print(message, flush=True)


def p50_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def configure(tmp: Path, redis_url: str) -> None:
    """The product's settings, DEBUG off, on a private SQLite file and the private Redis."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "ifemotion.settings",
            "SECRET_KEY": "client-page-bench-only-" + uuid.uuid4().hex,
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


def seed_course(sessions: int) -> tuple[Any, list[str]]:
    """``sessions`` weekly sessions of 40-90 messages; all but the last three archived away."""
    from ifemotion.accounts.identity import assign_client
    from ifemotion.accounts.models import User
    from sessions_app.state.configured import get_state_manager
    from tests.dashboard.journeys import archive_away, drain, real_session

    manager = get_state_manager()
    user = User.objects.create_user(username="bench", password=uuid.uuid4().hex, role="therapist")
    assign_client(therapist=user, client_id=CLIENT)
    ids = []
    for number in range(1, sessions + 1):
        days = 7 * (sessions - number) + 1
        messages = 40 + (number * 7) % 51
        ids.append(real_session(manager, CLIENT, number, messages=messages, days_ago=days).session_id)
    for sid in ids[:-3]:
        archive_away(manager, CLIENT, sid)
    for sid in ids[-3:-1]:
        drain(manager, CLIENT, sid)
    return user, ids


def timed(client: Any, url: str, requests: int) -> list[float]:
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, url
    return samples


def decoded_per_view(client: Any, url: str) -> int:
    """Messages decoded (live compact or JSON members, or archived rows) while serving ``url`` once."""
    import sessions_app.state.codec as codec
    import sessions_app.state.members as members
    from sessions_app.archive import mapping

    count = [0]
    live, compact, archived = codec.message_from, members._message, mapping.message_from_row

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any) -> Any:
            count[0] += 1
            return original(*args)

        return counted

    codec.message_from, mapping.message_from_row = wrap(live), wrap(archived)
    members._message = wrap(compact)
    try:
        assert client.get(url).status_code == 200
    finally:
        codec.message_from, mapping.message_from_row = live, archived
        members._message = compact
    return count[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    if REDIS_SERVER is None:
        sys.exit("redis-server is not installed")
    with tempfile.TemporaryDirectory(prefix="ifemotion-client-bench-") as tmp_name:
        tmp = Path(tmp_name)
        redis = RedisServer(tmp / "redis").start()
        try:
            configure(tmp, redis.url)
            run(args.requests)
        finally:
            redis.stop()


def run(requests: int) -> None:
    from django.test import Client

    from sessions_app.state.configured import get_state_manager
    from tests.dashboard.journeys import drain, real_session

    log("seeding 50 sessions of one client (real-length generated conversations) ...")
    user, ids = seed_course(50)
    client = Client()
    client.force_login(user)

    client_samples = timed(client, f"/clients/{CLIENT}/", requests)
    session_samples = timed(client, f"/clients/{CLIENT}/sessions/{ids[-2]}/", requests)
    page_ms, session_ms = p50_ms(client_samples), p50_ms(session_samples)
    p90 = statistics.quantiles(client_samples, n=10)[-1] * 1000
    verdict = "pass" if page_ms <= TARGET_MS else "MISS"
    log(f"client page, 50 sessions: p50 {page_ms:.1f} ms (p90 {p90:.1f} ms); target <= 200 ms: {verdict}")
    log(f"  = {page_ms / session_ms:.2f} x the p50 of a session page in the same run ({session_ms:.1f} ms)")

    manager = get_state_manager()
    log("seeding sessions of 1,000 and 100 messages ...")
    long_drained = real_session(manager, CLIENT, 901, messages=1000, days_ago=3).session_id
    drain(manager, CLIENT, long_drained)
    long_waiting = real_session(manager, CLIENT, 902, messages=1000, days_ago=2).session_id
    short = real_session(manager, CLIENT, 903, messages=100, days_ago=1).session_id
    for label, sid in (("archiver up to date", long_drained), ("900 in the live overflow", long_waiting)):
        url = f"/clients/{CLIENT}/sessions/{sid}/"
        decoded = decoded_per_view(client, url)
        verdict = "pass" if decoded <= 100 else "MISS"
        log(f"1,000 messages ({label}): {decoded} of 1,000 messages decoded; target 100: {verdict}")
    short_ms = p50_ms(timed(client, f"/clients/{CLIENT}/sessions/{short}/", requests))
    for label, sid in (("archiver up to date", long_drained), ("900 in the live overflow", long_waiting)):
        long_ms = p50_ms(timed(client, f"/clients/{CLIENT}/sessions/{sid}/", requests))
        log(
            f"session page p50, 1,000 messages ({label}): {long_ms:.1f} ms = {long_ms / short_ms:.2f} x "
            f"the 100-message page ({short_ms:.1f} ms)"
        )


if __name__ == "__main__":
    main()
