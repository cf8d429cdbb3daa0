"""``{% load usertime %}``: times in the viewer's own time zone, with UTC on hover and in print.

``{% when value %}`` renders ``<time datetime="…Z" title="… UTC">local time ZONE<span class="utc-alt">
(… UTC)</span></time>``; the ``utc-alt`` part is shown only when the page is printed (print.css), so
a printed page carries both. ``{% when value seconds=True %}`` adds seconds. ``{% user_zone %}`` names
the viewer's zone. Everything is built with ``format_html``: nothing here marks input safe.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ifemotion.preferences.zones import user_time_zone

register = template.Library()


def _zone_of(context: template.Context) -> object:
    request = getattr(context, "request", None)
    return UTC if request is None else user_time_zone(request)


@register.simple_tag(takes_context=True)
def when(
    context: template.Context, value: object, seconds: bool = False, stacked: bool = False, empty: str = "—"
) -> SafeString:
    """``stacked``: the date above the time (narrow table columns)."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        return format_html("{}", empty)
    zone = _zone_of(context)
    clock = "%H:%M:%S" if seconds else "%H:%M"
    utc = value.astimezone(UTC)
    local = value.astimezone(zone)  # type: ignore[arg-type]
    utc_text = f"{utc.strftime('%Y-%m-%d ' + clock)} UTC"
    zone_name = "UTC" if zone is UTC else (local.tzname() or "")
    day, time_of_day = local.strftime("%Y-%m-%d"), f"{local.strftime(clock)} {zone_name}".rstrip()
    shown = format_html("{}<br>{}", day, time_of_day) if stacked else format_html("{} {}", day, time_of_day)
    if zone is UTC:
        return format_html('<time datetime="{}" title="{}">{}</time>', utc.isoformat(), utc_text, shown)
    return format_html(
        '<time datetime="{}" title="{}">{}<span class="utc-alt"> ({})</span></time>',
        utc.isoformat(),
        utc_text,
        shown,
        utc_text,
    )


@register.simple_tag(takes_context=True)
def user_zone(context: template.Context) -> str:
    zone = _zone_of(context)
    return "UTC" if zone is UTC else str(zone)
