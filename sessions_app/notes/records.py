"""What the notes app gives pages, the API and exports: frozen dataclasses, no Django imports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RevisionRecord:
    version: int
    text: str
    author: str
    author_role: str
    saved_at: datetime
    source: str  # "dashboard", or "context" (taken over from the session's context snapshot)


@dataclass(frozen=True)
class AddendumRecord:
    text: str
    reason: str
    author: str
    author_role: str
    added_at: datetime


@dataclass(frozen=True)
class NoteRecord:
    """A session's note as it stands: the latest revision, its signature and addenda."""

    user_id: str
    session_id: str
    version: int
    text: str
    author: str
    author_role: str
    saved_at: datetime | None
    source: str
    signed_by: str = ""
    signed_role: str = ""
    signed_at: datetime | None = None
    signed_version: int | None = None
    addenda: tuple[AddendumRecord, ...] = ()

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def status(self) -> str:
        return "signed" if self.is_signed else "draft"


@dataclass(frozen=True)
class GuidanceRecord:
    client_id: str
    version: int
    current_theme: str
    therapeutic_focus: str
    topics_to_avoid: str
    author: str
    author_role: str
    saved_at: datetime

    def seed(self) -> dict[str, str]:
        """The context fields a new session is seeded with."""
        return {
            "current_theme": self.current_theme,
            "therapeutic_focus": self.therapeutic_focus,
            "topics_to_avoid": self.topics_to_avoid,
            "guidance_version": str(self.version),
            "guidance_updated_by": self.author,
        }


@dataclass(frozen=True)
class AdjudicationRecord:
    """A clinician's current decision on one inference, with both labels."""

    kind: str  # "milestone" | "breakthrough"
    item_id: str
    item_at: datetime
    version: int
    ai_category: str
    ai_confidence: float | None
    ai_band: str
    decision: str  # "accepted" | "rejected" | "relabelled"
    clinician_category: str
    clinician_band: str
    reason: str
    decided_by: str
    decided_role: str
    decided_at: datetime

    @property
    def verified(self) -> bool:
        """Accepted or relabelled: a finding a clinician stands behind (with the clinician's label)."""
        return self.decision != "rejected"
