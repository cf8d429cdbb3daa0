"""The field types of the API's request bodies: the state layer's input rules (state/validation.py) said
in JSON Schema, so the OpenAPI document states every rule the server enforces."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Field
from pydantic import BeforeValidator

ID_REGEX = r"^[A-Za-z0-9_-]{1,64}$"
ID_DESCRIPTION = "1-64 characters from A-Z, a-z, 0-9, '_' and '-'"

# The state layer's text rules (state/validation.py) as patterns, so the document states them: no NUL,
# not blank (the characters Python's str.strip() removes, spelled out so that every regex engine reads
# them alike), and for a label one line.
_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
TEXT_REGEX = rf"^[^\x00]*[^{_SPACE}\x00][^\x00]*$"
LABEL_REGEX = rf"^[^\r\n\x00]*[^{_SPACE}\x00][^\r\n\x00]*$"
NOTES_REGEX = r"^[^\x00]*$"


def _integral(value: object) -> object:
    # JSON Schema's "integer" includes 3.0; strings and booleans stay refused (strict).
    return int(value) if isinstance(value, float) and value.is_integer() else value


Integral = Annotated[int, BeforeValidator(_integral)]
ONE_LINE = "one line (no line breaks), not blank, no NUL, at most 200 characters"
Id = Annotated[str, Field(pattern=ID_REGEX, min_length=1, max_length=64, description=ID_DESCRIPTION)]
UnitInterval = Annotated[float, Field(ge=0.0, le=1.0, strict=True, description="a number from 0 to 1")]
Label = Annotated[
    str,
    Field(min_length=1, max_length=200, pattern=LABEL_REGEX, description=ONE_LINE),
]
Text = Annotated[
    str,
    Field(
        min_length=1,
        pattern=TEXT_REGEX,
        description="text, not blank, no NUL; the length limit is a server setting (413)",
    ),
]
Notes = Annotated[
    str,
    Field(
        pattern=NOTES_REGEX,
        description="text, may be empty, no NUL; the length limit is a server setting (413)",
    ),
]


def iso_8601(value: object) -> datetime | None:
    """A query's instant: ISO 8601 with a time zone, or None (pydantic alone would also take epoch
    numbers and naive times; the contract is what the document says)."""
    if value is None:
        return None
    example = "an ISO 8601 date and time with a time zone, e.g. 2026-01-31T09:00:00Z"
    if not isinstance(value, str):
        raise ValueError(f"expected {example}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected {example}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"the time zone is missing: expected {example}")
    return parsed
