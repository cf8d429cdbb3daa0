"""Behind the documented nginx proxy: the real client address is used for the lockout and the audit
log, forwarded headers are believed only from TRUSTED_PROXIES, and a lockout holds one (username,
address) pair, never the whole clinic (issue 11, item 2)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from ifemotion.accounts.client_address import resolve
from ifemotion.accounts.models import AuditAction, AuditEvent, User
from tests.security.loopback_client import LoopbackClient
from tests.security.production import NGINX, PASSWORD, Gunicorn, Nginx, prepare_site, site_env

NGINX_PEER = "127.0.0.1"


# ------------------------------------------------------------------------------ resolving the address


@pytest.mark.parametrize(
    ("peer", "header", "trusted", "expected"),
    [
        ("203.0.113.5", "198.51.100.1", [], ("203.0.113.5", False)),  # no proxy configured: header ignored
        ("203.0.113.5", "198.51.100.1", ["127.0.0.1"], ("203.0.113.5", False)),  # not from the proxy: spoof
        ("127.0.0.1", "198.51.100.1", ["127.0.0.1"], ("198.51.100.1", True)),
        ("127.0.0.1", "6.6.6.6, 198.51.100.1", ["127.0.0.1"], ("198.51.100.1", True)),  # client-sent prefix
        ("127.0.0.1", "198.51.100.1, 10.0.0.2", ["127.0.0.1", "10.0.0.0/8"], ("198.51.100.1", True)),
        ("127.0.0.1", None, ["127.0.0.1"], ("127.0.0.1", False)),
        ("127.0.0.1", "not-an-ip", ["127.0.0.1"], ("127.0.0.1", True)),
        ("::1", "2001:db8::7", ["::1"], ("2001:db8::7", True)),
        ("127.0.0.1", "198.51.100.1:4711", ["127.0.0.1/32"], ("198.51.100.1", True)),
    ],
)
def test_it_believes_forwarded_addresses_only_from_trusted_proxies(
    peer: str, header: str | None, trusted: list[str], expected: tuple[str, bool]
) -> None:
    assert resolve(peer, header, trusted) == expected


# ------------------------------------------------------------------ Django, the header as nginx sends it


@pytest.fixture
def behind_nginx(settings: Settings, locmem_cache: None) -> None:
    settings.TRUSTED_PROXIES = [NGINX_PEER]
    settings.SECURE_SSL_REDIRECT = False


def _attempt(username: str, password: str, client_address: str) -> int:
    # Exactly what deploy/nginx.conf sends: the TCP peer is nginx, X-Forwarded-For is $remote_addr.
    response = Client().post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=NGINX_PEER,
        HTTP_X_FORWARDED_FOR=client_address,
    )
    return response.status_code


@pytest.mark.django_db
def test_failures_lock_one_username_at_one_address_only(behind_nginx: None, alice: User, bob: User) -> None:
    for _ in range(5):
        _attempt("alice", "wrong", "198.51.100.7")
    assert _attempt("alice", PASSWORD, "198.51.100.7") == 429  # locked: the right password is refused too
    assert _attempt("bob", PASSWORD, "198.51.100.7") == 302  # a colleague at the same address
    assert _attempt("alice", PASSWORD, "203.0.113.9") == 302  # alice elsewhere (phone, home)
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor="alice")
    assert set(failed.values_list("ip", flat=True)) == {"198.51.100.7"}
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor="bob").get().ip == "198.51.100.7"


@pytest.mark.django_db
def test_a_client_cannot_spoof_its_address_without_a_trusted_proxy(settings: Settings, alice: User) -> None:
    settings.SECURE_SSL_REDIRECT = False
    settings.TRUSTED_PROXIES = []
    Client().post(
        reverse("accounts:login"),
        {"username": "alice", "password": "wrong"},
        REMOTE_ADDR="203.0.113.66",
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED).ip == "203.0.113.66"


# ------------------------------------------------------------------ the real nginx in front of gunicorn


@pytest.fixture
def proxied_site(tmp_path: Path, real_redis_url: str) -> Iterator[tuple[int, Path]]:
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install nginx)")
    env = site_env(tmp_path / "var", real_redis_url, TRUSTED_PROXIES="127.0.0.1")
    prepare_site(env, {"alice": ("therapist", ["client-ava"]), "bob": ("therapist", ["client-ben"])})
    app = Gunicorn(env).start()
    proxy = Nginx(tmp_path / "nginx", upstream_port=app.port)
    try:
        proxy.start()
        yield proxy.port, tmp_path / "var" / "db.sqlite3"
    finally:
        proxy.stop()
        app.stop()


@pytest.mark.slow
def test_through_the_shipped_nginx_config(proxied_site: tuple[int, Path]) -> None:
    port, database = proxied_site
    mistyped = LoopbackClient(port, source="127.0.0.2")
    for _ in range(5):
        mistyped.log_in("alice", "wrong")
    assert mistyped.log_in("alice", PASSWORD).status == 429

    colleague = LoopbackClient(port, source="127.0.0.3")
    assert colleague.log_in("alice", PASSWORD).status == 302  # same user, another address: not locked
    assert LoopbackClient(port, source="127.0.0.2").log_in("bob", PASSWORD).status == 302

    spoofer = LoopbackClient(port, source="127.0.0.4")
    spoofer.request("GET", "/accounts/login/", headers={"X-Forwarded-For": "127.0.0.99"})
    spoofer.log_in("carol", "guess")

    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT action, actor, ip FROM accounts_auditevent ORDER BY id").fetchall()
    failed = {(actor, ip) for action, actor, ip in rows if action == "login_failed"}
    assert failed == {("alice", "127.0.0.2"), ("carol", "127.0.0.4")}
    logins = {(actor, ip) for action, actor, ip in rows if action == "login"}
    assert logins == {("alice", "127.0.0.3"), ("bob", "127.0.0.2")}
    assert not any(ip in (NGINX_PEER, "127.0.0.99") for _, _, ip in rows)
