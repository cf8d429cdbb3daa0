"""`make run`: the product on embedded defaults, with demo data, in one command.

Starts a private redis-server with AOF under var/redis (or, when none is installed, an in-process
fake Redis on loopback, with a loud warning that nothing persists), migrates SQLite under var/,
seeds demo data and runs Django's development server on http://127.0.0.1:$PORT/ (8000).

While it runs, ``var/run/devserver.json`` says where its Redis is, so `manage.py` commands started
next to it use the same Redis and secret key (ifemotion/runtime.py).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
from pathlib import Path

from ifemotion import runtime
from ifemotion.embedded_redis import REDIS_SERVER, RedisServer, free_port

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DEFAULT_PORT = 6390


def banner(text: str) -> None:
    line = "=" * 78
    print(f"\n{line}\n{text}\n{line}\n", flush=True)


def secret_key() -> str:
    path = VAR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def port_is_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def start_redis() -> tuple[str, RedisServer | None]:
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"], None
    if REDIS_SERVER:
        port = DEFAULT_PORT
        if not port_is_free(DEFAULT_PORT):
            port = free_port()
            banner(
                f"WARNING: 127.0.0.1:{DEFAULT_PORT} is taken (another Redis, or another `make run`?).\n"
                f"The embedded Redis runs on 127.0.0.1:{port} instead, with its data in {VAR / 'redis'}.\n"
                "manage.py commands run next to this server find it by themselves "
                f"({runtime.runtime_file(VAR)});\nother tools need REDIS_URL=redis://127.0.0.1:{port}/0"
            )
        server = RedisServer(VAR / "redis", port=port).start()
        print(f"embedded redis-server with AOF on 127.0.0.1:{port}, data in {VAR / 'redis'}", flush=True)
        return server.url, server
    from fakeredis import TcpFakeServer

    port = free_port()
    fake = TcpFakeServer(("127.0.0.1", port), server_type="redis")
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    banner(
        "WARNING: redis-server is not installed. Using an in-process FAKE Redis on "
        f"127.0.0.1:{port}.\nNOTHING PERSISTS: live sessions vanish when this process stops. "
        "Demo use only.\nInstall Redis 7 (apt-get install redis-server) for real use."
    )
    return f"redis://127.0.0.1:{port}/0", None


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True)  # noqa: S603


def main() -> None:
    VAR.mkdir(exist_ok=True)
    redis_url, server = start_redis()
    own_key = not os.environ.get("SECRET_KEY")
    env = {
        **os.environ,
        "DEBUG": os.environ.get("DEBUG", "1"),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secret_key(),
        "REDIS_URL": redis_url,
        # Escalation e-mails of the demo's overdue risk flag go to the console: show one on-call address.
        "RISK_ESCALATION_EMAILS": os.environ.get("RISK_ESCALATION_EMAILS", "on-call@clinic.invalid"),
        # Links in the demo's e-mails (printed on the console) point at this server.
        "SITE_URL": os.environ.get("SITE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"),
    }
    port = os.environ.get("PORT", "8000")
    archiver: subprocess.Popen[bytes] | None = None
    runtime.write(
        VAR,
        redis_url=redis_url,
        secret_key_file=VAR / "secret_key" if own_key else None,
        debug=env["DEBUG"].strip().lower() in ("1", "true", "yes", "on"),
    )
    helpers: list[subprocess.Popen[bytes]] = []
    indexer: subprocess.Popen[bytes] | None = None
    try:
        manage("migrate", "--no-input", "-v", "0", env=env)
        manage("seed_demo", env=env)
        manage("seed_demo_accounts", env=env)
        manage("seed_risk_demo", env=env)  # demo sessions with risk language, assessed, a few flags
        manage("archive_sessions", env=env)  # one pass now, so /healthz has an archiver to report
        archiver = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, str(ROOT / "manage.py"), "archive_sessions", "--loop", "--interval", "60"],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        # Risk flags: the worker assesses what the Python state API writes; escalation e-mails go to
        # the console (EMAIL_BACKEND defaults to the console backend under DEBUG).
        for command in (
            ["risk_worker", "--loop", "--interval", "1"],
            ["risk_escalate", "--loop", "--interval", "60"],
        ):
            helpers.append(subprocess.Popen([sys.executable, str(ROOT / "manage.py"), *command], env=env))  # noqa: S603
        # Live messages become searchable within seconds (SEARCH_INDEX_INTERVAL_SECONDS).
        indexer = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, str(ROOT / "manage.py"), "index_search", "--loop"],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        banner(f"IF.emotion Clinician is running on http://127.0.0.1:{port}/  (Ctrl-C stops it)")
        manage("runserver", f"127.0.0.1:{port}", "--noreload", env=env)
    except KeyboardInterrupt:
        pass
    finally:
        for helper in helpers:
            if helper.poll() is None:
                helper.terminate()
                helper.wait(timeout=30)
        runtime.remove(VAR)
        for worker in (archiver, indexer):
            if worker is not None and worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
