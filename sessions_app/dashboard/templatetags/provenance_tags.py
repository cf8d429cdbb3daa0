"""``{% load provenance_tags %}``: ``{{ citation_id|citation_anchor }}``, the HTML id of a citation's row
(the target of provenance links), the same one ``dashboard.journey.citation_anchor`` builds."""

from __future__ import annotations

from django import template

from sessions_app.dashboard.journey import citation_anchor as anchor_of

register = template.Library()


@register.filter
def citation_anchor(citation_id: object) -> str:
    return anchor_of(str(citation_id))
