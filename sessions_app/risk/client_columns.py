"""The client page's "Risk flags" column: unresolved (open or acknowledged) flags per session, by severity
(inferred by rules)."""

from __future__ import annotations

from collections.abc import Mapping

from ifemotion.accounts.models import User
from sessions_app.dashboard.client_columns import SummaryColumn, add_column
from sessions_app.risk.queries import SEVERITIES, open_flag_summary_by_session


def flag_cells(viewer: User, client_id: str, sessions: Mapping[str, int]) -> dict[str, str]:
    found = open_flag_summary_by_session(client_id, list(sessions))
    cells = {session_id: "0" for session_id in sessions}
    for session_id, summary in found.items():
        parts = [f"{summary.by_severity[s]} {s}" for s in SEVERITIES if summary.by_severity.get(s)]
        cells[session_id] = ", ".join(parts)
    return cells


def register() -> None:
    add_column(SummaryColumn("Risk flags", flag_cells))
