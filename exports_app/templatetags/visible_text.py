"""``{{ text|visible }}``: the exports' policy for invisible characters, on every dashboard page.

Client and note text can carry bidi overrides ("file\u202egpj.exe" shows as "fileexe.jpg") and other
invisible controls that reorder or hide what a clinician reads. The filter replaces them with visible
``[U+XXXX]`` markers (``exports_app.text.visible``, the same markers as in Markdown and PDF exports).
It returns plain text, so autoescaping still applies: nothing it returns is ever marked safe.
Use it for display only; form fields (textareas, hidden inputs) keep the text exactly as stored.
"""

from __future__ import annotations

from django import template

from exports_app.text import visible as visible_text

register = template.Library()


@register.filter(name="visible")
def visible(value: object) -> str:
    if value is None:
        return ""
    return visible_text(value if isinstance(value, str) else str(value))


@register.filter(name="has_invisible")
def has_invisible(value: object) -> bool:
    """True when ``value`` holds a character ``visible`` would mark (for a warning next to a form field)."""
    if not isinstance(value, str):
        return False
    return visible_text(value) != value.replace("\r\n", "\n").replace("\r", "\n")
