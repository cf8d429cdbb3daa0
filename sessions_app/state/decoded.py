"""Members already decoded, by their stored bytes, so a session read again is not decoded again.

Why: decoding is most of a resume's client time (a hundred messages into frozen dataclasses, about
190 µs on our VMs, against one dictionary lookup each when they were decoded before; the emotion
log, milestones and breakthroughs likewise). Citations are not kept: their user and session come
from the key that holds them, not from their bytes. It is safe:

- never stale: a stored member never changes, and its bytes hold everything the decoded object
  shows (id, seq, text, time, citation), so the object is a function of the bytes alone;
- never a way around access checks: only a caller holding the exact bytes, i.e. one that has just
  read them from Redis, gets the object back;
- bounded: ``capacity`` objects per kind (``STATE_DECODED_MESSAGES``, default 5,000: fifty sessions'
  windows, about 6 MB of messages), the oldest dropped first; 0 turns the caches off. It holds no
  more than the live records this process has just read, for no longer than the next few thousand
  reads.

Unreadable members are never kept: what they say (their position in the list) belongs to one read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from sessions_app.domain import Breakthrough, EmotionTransition, Message, Milestone, UnreadableEntry

T = TypeVar("T")
Raw = bytes | str
# Decodes the members at the given positions of the list being read (positions name unreadable ones).
DecodeAll = Callable[[Sequence[Raw], Sequence[int]], tuple["T | UnreadableEntry", ...]]


class DecodedCache(Generic[T]):
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: dict[Raw, T] = {}
        self._evicting = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()

    def decode(self, raws: Sequence[Raw], decode_all: DecodeAll[T]) -> tuple[T | UnreadableEntry, ...]:
        """Every member of ``raws`` decoded, the ones seen before from the cache."""
        if self.capacity <= 0:
            return decode_all(raws, range(len(raws)))
        items = self._items
        try:  # every member seen before (a session read again): one pass in C
            return tuple(map(items.__getitem__, raws))
        except KeyError:
            pass
        get = items.get
        found: list[T | UnreadableEntry | None] = [get(raw) for raw in raws]
        misses = [position for position, item in enumerate(found) if item is None]
        if not misses:
            return tuple(found)  # type: ignore[arg-type]  # no None left
        decoded = decode_all([raws[position] for position in misses], misses)
        for position, item in zip(misses, decoded, strict=True):
            found[position] = item
            if not isinstance(item, UnreadableEntry):
                self._keep(raws[position], item)
        return tuple(found)  # type: ignore[arg-type]

    def _keep(self, raw: Raw, item: T) -> None:
        items = self._items
        if len(items) >= self.capacity:
            with self._evicting:  # one thread evicts; readers never wait
                while len(items) >= self.capacity:
                    try:
                        del items[next(iter(items))]  # the oldest: dicts keep insertion order
                    except (StopIteration, KeyError, RuntimeError):  # another thread changed it meanwhile
                        break
        items[raw] = item


# One cache per kind of member and process, shared by every reader of live records (members.py).
DECODED_MESSAGES: DecodedCache[Message] = DecodedCache(5_000)
DECODED_TRANSITIONS: DecodedCache[EmotionTransition] = DecodedCache(5_000)
DECODED_MILESTONES: DecodedCache[Milestone] = DecodedCache(5_000)
DECODED_BREAKTHROUGHS: DecodedCache[Breakthrough] = DecodedCache(5_000)
ALL: tuple[DecodedCache[Any], ...] = (
    DECODED_MESSAGES,
    DECODED_TRANSITIONS,
    DECODED_MILESTONES,
    DECODED_BREAKTHROUGHS,
)


def size_all(capacity: int) -> None:
    """Bounds each kind's cache (``STATE_DECODED_MESSAGES``; 0 turns them off)."""
    for cache in ALL:
        cache.capacity = capacity


def clear_all() -> None:
    for cache in ALL:
        cache.clear()
