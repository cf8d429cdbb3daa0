"""The one policy for invisible characters in exported user text (Markdown, PDF, filenames).

Content stays faithful, but characters that can reorder or hide what a reader sees are made visible
as ``[U+XXXX]`` markers: bidi embeddings/overrides/isolates (U+202A-U+202E, U+2066-U+2069), the bidi
marks (U+200E, U+200F, U+061C), C0/C1 control characters other than TAB and line feed, and the Unicode
line/paragraph separators, and lone surrogates (which no UTF-8 file can hold). CR and CRLF become
line feeds. Everything else (emoji with ZWJ, combining marks, astral characters, right-to-left
scripts) is kept as it is.
"""

from __future__ import annotations

import re

_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
_CONTROLS = [c for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)) if c not in (0x09, 0x0A)]
_SEPARATORS = [0x2028, 0x2029]
_SURROGATES = list(range(0xD800, 0xE000))  # lone surrogates (from JSON escapes) cannot be encoded

INVISIBLE_TABLE: dict[int, str] = {
    c: f"[U+{c:04X}]" for c in (*_BIDI, *_CONTROLS, *_SEPARATORS, *_SURROGATES)
}
_NEWLINES = re.compile(r"\r\n?")
_HAS_INVISIBLE = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in (*_BIDI, *_CONTROLS, *_SEPARATORS)) + "\ud800-\udfff]"
)
BIDI_CONTROLS = frozenset(chr(c) for c in _BIDI)


def visible(text: str) -> str:
    """``text`` with line endings normalised and invisible controls replaced by visible markers."""
    if "\r" in text:
        text = _NEWLINES.sub("\n", text)
    if _HAS_INVISIBLE.search(text) is None:
        return text
    return text.translate(INVISIBLE_TABLE)


def visible_line(text: str) -> str:
    """Like ``visible`` for one-line fields: line feeds become the visible marker too."""
    return visible(text).replace("\n", "[U+000A]")
