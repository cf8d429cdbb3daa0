"""The emotional journey of one session as the page shows it: each transition with its provenance (the
message and citation that changed the state), its valence, and whether it is low-confidence.

The chart's points and the table's rows link to the same place: the transcript page of the message,
with the message highlighted and the update's citation highlighted in the citations panel.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from sessions_app import repository
from sessions_app.domain import EmotionTransition, SessionState, UnreadableEntry
from sessions_app.emotions import valence_of
from sessions_app.repository.provenance import MessageRef, journey_links

CITATION_ID = re.compile(r"[A-Za-z0-9:/._-]{1,100}")


@dataclass(frozen=True)
class JourneyRow:
    transition: EmotionTransition
    ref: MessageRef | None
    valence: str
    low_confidence: bool
    url: str  # the message, highlighted (empty when it could not be resolved)

    @property
    def citation_anchor(self) -> str:
        return citation_anchor(self.transition.citation_id)


def citation_anchor(citation_id: str) -> str:
    """An HTML id for a citation's row: ``c-`` and the id's characters that ids may hold."""
    return "c-" + re.sub(r"[^A-Za-z0-9_-]", "-", citation_id.removeprefix("if://citation/"))


def low_confidence_threshold() -> float:
    return float(getattr(settings, "EMOTION_LOW_CONFIDENCE", 0.5))


def provenance_url(client_id: str, session_id: str, seq: int, citation_id: str) -> str:
    """Like ``pages.message_url``, plus the citation to highlight: ``?m=<seq>&c=<citation>#m<seq>``."""
    path = reverse("sessions:detail", args=[client_id, session_id])
    return f"{path}?{urlencode({'m': seq, 'c': citation_id})}#m{seq}"


def resolver_url(client_id: str, session_id: str, citation_id: str) -> str:
    """A link that finds the update's message when followed (``resolve``), then redirects to it."""
    path = reverse("sessions:provenance", args=[client_id, session_id])
    return f"{path}?{urlencode({'c': citation_id})}"


def resolve(client_id: str, session_id: str, citation_id: str) -> str | None:
    """The provenance link of one update, reading whatever it takes (the live overflow included).
    None when the session has no such update or its message cannot be found. Raises like
    ``repository.get_session``; ``StateUnavailable`` when the overflow is needed and Redis is down."""
    record = repository.get_session(client_id, session_id)
    state = record.state
    found = [
        t for t in state.emotion_log if isinstance(t, EmotionTransition) and t.citation_id == citation_id
    ]
    if not found:
        return None
    (ref,) = journey_links(
        client_id, session_id, found, state.messages, live=record.source == "live",
        overflow=state.overflow_count,
    )  # fmt: skip
    return None if ref is None else provenance_url(client_id, session_id, ref.seq, citation_id)


def checked_citation(raw: str) -> str:
    """A citation id from a query string, or "" if it cannot be one (it is only ever compared)."""
    return raw if CITATION_ID.fullmatch(raw) else ""


def journey_rows(
    client_id: str, session_id: str, state: SessionState, *, live: bool
) -> list[JourneyRow | UnreadableEntry]:
    """The session's transitions in log order, each resolved to its message (see ``provenance``)."""
    readable = [t for t in state.emotion_log if isinstance(t, EmotionTransition)]
    # Never the live overflow here: a long session's page reads its window (and index columns of the
    # archive), not its whole transcript. What only the overflow can answer resolves when clicked.
    refs = journey_links(
        client_id, session_id, readable, state.messages, live=live, overflow=state.overflow_count,
        read_overflow=False,
    )  # fmt: skip
    by_citation = dict(zip((t.citation_id for t in readable), refs, strict=True))
    threshold = low_confidence_threshold()
    rows: list[JourneyRow | UnreadableEntry] = []
    for item in state.emotion_log:
        if isinstance(item, UnreadableEntry):
            rows.append(item)
            continue
        ref = by_citation.get(item.citation_id)
        rows.append(
            JourneyRow(
                transition=item,
                ref=ref,
                valence=valence_of(item.to_emotion).value,
                low_confidence=item.confidence < threshold,
                url=resolver_url(client_id, session_id, item.citation_id)
                if ref is None
                else provenance_url(client_id, session_id, ref.seq, item.citation_id),
            )
        )
    return rows


def chart_links(rows: Sequence[JourneyRow | UnreadableEntry]) -> dict[str, str]:
    """Citation id of each transition → the link its chart point carries."""
    return {r.transition.citation_id: r.url for r in rows if isinstance(r, JourneyRow) and r.url}


def focus_row(rows: Sequence[JourneyRow | UnreadableEntry], citation_id: str) -> JourneyRow | None:
    """The transition a provenance link asked to highlight, if it is one of this session's."""
    if not citation_id:
        return None
    for row in rows:
        if isinstance(row, JourneyRow) and row.transition.citation_id == citation_id:
            return row
    return None
