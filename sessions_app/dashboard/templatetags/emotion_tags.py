"""``{% load emotion_tags %}``: ``{{ label|valence }}`` (negative/neutral/positive/unknown) for the
badge classes, and ``{% inferred_note %}``, the words every emotion number on a page carries."""

from __future__ import annotations

from django import template

from sessions_app.emotions import INFERRED_NOTE, valence_of

register = template.Library()


@register.filter
def valence(label: object) -> str:
    return valence_of(label).value


@register.simple_tag
def inferred_note() -> str:
    return INFERRED_NOTE
