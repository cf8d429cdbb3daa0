"""Archive throughput, end to end: Redis -> database -> ChromaDB (with embeddings).

Run: ``.venv/bin/python bench/archive_bench.py [--postgres-url URL] [--sessions N] [--messages N]``

For each database (SQLite always; PostgreSQL when ``--postgres-url`` or ``BENCH_POSTGRES_URL`` is
given) it fills a private ``redis-server`` (or ``--redis-url``, database 11, flushed) with
``--sessions`` closed sessions of ``--messages`` messages each (window 100, so the oldest wait in
overflow), then times one archive pass: read from Redis, commit to the database, trim, then index
every new row in a fresh embedded ChromaDB with the configured embedding. Each database runs in its
own process with a scratch database (a temporary SQLite file; a PostgreSQL database created and
dropped by the benchmark) and a temporary ChromaDB directory. Target: >= 500 messages/s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.redis_server import REDIS_SERVER, RedisServer  # noqa: E402

BENCH_DB = 11  # the tests use 9, state_bench 10
TARGET = 500.0  # messages per second, end to end
USER_COUNT = 20

# Plausible message text, varied like a conversation (identical texts would be an unrealistically
# hard case for the vector index, which inserts near-duplicates slowly). Seeded: every run the same.
SENTENCES = (
    "I keep replaying the meeting from this morning.",
    "My manager said the report was fine, but the way she paused made me feel I had failed again.",
    "I lay awake until three thinking about every sentence I wrote.",
    "My sister called and I did not pick up, and now I feel guilty about it.",
    "The breathing exercise helped a little before the train.",
    "I noticed my shoulders were tense all afternoon.",
    "It is probably nothing, yet I cannot stop checking my phone.",
    "We talked about setting a boundary with my father on Sunday.",
    "Walking the dog in the park was the calmest part of my week.",
    "I wrote down three things that went well, as you suggested.",
    "Whenever someone criticises me I assume they are right.",
    "I skipped lunch again because the deadline felt impossible.",
    "Maybe the fear is older than this job; it reminds me of school.",
    "I felt proud when I said no to the extra project.",
    "The panic came back in the supermarket queue.",
    "Sleep was better on the nights I left the laptop in the kitchen.",
)


def with_db(url: str, db: int) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{db}"))


@contextmanager
def redis_url(explicit: str | None) -> Iterator[str]:
    url = explicit or os.environ.get("REDIS_URL")
    if url:
        yield with_db(url, BENCH_DB)
        return
    if REDIS_SERVER is None:
        raise SystemExit("no --redis-url, no REDIS_URL, and no redis-server installed")
    with tempfile.TemporaryDirectory(prefix="archive-bench-redis-") as tmp:
        server = RedisServer(Path(tmp) / "redis").start()
        try:
            yield with_db(server.url, BENCH_DB)
        finally:
            server.stop()


@contextmanager
def scratch_postgres(server_url: str) -> Iterator[str]:
    """A new, empty database on the given PostgreSQL server, dropped afterwards."""
    import psycopg

    name = f"archive_bench_{uuid.uuid4().hex[:8]}"
    admin_url = urlunparse(urlparse(server_url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(urlparse(server_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------------------- worker (one database)


def fill(url: str, sessions: int, messages: int) -> float:
    from sessions_app.state.connection import client_from_url
    from sessions_app.state.manager import ConversationStateManager

    client = client_from_url(url, socket_timeout=10.0, connect_timeout=2.0)
    client.flushdb()
    manager = ConversationStateManager(client, window=100, ttl_seconds=7 * 24 * 3600)
    rng = random.Random(7)
    started = time.perf_counter()
    for s in range(sessions):
        user_id = f"client-{s % USER_COUNT}"
        session_id = manager.initialize_session(user_id, model="bench-model")
        for n in range(messages):
            extra: dict[str, Any] = {}
            if n % 10 == 0:
                extra = {"emotion": "anxious", "intensity": 0.6, "confidence": 0.8}
            manager.append_message(
                user_id,
                session_id,
                role="user" if n % 2 else "assistant",
                content=" ".join(rng.sample(SENTENCES, 3)),
                **extra,
            )
        manager.update_context_snapshot(
            user_id, session_id, session_notes="work stress, sleep", author="dr-b"
        )
        manager.close_session(user_id, session_id)
    client.close()
    return time.perf_counter() - started


def database_label(connection: Any) -> str:
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    version = connection.pg_version
    return f"PostgreSQL {version // 10000}.{version % 10000}"


def worker(opts: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from sessions_app.archive.archiver import Archiver
    from sessions_app.archive.search import chroma, indexer
    from sessions_app.models import ArchivedCitation, ArchivedMessage
    from sessions_app.state.connection import client_from_url

    call_command("migrate", verbosity=0, interactive=False)
    fill_seconds = fill(opts.redis_url, opts.sessions, opts.messages)
    client = client_from_url(opts.redis_url, socket_timeout=10.0, connect_timeout=2.0)
    archiver = Archiver(client, margin_seconds=24 * 3600, delete_closed_after_seconds=0, index=False)
    embedding = chroma.embedding().label
    chroma.get_client()  # opening the index is set-up, not archiving

    started = time.perf_counter()
    summary = archiver.run_pass()
    archived = time.perf_counter()
    indexed = indexer.index_pending()
    finished = time.perf_counter()

    total = opts.sessions * opts.messages
    assert summary.failures == 0, summary
    assert summary.messages == ArchivedMessage.objects.count() == total, summary
    assert indexed.pending == 0, indexed
    assert not list(client.scan_iter(match="session:*")), "closed sessions were left in Redis"
    client.close()
    return {
        "database": database_label(connection),
        "embedding": embedding,
        "messages": total,
        "citations": ArchivedCitation.objects.count(),
        "documents": indexed.documents,
        "fill_seconds": fill_seconds,
        "archive_seconds": archived - started,
        "index_seconds": finished - archived,
        "total_seconds": finished - started,
    }


# ---------------------------------------------------------------------------- driver


def run_worker(opts: argparse.Namespace, database_url: str, tmp: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ifemotion.settings",
        "SECRET_KEY": "archive-bench-only",
        "DATABASE_URL": database_url,
        "IFEMOTION_VAR_DIR": str(tmp),
        "CHROMA_PATH": str(tmp / "chroma"),
        "CHROMA_URL": "",
        "LOG_LEVEL": "WARNING",
    }
    args = [
        sys.executable,
        __file__,
        "--worker",
        "--redis-url",
        opts.redis_url,
        "--sessions",
        str(opts.sessions),
        "--messages",
        str(opts.messages),
    ]
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"the benchmark worker for {urlparse(database_url).scheme} failed")
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def report(data: dict[str, Any]) -> bool:
    rate = float(data["messages"]) / float(data["total_seconds"])
    ok = rate >= TARGET
    archive_rate = data["messages"] / data["archive_seconds"]
    index_rate = data["documents"] / data["index_seconds"]
    print(f"\n{data['database']}; embedding: {data['embedding']}")
    print(
        f"  {data['messages']} messages, {data['citations']} citations, "
        f"{data['documents']} documents indexed (filling Redis: {data['fill_seconds']:.1f} s, not counted)"
    )
    print(f"  Redis -> database:     {data['archive_seconds']:7.2f} s  {archive_rate:8.0f} msg/s")
    print(f"  database -> ChromaDB:  {data['index_seconds']:7.2f} s  {index_rate:8.0f} doc/s")
    print(
        f"  end to end:            {data['total_seconds']:7.2f} s  {rate:8.0f} msg/s  "
        f"(target >= {TARGET:.0f}: {'PASS' if ok else 'FAIL'})"
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--redis-url", default=None, help="Redis to use (default: a private redis-server)")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL"),
        help="a PostgreSQL server (postgres://user@host:port/any); a scratch database is created there",
    )
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--messages", type=int, default=150, help="messages per session")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)
    if opts.sessions < 1 or opts.messages < 1:
        parser.error("need at least one session and one message")
    if opts.worker:
        print(json.dumps(worker(opts)))
        return 0

    print(
        f"archive bench: {opts.sessions} sessions x {opts.messages} messages, {os.cpu_count()} CPUs, "
        f"python {sys.version.split()[0]}"
    )
    passed = True
    with redis_url(opts.redis_url) as url:
        opts.redis_url = url
        with tempfile.TemporaryDirectory(prefix="archive-bench-") as tmp:
            sqlite_dir = Path(tmp) / "sqlite"
            sqlite_dir.mkdir()
            passed &= report(run_worker(opts, f"sqlite:///{sqlite_dir / 'bench.sqlite3'}", sqlite_dir))
            if opts.postgres_url:
                pg_dir = Path(tmp) / "postgres"
                pg_dir.mkdir()
                with scratch_postgres(opts.postgres_url) as database_url:
                    passed &= report(run_worker(opts, database_url, pg_dir))
            else:
                print("\n(PostgreSQL skipped: pass --postgres-url or set BENCH_POSTGRES_URL)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
