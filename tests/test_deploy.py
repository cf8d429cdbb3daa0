"""The deployment files run every worker the product needs (no Docker engine here to run them)."""

from __future__ import annotations

from pathlib import Path

import yaml

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
WORKERS = (
    "archive_sessions",
    "index_search",
    "risk_worker",
    "risk_escalate",
    "audit_checkpoint",
    "send_review_digest",
)


def test_compose_runs_every_worker_command() -> None:
    services = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]
    commands = " ".join(str(service.get("command", "")) for service in services.values())
    assert [worker for worker in WORKERS if worker not in commands] == []


def test_systemd_runs_every_worker_command() -> None:
    units = " ".join(path.read_text() for path in (DEPLOY / "systemd").glob("*.service"))
    assert [worker for worker in WORKERS if worker not in units] == []


def test_the_env_examples_set_the_address_links_in_mails_start_with() -> None:
    for example in (DEPLOY / "ifemotion.env.example", DEPLOY / "systemd" / "env.example"):
        assert "SITE_URL=https://" in example.read_text(), example.name
