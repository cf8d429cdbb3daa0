"""Template filters of the notes app (``visible``, for invisible characters, is in ``visible_text``)."""

from __future__ import annotations

from django import template

from sessions_app.notes.labels import category_label

register = template.Library()


@register.filter
def who(author: object) -> str:
    """An author label as people read it: the chatbot's writes say so."""
    text = str(author or "")
    if text == "chatbot":
        return "the chatbot"
    if text.startswith("chatbot:"):
        return f"the chatbot ({text.removeprefix('chatbot:')})"
    return text or "unknown"


@register.filter
def category(value: object) -> str:
    """An inference category as people read it ("pattern recognition")."""
    return category_label(str(value))
