"""A production-like stack on loopback for tests and ``make dast``: gunicorn with DEBUG off and the
deployment's settings (``deploy/gunicorn.conf.py``), optionally behind the real nginx with
``deploy/nginx.conf`` (TLS with a throwaway self-signed certificate). Processes are stopped by PID.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ifemotion.embedded_redis import free_port

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
PASSWORD = "a long enough passphrase for tests"


def wait_for_port(port: int, *, host: str = "127.0.0.1", timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {host}:{port} after {timeout} s")


def site_env(var_dir: Path, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production deployment (see deploy/systemd/env.example), on loopback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "DATABASE_URL"))}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "production-like-test-secret-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,clinic.example.org",
            "IFEMOTION_VAR_DIR": str(var_dir),
            "DATABASE_URL": f"sqlite:///{var_dir / 'db.sqlite3'}",
            "REDIS_URL": redis_url,
            "CHROMA_PATH": str(var_dir / "chroma"),
            "CHROMA_EMBEDDING": "lexical",
            "MFA_REQUIRED_ROLES": "clinician,admin",
        }
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def prepare_site(env: dict[str, str], users: dict[str, tuple[str, list[str]]]) -> None:
    """Migrate a fresh database and create ``users``: name -> (role, client ids)."""
    Path(env["IFEMOTION_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    manage(env, "migrate", "--noinput", "-v", "0")
    for name, (role, clients) in users.items():
        manage(env, "create_user", name, "--role", role, stdin=PASSWORD + "\n")
        for client_id in clients:
            manage(env, "assign", name, client_id)


@dataclass
class Gunicorn:
    env: dict[str, str]
    port: int = 0
    workers: int = 2
    extra_args: list[str] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    def start(self) -> Gunicorn:
        self.port = self.port or free_port()
        env = {**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": str(self.workers)}
        self.log = Path(self.env["IFEMOTION_VAR_DIR"]) / f"gunicorn-{self.port}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "gunicorn",
                    "-c",
                    "deploy/gunicorn.conf.py",
                    *self.extra_args,
                    "ifemotion.wsgi",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(self.port)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=clinic.example.org",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


@dataclass
class Nginx:
    """The shipped ``deploy/nginx.conf`` with only ports, certificate and file paths replaced."""

    directory: Path
    upstream_port: int
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    def config(self) -> str:
        cert, key = self_signed_certificate(self.directory)
        server = (ROOT / "deploy" / "nginx.conf").read_text()
        server = re.sub(r"listen 80;", f"listen 127.0.0.1:{free_port()};", server)
        server = re.sub(r"listen 443 ssl( http2)?;", f"listen 127.0.0.1:{self.port} ssl;", server)
        server = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", server)
        server = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", server)
        server = server.replace("http://127.0.0.1:8000", f"http://127.0.0.1:{self.upstream_port}")
        server = server.replace("/var/log/nginx/ifemotion.log", str(self.directory / "access.log"))
        server = server.replace("/opt/ifemotion/var/static/", str(ROOT / "static") + "/")
        return (
            f"daemon off;\nworker_processes 1;\npid {self.directory / 'nginx.pid'};\n"
            f"error_log {self.directory / 'error.log'};\nevents {{ worker_connections 64; }}\n"
            f"http {{\n client_body_temp_path {self.directory / 'body'};\n"
            f" proxy_temp_path {self.directory / 'proxy'};\n"
            f" fastcgi_temp_path {self.directory / 'fcgi'};\n uwsgi_temp_path {self.directory / 'uwsgi'};\n"
            f" scgi_temp_path {self.directory / 'scgi'};\n{server}\n}}\n"
        )

    def start(self) -> Nginx:
        if NGINX is None:
            raise RuntimeError("nginx is not installed")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        conf = self.directory / "nginx.conf"
        conf.write_text(self.config())
        self.process = subprocess.Popen(
            [NGINX, "-c", str(conf), "-p", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=(self.directory / "stderr.log").open("wb"),
        )
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def insecure_tls() -> ssl.SSLContext:
    """For the throwaway self-signed certificate of a loopback test only."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context
