"""The documented JSON shape of a session: the state layer's ``export_json``, the HTTP API's resume and
the canonical record the exports hash all use it."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, fields
from datetime import datetime
from operator import attrgetter
from typing import Any

from sessions_app.domain import SessionState, UnreadableEntry

# 1.1: context_snapshot gained topics_to_avoid, guidance_version and guidance_updated_by.
EXPORT_SCHEMA_VERSION = "1.1"


_AS_IS = frozenset({str, int, bool, type(None)})


def jsonable(value: Any) -> Any:
    """Domain values as JSON-ready data: ISO timestamps, lists, and null for a non-finite number."""
    if type(value) in _AS_IS or isinstance(value, str):  # most fields (str covers the str enums)
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [v if type(v) in _AS_IS else jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


Layout = tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]
_LAYOUTS: dict[type, Layout] = {}  # a handful of domain classes


def _layout(cls: type) -> Layout:
    """A domain class's field names and one getter of all their values (in C), looked up once."""
    layout = _LAYOUTS.get(cls)
    if layout is None:
        names = tuple(f.name for f in fields(cls))
        getter = attrgetter(*names)
        layout = _LAYOUTS[cls] = (names, getter if len(names) > 1 else lambda item: (getter(item),))
    return layout


def _entry(item: Any) -> dict[str, Any]:
    # Field by field rather than asdict(): list entries are flat, and asdict's deep copy was most of
    # the time of exporting a long transcript.
    names, values_of = _layout(type(item))
    data = {
        name: value if type(value) in _AS_IS else jsonable(value)
        for name, value in zip(names, values_of(item), strict=True)
    }
    return {"unreadable": True, **data} if isinstance(item, UnreadableEntry) else data


def _entries(items: Sequence[Any]) -> list[dict[str, Any]]:
    return [_entry(item) for item in items]


def state_to_json(state: SessionState) -> dict[str, Any]:
    """The documented JSON shape of a session (also the canonical form the exports hash)."""
    meta = state.metadata
    return {
        "schema_version": EXPORT_SCHEMA_VERSION,
        "session": jsonable(asdict(meta)),
        "emotion": jsonable(asdict(state.emotion)),
        "emotion_log": _entries(state.emotion_log),
        "messages": _entries(state.messages),
        "messages_in_overflow": state.overflow_count,
        "milestones": _entries(state.milestones),
        "breakthroughs": _entries(state.breakthroughs),
        "context_snapshot": jsonable(asdict(state.context)),
        "pending_citations": _entries(state.pending_citations),
        "unreadable_entries": state.unreadable_count,
    }
