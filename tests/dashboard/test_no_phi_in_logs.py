"""An unexpected failure while saving notes or exporting shows a generic page, and neither the page,
the logs nor any mail to admins carries the client's words or the therapist's notes (H2)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from exports_app import views as export_views
from ifemotion.accounts.models import User
from sessions_app.notes import services as note_services
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.conftest import seed_session
from tests.support import AVA, login

CANARY = "CANARY-PHI-7f3a the client said something private"


def _explode(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("simulated failure")


def _client(user: User) -> Client:
    client = login(user)
    client.raise_request_exception = False
    return client


def test_a_failing_note_save_leaks_no_note_text(
    fake_manager: ConversationStateManager,
    alice: User,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    settings: Settings,
) -> None:
    settings.ADMINS = [("ops", "ops@example.org")]
    session_id = seed_session(fake_manager, AVA, message=CANARY)
    monkeypatch.setattr(note_services, "save_note", _explode)

    with caplog.at_level(logging.DEBUG):
        response = _client(alice).post(
            reverse("sessions:notes", args=[AVA, session_id]), {"version": 1, "text": CANARY}
        )

    assert response.status_code == 500
    assert CANARY not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert CANARY not in caplog.text
    assert all(CANARY not in message.body for message in mail.outbox)


def test_a_failing_export_leaks_no_message_text(
    fake_manager: ConversationStateManager,
    alice: User,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    session_id = seed_session(fake_manager, AVA, message=CANARY)
    monkeypatch.setattr(export_views, "export_session", _explode)

    with caplog.at_level(logging.DEBUG):
        response = _client(alice).get(reverse("exports:markdown", args=[AVA, session_id]))

    assert response.status_code == 500
    assert CANARY not in response.content.decode()
    assert CANARY not in caplog.text
