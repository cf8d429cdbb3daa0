"""`make load`: a bounded mixed load on loopback, then a check that no acknowledged message was lost.

50 simulated chatbot writers (HTTP API) and 20 therapists (dashboard: list, session page, notes,
Markdown export) for ``--duration`` seconds (default 120) against gunicorn with 2 workers, a private
redis-server with AOF and the archiver running every 10 s. Then one more archiver pass, and every
message id a writer saw acknowledged is looked up in the records (archive + overflow + window): it
must be there exactly once. Prints throughput, p50/p99 per request type and the error count; exits 1
on any error or lost message.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ifemotion.embedded_redis import RedisServer, free_port  # noqa: E402

THERAPISTS, CLIENTS_PER_THERAPIST = 20, 5


def prepare_database(env: dict[str, str]) -> str:
    """Migrate, create the therapists and their assignments and a write token; return the token."""
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from ifemotion.accounts.identity import assign_client, create_user
    from ifemotion.accounts.tokens import create_token

    call_command("migrate", verbosity=0)
    for t in range(THERAPISTS):
        user = create_user(username=f"therapist-{t}", role="therapist", password=env["LOAD_PASSWORD"])
        for c in range(CLIENTS_PER_THERAPIST):
            assign_client(therapist=user, client_id=f"client-{t}-{c}")
    return create_token(name="load-test", scope="write", actor="load-test").secret


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer at {url}")


def check_records(acked: dict[str, list[str]]) -> tuple[int, int, int]:
    """(acknowledged, lost, duplicated) over every session the writers used."""
    from sessions_app.domain import Message
    from sessions_app.repository import get_history

    total = lost = duplicated = 0
    for key, ids in acked.items():
        user_id, session_id = key.split("/")
        stored = [m.id for m in get_history(user_id, session_id).items if isinstance(m, Message)]
        total += len(ids)
        lost += len(set(ids) - set(stored))
        duplicated += len(stored) - len(set(stored))
    return total, lost, duplicated


def report(stats_csv: Path, duration: float) -> int:
    errors = 0
    print(f"\n{'request type':<28}{'count':>8}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    with stats_csv.open() as handle:
        for row in csv.DictReader(handle):
            name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
            errors += int(row["Failure Count"]) if name != "ALL" else 0
            print(
                f"{name:<28}{row['Request Count']:>8}{row['Failure Count']:>8}"
                f"{float(row['Requests/s']):>9.1f}{row['50%']:>9}{row['99%']:>9}"
            )
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=120, help="seconds of load (default 120)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ifemotion-load-"))
    redis = RedisServer(work / "redis").start()
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.load.settings",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "REDIS_URL": redis.url,
        "IFEMOTION_VAR_DIR": str(work / "var"),
        "CHROMA_PATH": str(work / "var" / "chroma"),
        "LOAD_PASSWORD": secrets.token_urlsafe(16),
        "LOAD_THERAPISTS": str(THERAPISTS),
        "LOAD_CLIENTS_PER_THERAPIST": str(CLIENTS_PER_THERAPIST),
        "LOAD_ACKED_FILE": str(work / "acked.json"),
        "PYTHONPATH": str(REPO),
    }
    env["LOAD_API_TOKEN"] = prepare_database(env)
    python = sys.executable
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "ifemotion.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=env,
    )
    archiver = subprocess.Popen(
        [python, "manage.py", "archive_sessions", "--loop", "--interval", "10"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/accounts/login/")
        started = time.monotonic()
        subprocess.run(
            [
                shutil.which("locust") or str(Path(python).parent / "locust"),
                "-f",
                str(REPO / "bench/load/locustfile.py"),
                "--headless",
                "-u",
                "70",
                "-r",
                "20",
                "-t",
                f"{args.duration}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(work / "stats"),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--stop-timeout",
                "10",
            ],
            cwd=REPO,
            env=env,
            check=False,
        )
        elapsed = time.monotonic() - started
    finally:
        archiver.send_signal(signal.SIGTERM)
        archiver.wait(timeout=60)
    subprocess.run(
        [python, "manage.py", "archive_sessions"],
        cwd=REPO,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    errors = report(work / "stats_stats.csv", elapsed)
    acked = json.loads((work / "acked.json").read_text())
    total, lost, duplicated = check_records(acked)
    redis.stop()
    print(
        f"\nacknowledged messages: {total} in {len(acked)} sessions; lost: {lost}; stored twice: {duplicated}"
    )
    print(f"errors: {errors}")
    ok = errors == 0 and lost == 0 and duplicated == 0 and total > 0
    print("PASS" if ok else "FAIL")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
