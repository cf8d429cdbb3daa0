"""``/healthz`` and ``/metrics``. Public health is one word; details and metrics are for operators."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ifemotion.ops.metrics import exposition
from ifemotion.ops.operator import is_operator
from ifemotion.ops.product_metrics import register_product_metrics
from ifemotion.ops.status import assess

STATUS_CODE = {"ok": 200, "degraded": 200, "failing": 503}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Public: ``{"status": "ok" | "degraded" | "failing"}``. Operators (this host, or the operator
    token) get every check with its figures and the reasons for "degraded"."""
    status, details = assess()
    body = details if is_operator(request) else {"status": status}
    return JsonResponse(body, status=STATUS_CODE[status])


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not is_operator(request):
        response = JsonResponse({"error": {"code": "forbidden", "message": "operators only"}}, status=403)
        response["WWW-Authenticate"] = 'Bearer realm="ifemotion-operators"'
        return response
    register_product_metrics()
    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type)
