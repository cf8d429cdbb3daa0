"""Input checks of the state layer. Each raises ``InvalidInput`` naming the field; none writes.

Text policy: valid Unicode is stored byte-exact (no normalisation), so what a client typed is what a
therapist reads. NUL and unpaired surrogates are refused, since neither survives every store we use
(PostgreSQL text rejects NUL; UTF-8 cannot encode a lone surrogate).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

from sessions_app.domain import Emotion
from sessions_app.emotions import check_emotion
from sessions_app.errors import ContentTooLarge, InvalidInput
from sessions_app.state.keys import check_id

E = TypeVar("E", bound=StrEnum)


def check_choice(value: object, enum: type[E], field: str) -> E:
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        try:
            return enum(value)
        except ValueError:
            pass
    allowed = ", ".join(member.value for member in enum)
    raise InvalidInput(field, f"{field} must be one of: {allowed}")


def check_unit_interval(value: object, field: str) -> float:
    """A number in [0, 1]; NaN, infinities, booleans and strings are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(field, f"{field} must be a number between 0 and 1")
    number = float(value)
    if math.isnan(number) or not 0.0 <= number <= 1.0:
        raise InvalidInput(field, f"{field} must be a number between 0 and 1")
    return number


def check_text(value: object, field: str, *, max_chars: int, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidInput(field, f"{field} must be text")
    if not allow_empty and not value.strip():
        raise InvalidInput(field, f"{field} must not be empty")
    if len(value) > max_chars:
        raise ContentTooLarge(field, f"{field} is {len(value)} characters; the limit is {max_chars}")
    if "\x00" in value:
        raise InvalidInput(field, f"{field} must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(field, f"{field} contains invalid Unicode (unpaired surrogate)") from None
    return value


def check_label(value: object, field: str, *, max_chars: int = 200) -> str:
    """Short single-line text such as a model name or an author."""
    text = check_text(value, field, max_chars=max_chars)
    if any(ch in text for ch in "\r\n"):
        raise InvalidInput(field, f"{field} must be a single line")
    return text


def check_evidence(values: Iterable[object], *, max_items: int = 100) -> tuple[str, ...]:
    if isinstance(values, str | bytes):
        raise InvalidInput("evidence", "evidence must be a list of message ids, not a string")
    items = tuple(values)
    if len(items) > max_items:
        raise InvalidInput("evidence", f"evidence may list at most {max_items} message ids")
    return tuple(check_id(item, "evidence") for item in items)


def check_int(value: object, field: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    """An integer (never a bool or a float) in [minimum, maximum]; the one integer check of the product."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        if maximum is not None:
            wanted = f"an integer from {minimum} to {maximum}"
        else:
            wanted = {0: "a non-negative integer", 1: "a positive integer"}.get(
                minimum, f"an integer of at least {minimum}"
            )
        raise InvalidInput(field, f"{field} must be {wanted}")
    return value


def check_expected_version(value: object) -> int | None:
    return None if value is None else check_int(value, "expected_version")


def check_optional_emotion(
    emotion: object, intensity: object, confidence: object
) -> tuple[Emotion, float, float] | None:
    if emotion is None:
        if intensity is not None or confidence is not None:
            raise InvalidInput("emotion", "intensity and confidence need an emotion")
        return None
    if intensity is None or confidence is None:
        raise InvalidInput(
            "intensity" if intensity is None else "confidence",
            "an emotion needs both intensity and confidence",
        )
    return (
        # The configured vocabulary (sessions_app.emotions), not a fixed list.
        check_emotion(emotion, "emotion"),
        check_unit_interval(intensity, "intensity"),
        check_unit_interval(confidence, "confidence"),
    )
