"""Template helpers of the review: the session page's review panel, the retention clock's wording,
unread counts in words, and a session-list row's review mark."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone

from ifemotion.accounts.models import User
from sessions_app.review.pages import session_panel
from sessions_app.review.status import SessionReview, warning_window
from sessions_app.review.tallies import Counts

register = template.Library()


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@register.filter
def unread_text(counts: Counts | None) -> str:
    """ "15 messages, 1 milestone, 2 emotion changes" (only what is there; "" when nothing)."""
    if counts is None:
        return ""
    parts = [
        _plural(counts.messages, "message") if counts.messages else "",
        _plural(counts.milestones, "milestone") if counts.milestones else "",
        _plural(counts.breakthroughs, "breakthrough") if counts.breakthroughs else "",
        _plural(counts.emotion_changes, "emotion change") if counts.emotion_changes else "",
    ]
    return ", ".join(part for part in parts if part)


@register.filter
def time_left(moment: datetime | None) -> str:
    """How long until ``moment``, coarsely: "6 d 23 h", "5 h 12 min", "12 min", "under a minute".

    A number and its unit are joined by a no-break space: a narrow column wraps between the parts
    ("6 d" / "23 h"), never between a number and its unit.
    """
    if moment is None:
        return ""
    seconds = int((moment - timezone.now()).total_seconds())
    if seconds < 60:
        return "under a minute"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if days:
        return f"{days}\u00a0d {hours % 24}\u00a0h"
    if hours:
        return f"{hours}\u00a0h {minutes % 60}\u00a0min"
    return f"{minutes}\u00a0min"


@register.filter
def soon(moment: datetime | None) -> bool:
    """Within the warning window (the digest's 24 h)."""
    return moment is not None and moment <= timezone.now() + warning_window()


@register.filter
def review_mark(marks: Mapping[tuple[str, str], SessionReview] | None, row: Any) -> SessionReview | None:
    """The review of a session-list row (``marks`` from ``review.pages.list_marks``)."""
    if not marks:
        return None
    return marks.get((getattr(row, "client_id", ""), getattr(row, "session_id", "")))


def _panel_context(context: template.Context) -> dict[str, Any]:
    """The session page's review panel, computed once per request (two tags show parts of it)."""
    request = context.get("request")
    grant, view = context.get("grant"), context.get("view")
    user = getattr(request, "user", None)
    if grant is None or view is None or not isinstance(user, User):
        return {"panel": None}
    session_id = view.state.metadata.session_id
    cache: dict[tuple[str, str], Any] = getattr(request, "_review_panels", {})
    key = (grant.client_id, session_id)
    if key not in cache:
        cache[key] = session_panel(user, grant, session_id, now=timezone.now())
        request._review_panels = cache  # type: ignore[union-attr]
    panel = cache[key]
    return {
        "panel": panel,
        "review": panel.review,
        "grant": grant,
        "session_id": session_id,
        "transcript_last": view.transcript.last_seq,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("review/_session_review.html", takes_context=True)
def session_review(context: template.Context) -> dict[str, Any]:
    """The review panel's status (inside the live sections, so it follows what the page shows):
    unread since your last review, the retention clock, the hold, and the counts the page shows,
    as inputs of the "mark reviewed" forms beside it (``form=`` attributes: no form is re-drawn, so
    nothing typed is lost). Reads counts only; never a TTL refresh."""
    return _panel_context(context)


@register.inclusion_tag("review/_session_review_actions.html", takes_context=True)
def session_review_actions(context: template.Context) -> dict[str, Any]:
    """The review panel's forms (outside the live sections): mark reviewed (all shown, or up to a
    message), mark unread, hold for review."""
    return _panel_context(context)
