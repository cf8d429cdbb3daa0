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
