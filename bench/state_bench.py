"""Latency and throughput of the conversation-state layer against a real Redis.

Run: ``.venv/bin/python bench/state_bench.py [--redis-url URL] [--iterations N] [--duration S]``

Without ``--redis-url`` (or ``REDIS_URL``) it starts a private ``redis-server`` on a free loopback
port in a temporary directory and stops it at the end. It uses database 10 (the tests use 9) and
flushes that database before and after. The figures that matter are the ratios to a bare PING
measured in the same run: they cancel out most of the machine and network.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import multiprocessing.synchronize
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
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
from redis.typing import EncodableT  # noqa: E402

from sessions_app.state.connection import client_from_url  # noqa: E402
from sessions_app.state.keys import SessionKeys  # noqa: E402
from sessions_app.state.manager import ConversationStateManager  # noqa: E402
from sessions_app.state.script_loader import script_source  # noqa: E402
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
            yield (
                with_db(server.url, BENCH_DB),
                f"private redis-server (pid {server.process.pid if server.process else '?'})",
            )
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
    return measure_interleaved({name: op}, iterations, warmup)[name]


def measure_interleaved(
    ops: dict[str, Callable[[int], object]], iterations: int, warmup: int, block: int = 50
) -> dict[str, Latency]:
    """Time each op ``iterations`` times, round-robin in blocks of ``block`` calls.

    Interleaving makes the ratios between ops robust to drift (CPU frequency, other tenants of a
    shared machine, an AOF rewrite): every op sees the same conditions in every round.
    """
    counters = dict.fromkeys(ops, 0)
    for name, op in ops.items():
        for _ in range(warmup):
            op(counters[name])
            counters[name] += 1
    samples: dict[str, list[float]] = {name: [] for name in ops}
    clock = time.perf_counter_ns
    remaining = iterations
    while remaining > 0:
        size = min(block, remaining)
        for name, op in ops.items():
            bucket = samples[name]
            i = counters[name]
            for j in range(i, i + size):
                start = clock()
                op(j)
                bucket.append((clock() - start) / 1000.0)
            counters[name] = i + size
        remaining -= size
    results: dict[str, Latency] = {}
    for name, values in samples.items():
        values.sort()
        results[name] = Latency(
            name, percentile(values, 0.50), percentile(values, 0.99), statistics.fmean(values)
        )
    return results


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# ---------------------------------------------------------------------------- latency

EMOTIONS = ("anxious", "exploring", "breakthrough", "integrated")


def new_session(manager: ConversationStateManager, session_id: str) -> str:
    return manager.initialize_session(USER, model="bench-model", session_id=session_id)


def fill_window(manager: ConversationStateManager, session_id: str) -> None:
    for i in range(manager.window):
        manager.append_message(USER, session_id, role="user" if i % 2 else "assistant", content=CONTENT)


def latency_ops(client: redis.Redis, manager: ConversationStateManager) -> dict[str, Callable[[int], object]]:
    plain = new_session(manager, "lat-append")
    felt = new_session(manager, "lat-append-emotion")
    mood = new_session(manager, "lat-emotion")
    full = new_session(manager, "lat-resume")
    fill_window(manager, full)

    def ping(i: int) -> object:
        return client.ping()

    def append(i: int) -> object:
        return manager.append_message(USER, plain, role="user" if i % 2 else "assistant", content=CONTENT)

    def append_emotion(i: int) -> object:
        return manager.append_message(
            USER, felt, role="user", content=CONTENT, emotion=EMOTIONS[i % 4], intensity=0.6, confidence=0.8
        )

    def update_emotion(i: int) -> object:
        return manager.update_emotion(USER, mood, emotion=EMOTIONS[i % 4], intensity=0.5, confidence=0.7)

    def resume(i: int) -> object:
        state = manager.resume_session(USER, full)
        assert len(state.messages) == manager.window
        return state

    return {
        "PING": ping,
        "append_message": append,
        "append_message +emotion": append_emotion,
        "update_emotion": update_emotion,
        "resume_session (100 msgs)": resume,
    }


TARGETS: dict[str, float] = {
    "append_message": APPEND_TARGET,
    "append_message +emotion": APPEND_TARGET,
    "resume_session (100 msgs)": RESUME_TARGET,
}


def print_latency(results: dict[str, Latency]) -> None:
    ping = results["PING"].p50_us
    print(f"{'operation':<28}{'p50 µs':>10}{'p99 µs':>10}{'mean µs':>10}{'x PING':>9}  target (p50)")
    for lat in results.values():
        ratio = lat.p50_us / ping
        target = TARGETS.get(lat.name)
        mark = f"≤ {target:.1f}x {verdict(ratio <= target)}" if target is not None else ""
        print(
            f"{lat.name:<28}{lat.p50_us:>10.1f}{lat.p99_us:>10.1f}{lat.mean_us:>10.1f}{ratio:>8.2f}x  {mark}"
        )


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
    sessions: list[str] = []

    def op(i: int) -> object:
        if kind == "ping":
            return client.ping()
        # A fresh session per 1,000 messages keeps each session's window and overflow realistic.
        if i % 1000 == 0:
            sessions.append(new_session(manager, f"tp-{worker_id}-{i // 1000}"))
        return manager.append_message(USER, sessions[-1], role="user", content=CONTENT)

    count = 0
    for _ in range(50):  # warm the connection and the script cache
        op(count)
        count += 1
    ready.wait()
    deadline = time.perf_counter() + duration
    done = 0
    while time.perf_counter() < deadline:
        op(count)
        count += 1
        done += 1
    out.put(done)
    client.close()


@dataclass(frozen=True)
class Throughput:
    per_second: float
    server_cpu_us_per_op: float  # redis-server CPU (user + sys) per request
    server_core_share: float  # fraction of one core the server used during the run


def server_cpu_seconds(client: redis.Redis) -> float:
    info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def throughput(url: str, admin: redis.Redis, kind: str, processes: int, duration: float) -> Throughput:
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Barrier(processes + 1)
    out: multiprocessing.Queue[int] = ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(url, kind, n, duration, ready, out), daemon=True)
        for n in range(processes)
    ]
    for proc in procs:
        proc.start()
    ready.wait()
    cpu_before = server_cpu_seconds(admin)
    started = time.perf_counter()
    total = sum(out.get(timeout=duration + 60) for _ in procs)
    elapsed = max(time.perf_counter() - started, duration)
    cpu = server_cpu_seconds(admin) - cpu_before
    for proc in procs:
        proc.join(timeout=10)
    return Throughput(total / elapsed, cpu * 1e6 / max(total, 1), cpu / elapsed)


def print_throughput(label: str, unit: str, result: Throughput, extra: str = "") -> None:
    print(
        f"{label:<28}{result.per_second:>10,.0f} {unit}/s  "
        f"redis-server {result.server_cpu_us_per_op:5.1f} µs CPU/op, "
        f"{result.server_core_share:4.0%} of a core{extra}"
    )


# ---------------------------------------------------------------------------- profile


def commandstats(client: redis.Redis) -> dict[str, dict[str, Any]]:
    info: dict[str, Any] = client.info("commandstats")
    return {k.removeprefix("cmdstat_"): v for k, v in info.items() if isinstance(v, dict)}


def server_usec_per_call(client: redis.Redis, run: Callable[[int], object], n: int) -> float:
    """Server-side µs per EVALSHA (INFO commandstats, reset before); excludes AOF/propagation."""
    client.config_resetstat()
    for i in range(n):
        run(i)
    stats = commandstats(client).get("evalsha", {})
    calls = int(stats.get("calls", 0))
    return float(stats.get("usec", 0)) / calls if calls else float("nan")


def without(source: str, *cuts: tuple[str, str]) -> str | None:
    """``source`` with each (old, new) replaced, or None if a pattern is missing (scripts changed)."""
    for old, new in cuts:
        if old not in source:
            return None
        source = source.replace(old, new)
    return source


class _NoScriptManager(ConversationStateManager):
    """The manager with the Redis call cut out: what is left is the Python side of a write."""

    def _run(self, name: str, keys: SessionKeys, args: Sequence[object]) -> Any:
        return ["ok", b"1"]


def _shifted(op: Callable[[int], object], offset: int) -> Callable[[int], object]:
    return lambda i: op(i + offset)


def profile(url: str, iterations: int, warmup: int) -> None:
    """Where the time of append and resume goes: Python, the round trip, or the Lua on the server."""
    client = make_client(url)
    manager = ConversationStateManager(client)
    n = max(1000, iterations // 2)
    now = datetime.now(UTC).isoformat()

    # --- append: the real script and variants with one part cut out, on equal arguments.
    no_types = (
        "if ARGV[7] == '1' then bad = type_error(2, 3, 4, 5, 10) else bad = type_error(4, 5, 10) end",
        "bad = nil",
    )
    no_ttl = ("refresh_ttl(ttl)\nreturn {'ok'", "return {'ok'")
    no_msgids = ("redis.call('HSET', K_MSGIDS, message_id, seq)\n", "")
    real = script_source("append_message", shebang=True)
    variants: dict[str, str | None] = {
        "append script as shipped": real,
        "  without type_error()   (3-5 x TYPE)": without(real, no_types),
        "  without refresh_ttl()  (11 x EXPIRE)": without(real, no_ttl),
        "  without both": without(real, no_types, no_ttl),
        "  without both and the id hash (HSET)": without(real, no_types, no_ttl, no_msgids),
        "trivial script 'return 1', same keys/args": "return 1",
    }
    body = (
        '{"id":"x","role":"user","content":'
        + json.dumps(CONTENT)
        + ',"timestamp":"'
        + now
        + '","citation_id":"c"}'
    )
    citation = '{"citation_id":"if://citation/' + "0" * 36 + '","type":"message_appended","evidence":["x"]}'
    base_args: list[EncodableT] = [
        manager.ttl_seconds,
        manager.window,
        now,
        "x",
        body,
        citation,
        "0",
        "",
        "",
        "",
        "",
        "",
        "",
    ]

    ops: dict[str, Callable[[int], object]] = {"PING": lambda i: client.ping()}
    for label, src in variants.items():
        if src is None:
            continue
        script = client.register_script(src)
        sid = f"prof-{len(ops)}"
        new_session(manager, sid)
        vkeys = SessionKeys.for_session(USER, sid).all()

        def call(i: int, script: Any = script, vkeys: list[str] = vkeys) -> object:
            vargs = list(base_args)
            vargs[3] = f"m{i}"  # a new message id every call, as in production
            return script(keys=vkeys, args=vargs)

        ops[label] = call

    stub = _NoScriptManager(client)
    ops["python side of append_message only"] = lambda i: stub.append_message(
        USER, "prof-stub", role="user", content=CONTENT
    )
    lat = measure_interleaved(ops, n, warmup)
    server: dict[str, float] = {}
    for label, op in ops.items():
        if label in variants:
            server[label] = server_usec_per_call(client, _shifted(op, 10_000_000), n)

    ping = lat["PING"].p50_us
    print(f"\n{'append profile':<46}{'server µs/call':>15}{'client p50 µs':>15}{'x PING':>8}")
    for label, result in lat.items():
        srv = f"{server[label]:.1f}" if label in server else ""
        print(f"{label:<46}{srv:>15}{result.p50_us:>15.1f}{result.p50_us / ping:>7.2f}x")
    for label, src in variants.items():
        if src is None:
            print(f"{label:<46}  (pattern not found in the script; skipped)")

    # --- resume: script vs. decoding into domain objects.
    full = new_session(manager, "prof-resume")
    fill_window(manager, full)
    rkeys = SessionKeys.for_session(USER, full)
    resume_script = manager._script("resume_session")
    resume_args: list[EncodableT] = [manager.ttl_seconds, now, "", '{"citation_id":"c"}', manager.window]
    parts = list(resume_script(keys=rkeys.all(), args=resume_args))
    rops: dict[str, Callable[[int], object]] = {
        "PING": lambda i: client.ping(),
        "resume_session (100 msgs), whole call": lambda i: manager.resume_session(USER, full),
        "  resume script only (raw reply)": lambda i: resume_script(keys=rkeys.all(), args=resume_args),
        "  decoding the reply into domain objects": lambda i: manager._state_from_parts(
            USER, full, rkeys, parts
        ),
        "LRANGE of the 100 messages (raw)": lambda i: client.lrange(rkeys.messages, 0, -1),
    }
    rlat = measure_interleaved(rops, max(500, n // 2), warmup // 2)
    resume_server = server_usec_per_call(
        client, lambda i: resume_script(keys=rkeys.all(), args=resume_args), n // 2
    )
    ping = rlat["PING"].p50_us
    print(f"\n{'resume profile':<46}{'server µs/call':>15}{'client p50 µs':>15}{'x PING':>8}")
    for label, result in rlat.items():
        srv = f"{resume_server:.1f}" if "script only" in label else ""
        print(f"{label:<46}{srv:>15}{result.p50_us:>15.1f}{result.p50_us / ping:>7.2f}x")

    # --- the other writes, server side only.
    mood = new_session(manager, "prof-emotion")
    felt = new_session(manager, "prof-felt")
    upd = server_usec_per_call(
        client,
        lambda i: manager.update_emotion(USER, mood, emotion=EMOTIONS[i % 4], intensity=0.5, confidence=0.5),
        n,
    )
    emo = server_usec_per_call(
        client,
        lambda i: manager.append_message(
            USER, felt, role="user", content=CONTENT, emotion=EMOTIONS[i % 4], intensity=0.5, confidence=0.5
        ),
        n,
    )
    print(f"{'update_emotion script':<46}{upd:>15.1f}")
    print(f"{'append_message +emotion script':<46}{emo:>15.1f}")
    client.close()


# ---------------------------------------------------------------------------- main


def wait_for_quiet_server(client: redis.Redis, timeout: float = 30.0) -> None:
    """A fresh AOF server rewrites its base file in a child at start: let that finish first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = client.info("persistence")
        busy = ("aof_rewrite_in_progress", "aof_rewrite_scheduled", "rdb_bgsave_in_progress", "loading")
        if not any(int(info.get(field, 0)) for field in busy):
            return
        time.sleep(0.1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--redis-url",
        default=None,
        help="Redis to use (default: $REDIS_URL, else a private redis-server); db 10 is used and flushed",
    )
    parser.add_argument(
        "--iterations", type=int, default=5000, help="timed calls per latency figure (default 5000)"
    )
    parser.add_argument(
        "--warmup", type=int, default=500, help="untimed calls before each figure (default 500)"
    )
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per throughput run (default 3)")
    parser.add_argument(
        "--processes", type=int, default=8, help="writer processes in the parallel run (default 8)"
    )
    parser.add_argument("--no-profile", action="store_true", help="skip the append/resume profile")
    opts = parser.parse_args(argv)
    if opts.iterations < 1 or opts.warmup < 0 or opts.duration <= 0 or opts.processes < 1:
        parser.error("need iterations >= 1, warmup >= 0, duration > 0, processes >= 1")

    with redis_url(opts.redis_url) as (url, where):
        admin = make_client(url)
        wait_for_quiet_server(admin)
        admin.flushdb()
        try:
            info = admin.info("server")
            aof = admin.info("persistence").get("aof_enabled")
            print(
                f"redis {info.get('redis_version')} ({where}, AOF {'on' if aof else 'off'}), db {BENCH_DB}; "
                f"redis-py {redis.__version__}; python {sys.version.split()[0]}; {os.cpu_count()} CPUs"
            )
            print(
                f"latency: {opts.iterations} calls each after {opts.warmup} warm-up, interleaved in blocks "
                f"of 50; content {len(CONTENT)} chars\n"
            )
            client = make_client(url)
            results = measure_interleaved(
                latency_ops(client, ConversationStateManager(client)), opts.iterations, opts.warmup
            )
            client.close()
            print_latency(results)

            print(f"\nthroughput ({opts.duration:g} s each, one request in flight per process)")
            admin.flushdb()
            runs: list[tuple[str, str, Throughput]] = []
            for kind, unit in (("append", "msg"), ("ping", "req")):
                for procs in (1, opts.processes):
                    runs.append(
                        (
                            f"{kind}, {procs} process{'es' if procs > 1 else ''}",
                            unit,
                            throughput(url, admin, kind, procs, opts.duration),
                        )
                    )
                    admin.flushdb()
            ping_by_procs = {label.split(", ")[1]: r for label, _, r in runs if label.startswith("ping")}
            for label, unit, result in runs:
                extra = ""
                if label.startswith("append"):
                    procs_label = label.split(", ")[1]
                    extra = f"; {result.per_second / ping_by_procs[procs_label].per_second:.2f}x PING rate"
                    if procs_label.startswith(str(opts.processes)) and opts.processes > 1:
                        ok = result.per_second >= THROUGHPUT_TARGET
                        extra += f"; target ≥ {THROUGHPUT_TARGET:,}/s {verdict(ok)}"
                print_throughput(label, unit, result, extra)

            if not opts.no_profile:
                admin.flushdb()
                profile(url, opts.iterations, opts.warmup)
        finally:
            admin.flushdb()
            admin.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
