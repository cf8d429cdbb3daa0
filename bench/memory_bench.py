"""Redis memory per live session, as a ratio to the raw payload bytes it holds.

Run: ``.venv/bin/python bench/memory_bench.py [--sessions 10000] [--messages 100] [--processes 2]``

Writes the sessions through the real state layer (Lua scripts, citations, emotion log, indexes) into
a private ``redis-server`` it starts on a free loopback port, then sums ``MEMORY USAGE`` over every
key (sampling all nested values) and compares it with the bytes of message text written.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from sessions_app.state.connection import client_from_url  # noqa: E402
from sessions_app.state.manager import ConversationStateManager  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402

TEXT = (
    "I keep replaying the conversation with my sister. She said it was fine, but the silence after "
    "felt like the old pattern again, and I lay awake wondering what I did wrong this time."
)
EMOTIONS = ("anxious", "exploring", "frustrated", "breakthrough", "integrated")
GOAL = 2.5  # MEMORY USAGE summed over every key, as a multiple of the raw message text


def populate(url: str, worker: int, sessions: int, messages: int) -> int:
    """Write ``sessions`` sessions of ``messages`` messages; return the payload bytes written."""
    manager = ConversationStateManager(client_from_url(url, socket_timeout=10.0))
    payload = 0
    for index in range(sessions):
        user = f"client-{worker}-{index % 500}"
        session_id = manager.initialize_session(user, model="claude-haiku", session_id=f"s-{worker}-{index}")
        for seq in range(messages):
            content = f"{seq}: {TEXT}"
            payload += len(content.encode())
            if seq % 10 == 0:
                emotion = EMOTIONS[(seq // 10) % len(EMOTIONS)]
                manager.append_message(
                    user,
                    session_id,
                    role="user",
                    content=content,
                    emotion=emotion,
                    intensity=0.5,
                    confidence=0.8,
                )
            else:
                manager.append_message(
                    user, session_id, role="assistant" if seq % 2 else "user", content=content
                )
        manager.record_milestone(user, session_id, description="Named the pattern")
        manager.update_context_snapshot(
            user, session_id, session_notes="Working hypothesis: fear of rejection."
        )
    return payload


def _worker(args: tuple[str, int, int, int]) -> int:
    return populate(*args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="memory-bench-") as tmp:
        server = RedisServer(Path(tmp) / "redis", extra_args=["--appendonly", "no"]).start()
        try:
            client = server.client()
            baseline = int(client.info("memory")["used_memory"])
            started = time.perf_counter()
            share, rest = divmod(args.sessions, args.processes)
            jobs = [
                (server.url, w, share + (1 if w < rest else 0), args.messages) for w in range(args.processes)
            ]
            with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
                payload = sum(pool.map(_worker, jobs))
            elapsed = time.perf_counter() - started
            total = 0
            by_kind: dict[str, int] = {}
            for key in client.scan_iter(count=1000):
                size = int(client.memory_usage(key, samples=0) or 0)
                total += size
                kind = key.decode().rsplit(":", 1)[-1]
                by_kind[kind] = by_kind.get(kind, 0) + size
            used = int(client.info("memory")["used_memory"]) - baseline
        finally:
            server.stop()
    sessions = args.sessions
    print(
        f"sessions: {sessions} x {args.messages} messages, written in {elapsed:.1f} s "
        f"({sessions * args.messages / elapsed:,.0f} messages/s with {args.processes} processes)"
    )
    print(f"raw message text: {payload / sessions:,.0f} bytes per session")
    ratio = total / payload
    print(
        f"MEMORY USAGE sum: {total / sessions:,.0f} bytes per session  (ratio to raw text: {ratio:.2f}x; "
        f"goal ≤ {GOAL}x {'PASS' if ratio <= GOAL else 'MISS'})"
    )
    print(f"used_memory delta: {used / sessions:,.0f} bytes per session  (ratio: {used / payload:.2f}x)")
    print("by key (bytes per session):")
    for kind, size in sorted(by_kind.items(), key=lambda item: -item[1]):
        print(f"  {kind:<18}{size / sessions:>10,.0f}  ({size / payload:.2f}x the raw text)")


if __name__ == "__main__":
    main()
