"""The NinjaAPI object of the chatbot's HTTP API: title, auth, parser and documentation URLs."""

from __future__ import annotations

from ninja import NinjaAPI

from sessions_app.api.auth import BearerAuth, JsonParser

DESCRIPTION = """\
Write and resume the conversation state of IF.emotion from any language.

Authenticate with `Authorization: Bearer <token>` (create one with
`manage.py create_api_token NAME --scope write|read`). Read tokens may only GET.
Errors are `{"error": {"code", "message", "field"?}}`; a 503 carries `Retry-After`.
Always send a `message_id` and retry with the same one after a timeout: it is stored once.
"""

api = NinjaAPI(
    title="IF.emotion Clinician API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=BearerAuth(),
    parser=JsonParser(),
    openapi_url="/openapi.json",
    docs_url="/docs",
)
