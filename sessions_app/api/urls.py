"""The API's URL patterns: ninja's, each wrapped in the guard (body size, token, rate limit, audit),
plus a JSON root and a JSON 404 for anything else under ``/api/v1/``.

Mounted with ``include("sessions_app.api.urls")``: the namespace is the one ninja reverses URLs in.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, re_path
from ninja.errors import AuthenticationError

from sessions_app.api import (
    endpoints,  # noqa: F401 - registers the operations on ``api``
    search,  # noqa: F401 - registers the search operations
)
from sessions_app.api.app import api
from sessions_app.api.auth import (
    BearerAuth,
    guarded,
)
from sessions_app.api.errors import not_found, unauthorized
from sessions_app.review import api as review_api  # noqa: F401 - registers the review-state read
from sessions_app.risk import api as risk_api  # noqa: F401 - registers the risk-flag operations


def _api_root(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {"name": api.title, "version": api.version, "openapi": "openapi.json", "docs": "docs"}
    )


def _unknown_route(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """Anything else under /api/v1/: 401 without a token (as everywhere), else a JSON 404."""
    try:
        if BearerAuth()(request) is None:
            return unauthorized(AuthenticationError())
    except Exception as exc:  # the same answers as for operations
        return api.on_exception(request, exc)
    return not_found(Http404())


def _build_urls() -> list[URLPattern | URLResolver]:
    patterns, _app_name, _namespace = api.urls
    built: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if not isinstance(pattern, URLPattern) or pattern.name in ("openapi-json", "openapi-view"):
            built.append(pattern)
        elif pattern.name == "api-root":
            built.append(URLPattern(pattern.pattern, _api_root, pattern.default_args, pattern.name))
        else:
            built.append(
                URLPattern(pattern.pattern, guarded(pattern.callback), pattern.default_args, pattern.name)
            )
    unknown = guarded(_unknown_route)
    unknown.csrf_exempt = True  # type: ignore[attr-defined]
    built.append(re_path(r"^.*$", unknown, name="unknown"))
    return built


app_name = api.urls_namespace
urlpatterns = _build_urls()
