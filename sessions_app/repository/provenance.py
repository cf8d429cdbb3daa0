"""Where each emotion update came from: the message it was attached to, or the one just before it.

An update sent with a message (``append_message(..., emotion=...)``) names that message; one sent on its
own (``update_emotion``) names none, so it is tied to the last message at or before its time. An update
before the session's first message is tied to that first message (``how="after"``, and said so).

Resolution reads as little as it can: first the messages the caller already holds (the live window or
the whole transcript of an export), then the live overflow when a live session still has one, then the
archive by message id and by time, reading index columns only (seq, id, citation, time), never text.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import sessions_app.state.members as members
from sessions_app.domain import EmotionTransition, Message
from sessions_app.models import ArchivedMessage
from sessions_app.repository.sessions import state_manager
from sessions_app.state.live import LiveStore
from sessions_app.state.manager import ConversationStateManager

How = Literal["attached", "before", "after"]
COLUMNS = ("seq", "message_id", "citation_id", "timestamp")


@dataclass(frozen=True)
class MessageRef:
    """The message an emotion update belongs to, and that message's own citation."""

    seq: int
    message_id: str
    citation_id: str
    how: How  # attached: sent with it; before: the last message before it; after: none before it


@dataclass(frozen=True)
class _Stub:
    seq: int
    message_id: str
    citation_id: str
    timestamp: datetime


def _stub(message: Message) -> _Stub:
    return _Stub(message.seq, message.id, message.citation_id, message.timestamp)


def _ref(stub: _Stub, how: How) -> MessageRef:
    return MessageRef(stub.seq, stub.message_id, stub.citation_id, how)


class _Index:
    """Messages known so far: a contiguous run up to the newest, by id and by time."""

    def __init__(self, stubs: Iterable[_Stub], *, starts_at_first: bool) -> None:
        ordered = sorted({s.seq: s for s in stubs}.values(), key=lambda s: s.seq)
        self.by_id = {s.message_id: s for s in ordered}
        self.ordered = ordered
        self.times = [s.timestamp for s in ordered]
        self.starts_at_first = starts_at_first or (bool(ordered) and ordered[0].seq == 1)

    def find(self, transition: EmotionTransition) -> MessageRef | None:
        if transition.message_id:
            found = self.by_id.get(transition.message_id)
            if found is not None:
                return _ref(found, "attached")
            if not self.starts_at_first:
                return None  # it is earlier than what we hold
        position = bisect_right(self.times, transition.at) - 1
        if position >= 0:
            return _ref(self.ordered[position], "before")
        if self.starts_at_first and self.ordered:
            return _ref(self.ordered[0], "after")
        return None


def link_transitions(
    transitions: Sequence[EmotionTransition], messages: Iterable[object], *, complete: bool = True
) -> list[MessageRef | None]:
    """For each transition, its message among ``messages`` (the newest messages of the session, in any
    order; non-messages are skipped). ``complete``: they reach back to the first message, so nothing
    older exists; otherwise a transition pointing further back stays ``None``."""
    index = _Index((_stub(m) for m in messages if isinstance(m, Message)), starts_at_first=complete)
    return [index.find(t) for t in transitions]


def _row_stub(row: tuple[int, str, str, datetime]) -> _Stub:
    return _Stub(*row)


def _from_archive(
    client_id: str,
    session_id: str,
    transitions: Sequence[EmotionTransition],
    refs: list[MessageRef | None],
    *,
    next_known: int | None = None,
) -> None:
    """Fill the ``None`` entries of ``refs`` from the archive (index columns only).

    ``next_known``: when unarchived live messages were not read, the seq of the first message held
    (the window's); an answer by time is then kept only if the message after it is known to come
    later (archived, or that first held message), else it stays ``None`` (it may lie in between).
    """
    rows = ArchivedMessage.objects.filter(user_id=client_id, session_id=session_id)
    missing = [i for i, ref in enumerate(refs) if ref is None]
    ids = {transitions[i].message_id for i in missing if transitions[i].message_id}
    by_id = {
        stub.message_id: stub
        for stub in map(_row_stub, rows.filter(message_id__in=ids).values_list(*COLUMNS))
    }
    first: _Stub | None = None
    for i in missing:
        transition = transitions[i]
        found = by_id.get(transition.message_id or "")
        if found is not None:
            refs[i] = _ref(found, "attached")
            continue
        if transition.message_id and next_known is not None:
            continue  # named, not archived, not in the window: it waits in the live overflow
        before = rows.filter(timestamp__lte=transition.at).order_by("-seq").values_list(*COLUMNS).first()
        if before is not None:
            following = before[0] + 1
            if next_known is None or following == next_known or rows.filter(seq=following).exists():
                refs[i] = _ref(_row_stub(before), "before")
            continue
        if next_known is not None and not rows.filter(seq=1).exists():
            continue  # the first message may be one not archived yet
        if first is None:
            row = rows.order_by("seq").values_list(*COLUMNS).first()
            first = None if row is None else _row_stub(row)
        if first is not None:
            refs[i] = _ref(first, "after")


def journey_links(
    client_id: str,
    session_id: str,
    transitions: Sequence[EmotionTransition],
    window: Sequence[object],
    *,
    live: bool,
    overflow: int,
    read_overflow: bool = True,
    manager: ConversationStateManager | None = None,
) -> list[MessageRef | None]:
    """The message of every transition of a session the caller has read (``window``: the messages it
    holds; ``overflow``: how many older messages are not in it, in Redis when ``live``, else archived).

    Reads nothing more when the window answers everything. ``read_overflow=False`` never reads the
    live overflow (the messages the archiver has not drained yet): what only it could answer stays
    ``None``, for the caller to resolve when asked. Raises ``StateUnavailable`` only if the live
    overflow had to be read and Redis is down.
    """
    refs = link_transitions(transitions, window, complete=overflow == 0 and not _gap(window))
    if all(ref is not None for ref in refs):
        return refs
    next_known = None
    if live and overflow:
        if read_overflow:
            raws = LiveStore(state_manager(manager).redis).history(client_id, session_id) or ()
            held = members.messages(raws, key=session_id)
            again = link_transitions(transitions, held, complete=False)
            refs = [ref or other for ref, other in zip(refs, again, strict=True)]
        else:
            seqs = [m.seq for m in window if isinstance(m, Message)]
            next_known = min(seqs) if seqs else 1
    if any(ref is None for ref in refs):
        _from_archive(client_id, session_id, transitions, refs, next_known=next_known)
    return refs


def _gap(window: Sequence[object]) -> bool:
    """True when the held messages do not start at message 1 (something older exists)."""
    seqs = [m.seq for m in window if isinstance(m, Message)]
    return bool(seqs) and min(seqs) > 1
