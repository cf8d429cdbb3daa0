"""What risk assessment costs, measured in one run against a private redis-server and SQLite.

Run: ``.venv/bin/python bench/risk_bench.py [--appends N] [--rounds R] [--samples S]``

1. **State-layer append p50, with and without the risk worker running.** Assessment is outside the
   state layer (the append script is unchanged); what could slow it is the worker polling the same
   Redis. Redis and the benchmark client are pinned to core 0, the worker to core 1. Interleaved
   rounds; target: at most +5 %.
2. **HTTP append p50 with and without assessment in the request** (``RISK_ASSESS_ON_API``), in-process
   through Django's full stack (token, rate limit, audit row, state layer; then the detector, a
   context read and the flag/cursor write). Interleaved rounds; reported as a ratio.
3. **Write -> flag visible** with ``manage.py risk_worker --loop --interval 1`` running: a client
   message written through the Python state API, then the time until its flag is in the database.
   Target: p99 <= 5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from ifemotion.embedded_redis import REDIS_SERVER, RedisServer  # noqa: E402

ORDINARY = "I keep replaying the meeting from this morning and I feel like I failed again."
RISKY = "Honestly I want to kill myself, I can't do this anymore."


def pct(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def pin(pid: int, core: int) -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > core:
        os.sched_setaffinity(pid, {core})


@contextmanager
def environment() -> Iterator[tuple[dict[str, str], RedisServer]]:
    if REDIS_SERVER is None:
        raise SystemExit("redis-server is not installed")
    with tempfile.TemporaryDirectory(prefix="risk-bench-") as tmp:
        server = RedisServer(Path(tmp) / "redis").start()
        assert server.process is not None
        pin(server.process.pid, 0)
        env = {
            **os.environ,
            "SECRET_KEY": "risk-bench-only",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "testserver,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "REDIS_URL": server.url,
            "IFEMOTION_VAR_DIR": tmp,
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "ifemotion.settings",
        }
        os.environ.update(env)
        try:
            yield env, server
        finally:
            server.stop()


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    worker = subprocess.Popen(
        [sys.executable, str(REPO_ROOT / "manage.py"), "risk_worker", "--loop", "--interval", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    pin(worker.pid, 1)
    time.sleep(2.0)  # Django start-up
    return worker


def stop(worker: subprocess.Popen[bytes]) -> None:
    worker.terminate()
    worker.wait(timeout=30)


def state_append(env: dict[str, str], appends: int, rounds: int) -> None:
    from sessions_app.state.connection import client_from_url
    from sessions_app.state.manager import ConversationStateManager

    manager = ConversationStateManager(client_from_url(env["REDIS_URL"], socket_timeout=10.0), window=100)
    sessions = [manager.initialize_session("bench-client", model="m") for _ in range(20)]
    results: dict[str, list[float]] = {"without worker": [], "with worker": []}
    counter = 0
    for _ in range(rounds):
        for label in ("without worker", "with worker"):
            worker = start_worker(env) if label == "with worker" else None
            timings = []
            for i in range(appends):
                counter += 1
                started = time.perf_counter()
                manager.append_message(
                    "bench-client",
                    sessions[i % len(sessions)],
                    role="user",
                    content=RISKY if i % 10 == 0 else ORDINARY,
                    message_id=f"b{counter}",
                )
                timings.append(time.perf_counter() - started)
            results[label].append(statistics.median(timings) * 1e6)
            if worker is not None:
                stop(worker)
    off = statistics.median(results["without worker"])
    on = statistics.median(results["with worker"])
    verdict = "pass" if on <= off * 1.05 else "MISS"
    print(
        f"state-layer append p50: without the worker {off:.1f} µs, with it running {on:.1f} µs "
        f"= {on / off:.3f} x (target <= 1.05: {verdict}); rounds: {results}"
    )


def api_append(appends: int, rounds: int) -> None:
    from django.core.management import call_command
    from django.test import Client, override_settings

    from ifemotion.accounts.tokens import create_token

    call_command("migrate", "--noinput", verbosity=0)
    token = create_token(name=f"bench-{time.time_ns()}", scope="write", actor="bench").secret
    client = Client()
    headers = {"Authorization": f"Bearer {token}"}
    results: dict[str, list[float]] = {"without assessment": [], "with assessment": []}
    counter = 0
    unlimited = override_settings(API_RATE_LIMIT_PER_MINUTE=10**9)  # the limiter is not what we measure
    unlimited.enable()
    for round_no in range(rounds):
        for label, enabled in (("without assessment", False), ("with assessment", True)):
            sid = f"api-{round_no}-{int(enabled)}"
            client.post(
                "/api/v1/sessions",
                {"user_id": "bench-client", "model": "m", "session_id": sid},
                content_type="application/json",
                headers=headers,
                secure=True,
            )
            timings = []
            with override_settings(RISK_ASSESS_ON_API=enabled):
                for i in range(appends):
                    counter += 1
                    body = {
                        "role": "user" if i % 2 == 0 else "assistant",
                        "message_id": f"a{counter}",
                        "content": RISKY if i % 20 == 0 else ORDINARY,
                    }
                    started = time.perf_counter()
                    response = client.post(
                        f"/api/v1/sessions/bench-client/{sid}/messages",
                        body,
                        content_type="application/json",
                        headers=headers,
                        secure=True,
                    )
                    timings.append(time.perf_counter() - started)
                    assert response.status_code == 201, response.content
            results[label].append(statistics.median(timings) * 1e6)
    off = statistics.median(results["without assessment"])
    on = statistics.median(results["with assessment"])
    print(
        f"HTTP append p50 (in-process, SQLite): without assessment {off / 1000:.2f} ms, with it "
        f"{on / 1000:.2f} ms = {on / off:.2f} x ({(on - off) / 1000:.2f} ms per append)"
    )


def visibility(env: dict[str, str], samples: int) -> None:
    from sessions_app.risk.models import RiskFlag
    from sessions_app.state.connection import client_from_url
    from sessions_app.state.manager import ConversationStateManager

    manager = ConversationStateManager(client_from_url(env["REDIS_URL"], socket_timeout=10.0), window=100)
    worker = start_worker(env)
    latencies = []
    try:
        # Steady state first: the worker's first pass assesses the backlog the other parts wrote.
        manager.initialize_session("bench-visible", model="m", session_id="vis-warmup")
        manager.append_message("bench-visible", "vis-warmup", role="user", content=RISKY, message_id="w1")
        deadline = time.perf_counter() + 300
        while not RiskFlag.objects.filter(session_id="vis-warmup").exists():
            if time.perf_counter() > deadline:
                raise SystemExit("the worker did not catch up within 5 minutes")
            time.sleep(0.1)
        for index in range(samples):
            sid = manager.initialize_session("bench-visible", model="m", session_id=f"vis-{index}")
            manager.append_message("bench-visible", sid, role="user", content=ORDINARY, message_id="v0")
            written = time.perf_counter()
            manager.append_message("bench-visible", sid, role="user", content=RISKY, message_id="v1")
            while not RiskFlag.objects.filter(client_id="bench-visible", session_id=sid).exists():
                if time.perf_counter() - written > 30:
                    raise SystemExit("no flag after 30 s: is the worker running?")
                time.sleep(0.01)
            latencies.append(time.perf_counter() - written)
            time.sleep(0.137 * (index % 7))  # writes land at different points of the worker's cycle
    finally:
        stop(worker)
    p50, p99 = pct(latencies, 0.5), pct(latencies, 0.99)
    verdict = "pass" if p99 <= 5.0 else "MISS"
    print(
        f"write -> flag in the database, worker polling every 1 s: p50 {p50:.2f} s, p99 {p99:.2f} s, "
        f"max {max(latencies):.2f} s over {samples} writes (target p99 <= 5 s: {verdict})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=60)
    args = parser.parse_args()
    with environment() as (env, _server):
        pin(os.getpid(), 0)
        subprocess.run(
            [sys.executable, str(REPO_ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
            env=env,
            check=True,
        )
        import django

        django.setup()
        state_append(env, args.appends, args.rounds)
        api_append(max(100, args.appends // 4), args.rounds)
        visibility(env, args.samples)


if __name__ == "__main__":
    main()
