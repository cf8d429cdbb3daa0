"""A production install (the project without its dev extra, into a fresh virtualenv) runs the product's
commands: an export made by `manage.py export_session` verifies with `manage.py verify_export`, which
reads the PDF with pypdf, a runtime dependency."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sessions_app.state import ConversationStateManager, client_from_url
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.slow, pytest.mark.real_redis]


def run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
    )


def test_a_non_dev_install_runs_export_and_verify_export(tmp_path: Path, redis_server: RedisServer) -> None:
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    # uv installs exactly like `pip install .` (the project's runtime dependencies, pinned by the lock
    # file as `make` pins them), only faster, and from its cache when it can.
    made = run(sys.executable, "-m", "uv", "venv", "--quiet", "--python", sys.executable, venv)
    assert made.returncode == 0, made.stderr
    installed = run(
        sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", python,
        "--constraint", ROOT / "requirements.lock", ROOT,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    assert run(python, "-c", "import pytest").returncode == 1  # really no dev extra

    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "SECRET_KEY": "production-install-test-key-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "localhost",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": redis_server.url,
        "CHROMA_PATH": str(tmp_path / "chroma"),
        "IFEMOTION_VAR_DIR": str(tmp_path / "var"),
    }
    manage = (python, ROOT / "manage.py")
    assert run(*manage, "migrate", "--no-input", "-v", "0", env=env).returncode == 0

    manager = ConversationStateManager(client_from_url(redis_server.url))
    session_id = manager.initialize_session("client-ava", model="claude", session_id="prod-1")
    manager.append_message("client-ava", session_id, role="user", content="I slept a little better.")
    pdf = tmp_path / "export.pdf"

    exported = run(*manage, "export_session", "client-ava", session_id, "--format", "pdf", "-o", pdf, env=env)
    verified = run(*manage, "verify_export", pdf, env=env)

    assert exported.returncode == 0, exported.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "MATCH" in verified.stdout
