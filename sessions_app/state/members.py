"""How list and sorted-set members are stored in Redis: compact MessagePack arrays, read back into domain
objects. (The archive, the exports and the API keep the full form; this is only the live encoding.)

Why this form: a member is a positional MessagePack array, so no field name is stored; timestamps are
MessagePack timestamps (10 bytes, decoded to aware datetimes in C by msgspec); a citation id is its
16 UUID bytes; citation types and the fixed event texts are small codes; the user and session ids of a
citation are those of the key that holds it. This took Redis from 4.7x to about 2x the raw message text.

Fields a script adds on the server (a message's seq, the emotion a transition starts from, a
milestone's message count and emotion, a citation's event or note version) come first in their array:
the client packs the rest, and the script prepends them to the packed bytes (``_prelude.lua``).

Members written before this encoding are JSON objects (they start with ``{``) and are still read, by
the JSON builders in ``codec``. One member that cannot be decoded becomes an ``UnreadableEntry``
(logged with kind and position, never content); it never breaks the rest of the list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Annotated, Any, TypeVar

import msgspec

import sessions_app.state.codec as codec
from sessions_app.domain import (
    Breakthrough,
    BreakthroughCategory,
    Citation,
    CitationType,
    Emotion,
    EmotionTransition,
    Message,
    Milestone,
    Role,
    UnreadableEntry,
)
from sessions_app.state.decoded import (
    DECODED_BREAKTHROUGHS,
    DECODED_MESSAGES,
    DECODED_MILESTONES,
    DECODED_TRANSITIONS,
    DecodedCache,
)
from sessions_app.state.ids import CITATION_PREFIX, citation_text

T = TypeVar("T")

# Codes stored in Redis: never renumber, only add.
CITATION_TYPE_CODES: dict[CitationType, int] = {
    CitationType.SESSION_INITIALIZED: 0,
    CitationType.MESSAGE_APPENDED: 1,
    CitationType.EMOTION_STATE_UPDATE: 2,
    CitationType.MILESTONE_RECORDED: 3,
    CitationType.BREAKTHROUGH_RECORDED: 4,
    CitationType.CONTEXT_SNAPSHOT_UPDATED: 5,
    CitationType.SESSION_RESUMED: 6,
    CitationType.SESSION_CLOSED: 7,
}
EVENT_CODES: dict[str, int] = {
    "user message appended": 1,
    "assistant message appended": 2,
    "system message appended": 3,
    "session resumed": 4,  # the resume script writes this code itself
    "session closed": 5,
    "milestone recorded": 6,
}
_TYPES = {code: ctype for ctype, code in CITATION_TYPE_CODES.items()}
_EVENTS = {code: text for text, code in EVENT_CODES.items()}
ROLE_CODES: dict[Role, int] = {Role.USER: 0, Role.ASSISTANT: 1, Role.SYSTEM: 2}
_ROLES = {code: role for role, code in ROLE_CODES.items()}
# Labels come from a configured vocabulary (sessions_app/emotions.py): interned as they are first read, so
# a resume of a hundred messages builds each label once. Bounded: a damaged store cannot grow it forever.
_EMOTIONS: dict[str, Emotion] = {}
_EMOTIONS_MAX = 1024


def _emotion(label: str | None) -> Emotion | None:
    if label is None:
        return None
    found = _EMOTIONS.get(label)
    if found is None:
        found = Emotion(label)
        if len(_EMOTIONS) < _EMOTIONS_MAX:
            _EMOTIONS[label] = found
    return found


_CATEGORIES = {category.value: category for category in BreakthroughCategory}

_encoder = msgspec.msgpack.Encoder()
Opt = float | None
At = Annotated[datetime, msgspec.Meta(tz=True)]  # a naive time is refused, as the JSON form refused it
# A message is [seq, id, role, content, time, citation] or, with an emotion, 9 fields with emotion,
# intensity and confidence after them: the array's header (its first byte) says which.
_MESSAGE = msgspec.msgpack.Decoder(tuple[int, str, int, str, At, Any])
_FELT_MESSAGE = msgspec.msgpack.Decoder(tuple[int, str, int, str, At, Any, str, float, float])
_PLAIN, _FELT = 0x96, 0x99
_TRANSITION = msgspec.msgpack.Decoder(tuple[str | None, str, float, float, At, Any, str | None])
_MILESTONE = msgspec.msgpack.Decoder(tuple[int, str | None, str, str, At, Any])
_BREAKTHROUGH = msgspec.msgpack.Decoder(tuple[str, str, str, float, list[str], At, Any])
_CITATION = msgspec.msgpack.Decoder(tuple[int | None, int | str, int, bytes, At, list[str], Opt])
_new = object.__new__


# ---------------------------------------------------------------------------- ids


def _citation_id(raw: Any) -> str:
    if isinstance(raw, bytes) and len(raw) == 16:
        return citation_text(raw)
    if isinstance(raw, str):
        return CITATION_PREFIX + raw
    raise TypeError("a citation id is 16 bytes")


# ---------------------------------------------------------------------------- encoding


def message_body(
    message_id: str,
    role: Role,
    content: str,
    at: datetime,
    citation: bytes,
    emotion: tuple[Emotion, float, float] | None,
) -> bytes:
    """A message without its seq (the append script prepends it)."""
    if emotion is None:
        return _encoder.encode((message_id, ROLE_CODES[role], content, at, citation))
    emo, intensity, confidence = emotion
    return _encoder.encode(
        (message_id, ROLE_CODES[role], content, at, citation, emo.value, intensity, confidence)
    )


def transition_body(
    to: Emotion,
    intensity: float,
    confidence: float,
    at: datetime,
    citation: bytes,
    message_id: str | None,
) -> bytes:
    """An emotion transition without the emotion it starts from (the script prepends it)."""
    return _encoder.encode((to.value, intensity, confidence, at, citation, message_id))


def milestone_body(milestone_id: str, description: str, at: datetime, citation: bytes) -> bytes:
    """A milestone without its message count and emotion (the script prepends both)."""
    return _encoder.encode((milestone_id, description, at, citation))


def breakthrough_member(breakthrough: Breakthrough, citation: bytes) -> bytes:
    b = breakthrough
    return _encoder.encode(
        (b.id, b.description, b.category.value, b.confidence, list(b.evidence), b.at, citation)
    )


def citation_member(
    ctype: CitationType,
    citation: bytes,
    at: datetime,
    *,
    event: str | None,
    evidence: Iterable[str] = (),
    confidence: float | None = None,
    server_fields: int = 0,
) -> bytes:
    """A citation of this session. ``server_fields`` leading fields are left for the script to
    prepend: 1 = the note version (context updates), 2 = version and event (resumes)."""
    head: tuple[Any, ...] = (None, EVENT_CODES.get(event, event) if event is not None else None)
    body = (*head[server_fields:], CITATION_TYPE_CODES[ctype], citation, at, list(evidence), confidence)
    return _encoder.encode(body)


# ---------------------------------------------------------------------------- decoding


def make_message(
    message_id: str,
    seq: int,
    role: Role,
    content: str,
    at: datetime,
    citation_id: str,
    emotion: Emotion | None,
    intensity: float | None,
    confidence: float | None,
) -> Message:
    """A ``Message`` built without ``__init__``, as pickle builds one: a frozen dataclass's ``__init__``
    costs a setattr call per field, and resume builds a hundred of these on the chatbot's hot path.
    The fields are the caller's checked values; equality, hashing and ``replace`` work as usual."""
    message = _new(Message)
    message.__dict__.update(
        id=message_id,
        seq=seq,
        role=role,
        content=content,
        timestamp=at,
        citation_id=citation_id,
        emotion=emotion,
        intensity=intensity,
        confidence=confidence,
    )
    return message


def _message(raw: bytes) -> Message:
    # The hot path of resume (a hundred per call): make_message and the citation id inlined.
    header = raw[0]
    if header == _PLAIN:
        seq, message_id, role, content, at, cid = _MESSAGE.decode(raw)
        emotion = intensity = confidence = None
    elif header == _FELT:
        seq, message_id, role, content, at, cid, felt, intensity, confidence = _FELT_MESSAGE.decode(raw)
        emotion = _emotion(felt)
    else:
        raise msgspec.ValidationError("a message has 6 or 9 fields")
    if type(cid) is bytes and len(cid) == 16:
        h = cid.hex()
        citation_id = f"{CITATION_PREFIX}{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    else:
        citation_id = _citation_id(cid)
    message = _new(Message)
    message.__dict__.update(
        id=message_id,
        seq=seq,
        role=_ROLES[role],
        content=content,
        timestamp=at,
        citation_id=citation_id,
        emotion=emotion,
        intensity=intensity,
        confidence=confidence,
    )
    return message


def _transition(raw: bytes) -> EmotionTransition:
    before, to, intensity, confidence, at, cid, message_id = _TRANSITION.decode(raw)
    return EmotionTransition(
        from_emotion=_emotion(before),
        to_emotion=Emotion(to),
        intensity=intensity,
        confidence=confidence,
        at=at,
        citation_id=_citation_id(cid),
        message_id=message_id,
    )


def _milestone(raw: bytes) -> Milestone:
    count, emotion, milestone_id, description, at, cid = _MILESTONE.decode(raw)
    return Milestone(
        id=milestone_id,
        description=description,
        emotion=_emotion(emotion),
        at=at,
        message_count=count,
        citation_id=_citation_id(cid),
    )


def _breakthrough(raw: bytes) -> Breakthrough:
    breakthrough_id, description, category, confidence, evidence, at, cid = _BREAKTHROUGH.decode(raw)
    return Breakthrough(
        id=breakthrough_id,
        description=description,
        category=_CATEGORIES[category],
        confidence=confidence,
        evidence=tuple(evidence),
        at=at,
        citation_id=_citation_id(cid),
    )


def _citation(raw: bytes, user_id: str, session_id: str) -> tuple[Citation, int | None]:
    version, event, ctype, cid, at, evidence, confidence = _CITATION.decode(raw)
    citation = Citation(
        citation_id=_citation_id(cid),
        type=_TYPES[ctype],
        timestamp=at,
        user_id=user_id,
        session_id=session_id,
        event=_EVENTS[event] if isinstance(event, int) else event,
        evidence=tuple(evidence),
        confidence=confidence,
    )
    return citation, version


_ERRORS = (msgspec.DecodeError, KeyError, TypeError, ValueError)
_ARRAY_HEADERS = frozenset(range(0x90, 0xA0)) | {0xDC, 0xDD}  # MessagePack arrays


def _decode_all(
    raws: Sequence[bytes | str],
    kind: str,
    compact: Callable[[bytes], T],
    legacy: Callable[[dict[str, Any]], T],
    key: str,
    positions: Sequence[int] | None = None,
) -> tuple[T | UnreadableEntry, ...]:
    """``positions``: where ``raws`` sit in the list read (default 0, 1, ...), to name unreadable ones."""
    try:  # every member compact and readable: the common case, in one comprehension
        return tuple(compact(raw) for raw in raws)  # type: ignore[arg-type]
    except (*_ERRORS, IndexError):
        pass
    out: list[T | UnreadableEntry] = []
    for position, raw in zip(range(len(raws)) if positions is None else positions, raws, strict=True):
        if isinstance(raw, str):
            raw = raw.encode()
        if not raw or raw[0] not in _ARRAY_HEADERS:  # JSON written before, or not a member at all
            out.append(codec.decode_member(raw, kind, position, legacy, key=key))
            continue
        try:
            out.append(compact(raw))
        except _ERRORS as exc:
            out.append(codec.unreadable(kind, position, _reason(raw, exc), key))
    return tuple(out)


def _reason(raw: bytes, exc: Exception) -> str:
    if isinstance(exc, msgspec.ValidationError):
        return "MessagePack of the wrong shape"
    if isinstance(exc, msgspec.DecodeError):
        return "not valid UTF-8" if "utf-8" in str(exc).lower() else "not valid MessagePack"
    return "MessagePack with an unknown value"


def messages(raws: Sequence[bytes | str], *, key: str = "") -> tuple[Message | UnreadableEntry, ...]:
    return _cached(DECODED_MESSAGES, raws, "message", _message, codec.message_from, key)


def transitions(
    raws: Sequence[bytes | str], *, key: str = ""
) -> tuple[EmotionTransition | UnreadableEntry, ...]:
    return _cached(DECODED_TRANSITIONS, raws, "emotion transition", _transition, codec.transition_from, key)


def milestones(raws: Sequence[bytes | str], *, key: str = "") -> tuple[Milestone | UnreadableEntry, ...]:
    return _cached(DECODED_MILESTONES, raws, "milestone", _milestone, codec.milestone_from, key)


def breakthroughs(
    raws: Sequence[bytes | str], *, key: str = ""
) -> tuple[Breakthrough | UnreadableEntry, ...]:
    return _cached(DECODED_BREAKTHROUGHS, raws, "breakthrough", _breakthrough, codec.breakthrough_from, key)


def _cached(
    cache: DecodedCache[T],
    raws: Sequence[bytes | str],
    kind: str,
    compact: Callable[[bytes], T],
    legacy: Callable[[dict[str, Any]], T],
    key: str,
) -> tuple[T | UnreadableEntry, ...]:
    """``_decode_all`` for the members ``cache`` has not seen (decoded.py)."""
    return cache.decode(raws, lambda some, at: _decode_all(some, kind, compact, legacy, key, at))


def citations_with_versions(
    raws: Sequence[bytes | str], user_id: str, session_id: str, *, key: str = ""
) -> tuple[tuple[Citation, int | None] | UnreadableEntry, ...]:
    """Citations with the note version a context update recorded (``None`` for other changes)."""

    def legacy(data: dict[str, Any]) -> tuple[Citation, int | None]:
        version = data.get("version")
        return codec.citation_from(data), version if isinstance(version, int) else None

    return _decode_all(raws, "citation", lambda raw: _citation(raw, user_id, session_id), legacy, key)


def citations(
    raws: Sequence[bytes | str], user_id: str, session_id: str, *, key: str = ""
) -> tuple[Citation | UnreadableEntry, ...]:
    return tuple(
        item if isinstance(item, UnreadableEntry) else item[0]
        for item in citations_with_versions(raws, user_id, session_id, key=key)
    )


def message_id_of(raw: bytes | str) -> str | None:
    """The message id a stored message member carries (``None`` when unreadable); for checks and tools."""
    decoded = messages([raw])[0]
    return decoded.id if isinstance(decoded, Message) else None
