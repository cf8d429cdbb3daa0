"""Text as the rules see it: one lower-case, NFKC-folded line per message, with a map back to the
original characters (so a span and its sentence are always cut from what the client wrote).

Nothing here can raise on a ``str``: unpaired surrogates, control characters, emoji and any script
are folded or turned into spaces one character at a time.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_CHARS = 100_000  # the state layer refuses far less; beyond this only the start is read

# Typographic variants that change what a rule sees, folded to the plain ASCII form.
_FOLD = {
    "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"', "\u201e": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u2026": "...",
}  # fmt: skip
_SENTENCE_END = re.compile(r"[.!?;]+(?=\s|$|[\"')\]])|\n+|(?<=\w)\s+-\s+(?=\w)")


@dataclass(frozen=True)
class Folded:
    """``text`` (what rules match) and ``origin[i]``, the index in the original of ``text[i]``."""

    original: str
    text: str
    origin: tuple[int, ...] | None  # None: the identity (plain ASCII folds character for character)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        if self.origin is None:
            return (min(start, len(self.text)), min(end, len(self.text)))
        if not self.origin:
            return (0, 0)
        first = self.origin[min(start, len(self.origin) - 1)]
        last = self.origin[min(max(end - 1, start), len(self.origin) - 1)]
        return (first, last + 1)


def _fold_char(ch: str) -> str:
    if ch in _FOLD:
        return _FOLD[ch]
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:  # an unpaired surrogate: not text
        return " "
    category = unicodedata.category(ch)
    if category[0] == "C" or category in ("Zl", "Zp"):  # controls, format characters, line breaks
        return "\n" if ch in "\n\r\u2028\u2029\x0b\x0c\x85" else " "
    if category[0] == "Z":
        return " "
    folded = unicodedata.normalize("NFKC", ch).lower()
    return "".join(_FOLD.get(c, c) for c in folded)


# ASCII: controls become spaces (line breaks stay), the backtick an apostrophe; one character each.
_ASCII = {code: " " for code in range(32) if chr(code) not in "\n\r\x0b\x0c"}
_ASCII.update({ord("\r"): "\n", 0x0B: "\n", 0x0C: "\n", 0x7F: " ", ord("`"): "'"})


def fold(text: str) -> Folded:
    source = text[:MAX_CHARS]
    if source.isascii():
        return Folded(text, source.lower().translate(_ASCII), None)
    out: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(source):
        piece = ch.lower() if ch.isascii() and (ch.isalnum() or ch in " '.,?!-") else _fold_char(ch)
        out.append(piece)
        origin.extend([index] * len(piece))
    return Folded(text, "".join(out), tuple(origin))


MAX_SENTENCE = 600  # longer runs without punctuation are cut at a space: filters read locally


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of folded text (punctuation, line breaks, spaced dashes)."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > start:
            bounds.extend(_pieces(text, start, match.end()))
        start = match.end()
    if start < len(text):
        bounds.extend(_pieces(text, start, len(text)))
    return bounds or [(0, len(text))]


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE:
        cut = text.rfind(" ", start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
        cut = cut + 1 if cut > start else start + MAX_SENTENCE
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def sentence_at(bounds: list[tuple[int, int]], position: int) -> tuple[int, int]:
    for start, end in bounds:
        if start <= position < end:
            return (start, end)
    return bounds[-1]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text)
