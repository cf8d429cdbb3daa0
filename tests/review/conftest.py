"""Fixtures of the review tests (personas, ``login`` and the state managers are in ``tests/``).

alice (therapist) and carmen (clinician) are both assigned to client-ava: two clinicians reviewing the
same client. ``audit_flushable`` and ``seed_session`` come from the dashboard tests.
"""

from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings

from sessions_app.access import AccessGrant, check_client_access
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.conftest import audit_flushable, seed_session  # noqa: F401 - fixtures shared
from tests.dashboard.test_browser import browser, site  # noqa: F401 - the browser tests' fixtures

__all__ = ["grant_for", "seed_session"]


@pytest.fixture(autouse=True)
def review_defaults(settings: Settings, locmem_cache: None, fake_manager: ConversationStateManager) -> None:
    """Plain http in the test client, the Django cache in memory, fakeredis unless the test asks for
    ``live_manager`` (which runs it on fakeredis and on a real Redis)."""
    settings.SECURE_SSL_REDIRECT = False


def grant_for(user: object, client_id: str) -> AccessGrant:
    """The grant a view would get (an assignment, for reviewing)."""
    return check_client_access(user, client_id, purpose="annotate")  # type: ignore[arg-type]


def add_messages(
    manager: ConversationStateManager, client_id: str, session_id: str, count: int, start: int = 1
) -> None:
    for n in range(start, start + count):
        manager.append_message(
            client_id, session_id, role="user" if n % 2 else "assistant", content=f"message {n}"
        )
