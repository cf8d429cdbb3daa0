from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sessions_app.health import check_database, check_redis


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "sessions_app/home.html", {"redis": check_redis(), "database": check_database()})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"redis": check_redis(), "database": check_database()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"ok": healthy, **checks}, status=200 if healthy else 503)
