"""A session's citations one page at a time: the archived ones from the database (paged there) and
those still buffered in Redis after them, each once, oldest first.

The archiver drains a session's citation list in order, so what is still buffered is newer than what
is archived; a buffered citation the archiver already copied (but not yet trimmed) is shown once, as
archived. A deep link to one citation (``focus``) opens the page that holds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from sessions_app.archive import mapping
from sessions_app.domain import Citation
from sessions_app.models import ArchivedCitation

CITATION_PAGE = 50


@dataclass(frozen=True)
class CitationPage:
    items: tuple[Citation, ...]
    page: int
    pages: int
    total: int
    first_index: int  # 1-based position of the first item among all the session's citations
    focus: str = ""  # the citation id asked for, when it is on this page

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.items) - 1


def _position(
    rows: QuerySet[ArchivedCitation], pending: list[Citation], archived_total: int, citation_id: str
) -> int | None:
    """0-based position of ``citation_id`` in the session's ordering, or None if it is not there."""
    for index, citation in enumerate(pending):
        if citation.citation_id == citation_id:
            return archived_total + index
    row = rows.filter(citation_id=citation_id).values_list("timestamp", flat=True).first()
    if row is None:
        return None
    earlier = Q(timestamp__lt=row) | Q(timestamp=row, citation_id__lt=citation_id)
    return rows.filter(earlier).count()


def citation_page(
    client_id: str,
    session_id: str,
    pending: Sequence[Citation],
    *,
    page: int | None = None,
    focus: str = "",
    per_page: int = CITATION_PAGE,
) -> CitationPage:
    """One page (default: the newest) of the session's citations; ``focus`` picks the page holding it."""
    rows = ArchivedCitation.objects.filter(user_id=client_id, session_id=session_id)
    archived_total = rows.count()
    pending_ids = [c.citation_id for c in pending]
    copied = set(rows.filter(citation_id__in=pending_ids).values_list("citation_id", flat=True))
    extra = sorted(
        {c.citation_id: c for c in pending if c.citation_id not in copied}.values(),
        key=lambda c: (c.timestamp, c.citation_id),
    )
    total = archived_total + len(extra)
    pages = max(1, -(-total // per_page))
    position = _position(rows, extra, archived_total, focus) if focus else None
    if position is not None:
        number = position // per_page + 1
    else:
        number = pages if page is None else min(max(1, page), pages)
    start, stop = (number - 1) * per_page, number * per_page
    items: list[Citation] = []
    if start < archived_total:
        ordered = rows.order_by("timestamp", "citation_id")[start : min(stop, archived_total)]
        items += [mapping.citation_from_row(row) for row in ordered]
    items += extra[max(0, start - archived_total) : max(0, stop - archived_total)]
    shown_focus = focus if position is not None and start <= position < stop else ""
    return CitationPage(tuple(items), number, pages, total, start + 1, shown_focus)
