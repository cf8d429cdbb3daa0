"""The last resort for an exception no view handled: a stalled or unreachable database is a clear 503
("records temporarily unavailable", with Retry-After), anything else the generic 500 page. For the HTTP
API both come in the API's JSON error shape. Neither page touches the database (it may be the
problem) nor shows anything about the request.
"""

from __future__ import annotations

import json
import logging
import sys

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template import loader

logger = logging.getLogger("ifemotion.errors")
API_PREFIX = "/api/"


def _database_trouble() -> bool:
    exc = sys.exc_info()[1]
    while exc is not None:
        if isinstance(exc, DatabaseError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _json(status: int, code: str, message: str) -> HttpResponse:
    body = json.dumps({"error": {"code": code, "message": message}})
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: called by Django inside the ``except`` block of the unhandled exception."""
    api = request.path.startswith(API_PREFIX)
    if _database_trouble():
        logger.error("database busy or unreachable: answered 503 (%s)", type(sys.exc_info()[1]).__name__)
        if api:
            response = _json(
                503, "database_unavailable", "the database is temporarily unavailable; try again"
            )
        else:
            response = HttpResponse(loader.render_to_string("503_database.html"), status=503)
        response["Retry-After"] = str(settings.API_RETRY_AFTER_SECONDS)
    elif api:
        response = _json(500, "internal_error", "unexpected server error; it has been logged")
    else:
        response = HttpResponse(loader.render_to_string("500.html"), status=500)
    response["Cache-Control"] = "no-store"
    return response
