"""``make dast``: wapiti3 against a production-like instance on loopback, as a logged-in therapist.

gunicorn with the deployment's settings (DEBUG off, ``deploy/gunicorn.conf.py``, TLS with a throwaway
self-signed certificate, Secure ``__Host-`` cookies), a private Redis, a fresh SQLite database with
demo sessions, and a therapist's session cookie handed to wapiti. Only modules that attack the target
itself run: wapiti's SSRF, XXE and Log4Shell modules call out to wapiti's servers on the internet
(this machine reaches none), and its endpoints are pointed at loopback anyway. Bounded by
``DAST_MAX_SCAN_SECONDS`` (default 600) and ``DAST_MAX_ATTACK_SECONDS`` per module (default 90).

Every finding must be fixed or explained in ``EXPLAINED`` (and the README's "Dynamic scan"); the
command exits 1 on anything else. The report is ``var/dast/report.json``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from ifemotion.embedded_redis import RedisServer
from tests.security.loopback_client import LoopbackClient
from tests.security.production import (
    PASSWORD,
    ROOT,
    Gunicorn,
    manage,
    prepare_site,
    self_signed_certificate,
    site_env,
)

WAPITI = ROOT / ".venv-dast" / "bin" / "wapiti"
MODULES = ",".join(
    [
        "backup",
        "cookieflags",
        "crlf",
        "csp",
        "csrf",
        "exec",
        "file",
        "htaccess",
        "http_headers",
        "methods",
        "permanentxss",
        "redirect",
        "sql",
        "upload",
        "xss",
    ]
)
# Findings that are not vulnerabilities, with the reason (also in the README, "Dynamic scan").
EXPLAINED: dict[str, str] = {}


def _findings(report: dict[str, object]) -> list[tuple[str, str, str]]:
    found = []
    for section in ("vulnerabilities", "anomalies"):
        groups = report.get(section) or {}
        assert isinstance(groups, dict)
        for category, items in groups.items():
            for item in items or []:
                found.append((category, str(item.get("path", "")), str(item.get("info", ""))[:200]))
    return found


def main() -> int:
    work = ROOT / "var" / "dast"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    redis_server = RedisServer(work / "redis").start()
    env = site_env(work / "site", redis_server.url, MFA_REQUIRED_ROLES="clinician,admin")
    app: Gunicorn | None = None
    try:
        prepare_site(env, {"dast": ("therapist", ["client-ava", "client-ben"])})
        manage(env, "seed_demo")
        cert, key = self_signed_certificate(work)
        app = Gunicorn(env, extra_args=["--certfile", str(cert), "--keyfile", str(key)]).start()
        browser = LoopbackClient(app.port)
        browser.cookies.clear()
        login = browser.log_in("dast", PASSWORD)
        if login.status != 302:
            print(f"could not log in for the scan (status {login.status})", file=sys.stderr)
            return 2
        cookie = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
        base = f"https://127.0.0.1:{app.port}/"
        report_path = work / "report.json"
        command = [
            str(WAPITI),
            "-u",
            base,
            "--scope",
            "folder",
            "-m",
            MODULES,
            "-C",
            cookie,
            "-x",
            f"{base}accounts/logout/",
            "-x",
            f"{base}accounts/password/",
            "--max-scan-time",
            os.environ.get("DAST_MAX_SCAN_SECONDS", "600"),
            "--max-attack-time",
            os.environ.get("DAST_MAX_ATTACK_SECONDS", "90"),
            "--endpoint",
            "http://127.0.0.1:9/",
            "--dns-endpoint",
            "localhost",
            "--flush-session",
            "--verify-ssl",
            "0",
            "--tasks",
            "4",
            "-f",
            "json",
            "-o",
            str(report_path),
        ]
        print("wapiti:", " ".join(part if part != cookie else "<session cookie>" for part in command))
        subprocess.run(
            command, check=False, timeout=int(os.environ.get("DAST_MAX_SCAN_SECONDS", "600")) + 600
        )
        if not report_path.exists():
            print("wapiti wrote no report", file=sys.stderr)
            return 2
        findings = _findings(json.loads(report_path.read_text()))
    finally:
        if app is not None:
            app.stop()
        redis_server.stop()
    unexplained = [f for f in findings if f[0] not in EXPLAINED]
    for category, path, info in findings:
        mark = "explained" if category in EXPLAINED else "FINDING"
        print(f"{mark}: {category}: {path}: {info}")
    print(f"{len(findings)} findings, {len(unexplained)} not explained (report: {report_path})")
    return 1 if unexplained else 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifemotion.settings")
    sys.exit(main())
