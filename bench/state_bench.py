"""Latency and throughput of the conversation-state layer against a real Redis.

Run: ``.venv/bin/python bench/state_bench.py [--redis-url URL] [--iterations N] [--duration S]``

Without ``--redis-url`` (or ``REDIS_URL``) it starts a private ``redis-server`` on a free loopback
port in a temporary directory and stops it at the end. It uses database 10 (the tests use 9) and
flushes that database before and after. The figures that matter are the ratios to a bare PING
measured in the same run: they cancel out most of the machine and network.
"""

from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.synchronize
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import redis  # noqa: E402

from sessions_app.keys import SessionKeys  # noqa: E402
from sessions_app.redis_conn import client_from_url  # noqa: E402
from sessions_app.scripts import script_source  # noqa: E402
from sessions_app.state import ConversationStateManager  # noqa: E402
from tests.redis_server import REDIS_SERVER, RedisServer  # noqa: E402

BENCH_DB = 10
APPEND_TARGET = 1.3  # append p50 <= 1.3 x PING p50
RESUME_TARGET = 3.0  # resume p50 <= 3 x PING p50
THROUGHPUT_TARGET = 40_000  # messages/s with 8 writer processes
USER = "bench-user"

# ~300 characters of plausible message text (content is irrelevant to Redis, its size is not).
CONTENT = (
    "I keep replaying the meeting from this morning. My manager said the report was fine, "
    "but the way she paused before saying it made me feel like I had failed again. I know "
    "it is probably nothing, yet I lay awake until three thinking about every sentence I "
    "wrote and whether I should rewrite it all tonight."
)[:300]


# ---------------------------------------------------------------------------- helpers


def with_db(url: str, db: int) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{db}"))


def make_client(url: str) -> redis.Redis:
    # A generous socket timeout: a saturated 2-core box must not turn into timeouts mid-bench.
    return client_from_url(url, socket_timeout=10.0, connect_timeout=2.0)


@contextmanager
def redis_url(explicit: str | None) -> Iterator[tuple[str, str]]:
    """Yield (url of the bench db, description). Starts a private server when none is given."""
    url = explicit or os.environ.get("REDIS_URL")
    if url:
        yield with_db(url, BENCH_DB), "given"
        return
    if REDIS_SERVER is None:
        raise SystemExit("no --redis-url, no REDIS_URL, and no redis-server installed")
    with tempfile.TemporaryDirectory(prefix="state-bench-") as tmp:
        server = RedisServer(Path(tmp) / "redis").start()
        try:
            yield with_db(server.url, BENCH_DB), f"private redis-server (pid {server.process.pid if server.process else '?'})"
        finally:
            server.stop()


@dataclass(frozen=True)
class Latency:
    name: str
    p50_us: float
    p99_us: float
    mean_us: float


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def measure(name: str, op: Callable[[int], object], iterations: int, warmup: int) -> Latency:
    """Time ``op(i)`` one call at a time; ``i`` counts from 0 across warm-up and measurement."""
    for i in range(warmup):
        op(i)
    samples: list[float] = []
    clock = time.perf_counter_ns
    for i in range(warmup, warmup + iterations):
        start = clock()
        op(i)
        samples.append((clock() - start) / 1000.0)
    samples.sort()
    return Latency(name, percentile(samples, 0.50), percentile(samples, 0.99), statistics.fmean(samples))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# ---------------------------------------------------------------------------- latency


def new_session(manager: ConversationStateManager, session_id: str) -> str:
    return manager.initialize_session(USER, model="bench-model", session_id=session_id)


def latency_suite(url: str, iterations: int, warmup: int) -> dict[str, Latency]:
    client = make_client(url)
    manager = ConversationStateManager(client)
    results: dict[str, Latency] = {}

    results["ping"] = measure("PING", lambda i: client.ping(), iterations, warmup)

    plain = new_session(manager, "lat-append")
    results["append"] = measure(
        "append_message",
        lambda i: manager.append_message(USER, plain, role="user" if i % 2 else "assistant", content=CONTENT),
        iterations,
        warmup,
    )

    felt = new_session(manager, "lat-append-emotion")
    emotions = ("anxious", "exploring", "breakthrough", "integrated")
    results["append_emotion"] = measure(
        "append_message +emotion",
        lambda i: manager.append_message(
            USER, felt, role="user", content=CONTENT, emotion=emotions[i % 4], intensity=0.6, confidence=0.8
        ),
        iterations,
        warmup,
    )

    mood = new_session(manager, "lat-emotion")
    results["update_emotion"] = measure(
        "update_emotion",
        lambda i: manager.update_emotion(USER, mood, emotion=emotions[i % 4], intensity=0.5, confidence=0.7),
        iterations,
        warmup,
    )

    full = new_session(manager, "lat-resume")
    for i in range(manager.window):
        manager.append_message(USER, full, role="user" if i % 2 else "assistant", content=CONTENT)

    def resume(i: int) -> object:
        state = manager.resume_session(USER, full)
        assert len(state.messages) == manager.window
        return state

    results["resume"] = measure("resume_session (100 msgs)", resume, iterations, warmup)
    results["ping_after"] = measure("PING (again, drift check)", lambda i: client.ping(), iterations, warmup)
    client.close()
    return results


def print_latency(results: dict[str, Latency]) -> None:
    ping = results["ping"].p50_us
    targets: dict[str, float] = {
        "append": APPEND_TARGET,
        "append_emotion": APPEND_TARGET,
        "resume": RESUME_TARGET,
    }
    print(f"{'operation':<28}{'p50 µs':>10}{'p99 µs':>10}{'mean µs':>10}{'× PING':>9}  target")
    for key, lat in results.items():
        ratio = lat.p50_us / ping
        target = targets.get(key)
        mark = f"≤ {target:.1f}× {verdict(ratio <= target)}" if target is not None else ""
        print(f"{lat.name:<28}{lat.p50_us:>10.1f}{lat.p99_us:>10.1f}{lat.mean_us:>10.1f}{ratio:>8.2f}×  {mark}")


# ---------------------------------------------------------------------------- throughput


def _worker(
    url: str,
    kind: str,
    worker_id: int,
    duration: float,
    ready: multiprocessing.synchronize.Barrier,
    out: multiprocessing.Queue[int],
) -> None:
    client = make_client(url)
    manager = ConversationStateManager(client)
    op: Callable[[int], object]
    if kind == "ping":

        def op(i: int) -> object:
            return client.ping()

    else:
        # A fresh session per 1,000 messages keeps each session's window and overflow realistic.
        sessions: list[str] = []

        def op(i: int) -> object:
            if i % 1000 == 0:
                sessions.append(new_session(manager, f"tp-{kind}-{worker_id}-{i // 1000}"))
            return manager.append_message(USER, sessions[-1], role="user", content=CONTENT)

    for i in range(50):  # warm the connection and the script cache
        op(i)
    count = 50
    ready.wait()
    deadline = time.perf_counter() + duration
    done = 0
    while time.perf_counter() < deadline:
        op(count)
        count += 1
        done += 1
    out.put(done)
    client.close()


def throughput(url: str, kind: str, processes: int, duration: float) -> float:
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Barrier(processes + 1)
    out: multiprocessing.Queue[int] = ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(url, f"{kind}", n, duration, ready, out), daemon=True)
        for n in range(processes)
    ]
    for proc in procs:
        proc.start()
    ready.wait()
    started = time.perf_counter()
    total = sum(out.get(timeout=duration + 60) for _ in procs)
    elapsed = max(time.perf_counter() - started, duration)
    for proc in procs:
        proc.join(timeout=10)
    return total / elapsed


# ---------------------------------------------------------------------------- profile


def commandstats(client: redis.Redis) -> dict[str, dict[str, Any]]:
    info: dict[str, Any] = client.info("commandstats")
    return {k.removeprefix("cmdstat_"): v for k, v in info.items() if isinstance(v, dict)}


def server_usec_per_call(client: redis.Redis, run: Callable[[], object], n: int) -> float:
    """Server-side µs per EVALSHA for ``run`` (INFO commandstats, reset before)."""
    client.config_resetstat()
    for _ in range(n):
        run()
    stats = commandstats(client).get("evalsha", {})
    calls = int(stats.get("calls", 0))
    return float(stats.get("usec", 0)) / calls if calls else float("nan")


def profile(url: str, iterations: int, warmup: int) -> None:
    """Where an append's time goes: Python, round trip, or the Lua script on the server."""
    client = make_client(url)
    manager = ConversationStateManager(client)
    session = new_session(manager, "prof-append")
    keys = SessionKeys.for_session(USER, session)
    n = max(1000, iterations // 2)
    now = datetime.now(UTC).isoformat()

    # 1. Python side alone: the whole append_message with the script call stubbed out.
    stub = ConversationStateManager(client)
    stub._run = lambda name, k, args: ["ok", b"1"]  # type: ignore[method-assign]
    py = measure("python only", lambda i: stub.append_message(USER, session, role="user", content=CONTENT), n, warmup)

    # 2. One EVALSHA of a trivial script with the same 11 keys and 13 arguments of the same size.
    trivial = client.register_script("return 1")
    body = '{"id":"x","role":"user","content":"' + CONTENT + '","timestamp":"' + now + '","citation_id":"c"}'
    citation = '{"citation_id":"if://citation/' + "0" * 36 + '","type":"message_appended","evidence":["x"]}'
    args: list[object] = [manager.ttl_seconds, manager.window, now, "x", body, citation, "0", "", "", "", "", "", ""]
    rt = measure("trivial evalsha, same args", lambda i: trivial(keys=keys.all(), args=args), n, warmup)

    # 3. Server-side cost of the real script and of variants with one part removed.
    real_src = script_source("append_message", shebang=True)
    variants: dict[str, str] = {
        "full append script": real_src,
        "without type_error() (11×TYPE)": real_src.replace(
            "local bad = type_error() or writable_error(false)", "local bad = writable_error(false)"
        ),
        "without refresh_ttl() (11×EXPIRE)": real_src.replace("refresh_ttl(ttl)\nreturn {'ok'", "return {'ok'"),
        "without both": real_src.replace(
            "local bad = type_error() or writable_error(false)", "local bad = writable_error(false)"
        ).replace("refresh_ttl(ttl)\nreturn {'ok'", "return {'ok'"),
        "trivial 'return 1'": "return 1",
    }
    print(f"\n{'append profile (server side = INFO commandstats)':<52}{'server µs/call':>16}{'client p50 µs':>15}")
    counter = [0]

    for label, src in variants.items():
        if label != "full append script" and src == real_src:
            print(f"{label:<52}{'(pattern not found; skipped)':>31}")
            continue
        script = client.register_script(src)
        sid = f"prof-{abs(hash(label)) % 10**8}"
        new_session(manager, sid)
        vkeys = SessionKeys.for_session(USER, sid)

        def call(script: Any = script, vkeys: SessionKeys = vkeys) -> object:
            counter[0] += 1
            vargs = list(args)
            vargs[3] = f"m{counter[0]}"
            return script(keys=vkeys.all(), args=vargs)

        for _ in range(warmup):
            call()
        usec = server_usec_per_call(client, call, n)
        lat = measure(label, lambda i, call=call: call(), n, 0)
        print(f"{label:<52}{usec:>16.1f}{lat.p50_us:>15.1f}")
    print(f"{'python side of append_message (script stubbed)':<52}{'':>16}{py.p50_us:>15.1f}")
    print(f"{'trivial evalsha with the same keys/args (round trip)':<52}{'':>16}{rt.p50_us:>15.1f}")

    # 4. The other writes, server side, for comparison.
    client.config_resetstat()
    for _ in range(n):
        manager.update_emotion(USER, session, emotion="exploring", intensity=0.5, confidence=0.5)
    ev = commandstats(client).get("evalsha", {})
    print(f"{'update_emotion script':<52}{float(ev.get('usec_per_call', 0)):>16.1f}")
    client.close()


# ---------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis-url", default=None, help="Redis to use (default: $REDIS_URL, else a private server); db 10 is used and flushed")
    parser.add_argument("--iterations", type=int, default=5000, help="timed calls per latency figure (default 5000)")
    parser.add_argument("--warmup", type=int, default=500, help="untimed calls before each latency figure (default 500)")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per throughput run (default 3)")
    parser.add_argument("--processes", type=int, default=8, help="writer processes in the parallel run (default 8)")
    parser.add_argument("--no-profile", action="store_true", help="skip the append profile")
    opts = parser.parse_args(argv)
    if opts.iterations < 1 or opts.warmup < 0 or opts.duration <= 0 or opts.processes < 1:
        parser.error("iterations ≥ 1, warmup ≥ 0, duration > 0, processes ≥ 1")

    with redis_url(opts.redis_url) as (url, where):
        admin = make_client(url)
        admin.flushdb()
        try:
            server = admin.info("server")
            print(
                f"redis {server.get('redis_version')} ({where}), db {BENCH_DB}; "
                f"redis-py {redis.__version__}; python {sys.version.split()[0]}; {os.cpu_count()} CPUs"
            )
            print(f"latency: {opts.iterations} iterations after {opts.warmup} warm-up, content {len(CONTENT)} chars\n")
            results = latency_suite(url, opts.iterations, opts.warmup)
            print_latency(results)

            print(f"\nthroughput ({opts.duration:g} s each, one request in flight per process)")
            admin.flushdb()
            one = throughput(url, "append", 1, opts.duration)
            admin.flushdb()
            many = throughput(url, "append", opts.processes, opts.duration)
            admin.flushdb()
            ping_one = throughput(url, "ping", 1, opts.duration)
            ping_many = throughput(url, "ping", opts.processes, opts.duration)
            print(f"{'append, 1 process':<32}{one:>12,.0f} msg/s   ({one / ping_one:.2f}× PING 1 process)")
            print(
                f"{f'append, {opts.processes} processes':<32}{many:>12,.0f} msg/s   "
                f"({many / ping_many:.2f}× PING {opts.processes} processes)  "
                f"target ≥ {THROUGHPUT_TARGET:,}/s {verdict(many >= THROUGHPUT_TARGET)}"
            )
            print(f"{'PING, 1 process':<32}{ping_one:>12,.0f} req/s")
            print(f"{f'PING, {opts.processes} processes':<32}{ping_many:>12,.0f} req/s")

            if not opts.no_profile:
                admin.flushdb()
                profile(url, opts.iterations, opts.warmup)
        finally:
            admin.flushdb()
            admin.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
