"""``{% load client_options %}``: ``{% client_options client_ids selected %}``, the ``<option>`` elements
of a client filter (the session list, the risk inbox, search).

Written in Python: a therapist may have hundreds of clients, and an option loop through the template
engine cost more than the rest of the session list's page (Django's own widget, more still). Every id
is escaped by ``format_html``; nothing is marked safe unescaped.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def client_options(client_ids: Iterable[str], selected: str = "") -> SafeString:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((client_id, " selected" if client_id == selected else "", client_id) for client_id in client_ids),
    )
