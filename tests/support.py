"""Helpers shared by every test directory: the personas (fixtures of the same names are in
``tests/conftest.py``: alice and bob are therapists, clara and carmen clinicians, root the admin),
``login`` and ``use_state_manager``.

Clinicians and admins must pass two-factor; ``login`` gives a client already past it, with a real
TOTP device, so tests see access decisions rather than the two-factor redirect.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from ifemotion.accounts.identity import assign_client, grant_admin_permissions
from ifemotion.accounts.models import Role, User
from sessions_app.state import configured
from sessions_app.state.manager import ConversationStateManager

AVA, BEN, CLEO = "client-ava", "client-ben", "client-cleo"
PASSWORD = "a long enough passphrase for tests"


def make_user(username: str, role: str, *clients: str) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, role=role, is_staff=role == Role.ADMIN
    )
    if role == Role.ADMIN:
        grant_admin_permissions(user)
    for client_id in clients:
        assign_client(therapist=user, client_id=client_id)
    return user


def login(user: User) -> Client:
    """A test client logged in as ``user``, past two-factor when the role requires it."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def use_state_manager(monkeypatch: pytest.MonkeyPatch, manager: ConversationStateManager) -> None:
    """Make ``manager`` the process's state manager (what views, the API and commands use)."""
    monkeypatch.setattr(configured, "get_state_manager", lambda: manager)
