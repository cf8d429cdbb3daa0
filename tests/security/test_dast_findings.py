"""Findings of ``make dast`` that were fixed, kept fixed."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings


@pytest.mark.django_db
def test_the_csrf_cookie_is_httponly(settings: Settings) -> None:
    settings.SECURE_SSL_REDIRECT = False
    response = Client().get("/accounts/login/")
    cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
