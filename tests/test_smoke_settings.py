from typing import Any

from django.conf import settings


def test_it_never_ignores_redis_exceptions() -> None:
    # Ignored errors read as "no data" and silently drop note writes (SECURITY_TESTS E8).
    options: dict[str, Any] = settings.CACHES["default"]["OPTIONS"]  # type: ignore[assignment]
    assert options["IGNORE_EXCEPTIONS"] is False
    assert settings.DJANGO_REDIS_IGNORE_EXCEPTIONS is False
    assert options["CONNECTION_POOL_KWARGS"]["retry"]._retries == 0
