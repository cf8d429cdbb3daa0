"""Extra per-session columns of the client page (and its summary PDF), supplied by other features.

A column is a header and a function that gets the viewer, the client and the ids of the sessions shown,
and returns one short cell text per session id (missing ids show "—"). It is called once per page,
with all the ids, so it can answer from one query. Risk flags (open flags per session) and read
cursors (unread messages per session, for this viewer) add theirs to ``SUMMARY_COLUMNS``; the page and
the PDF then show them in the order listed, between "Breakthroughs" and the end of the row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ifemotion.accounts.models import User

CellsFor = Callable[[User, str, Sequence[str]], Mapping[str, str]]


@dataclass(frozen=True)
class SummaryColumn:
    header: str
    cells: CellsFor


SUMMARY_COLUMNS: list[SummaryColumn] = []


def extra_cells(viewer: User, client_id: str, session_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Session id → the cells of every registered column, in column order."""
    answers = [column.cells(viewer, client_id, session_ids) for column in SUMMARY_COLUMNS]
    return {sid: tuple(answer.get(sid, "—") for answer in answers) for sid in session_ids}


def extra_headers() -> tuple[str, ...]:
    return tuple(column.header for column in SUMMARY_COLUMNS)
