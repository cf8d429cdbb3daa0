"""The product's URLs plus ``/bench/bare``: a bare Django JSON endpoint (bench/api_bench.py only).

``API_BENCH_NO_AUDIT=1`` (``--diagnose-without-audit``) replaces the audit write with nothing, to
measure what the audit row costs. Never a valid result: the product always audits.
"""

import json
import os
from typing import Any, cast

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ifemotion.accounts import audit, audit_buffer
from ifemotion.urls import urlpatterns as product_urlpatterns

if os.environ.get("API_BENCH_NO_AUDIT") == "1":

    def _no_audit(*args: Any, **kwargs: Any) -> None:
        return None

    audit.record = _no_audit  # type: ignore[assignment]
    audit_buffer.record = _no_audit


@csrf_exempt
@require_POST
def bare(request: HttpRequest) -> JsonResponse:
    """Parse a JSON body and answer JSON: the floor any Django JSON endpoint pays, nothing more."""
    data = json.loads(request.body)
    return JsonResponse({"ok": True, "fields": len(data)}, status=201)


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/bare", bare),
    *cast(list[URLPattern | URLResolver], product_urlpatterns),
]
