"""Open risk flags as the inbox ranks them: a small typed summary per client and per session.

The risk workflow (``sessions_app/risk/``) owns the flags. The inbox only needs, per client, how many
flags are unresolved at each severity and the most urgent acknowledgement deadline: ``FlagSummary``,
made here from the risk queries' richer summary (``sessions_app.risk.queries``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sessions_app.risk import queries

# Higher is more urgent; the inbox sorts on it. Names as the risk issue defines them.
SEVERITY_RANK: dict[str, int] = {"high": 3, "medium": 2, "low": 1}


@dataclass(frozen=True)
class FlagSummary:
    """Open (not yet resolved) flags of one client or one session."""

    high: int = 0
    medium: int = 0
    low: int = 0
    next_deadline: datetime | None = None  # the earliest acknowledgement deadline among them

    @property
    def open(self) -> int:
        return self.high + self.medium + self.low

    @property
    def severity(self) -> str:
        """The highest severity open ("" when none)."""
        for name in ("high", "medium", "low"):
            if getattr(self, name):
                return name
        return ""

    @property
    def rank(self) -> int:
        return SEVERITY_RANK.get(self.severity, 0)


NO_FLAGS = FlagSummary()


def flags_available() -> bool:
    """Whether a flag source is plugged in (the inbox shows flag columns and filters only then)."""
    return True


def _summary(risk: queries.FlagSummary) -> FlagSummary:
    by = risk.by_severity
    return FlagSummary(
        high=by.get("high", 0),
        medium=by.get("medium", 0),
        low=by.get("low", 0),
        next_deadline=risk.next_deadline,
    )


def client_flag_summaries(client_ids: Sequence[str]) -> Mapping[str, FlagSummary]:
    """Unresolved flags per client (clients without any are absent)."""
    return {client: _summary(s) for client, s in queries.open_flag_summary(client_ids).items()}


def session_flag_summaries(client_id: str, session_ids: Sequence[str]) -> Mapping[str, FlagSummary]:
    """Unresolved flags per session of one client (sessions without any are absent)."""
    found = queries.open_flag_summary_by_session(client_id, session_ids)
    return {session: _summary(s) for session, s in found.items()}
