"""Each user's display preferences (their time zone), kept off the User model on purpose: accounts
migrate on their own schedule, and a preference is not part of anyone's identity or access."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

DEFAULT_TIME_ZONE = "UTC"


@lru_cache(maxsize=1)
def time_zone_names() -> tuple[str, ...]:
    """IANA names this machine knows (the tzdata package), sorted; UTC first."""
    names = sorted(zoneinfo.available_timezones() - {"UTC", "localtime", "Factory"})
    return ("UTC", *names)


def check_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(f"{value!r} is not a known time zone (for example Europe/Berlin or UTC).")


class DisplayPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="display_preference"
    )
    time_zone = models.CharField(
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        validators=[check_time_zone],
        help_text="IANA time zone in which pages show times (exports always use UTC)",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"display preferences of user {self.user_id}"
