"""Fixtures of the export tests: a loopback canary server and a seeded live session (personas,
``login`` and the state managers are in ``tests/``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pytest_django.fixtures import Settings

from sessions_app.state.manager import ConversationStateManager
from tests.support import AVA, BEN

CLIENT, OTHER_CLIENT = AVA, BEN


class Canary:
    """Records every request that reaches it. A correct export never calls it."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                canary.hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/svg+xml")
                self.end_headers()
                self.wfile.write(b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def canary() -> Iterator[Canary]:
    server = Canary()
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


@pytest.fixture(autouse=True)
def export_defaults(settings: Settings, locmem_cache: None) -> None:
    """Rate limits and lockouts in memory; plain http in the test client."""
    settings.SECURE_SSL_REDIRECT = False


def seed(manager: ConversationStateManager, client_id: str, texts: list[str]) -> str:
    """A live session with the given messages, a transition, a milestone, a breakthrough, notes."""
    session_id = manager.initialize_session(client_id, model="claude-test")
    first = None
    for index, text in enumerate(texts):
        appended = manager.append_message(
            client_id, session_id, role="user" if index % 2 == 0 else "assistant", content=text
        )
        first = first or appended
    manager.update_emotion(client_id, session_id, emotion="anxious", intensity=0.8, confidence=0.9)
    manager.record_milestone(client_id, session_id, description="Named a trigger")
    manager.record_breakthrough(
        client_id,
        session_id,
        description="Linked sleep and mood",
        category="pattern_recognition",
        confidence=0.85,
        evidence=[first.id] if first else [],
    )
    manager.update_context_snapshot(client_id, session_id, session_notes="first notes")
    return session_id
