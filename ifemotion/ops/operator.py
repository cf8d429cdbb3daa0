"""Who may see operational details (``/healthz`` details, ``/metrics``): a request from this host
(loopback, after the trusted-proxy resolution of the client address), or one carrying the operator
token (``Authorization: Bearer <OPERATOR_TOKEN>``), e.g. a Prometheus server elsewhere.

A request that arrived through a proxy we were not told about (loopback peer, but an
``X-Forwarded-For`` header left unexplained) is not treated as local: behind an unconfigured nginx
every client would otherwise look local.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest

from ifemotion.accounts.client_address import VIA_PROXY


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def from_this_host(request: HttpRequest) -> bool:
    if not _loopback(request.META.get("REMOTE_ADDR", "")):
        return False
    forwarded_but_unexplained = "HTTP_X_FORWARDED_FOR" in request.META and not request.META.get(VIA_PROXY)
    return not forwarded_but_unexplained


def has_operator_token(request: HttpRequest) -> bool:
    expected = settings.OPERATOR_TOKEN
    header = request.headers.get("Authorization", "")
    if not expected or not header.startswith("Bearer "):
        return False
    offered = header.removeprefix("Bearer ").strip()
    # Compare digests: constant time, and independent of the lengths.
    return hmac.compare_digest(
        hashlib.sha256(offered.encode()).digest(), hashlib.sha256(expected.encode()).digest()
    )


def is_operator(request: HttpRequest) -> bool:
    return from_this_host(request) or has_operator_token(request)
