from typing import Any

from django.conf import settings
from django_redis import get_redis_connection
from pytest_django.fixtures import Settings

from ifemotion.settings import REDIS_CONNECT_TIMEOUT, REDIS_SOCKET_TIMEOUT, redis_cache


def test_it_never_ignores_redis_exceptions() -> None:
    # Ignored errors read as "no data" and silently drop note writes (SECURITY_TESTS E8).
    options: dict[str, Any] = redis_cache("redis://127.0.0.1:1/0")["OPTIONS"]  # type: ignore[assignment]
    assert options["IGNORE_EXCEPTIONS"] is False
    assert settings.DJANGO_REDIS_IGNORE_EXCEPTIONS is False


def test_the_django_redis_pool_has_the_state_layers_timeouts_and_no_retries(
    settings: Settings,
) -> None:
    # Building the client opens no connection; the pool's kwargs are what every connection gets.
    settings.CACHES = {"default": redis_cache("redis://127.0.0.1:1/0")}
    kwargs = get_redis_connection("default").connection_pool.connection_kwargs
    assert kwargs["retry"]._retries == 0
    assert kwargs["socket_timeout"] == REDIS_SOCKET_TIMEOUT
    assert kwargs["socket_connect_timeout"] == REDIS_CONNECT_TIMEOUT


def test_without_a_redis_url_live_state_is_unavailable_not_guessed(settings: Settings) -> None:
    # What settings build without REDIS_URL (tests/ifemotion/test_runtime.py runs manage.py so): the
    # cache in memory, and a state layer that refuses to guess a server.
    import pytest

    import sessions_app.state.configured as configured
    from sessions_app.errors import StateNotConfigured, StateUnavailable

    settings.REDIS_URL = ""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    configured.get_state_manager.cache_clear()
    try:
        with pytest.raises(StateNotConfigured) as refused:
            configured.get_state_manager()
    finally:
        configured.get_state_manager.cache_clear()
    assert isinstance(refused.value, StateUnavailable)  # pages and the API answer 503, never a 500
    assert "no Redis is configured" in str(refused.value)
