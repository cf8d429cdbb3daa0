"""The client page's "Unread" column: messages of each session the viewer has not marked reviewed."""

from __future__ import annotations

from collections.abc import Mapping

from ifemotion.accounts.models import User
from sessions_app.dashboard.client_columns import SummaryColumn, add_column
from sessions_app.review.cursors import cursors_for


def unread_cells(viewer: User, client_id: str, sessions: Mapping[str, int]) -> dict[str, str]:
    reviewed = cursors_for(viewer.pk, [client_id], session_ids=list(sessions))
    cells = {}
    for session_id, messages in sessions.items():
        cursor = reviewed.get((client_id, session_id))
        cells[session_id] = str(max(0, messages - (cursor.messages if cursor else 0)))
    return cells


def register() -> None:
    add_column(SummaryColumn("Unread", unread_cells, in_print=False))
