"""Escaping user text for CommonMark so that it can only ever be text.

We do not rely on HTML sanitising: every character that CommonMark (or the common GFM extensions:
tables, strikethrough, autolinks, math) could give a meaning is neutralised, so a message cannot
create a heading, list, quote, code block fence, thematic break, link, image, autolink, HTML or
entity. ``<``, ``>`` and ``&`` become entities (``&lt;``...), which also keeps python-markdown, which
does not know ``\\<``, from seeing HTML. Block structure that can only start a line (``#``, ``-``,
``+``, ``=``, ``1.``) is escaped where it starts a line, and leading indentation cannot open a code
block. Exported text is always placed behind a prefix we generate (``> `` of a message block or the
indent of a list item), so it never starts a block of its own.
"""

from __future__ import annotations

import re

from exports_app.text import visible, visible_line

# Backslash-escapable ASCII punctuation with meaning anywhere in a line (CommonMark + GFM + math).
_INLINE = {c: "\\" + c for c in "\\`*_[]|~@$!{}"}
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_REPLACEMENTS = {**_INLINE, **_ENTITIES}
# One regex substitution rather than str.translate: translate takes a slow path whenever a character
# maps to several, and cost about four times as much on ordinary chat text.
_SPECIAL = re.compile("[" + re.escape("".join(_REPLACEMENTS)) + "]")
# What can open a block when it is the first thing on a line (after up to any indentation).
_LINE_START = re.compile(r"^([ \t]*)([#+\-=])")
_ORDERED = re.compile(r"^([ \t]*\d{1,9})([.)])")
# Leading spaces or tabs would be indentation: four of them (or a tab) open an indented code block,
# where our escapes and the hard-break backslash show literally. The first one becomes a character
# reference, which CommonMark and GFM decode back to the same character inside the paragraph.
_INDENT = re.compile(r"^[ \t]")
# The first characters with which _LINE_START, _ORDERED or _INDENT can match.
_MAY_OPEN_A_BLOCK = frozenset(" \t#+-=0123456789")
# GFM turns "www." and "scheme://" into links by itself: break both up.
_WWW = re.compile(r"(?i)\b(www)\.")
_SCHEME = re.compile(r":(?=//)")


def _escape_characters(text: str) -> str:
    return _SPECIAL.sub(_replacement, text)


def _replacement(match: re.Match[str]) -> str:
    return _REPLACEMENTS[match.group()]


def escape_inline(text: str) -> str:
    """One line of user text as inert CommonMark inline content (no line structure)."""
    return _autolinks(_escape_characters(visible_line(text)))


def _autolinks(escaped: str) -> str:
    # Substring checks first (each regex needs its substring): most lines have neither.
    if "www." in escaped.lower():
        escaped = _WWW.sub(_escaped_dot, escaped)
    if "://" in escaped:
        escaped = _SCHEME.sub(_escaped_colon, escaped)
    return escaped


def _escape_line(line: str) -> str:
    escaped = _autolinks(_escape_characters(line))
    if escaped[:1] not in _MAY_OPEN_A_BLOCK:  # none of the three line-start patterns can match
        return escaped
    escaped = _LINE_START.sub(_escaped_second, escaped)
    escaped = _ORDERED.sub(_escaped_second, escaped)
    return _INDENT.sub(_character_reference, escaped)


# Replacements as functions, not templates: re parses a template on every call, even one that finds
# nothing, which on a transcript is almost every call.
def _escaped_dot(match: re.Match[str]) -> str:  # "www." -> "www\."
    return match.group(1) + "\\."


def _escaped_colon(_: re.Match[str]) -> str:  # "://" -> "\://"
    return "\\:"


def _escaped_second(match: re.Match[str]) -> str:  # "  #" -> "  \#", "1." -> "1\."
    return match.group(1) + "\\" + match.group(2)


def _character_reference(match: re.Match[str]) -> str:
    return f"&#{ord(match.group())};"


def escape_lines(text: str) -> list[str]:
    """User text as escaped lines; blank lines come back as ``""`` (paragraph breaks)."""
    return [_escape_line(line) if line.strip() else "" for line in visible(text).split("\n")]


def block(text: str, first_prefix: str, rest_prefix: str) -> list[str]:
    """Escaped text behind our prefixes, line breaks kept as hard breaks (a trailing backslash)."""
    lines = escape_lines(text)
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        return [first_prefix.rstrip()]
    out: list[str] = []
    for index, line in enumerate(lines):
        prefix = first_prefix if index == 0 else rest_prefix
        if not line:
            out.append(rest_prefix.rstrip())
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        out.append(prefix + line + ("\\" if following else ""))
    return out


def code_span(text: str) -> str:
    """An identifier (citation id, message id) as a code span: inert in every Markdown flavour."""
    value = visible_line(text)
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith(("`", " ")) or value.endswith(("`", " ")) or longest else ""
    return f"{fence}{pad}{value}{pad}{fence}"
