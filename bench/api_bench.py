"""Appends per second through the HTTP API under gunicorn, as a ratio to a bare Django JSON endpoint.

Run: ``.venv/bin/python bench/api_bench.py [--seconds 5] [--rounds 3] [--clients 8] [--workers 2]``

Everything is private and on loopback: a ``redis-server`` (AOF on, as in production), a migrated SQLite
database and ``gunicorn`` with 2 workers, all in a temporary directory, stopped at the end. DEBUG is
off. Both endpoints go through the same server, middleware and client in the same run, interleaved in
rounds, so the ratio cancels out the machine:

- bare: ``POST /bench/bare``, a view that parses the JSON body and answers JSON (bench/bench_urls.py,
  mounted only by bench/bench_settings.py);
- API: ``POST /api/v1/sessions/{user}/{session}/messages`` with a bearer token and a fresh
  ``message_id``: token check, rate limit, validation, one Lua script in Redis, one audit row.

Afterwards every acknowledged append is checked to be stored exactly once. Target: ≥ 0.6 of bare.
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import sessions_app.state.members as members  # noqa: E402
from ifemotion.embedded_redis import REDIS_SERVER, RedisServer, free_port  # noqa: E402
from sessions_app.state.keys import SessionKeys  # noqa: E402

TARGET = 0.6
USER = "bench-user"
CONTENT = (
    "I keep replaying the meeting from this morning. My manager said the report was fine, but the way "
    "she paused before saying it made me feel like I had failed again."
)
BIN = Path(sys.executable).parent


@dataclass
class Tally:
    ok: int = 0
    errors: dict[int, int] = field(default_factory=dict)
    acknowledged: list[tuple[str, str]] = field(default_factory=list)  # (session, message id)
    lock: threading.Lock = field(default_factory=threading.Lock)


def log(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------------------- the server


@contextmanager
def database(kind: str, tmp: Path, postgres_url: str) -> Iterator[tuple[str, dict[str, str]]]:
    """A fresh database: (DATABASE_URL, extra env). PostgreSQL gets a throwaway database, dropped after."""
    if kind in ("sqlite", "sqlite-wal"):
        yield (
            f"sqlite:///{tmp / 'db.sqlite3'}",
            {"API_BENCH_SQLITE_WAL": "1" if kind == "sqlite-wal" else "0"},
        )
        return
    import psycopg

    name = f"api_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield str(urlparse(postgres_url)._replace(path=f"/{name}").geturl()), {}
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def stack(
    workers: int, worker_class: str, threads: int, db_kind: str, postgres_url: str, *, audit: bool = True
) -> Iterator[tuple[int, str, RedisServer, dict[str, str]]]:
    """Redis, a migrated database and gunicorn; yields (port, token, redis server, env)."""
    if REDIS_SERVER is None:
        raise SystemExit("redis-server is not installed")
    with (
        tempfile.TemporaryDirectory(prefix="api-bench-") as tmp_name,
        database(db_kind, Path(tmp_name), postgres_url) as (database_url, db_env),
    ):
        tmp = Path(tmp_name)
        redis_server = RedisServer(tmp / "redis").start()
        gunicorn: subprocess.Popen[bytes] | None = None
        try:
            env = {
                **db_env,
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
                "PYTHONPATH": str(REPO_ROOT),
                "SECRET_KEY": "api-bench-only-" + uuid.uuid4().hex,
                "DEBUG": "0",
                "ALLOWED_HOSTS": "127.0.0.1",
                "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback; TLS ends at a proxy in production
                "DATABASE_URL": database_url,
                "IFEMOTION_VAR_DIR": str(tmp / "var"),
                "REDIS_URL": redis_server.url,
                "API_RATE_LIMIT_PER_MINUTE": str(10**9),
                "LOG_LEVEL": "WARNING",
                "API_BENCH_NO_AUDIT": "0" if audit else "1",
            }
            manage = [sys.executable, str(REPO_ROOT / "manage.py")]
            subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True, capture_output=True)
            created = subprocess.run(
                [*manage, "create_api_token", "bench", "--scope", "write"],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            token = created.stdout.strip().splitlines()[-1]
            port = free_port()
            gunicorn = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "ifemotion.wsgi:application",
                    "--chdir",
                    str(REPO_ROOT),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(workers),
                    "--worker-class",
                    worker_class,
                    "--threads",
                    str(threads),
                    "--error-logfile",
                    str(tmp / "gunicorn.log"),
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            wait_until_serving(port)
            yield port, token, redis_server, env
        finally:
            if gunicorn is not None:
                gunicorn.terminate()
                try:
                    gunicorn.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    gunicorn.kill()
                    gunicorn.wait()
            redis_server.stop()


def wait_until_serving(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/openapi.json")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


# ---------------------------------------------------------------------------- the load


class Caller:
    """One client: an HTTP/1.1 connection kept alive while the server allows it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        for attempt in (1, 2):
            try:
                self.conn.request("POST", path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.will_close:
                    self.conn.close()
                return response.status, data
            except (ConnectionError, http.client.RemoteDisconnected, http.client.CannotSendRequest):
                # A keep-alive connection the server closed between requests: reconnect once. Only
                # safe because the request never reached a worker (or carries an idempotency key).
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def run_phase(port: int, kind: str, token: str, sessions: list[str], seconds: float, tally: Tally) -> float:
    """``len(sessions)`` clients in parallel for ``seconds``; returns successful requests per second."""
    stop_at = time.monotonic() + seconds
    start_ok = tally.ok
    headers = {"Content-Type": "application/json"}
    if kind == "api":
        headers["Authorization"] = f"Bearer {token}"

    def client(session_id: str) -> None:
        caller = Caller(port)
        path = f"/api/v1/sessions/{USER}/{session_id}/messages" if kind == "api" else "/bench/bare"
        while time.monotonic() < stop_at:
            message_id = uuid.uuid4().hex
            body = json.dumps({"role": "user", "content": CONTENT, "message_id": message_id}).encode()
            status, _ = caller.post(path, body, headers)
            with tally.lock:
                if status == 201:
                    tally.ok += 1
                    if kind == "api":
                        tally.acknowledged.append((session_id, message_id))
                else:
                    tally.errors[status] = tally.errors.get(status, 0) + 1
        caller.conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(sid,)) for sid in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return (tally.ok - start_ok) / (time.monotonic() - started)


def create_sessions(port: int, token: str, count: int) -> list[str]:
    caller = Caller(port)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    sessions = []
    for number in range(count):
        session_id = f"bench-{number}"
        body = json.dumps({"user_id": USER, "model": "bench", "session_id": session_id}).encode()
        status, data = caller.post("/api/v1/sessions", body, headers)
        if status != 201:
            raise SystemExit(f"could not create a session: {status} {data[:200]!r}")
        sessions.append(session_id)
    return sessions


AUDIT_CHECK = """
from ifemotion.accounts import audit, audit_buffer
from ifemotion.accounts.models import AuditEvent
audit_buffer.flush()  # what the next request or the archiver's next pass would chain
rows = AuditEvent.objects.filter(action="api_request", detail__endpoint="append_message", detail__status=201)
print(rows.count(), len(audit.verify_chain()))
"""


def audit_rows(env: dict[str, str]) -> tuple[int, int]:
    """(audit rows of acknowledged appends, audit rows whose hash chain does not verify)."""
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "manage.py"), "shell", "-c", AUDIT_CHECK],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    rows, broken = done.stdout.split()[-2:]
    return int(rows), int(broken)


def verify_stored_once(redis_server: RedisServer, acknowledged: list[tuple[str, str]]) -> tuple[int, int]:
    """(acknowledged appends, acknowledged appends found exactly once in Redis)."""
    client = redis_server.client()
    try:
        counts: dict[str, int] = {}
        for session_id in {sid for sid, _ in acknowledged}:
            keys = SessionKeys.for_session(USER, session_id)
            for raw in [*client.lrange(keys.overflow, 0, -1), *client.lrange(keys.messages, 0, -1)]:
                message_id = members.message_id_of(raw)
                if message_id is not None:
                    counts[message_id] = counts.get(message_id, 0) + 1
        once = sum(1 for _, message_id in acknowledged if counts.get(message_id) == 1)
        return len(acknowledged), once
    finally:
        client.close()


# ---------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each measured phase")
    parser.add_argument("--rounds", type=int, default=3, help="bare/API phase pairs, interleaved")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync, gthread)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread)")
    parser.add_argument(
        "--database",
        choices=("sqlite", "sqlite-wal", "postgres"),
        default="sqlite",
        help="sqlite: the product's default (a temporary file); sqlite-wal: WAL + synchronous=NORMAL; "
        "postgres: a throwaway database on --postgres-url",
    )
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--diagnose-without-audit",
        action="store_true",
        help="skip the audit row, to see what it costs (a diagnosis, never a valid result)",
    )
    opts = parser.parse_args(argv)

    log(
        f"api bench: gunicorn {opts.workers} {opts.worker_class} workers, {opts.clients} client threads, "
        f"{opts.rounds} rounds of {opts.seconds:g} s per endpoint; database {opts.database}; "
        f"python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs (server, Redis and load generator share them)"
    )
    audit = not opts.diagnose_without_audit
    if not audit:
        log("DIAGNOSIS ONLY: the audit row is skipped; the product never runs like this")
    server = stack(
        opts.workers, opts.worker_class, opts.threads, opts.database, opts.postgres_url, audit=audit
    )
    with server as (port, token, redis_server, env):
        sessions = create_sessions(port, token, opts.clients)
        warm = Tally()
        run_phase(port, "bare", token, sessions, 1.0, warm)
        run_phase(port, "api", token, sessions, 1.0, warm)
        bare, api = Tally(), Tally()
        bare_rates: list[float] = []
        api_rates: list[float] = []
        for number in range(1, opts.rounds + 1):
            bare_rates.append(run_phase(port, "bare", token, sessions, opts.seconds, bare))
            api_rates.append(run_phase(port, "api", token, sessions, opts.seconds, api))
            log(f"  round {number}: bare {bare_rates[-1]:8.0f} req/s   API appends {api_rates[-1]:8.0f} /s")
        acknowledged, once = verify_stored_once(redis_server, warm.acknowledged + api.acknowledged)
        audited, broken_chain = audit_rows(env)

    bare_rate, api_rate = statistics.median(bare_rates), statistics.median(api_rates)
    ratio = api_rate / bare_rate if bare_rate else 0.0
    verdict = "PASS" if ratio >= TARGET else "MISS"
    errors: dict[str, int] = {f"bare {k}": v for k, v in bare.errors.items()}
    errors.update({f"api {k}": v for k, v in api.errors.items()})
    log(f"bare Django JSON endpoint: {bare_rate:8.0f} req/s (median of {opts.rounds})")
    log(f"API appends:               {api_rate:8.0f} /s    (median of {opts.rounds})")
    log(f"ratio: {ratio:.2f} of the bare endpoint; target ≥ {TARGET} {verdict}")
    log(f"stored exactly once: {once} of {acknowledged} acknowledged appends")
    log(f"non-2xx answers: {errors or 'none'}")
    log(f"audit rows for them: {audited}; audit chain entries that do not verify: {broken_chain}")
    result: dict[str, Any] = {
        "bare_per_second": round(bare_rate, 1),
        "api_appends_per_second": round(api_rate, 1),
        "ratio": round(ratio, 3),
        "target": TARGET,
        "verdict": verdict,
        "acknowledged": acknowledged,
        "stored_once": once,
        "audited": audited,
        "audit_chain_broken": broken_chain,
        "errors": errors,
        "database": opts.database,
        "worker_class": opts.worker_class,
    }
    log(json.dumps(result))
    healthy = (
        once == acknowledged and (audited == acknowledged or not audit) and not errors and not broken_chain
    )
    return 0 if healthy else 2


if __name__ == "__main__":
    raise SystemExit(main())
