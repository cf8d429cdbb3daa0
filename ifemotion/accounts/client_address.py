"""The client's real address behind a reverse proxy, trusted only from the proxies we configured.

Behind nginx every request comes from 127.0.0.1. ``X-Forwarded-For`` says who the client is, but anyone
can send that header, so it is believed only when the request arrives from an address listed in
``TRUSTED_PROXIES`` (``deploy/`` sets nginx's). The chain is read from the right: each hop appended by a
trusted proxy is skipped, and the first address not in the list is the client. Without trusted
proxies (the default: the app faces clients directly) the header is ignored.

``TrustedProxyMiddleware`` runs first and puts the result in ``REMOTE_ADDR``, so the lockout (django-axes,
via ``client_ip``), the audit log and everything else see the real client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
PEER_ADDR = "IFEMOTION_PEER_ADDR"  # request.META: the TCP peer (the proxy, when there is one)
VIA_PROXY = "IFEMOTION_VIA_PROXY"  # request.META: True when a trusted proxy forwarded the request


@lru_cache(maxsize=8)
def parse_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or network"
            ) from None
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    candidate = text.strip()
    if candidate.startswith("[") and "]" in candidate:  # [v6]:port
        candidate = candidate[1 : candidate.index("]")]
    elif candidate.count(":") == 1:  # v4:port
        candidate = candidate.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: Sequence[Network]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def resolve(remote_addr: str, forwarded_for: str | None, trusted: Sequence[str]) -> tuple[str, bool]:
    """The client address and whether a trusted proxy forwarded the request."""
    networks = parse_networks(tuple(trusted))
    peer = _address(remote_addr)
    if peer is None or not networks or not _trusted(peer, networks) or not forwarded_for:
        return remote_addr, False
    client = peer
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None:
            break  # garbage in the chain: stop at the last address a trusted proxy vouched for
        client = address
        if not _trusted(address, networks):
            break
    return str(client), True


class TrustedProxyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        peer = request.META.get("REMOTE_ADDR", "")
        client, via_proxy = resolve(peer, request.META.get("HTTP_X_FORWARDED_FOR"), settings.TRUSTED_PROXIES)
        request.META[PEER_ADDR] = peer
        request.META[VIA_PROXY] = via_proxy
        request.META["REMOTE_ADDR"] = client
        return self.get_response(request)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for django-axes (``AXES_CLIENT_IP_CALLABLE``)."""
    if PEER_ADDR not in request.META:  # a request that did not pass the middleware (e.g. a test's)
        return resolve(
            request.META.get("REMOTE_ADDR", ""),
            request.META.get("HTTP_X_FORWARDED_FOR"),
            settings.TRUSTED_PROXIES,
        )[0]
    address: str | None = request.META.get("REMOTE_ADDR") or None
    return address
