"""The HTTP API tests' client and error-shape check (their fixtures are in ``conftest.py`` here).

Personas: the ``chatbot`` backend holds a write token, ``reporting`` a read token, ``retired`` a
revoked one; ``amira`` and ``bruno`` are clients (chat users) whose sessions the chatbot writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.test import Client

API = "/api/v1"
AMIRA = "amira"
BRUNO = "bruno"


@dataclass
class ApiClient:
    """The Django test client with a bearer token and JSON bodies."""

    client: Client
    token: str | None

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def get(
        self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> Any:
        return self.client.get(API + path, params or {}, headers=self._headers(headers), secure=True)

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | str | None = None,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> Any:
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        call = getattr(self.client, method.lower())
        return call(
            API + path, data=data, content_type=content_type, headers=self._headers(headers), secure=True
        )

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.send("POST", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.send("PUT", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.send("PATCH", path, body, **kwargs)

    def create_session(self, user_id: str = AMIRA, session_id: str = "s1", model: str = "claude") -> Any:
        response = self.post("/sessions", {"user_id": user_id, "model": model, "session_id": session_id})
        assert response.status_code == 201, response.content
        return response.json()


def error_of(response: Any) -> dict[str, Any]:
    """The ``error`` object of an error answer, after checking the shape every error shares."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert isinstance(error["code"], str)
    assert isinstance(error["message"], str)
    return error
