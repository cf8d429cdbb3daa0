"""Measurement primitives of the state-layer benchmarks: core pinning, p50s, CPU per operation.

Why pinned: on these VMs a client and a server on different cores pay a ~70 µs wake-up per round trip
that swamps a PING; with both on one core, a call's latency is client CPU + server CPU + the kernel's
loopback hand-over, so the ratios say what the code costs. CPU-per-operation figures (ours from
``time.process_time``, the server's from ``INFO``) are stable even when other tenants load the machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis

TASKSET = shutil.which("taskset")
# Commands that run others inside them; their usec in INFO commandstats already includes the inner ones
# (which Redis also counts under their own names), so only these are summed when present.
OUTER_COMMANDS = ("evalsha", "eval", "exec", "multi", "ping")


def pin_server(pid: int, core: int) -> bool:
    """Pin every thread of a local process (redis-server and its I/O threads) to ``core``."""
    if TASKSET is None:
        return False
    done = subprocess.run([TASKSET, "-a", "-p", "-c", str(core), str(pid)], capture_output=True, check=False)
    return done.returncode == 0


def pin_self(core: int) -> bool:
    try:
        os.sched_setaffinity(0, {core})
    except (AttributeError, OSError):
        return False
    return True


@dataclass(frozen=True)
class Figure:
    """One operation: the best p50 of ``runs`` runs, and CPU per call over all of them."""

    name: str
    p50_us: float
    p99_us: float
    client_cpu_us: float  # this process (time.process_time) per call
    server_cpu_us: float  # redis-server user+sys (INFO cpu) per call: commands, network, AOF
    server_cmd_us: float  # INFO commandstats usec per call: the commands' own execution


def server_cpu_seconds(client: redis.Redis) -> float:
    info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def command_usec(client: redis.Redis) -> float:
    info: dict[str, Any] = client.info("commandstats")
    stats = {k.removeprefix("cmdstat_"): v for k, v in info.items() if isinstance(v, dict)}
    stats.pop("config|resetstat", None)
    stats.pop("info", None)
    outer = [name for name in OUTER_COMMANDS if name in stats]
    names = outer if any(name in stats for name in ("evalsha", "eval", "exec")) else list(stats)
    return float(sum(int(stats[name]["usec"]) for name in names))


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def measure(
    name: str,
    op: Callable[[int], object],
    admin: redis.Redis,
    *,
    iterations: int,
    warmup: int,
    runs: int = 3,
    start: int = 0,
) -> Figure:
    """Time ``op(i)`` alone (no other operation interleaved), ``runs`` times; ``i`` never repeats."""
    counter = start
    for _ in range(warmup):
        op(counter)
        counter += 1
    clock = time.perf_counter_ns
    best: list[float] | None = None
    client_cpu = server_cpu = server_cmd = 0.0
    for _ in range(runs):
        admin.config_resetstat()
        cpu_before = server_cpu_seconds(admin)
        own_before = time.process_time()
        samples: list[float] = []
        for i in range(counter, counter + iterations):
            started = clock()
            op(i)
            samples.append((clock() - started) / 1000.0)
        client_cpu += time.process_time() - own_before
        server_cpu += server_cpu_seconds(admin) - cpu_before
        server_cmd += command_usec(admin)
        counter += iterations
        samples.sort()
        if best is None or percentile(samples, 0.5) < percentile(best, 0.5):
            best = samples
    assert best is not None
    calls = iterations * runs
    return Figure(
        name,
        p50_us=percentile(best, 0.5),
        p99_us=percentile(best, 0.99),
        client_cpu_us=client_cpu * 1e6 / calls,
        server_cpu_us=server_cpu * 1e6 / calls,
        server_cmd_us=server_cmd / calls,
    )


def rates(ops: dict[str, Callable[[int], object]], seconds: float, *, slices: int = 20) -> dict[str, float]:
    """Calls per second of each op back to back in this process, ``seconds`` each, taken in alternating
    slices so that a neighbour's load shift on a shared machine hits every op alike."""
    done = dict.fromkeys(ops, 0)
    spent = dict.fromkeys(ops, 0.0)
    for _ in range(slices):
        for name, op in ops.items():
            started = time.perf_counter()
            deadline = started + seconds / slices
            count = done[name]
            while time.perf_counter() < deadline:
                op(count)
                count += 1
            spent[name] += time.perf_counter() - started
            done[name] = count
    return {name: done[name] / spent[name] for name in ops}
