"""The therapist dashboard: session page server time and requests/s, as ratios to a bare Django view.

Run: ``.venv/bin/python bench/dashboard_bench.py [--requests 200] [--seconds 4] [--rounds 3]``

Everything is private and on loopback: a ``redis-server`` (AOF on), a migrated SQLite database and,
for throughput, ``gunicorn`` with 2 workers, all in a temporary directory, stopped at the end. DEBUG
is off. The session page (100 messages, 20 milestones, 10 breakthroughs, 30 transitions, the chart)
is compared with a bare view rendering the same template from an in-memory dict in the same run
(bench/dashboard_bench_urls.py), so the ratios cancel out the machine:

- server time p50 (in process, Django test client): ratio = bare p50 / page p50;
- requests per second under gunicorn (2 sync workers, 4 client threads, interleaved rounds):
  ratio = page rps / bare rps. Target for both: >= 0.75.
- the session list of a therapist with 500 clients x 10 live sessions: p50 < 50 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from ifemotion.embedded_redis import REDIS_SERVER, RedisServer, free_port  # noqa: E402

TARGET_RATIO = 0.75
LIST_TARGET_MS = 50.0
CLIENT = "bench-client"
BIN = Path(sys.executable).parent
MESSAGE = (
    "I keep replaying the meeting from this morning. My manager said the report was fine, but the way "
    "she paused before saying it made me feel like I had failed again."
)
EMOTIONS = ["anxious", "exploring", "frustrated", "neutral", "happy", "breakthrough", "integrated"]
CATEGORIES = ["pattern_recognition", "emotional_release", "cognitive_reframe", "self_compassion"]


def log(message: str) -> None:
    print(message, flush=True)


def p50_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def configure(tmp: Path, redis_url: str) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.dashboard_bench_settings",
        "PYTHONPATH": str(REPO_ROOT),
        "SECRET_KEY": "dashboard-bench-only-" + uuid.uuid4().hex,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback; TLS ends at a proxy in production
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "IFEMOTION_VAR_DIR": str(tmp / "var"),
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return env


def seed_detail() -> tuple[Any, str]:
    from ifemotion.accounts.identity import assign_client
    from ifemotion.accounts.models import User
    from sessions_app.state.configured import get_state_manager

    manager = get_state_manager()
    user = User.objects.create_user(username="bench", password=uuid.uuid4().hex, role="therapist")
    assign_client(therapist=user, client_id=CLIENT)
    sid = manager.initialize_session(CLIENT, model="bench-model")
    ids = []
    for n in range(100):
        emotion = EMOTIONS[n % len(EMOTIONS)] if n % 4 == 0 else None
        message = manager.append_message(
            CLIENT, sid, role="user" if n % 2 == 0 else "assistant", content=f"{MESSAGE} ({n})",
            emotion=emotion, intensity=(n % 10) / 10 if emotion else None,
            confidence=0.8 if emotion else None,
        )  # fmt: skip
        ids.append(message.id)
    for n in range(5):
        manager.update_emotion(CLIENT, sid, emotion=EMOTIONS[n], intensity=0.1 * n + 0.2, confidence=0.7)
    for n in range(20):
        manager.record_milestone(
            CLIENT, sid, description=f"Milestone {n}: named a feeling", emotion="exploring"
        )
    for n in range(10):
        manager.record_breakthrough(
            CLIENT, sid, description=f"Breakthrough {n}: linked sleep and mood",
            category=CATEGORIES[n % len(CATEGORIES)], confidence=0.5 + n / 25, evidence=ids[n : n + 2],
        )  # fmt: skip
    manager.update_context_snapshot(CLIENT, sid, session_notes="Working notes of the bench session.")
    return user, sid


def seed_list(clients: int, per_client: int) -> Any:
    from ifemotion.accounts.models import CareAssignment, User
    from sessions_app.state.configured import get_state_manager

    manager = get_state_manager()
    user = User.objects.create_user(username="bench-list", password=uuid.uuid4().hex, role="therapist")
    client_ids = [f"list-client-{n:04d}" for n in range(clients)]
    CareAssignment.objects.bulk_create(CareAssignment(therapist=user, client_id=c) for c in client_ids)
    for n, client_id in enumerate(client_ids):
        for m in range(per_client):
            sid = manager.initialize_session(client_id, model="bench-model")
            if (n + m) % 3 == 0:
                manager.update_emotion(client_id, sid, emotion=EMOTIONS[m % 7], intensity=0.5, confidence=0.8)
    return user


def logged_in(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def interleaved(
    first: Callable[[], Any], second: Callable[[], Any], count: int
) -> tuple[list[float], list[float]]:
    """Time two calls alternately, so a load spike on the machine hits both alike."""
    one: list[float] = []
    two: list[float] = []
    for _ in range(count // 10):
        one += timed(first, 10, warmup=1)
        two += timed(second, 10, warmup=1)
    return one, two


def timed(call: Callable[[], Any], count: int, *, warmup: int = 10) -> list[float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        response = call()
        samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"unexpected status {response.status_code}")
    return samples


def bench_list(clients: int, per_client: int, requests: int) -> tuple[float, float]:
    from sessions_app.access import assigned_client_ids
    from sessions_app.dashboard.listing import ListFilters, list_sessions

    list_user = seed_list(clients, per_client)
    list_client = logged_in(list_user)
    list_p50 = p50_ms(timed(lambda: list_client.get("/sessions/"), requests))
    ids = assigned_client_ids(list_user)
    fn_p50 = p50_ms(timed(lambda: _ok(list_sessions(ids, ListFilters())), 50, warmup=3))
    log(f"  session list ({len(ids)} clients): page p50 {list_p50:.2f} ms (list_sessions() {fn_p50:.2f} ms)")
    return list_p50, fn_p50


# ---------------------------------------------------------------------------- gunicorn


def start_gunicorn(env: dict[str, str], tmp: Path, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"), "ifemotion.wsgi:application", "--chdir", str(REPO_ROOT),
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
            "--error-logfile", str(tmp / "gunicorn.log"),
        ],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def load(port: int, path: str, cookie: str, seconds: float, threads: int) -> float:
    """Requests per second with ``threads`` clients hammering ``path`` for ``seconds``."""
    done = [0] * threads
    failures = [0] * threads
    statuses: set[int] = set()
    stop_at = time.monotonic() + seconds

    def client(slot: int) -> None:
        while time.monotonic() < stop_at:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 200:
                done[slot] += 1
            else:
                failures[slot] += 1
                statuses.add(response.status)

    started = time.monotonic()
    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if sum(failures):
        raise SystemExit(f"{sum(failures)} requests to {path} failed: HTTP {sorted(statuses)}")
    return sum(done) / (time.monotonic() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page, in process")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of one throughput phase")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved throughput rounds")
    parser.add_argument("--threads", type=int, default=4, help="client threads for throughput")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=500, help="clients of the list therapist")
    parser.add_argument("--per-client", type=int, default=10, help="live sessions per client")
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    opts = parser.parse_args(argv)
    if REDIS_SERVER is None:
        raise SystemExit("redis-server is not installed")
    with tempfile.TemporaryDirectory(prefix="dashboard-bench-") as tmp_name:
        tmp = Path(tmp_name)
        redis_server = RedisServer(tmp / "redis").start()
        gunicorn = None
        try:
            env = configure(tmp, redis_server.url)
            from django.conf import settings

            user, sid = seed_detail()
            page = f"/clients/{CLIENT}/sessions/{sid}/"
            bare = f"/bench/dashboard-bare/{CLIENT}/{sid}/"
            client = logged_in(user)
            log(f"dashboard bench: session page with 100 messages, {opts.requests} requests per view")
            page_times, bare_times = interleaved(
                lambda: client.get(page), lambda: client.get(bare), opts.requests
            )
            page_p50, bare_p50 = p50_ms(page_times), p50_ms(bare_times)
            time_ratio = bare_p50 / page_p50
            log(f"  server time p50: page {page_p50:.2f} ms, bare {bare_p50:.2f} ms, ratio {time_ratio:.2f}")

            list_p50 = fn_p50 = 0.0
            if opts.clients:
                log(f"seeding {opts.clients} clients x {opts.per_client} live sessions ...")
                list_p50, fn_p50 = bench_list(opts.clients, opts.per_client, max(50, opts.requests // 2))
            cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
            gunicorn, port = start_gunicorn(env, tmp, opts.workers)
            load(port, bare, cookie, 1.0, opts.threads)  # warm both workers' template caches
            load(port, page, cookie, 1.0, opts.threads)
            page_rps: list[float] = []
            bare_rps: list[float] = []
            for _ in range(opts.rounds):
                bare_rps.append(load(port, bare, cookie, opts.seconds, opts.threads))
                page_rps.append(load(port, page, cookie, opts.seconds, opts.threads))
            rps_ratio = statistics.median(page_rps) / statistics.median(bare_rps)
            log(
                f"  gunicorn {opts.workers} workers, {opts.threads} clients: "
                f"page {statistics.median(page_rps):.0f} req/s, "
                f"bare {statistics.median(bare_rps):.0f} req/s, "
                f"ratio {rps_ratio:.2f}"
            )
        finally:
            if gunicorn is not None:
                gunicorn.terminate()
                gunicorn.wait(timeout=15)
            redis_server.stop()
    list_ok = list_p50 < LIST_TARGET_MS if opts.clients else None  # None: not measured (--clients 0)
    ok = time_ratio >= TARGET_RATIO and rps_ratio >= TARGET_RATIO and list_ok is not False
    results = {
        "page_p50_ms": round(page_p50, 2), "bare_p50_ms": round(bare_p50, 2),
        "time_ratio": round(time_ratio, 3), "page_rps": round(statistics.median(page_rps), 1),
        "bare_rps": round(statistics.median(bare_rps), 1), "rps_ratio": round(rps_ratio, 3),
        "list_p50_ms": round(list_p50, 2), "list_function_p50_ms": round(fn_p50, 2),
        "targets": {"ratio": TARGET_RATIO, "list_p50_ms": LIST_TARGET_MS}, "ok": ok,
    }  # fmt: skip
    if opts.json:
        print(json.dumps(results))
    list_goal = f"list p50 < {LIST_TARGET_MS:.0f} ms" if list_ok is not None else "list not measured"
    log(f"{'PASS' if ok else 'FAIL'}: ratios >= {TARGET_RATIO} and {list_goal}")
    return 0 if ok else 1


class _Ok:
    status_code = 200


def _ok(_: object) -> _Ok:
    return _Ok()


if __name__ == "__main__":
    raise SystemExit(main())
