"""Extra per-session columns of the client page (and its summary PDF), supplied by other features.

A column is a header and a function that gets the viewer, the client and the sessions shown (id →
message count), and returns one short cell text per session id (missing ids show "—"). It is called
once per page, with all the sessions, so it can answer from one query. Risk flags (unresolved flags
per session) and read cursors (unread messages per session, for this viewer) register theirs with
``add_column`` when their apps are ready; the page and the PDF show them in that order, after
"Breakthroughs".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ifemotion.accounts.models import User

CellsFor = Callable[[User, str, Mapping[str, int]], Mapping[str, str]]


@dataclass(frozen=True)
class SummaryColumn:
    header: str
    cells: CellsFor


SUMMARY_COLUMNS: list[SummaryColumn] = []


def add_column(column: SummaryColumn) -> None:
    """Register a column (once: an app's ``ready`` may run again in tests)."""
    if all(existing.header != column.header for existing in SUMMARY_COLUMNS):
        SUMMARY_COLUMNS.append(column)


def extra_cells(viewer: User, client_id: str, sessions: Mapping[str, int]) -> dict[str, tuple[str, ...]]:
    """Session id → the cells of every registered column, in column order (``sessions``: id → messages)."""
    answers = [column.cells(viewer, client_id, sessions) for column in SUMMARY_COLUMNS]
    return {sid: tuple(answer.get(sid, "—") for answer in answers) for sid in sessions}


def extra_headers() -> tuple[str, ...]:
    return tuple(column.header for column in SUMMARY_COLUMNS)
