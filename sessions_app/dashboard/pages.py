"""Dashboard workflows: a session's page data and the cheap "changed?" token (notes, guidance and
adjudication live in ``sessions_app.notes``).

Views stay thin: they check access, call one of these, and render. Nothing here logs message text or
notes; errors are logged by type only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

import sessions_app.state.configured as configured
from ifemotion.accounts import audit
from ifemotion.accounts.models import AuditAction, User
from sessions_app import repository
from sessions_app.access import AccessGrant
from sessions_app.dashboard.charts import emotion_chart_svg
from sessions_app.dashboard.journey import JourneyRow, chart_links, focus_row, journey_rows
from sessions_app.domain import Breakthrough, Message, SessionState, UnreadableEntry
from sessions_app.repository.citation_pages import CitationPage, citation_page
from sessions_app.repository.session_page import get_session_page

TRANSCRIPT_PAGE = 50


@dataclass(frozen=True)
class TranscriptPage:
    items: tuple[Any, ...]
    page: int
    pages: int
    total: int
    first_seq: int

    @property
    def last_seq(self) -> int:
        return self.first_seq + len(self.items) - 1


@dataclass(frozen=True)
class SessionView:
    record: repository.SessionRecord
    state: SessionState
    chart_svg: SafeString
    breakthroughs: list[Breakthrough]
    transcript: TranscriptPage
    citations: CitationPage
    token: str
    journey: list[JourneyRow | UnreadableEntry] = field(default_factory=list)
    focus_row: JourneyRow | None = None  # the emotion update a provenance link pointed at

    @property
    def is_live(self) -> bool:
        return self.record.source == "live"


def transcript_page_of(seq: int) -> int:
    """The transcript page that holds message ``seq`` (1-based)."""
    return (max(seq, 1) - 1) // TRANSCRIPT_PAGE + 1


def message_url(client_id: str, session_id: str, seq: int) -> str:
    """A deep link to one message: the session page opens at its transcript page, the message
    highlighted and scrolled into view. Every feature that points at a message uses this."""
    path = reverse("sessions:detail", args=[client_id, session_id])
    return f"{path}?m={seq}#m{seq}"


def transcript_page(
    client_id: str, session_id: str, page: int | None, *, expected_total: int
) -> TranscriptPage:
    """One page of the whole transcript (archive + overflow + live window); default: the latest.

    ``expected_total`` (the session's message count) picks the page without a counting read; if
    the history turns out to have another length, the page is fetched again once.
    """

    def fetch(total: int) -> tuple[int, int, Any]:
        pages = max(1, -(-total // TRANSCRIPT_PAGE))
        number = pages if page is None else min(max(1, page), pages)
        offset = (number - 1) * TRANSCRIPT_PAGE
        return (
            number,
            pages,
            repository.get_history(client_id, session_id, offset=offset, limit=TRANSCRIPT_PAGE),
        )

    number, pages, history = fetch(expected_total)
    if history.total != expected_total:
        number, pages, history = fetch(history.total)
    offset = (number - 1) * TRANSCRIPT_PAGE
    return TranscriptPage(tuple(history.items), number, pages, history.total, offset + 1)


def _transcript(client_id: str, session_id: str, state: SessionState, page: int | None) -> TranscriptPage:
    """The session read already holds the whole transcript when nothing left its window: page it
    from there (no second read). Otherwise ask the repository for the page."""
    total = state.metadata.message_count
    if state.overflow_count == 0 and len(state.messages) == total:
        pages = max(1, -(-total // TRANSCRIPT_PAGE))
        number = pages if page is None else min(max(1, page), pages)
        offset = (number - 1) * TRANSCRIPT_PAGE
        items = state.messages[offset : offset + TRANSCRIPT_PAGE]
        return TranscriptPage(tuple(items), number, pages, total, offset + 1)
    return _from_window(state, page) or transcript_page(client_id, session_id, page, expected_total=total)


def _from_window(state: SessionState, page: int | None) -> TranscriptPage | None:
    """The page, when the window already holds every message of it (the latest page usually): a long
    session's first screen then reads nothing older. None when it does not (or holds a damaged entry)."""
    total = state.metadata.message_count
    pages = max(1, -(-total // TRANSCRIPT_PAGE))
    number = pages if page is None else min(max(1, page), pages)
    first, last = (number - 1) * TRANSCRIPT_PAGE + 1, min(number * TRANSCRIPT_PAGE, total)
    by_seq = {m.seq: m for m in state.messages if isinstance(m, Message)}
    if len(by_seq) != len(state.messages) or any(seq not in by_seq for seq in range(first, last + 1)):
        return None
    return TranscriptPage(tuple(by_seq[seq] for seq in range(first, last + 1)), number, pages, total, first)


def live_token(client_id: str, session_id: str) -> str:
    """A fingerprint of what the page shows, in one cheap round trip. Raises StateUnavailable."""
    return configured.get_state_manager().change_probe(client_id, session_id, with_citations=False)[0]


def session_view(
    grant: AccessGrant,
    session_id: str,
    *,
    page: int | None,
    citations_page: int | None = None,
    citation_focus: str = "",
) -> SessionView:
    """Everything the session page shows. Raises SessionNotFound or StateUnavailable.

    A live session is read from Redis once (one consistent snapshot: state, transcript page, pending
    citations and change token); the archive supplies only what Redis no longer holds.
    ``citation_focus``: a citation id a provenance link points at; its update and its row in the
    (paged) citations are highlighted.
    """
    fetched = get_session_page(grant.client_id, session_id, page=page, page_size=TRANSCRIPT_PAGE)
    record, state, token = fetched.record, fetched.record.state, fetched.token
    pending: list[Any] = list(fetched.pending_citations)
    if fetched.history is None:
        transcript = _transcript(grant.client_id, session_id, state, page)
    else:
        history = fetched.history
        number, pages = history.offset // TRANSCRIPT_PAGE + 1, max(1, -(-history.total // TRANSCRIPT_PAGE))
        transcript = TranscriptPage(history.items, number, pages, history.total, history.offset + 1)
    breakthroughs = sorted(
        (b for b in state.breakthroughs if isinstance(b, Breakthrough)), key=lambda b: (-b.confidence, b.at)
    )
    journey = journey_rows(grant.client_id, session_id, state, live=record.source == "live")
    links = chart_links(journey)
    return SessionView(
        record=record,
        state=state,
        # Safe to mark: charts.py builds the SVG from html.escape'd parts only. Never client text.
        chart_svg=mark_safe(emotion_chart_svg(state.emotion_log, links=links)),  # noqa: S308
        breakthroughs=breakthroughs,
        transcript=transcript,
        citations=citation_page(
            grant.client_id, session_id, pending, page=citations_page, focus=citation_focus
        ),
        token=token,
        journey=journey,
        focus_row=focus_row(journey, citation_focus),
    )


def record_list_view(request: HttpRequest, user: User, page: int, rows: int) -> None:
    """One row per list page shown (the list names clients and their current emotions)."""
    audit.record(
        AuditAction.SESSION_LIST, actor=user.username, role=user.role, request=request,
        detail={"page": page, "rows": rows},
    )  # fmt: skip


def record_view(request: HttpRequest, grant: AccessGrant, session_id: str) -> None:
    audit.record(
        AuditAction.SESSION_VIEWED,
        actor=grant.username,
        role=grant.role,
        request=request,
        client_id=grant.client_id,
        session_id=session_id,
        detail={"via": grant.via},
    )
