"""Open risk flags as the inbox ranks them: a small typed summary per client and per session.

The risk workflow (issue 12, ``sessions_app/risk/``) owns the flags. The inbox only needs, per client,
how many flags are open at each severity and the most urgent acknowledgement deadline. Its input is
``FlagSummary``; the two functions below are the seam where the risk queries plug in. Until they do,
there are no flags and the inbox shows no flag column (``flags_available()`` is False).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

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
    return False


def client_flag_summaries(client_ids: Sequence[str]) -> Mapping[str, FlagSummary]:
    """Open flags per client. Plug-in point: ``sessions_app.risk.queries.open_flag_summary``."""
    return {}


def session_flag_summaries(client_id: str, session_ids: Sequence[str]) -> Mapping[str, FlagSummary]:
    """Open flags per session of one client. Plug-in point: the risk queries' per-session variant."""
    return {}
