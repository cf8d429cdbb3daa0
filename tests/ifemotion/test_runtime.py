"""manage.py next to `make run`: commands find its Redis and secret key by themselves
(var/run/devserver.json), work as the README writes them (no DEBUG=1, no SECRET_KEY), and never use a
Redis nobody configured."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from subprocess import Popen

import pytest

from ifemotion import runtime
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def stand_in() -> Iterator[subprocess.Popen[bytes]]:
    """A live process whose command line names ifemotion.devserver, standing in for `make run`."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "ifemotion.devserver"])
    cmdline = Path(f"/proc/{process.pid}/cmdline")
    deadline = time.monotonic() + 10
    while b"ifemotion.devserver" not in cmdline.read_bytes() and time.monotonic() < deadline:
        time.sleep(0.01)  # until the child has exec'd (its command line is empty before)
    try:
        yield process
    finally:
        process.kill()
        process.wait()


def announce(var: Path, process: subprocess.Popen[bytes], redis_url: str) -> None:
    var.mkdir(parents=True, exist_ok=True)
    key = var / "secret_key"
    key.write_text("a-dev-server-key-of-enough-length-for-django-0123456789")
    runtime.write(var, redis_url=redis_url, secret_key_file=key, debug=True, pid=process.pid)


def manage(var: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    """manage.py as a user runs it in a second terminal: none of the dev server's variables set."""
    unset = ("REDIS_URL", "SECRET_KEY", "DEBUG", "DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env |= {"IFEMOTION_VAR_DIR": str(var), "CHROMA_PATH": str(var / "chroma"), **extra_env}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_running_dev_server_is_found(tmp_path: Path, stand_in: subprocess.Popen[bytes]) -> None:
    announce(tmp_path, stand_in, "redis://127.0.0.1:6391/0")

    found = runtime.running(tmp_path)

    assert found is not None
    assert found.redis_url == "redis://127.0.0.1:6391/0"
    assert found.secret_key.startswith("a-dev-server-key")
    assert found.debug is True
    assert oct(runtime.runtime_file(tmp_path).stat().st_mode & 0o777) == "0o600"


def test_a_file_left_by_a_stopped_server_is_ignored(tmp_path: Path, stand_in: Popen[bytes]) -> None:
    announce(tmp_path, stand_in, "redis://127.0.0.1:6391/0")
    stand_in.kill()
    stand_in.wait()

    assert runtime.running(tmp_path) is None


def test_a_pid_reused_by_another_program_is_ignored(tmp_path: Path) -> None:
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        announce(tmp_path, other, "redis://127.0.0.1:6391/0")
        assert runtime.running(tmp_path) is None
    finally:
        other.kill()
        other.wait()


def test_the_dev_server_withdraws_only_its_own_file(tmp_path: Path, stand_in: Popen[bytes]) -> None:
    announce(tmp_path, stand_in, "redis://127.0.0.1:6391/0")
    runtime.remove(tmp_path)  # this process is not the one announced
    assert runtime.runtime_file(tmp_path).exists()

    runtime.write(tmp_path, redis_url="redis://127.0.0.1:6391/0", secret_key_file=None, debug=True)
    runtime.remove(tmp_path)
    assert not runtime.runtime_file(tmp_path).exists()


@pytest.mark.slow  # several manage.py processes, each importing Django and ChromaDB
@pytest.mark.real_redis
def test_readme_commands_next_to_make_run_use_its_redis_without_debug_or_a_key(
    tmp_path: Path, stand_in: subprocess.Popen[bytes], redis_server: RedisServer
) -> None:
    var = tmp_path / "var"
    announce(var, stand_in, redis_server.url)

    assert manage(var, "migrate", "--no-input", "-v", "0").returncode == 0
    seeded = manage(var, "seed_demo", "--clients", "1", "--sessions-per-client", "1")
    accounts = manage(var, "seed_demo_accounts")
    code = manage(var, "demo_totp", "clinician")
    token = manage(var, "create_api_token", "chatbot")

    assert seeded.returncode == 0, seeded.stderr
    assert redis_server.client().keys("session:*"), "the demo was written into the dev server's Redis"
    assert accounts.returncode == 0, accounts.stderr
    assert "manage.py demo_totp clinician" in accounts.stdout
    assert code.returncode == 0, code.stderr
    assert code.stdout.split()[0].isdigit()
    assert len(code.stdout.split()[0]) == 6
    assert token.returncode == 0, token.stderr
    assert token.stdout.strip().startswith("ife_")


@pytest.mark.slow  # several manage.py processes, each importing Django and ChromaDB
def test_without_a_configured_redis_commands_say_so_and_guess_none(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir()

    seeded = manage(var, "seed_demo", "--clients", "1", DEBUG="1")
    archived = manage(var, "archive_sessions", "--no-index", DEBUG="1")

    assert seeded.returncode == 1
    assert "no Redis is configured" in seeded.stderr
    assert "Traceback" not in seeded.stderr
    assert archived.returncode == 1
    assert "no Redis is configured" in archived.stderr
    assert "Traceback" not in archived.stderr


def test_without_a_secret_key_the_message_says_how(tmp_path: Path) -> None:
    result = manage(tmp_path, "check")
    assert result.returncode == 1
    assert "SECRET_KEY is required unless DEBUG=1" in result.stderr
    assert "make run" in result.stderr
