"""The viewer's time zone: read once per request from their preference, UTC when they have none.

Pages show times in it (the ``usertime`` template tags); exports and the audit log always use UTC.
Django's "current time zone" is deliberately left at UTC, so every template that formats a time with
``|date`` and says "UTC" stays true.
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import UTC, tzinfo

from django.db import DatabaseError
from django.http import HttpRequest

from ifemotion.preferences.models import DEFAULT_TIME_ZONE, DisplayPreference

logger = logging.getLogger(__name__)
_ATTRIBUTE = "_ifemotion_time_zone"


def zone_named(name: str) -> tzinfo:
    if name == DEFAULT_TIME_ZONE:
        return UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        logger.warning("unknown stored time zone; showing UTC")
        return UTC


def time_zone_name_of(user: object) -> str:
    user_id = getattr(user, "pk", None)
    if user_id is None or not getattr(user, "is_authenticated", False):
        return DEFAULT_TIME_ZONE
    try:
        stored = DisplayPreference.objects.filter(user_id=user_id).values_list("time_zone", flat=True).first()
    except DatabaseError:
        logger.warning("display preferences unreadable; showing UTC")
        return DEFAULT_TIME_ZONE
    return stored or DEFAULT_TIME_ZONE


def user_time_zone(request: HttpRequest) -> tzinfo:
    """The viewer's zone, looked up at most once per request."""
    cached = getattr(request, _ATTRIBUTE, None)
    if cached is None:
        cached = zone_named(time_zone_name_of(getattr(request, "user", None)))
        setattr(request, _ATTRIBUTE, cached)
    return cached
