"""Fixtures of the notes tests: the dashboard's defaults (plain http, the cache in memory, a fakeredis
state manager unless the test asks for ``live_manager``), and helpers to make sessions and actors."""

from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings

from ifemotion.accounts.models import User
from sessions_app.access import check_client_access
from sessions_app.notes.actor import Actor
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.conftest import audit_flushable, seed_session  # noqa: F401 - shared fixture
from tests.dashboard.test_browser import browser, site  # noqa: F401 - headless Chromium fixtures
from tests.exports_app.conftest import canary  # noqa: F401 - the loopback canary server fixture


@pytest.fixture(autouse=True)
def notes_defaults(settings: Settings, locmem_cache: None, fake_manager: ConversationStateManager) -> None:
    settings.SECURE_SSL_REDIRECT = False


def actor_for(user: User, client_id: str) -> Actor:
    """The actor a view would pass: from a real 'annotate' access check."""
    return Actor.of(check_client_access(user, client_id, purpose="annotate"))


__all__ = ["actor_for", "seed_session"]
