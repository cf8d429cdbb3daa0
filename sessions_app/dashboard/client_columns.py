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
    # False for what belongs to the viewer, not to the record (unread messages): page only, not the PDF.
    in_print: bool = True


SUMMARY_COLUMNS: list[SummaryColumn] = []


def add_column(column: SummaryColumn) -> None:
    """Register a column (once: an app's ``ready`` may run again in tests)."""
    if all(existing.header != column.header for existing in SUMMARY_COLUMNS):
        SUMMARY_COLUMNS.append(column)


def _columns(printed: bool) -> list[SummaryColumn]:
    return [column for column in SUMMARY_COLUMNS if column.in_print or not printed]


def extra_cells(
    viewer: User, client_id: str, sessions: Mapping[str, int], *, printed: bool = False
) -> dict[str, tuple[str, ...]]:
    """Session id → the cells of every registered column, in column order (``sessions``: id → messages)."""
    answers = [column.cells(viewer, client_id, sessions) for column in _columns(printed)]
    return {sid: tuple(answer.get(sid, "—") for answer in answers) for sid in sessions}


def extra_headers(*, printed: bool = False) -> tuple[str, ...]:
    return tuple(column.header for column in _columns(printed))
