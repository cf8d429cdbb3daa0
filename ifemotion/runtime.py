"""The dev server's runtime file: how `manage.py` commands run next to `make run` find its Redis.

`make run` writes ``var/run/devserver.json`` once its Redis answers (the Redis URL, the file holding
its secret key, DEBUG, its process id) and removes it when it stops. Settings read the file only for
what the environment does not say itself (``REDIS_URL``, ``SECRET_KEY``, ``DEBUG``), and only while
that process is alive: a file left behind by a killed server must never point a command at a port
that some other Redis may hold by now. Plain Python, no Django: settings import it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "devserver.json"


@dataclass(frozen=True)
class DevServer:
    redis_url: str
    secret_key: str
    debug: bool
    pid: int


def runtime_file(var_dir: Path) -> Path:
    return var_dir / "run" / FILE_NAME


def write(
    var_dir: Path, *, redis_url: str, secret_key_file: Path | None, debug: bool, pid: int | None = None
) -> Path:
    """Announce this process (or ``pid``) as the dev server of ``var_dir`` (owner-only, atomic)."""
    path = runtime_file(var_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "redis_url": redis_url,
        "secret_key_file": str(secret_key_file) if secret_key_file else None,
        "debug": debug,
        "pid": os.getpid() if pid is None else pid,
    }
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(body, indent=2) + "\n")
    temporary.chmod(0o600)
    temporary.replace(path)
    return path


def remove(var_dir: Path) -> None:
    """Withdraw the announcement, if it is this process's own."""
    path = runtime_file(var_dir)
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def _alive(pid: int) -> bool:
    """The process exists and is our dev server (not an unrelated process that got its pid later)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: not ours
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():
        return b"ifemotion.devserver" in cmdline.read_bytes()
    return True


def running(var_dir: Path) -> DevServer | None:
    """The dev server announced in ``var_dir`` if it is still running; None otherwise."""
    try:
        body = json.loads(runtime_file(var_dir).read_text())
        pid = int(body["pid"])
        redis_url = str(body["redis_url"])
        key_file = body.get("secret_key_file")
        debug = bool(body.get("debug", False))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _alive(pid):
        return None
    secret_key = ""
    if key_file:
        try:
            secret_key = Path(key_file).read_text().strip()
        except OSError:
            secret_key = ""
    return DevServer(redis_url=redis_url, secret_key=secret_key, debug=debug, pid=pid)
