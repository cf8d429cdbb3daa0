"""Fresh ids of the state layer: version-4 UUIDs from ``os.urandom``, formatted by hand.

Why by hand: ``uuid.uuid4()`` and ``str()`` cost about 4 µs (the UUID object, mostly), three times per
append, on the chatbot's hot path. A citation id is stored as its 16 bytes (``members.py``) and shown
as ``if://citation/<uuid>``.
"""

from __future__ import annotations

import os

CITATION_PREFIX = "if://citation/"
_V4_CLEAR = ((1 << 128) - 1) & ~((0xF000 << 64) | (0xC000 << 48))
_V4_SET = (0x4000 << 64) | (0x8000 << 48)


def new_uuid() -> bytes:
    """16 random bytes that are a version-4 UUID."""
    return ((int.from_bytes(os.urandom(16)) & _V4_CLEAR) | _V4_SET).to_bytes(16)


def uuid_text(raw: bytes) -> str:
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def new_id() -> str:
    """A fresh id for a session, message, milestone or breakthrough: str(uuid.uuid4()), faster."""
    return uuid_text(new_uuid())


def citation_text(raw: bytes) -> str:
    return CITATION_PREFIX + uuid_text(raw)
