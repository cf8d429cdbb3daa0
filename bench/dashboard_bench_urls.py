"""The product's URLs plus ``/bench/dashboard-bare/...``: the session template rendered from memory.

The bare view renders ``sessions_app/session_detail.html`` from a context built once per process and
kept in a dict: no access check, no Redis, no archive query, no audit row. Same middleware, same
template, same bytes (bar the CSRF token), so the ratio measures what the real view adds.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path

from ifemotion.urls import urlpatterns as product_urlpatterns
from sessions_app.access import check_client_access
from sessions_app.dashboard import pages
from sessions_app.notes.pages import session_cards

CONTEXTS: dict[tuple[str, str], dict[str, Any]] = {}


def _context(request: HttpRequest, client_id: str, session_id: str) -> dict[str, Any]:
    key = (client_id, session_id)
    if key not in CONTEXTS:
        grant = check_client_access(request.user, client_id, purpose="view")
        view = pages.session_view(grant, session_id, page=None)
        cards = session_cards(grant, view.state, is_live=view.is_live)
        CONTEXTS[key] = {"grant": grant, "view": view, "tp": view.transcript.page, **cards}
    return CONTEXTS[key]


def bare(request: HttpRequest, client_id: str, session_id: str) -> HttpResponse:
    return render(request, "sessions_app/session_detail.html", _context(request, client_id, session_id))


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/dashboard-bare/<str:client_id>/<str:session_id>/", bare),
    *product_urlpatterns,  # type: ignore[list-item]  # ifemotion/urls.py is untyped (a plain list)
]
