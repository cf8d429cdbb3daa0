"""Checks of text a clinician types (notes, addenda, guidance, reasons) before anything is stored.

Refused with a clear message, nothing stored: over the size limit, NUL, unpaired surrogates, and merge
markers left in a merged note. Kept, and shown as visible ``[U+XXXX]`` markers wherever the text is
displayed (``exports_app.text``, the one policy for invisible characters): bidi controls and other
control characters. Line endings are stored as LF. Bytes that were not valid UTF-8 in a submitted form
are found by ``invalid_utf8_fields`` (Django has already replaced them by U+FFFD).
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from sessions_app.notes.errors import ClinicalTextInvalid

MERGE_START = ">>>>> YOUR TEXT (not saved)"
MERGE_END = "<<<<< END OF YOUR TEXT"


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_clinical_text(value: object, field: str, *, max_chars: int, required: bool = False) -> str:
    """The text as it will be stored (LF line endings), or ``ClinicalTextInvalid``."""
    if not isinstance(value, str):
        raise ClinicalTextInvalid(field, "This must be text.")
    text = normalise(value)
    if required and not text.strip():
        raise ClinicalTextInvalid(field, "This cannot be empty.")
    if len(text) > max_chars:
        raise ClinicalTextInvalid(
            field,
            f"This is {len(text):,} characters long; the limit is {max_chars:,}. Nothing was saved: "
            "shorten it (your text is kept below).",
        )
    if "\x00" in text:
        raise ClinicalTextInvalid(
            field, "This contains a NUL character (U+0000), which cannot be stored. Remove it and save again."
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ClinicalTextInvalid(
            field, "This contains an unpaired surrogate (invalid Unicode). Remove it and save again."
        ) from None
    return text


def check_no_merge_markers(text: str, field: str) -> str:
    lines = text.split("\n")
    if any(line.startswith((MERGE_START, MERGE_END)) for line in lines):
        raise ClinicalTextInvalid(
            field,
            "The merged text still contains the marker lines around your earlier text. Keep, edit or "
            "delete what is between them, remove the marker lines, then save.",
        )
    return text


def invalid_utf8_fields(body: bytes) -> set[str]:
    """Names of fields of an urlencoded form body whose values are not valid UTF-8."""
    bad: set[str] = set()
    for pair in body.split(b"&"):
        name, _, value = pair.partition(b"=")
        raw = unquote_to_bytes(value.replace(b"+", b" "))
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            bad.add(unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", errors="replace"))
    return bad
