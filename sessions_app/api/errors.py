"""One answer per error: every typed error of the state layer, of ninja and of Django, in the error
shape of ``auth.error_response``. The table is in the README ("HTTP API for the chatbot")."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import Http404, HttpResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError

from sessions_app.api.app import api
from sessions_app.api.auth import (
    ApiError,
    UnsupportedMediaType,
    error_response,
    retry_after,
)
from sessions_app.api.reach import OutOfReach
from sessions_app.api.schemas import (
    ContextOut,
)
from sessions_app.errors import (
    ContentTooLarge,
    CorruptSession,
    InvalidInput,
    NoteConflict,
    SessionAlreadyExists,
    SessionClosed,
    SessionNotFound,
    StateError,
    StateReadOnly,
    StateStorageFull,
    StateUnavailable,
)

logger = logging.getLogger(__name__)


E = TypeVar("E", bound=Exception)


def _handler(exc_class: type[E]) -> Callable[[Callable[[E], HttpResponse]], Callable[[E], HttpResponse]]:
    def register(build: Callable[[E], HttpResponse]) -> Callable[[E], HttpResponse]:
        api.add_exception_handler(exc_class, lambda request, exc: build(exc))  # type: ignore[arg-type]
        return build

    return register


def unavailable(code: str, message: str) -> HttpResponse:
    return error_response(503, code, message, headers=retry_after())


@_handler(ApiError)
def _api_error(exc: ApiError) -> HttpResponse:
    return error_response(exc.status, exc.code, exc.message, field=exc.field, headers=exc.headers)


@_handler(AuthenticationError)
def unauthorized(exc: AuthenticationError) -> HttpResponse:
    return error_response(
        401,
        "unauthorized",
        "send a valid API token: Authorization: Bearer <token>",
        headers={"WWW-Authenticate": 'Bearer realm="ifemotion-api"'},
    )


@_handler(ValidationError)
def _invalid(exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    location = [str(part) for part in first.get("loc", ()) if not isinstance(part, int)]
    # ("body", "payload", "emotion", "intensity") → "emotion.intensity"; ("path", "user_id") → "user_id"
    names = [part for part in location[1:] if part not in ("payload", "filters")]
    named = (first.get("ctx") or {}).get("field")
    if not names and named:  # a rule across fields names the field it reports (schemas.ContextPatchIn)
        names = [str(named)]
    if not names and location[:1] == ["body"]:
        return error_response(400, "invalid_input", "the request body must be a JSON object")
    field = ".".join(names) or None
    message = str(first.get("msg", "invalid input")).removeprefix("Value error, ")
    return error_response(400, "invalid_input", f"{field}: {message}" if field else message, field=field)


@_handler(HttpError)
def _http_error(exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, UnsupportedMediaType):
        return error_response(415, "unsupported_media_type", str(cause))
    if isinstance(cause, RequestDataTooBig):
        return _too_big(cause)
    if exc.status_code == 400:
        return error_response(400, "malformed_json", "the request body is not valid UTF-8 JSON")
    return error_response(exc.status_code, "http_error", exc.message)


@_handler(Http404)
def not_found(exc: Http404) -> HttpResponse:
    return error_response(404, "not_found", "no such endpoint")


@_handler(OutOfReach)
def _out_of_reach(exc: OutOfReach) -> HttpResponse:
    return error_response(404, "not_found", "no such client")


@_handler(RequestDataTooBig)
def _too_big(exc: RequestDataTooBig) -> HttpResponse:
    return error_response(413, "body_too_large", "the request body is too large")


@_handler(InvalidInput)
def _invalid_input(exc: InvalidInput) -> HttpResponse:
    return error_response(400, "invalid_input", exc.message, field=exc.field)


@_handler(ContentTooLarge)
def _content_too_large(exc: ContentTooLarge) -> HttpResponse:
    return error_response(413, "content_too_large", exc.message, field=exc.field)


@_handler(SessionNotFound)
def _session_not_found(exc: SessionNotFound) -> HttpResponse:
    return error_response(404, "session_not_found", str(exc))


@_handler(SessionAlreadyExists)
def _session_exists(exc: SessionAlreadyExists) -> HttpResponse:
    return error_response(409, "session_exists", str(exc), field="session_id")


@_handler(SessionClosed)
def _session_closed(exc: SessionClosed) -> HttpResponse:
    return error_response(409, "session_closed", str(exc))


@_handler(NoteConflict)
def _note_conflict(exc: NoteConflict) -> HttpResponse:
    current = ContextOut.of(exc.current).model_dump()
    return error_response(409, "version_conflict", str(exc), field="expected_version", current=current)


@_handler(CorruptSession)
def _corrupt(exc: CorruptSession) -> HttpResponse:
    return error_response(422, "corrupt_record", str(exc))


@_handler(StateStorageFull)
def _storage_full(exc: StateStorageFull) -> HttpResponse:
    return error_response(507, "storage_full", str(exc))


@_handler(StateReadOnly)
def _read_only(exc: StateReadOnly) -> HttpResponse:
    return unavailable("read_only", str(exc))


@_handler(StateUnavailable)
def _state_unavailable(exc: StateUnavailable) -> HttpResponse:
    return unavailable("state_unavailable", str(exc))


@_handler(StateError)
def _state_error(exc: StateError) -> HttpResponse:
    return unavailable("state_refused", str(exc))


@_handler(DatabaseError)
def _database_error(exc: DatabaseError) -> HttpResponse:
    logger.error("database error in the API: %s", type(exc).__name__)
    return unavailable("database_unavailable", "the database is temporarily unavailable")


@_handler(Exception)
def _unexpected(exc: Exception) -> HttpResponse:
    # The traceback without the exception's message: messages can quote input, and input is PHI.
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("unexpected %s in the API\n%s", type(exc).__name__, frames)
    return error_response(500, "internal_error", "unexpected server error; it has been logged")
