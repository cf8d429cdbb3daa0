"""The client page: every session of one client over a chosen period, each summarised, and the trend
across them. Also what the client summary PDF prints: both are built by ``client_page`` from the same
reads and the same formatted numbers, so the PDF's numbers are the page's.

Views stay thin: access check → ``client_page`` → render, then ``record_client_view`` (one audit row
per page shown, naming the client, never content).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from ifemotion.accounts import audit
from ifemotion.accounts.models import AuditAction, User
from sessions_app.access import AccessGrant
from sessions_app.dashboard.client_columns import extra_cells, extra_headers
from sessions_app.dashboard.trend_chart import TrendPoint, trend_chart_svg
from sessions_app.dashboard.trends import SessionTrend, session_trend
from sessions_app.emotions import valence_of
from sessions_app.repository.journeys import SessionJourney, client_journeys

NONE = "—"


def two(value: float | None) -> str:
    return NONE if value is None else f"{value:.2f}"


def signed(value: float | None) -> str:
    return NONE if value is None else f"{value:+.2f}".replace("-", "\u2212")


@dataclass(frozen=True)
class Period:
    """Sessions that started from ``since`` to ``until`` (whole days, inclusive) in the viewer's zone."""

    since: date | None = None
    until: date | None = None
    zone: tzinfo = UTC

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        start = None if self.since is None else datetime.combine(self.since, time.min, tzinfo=self.zone)
        end = None
        if self.until is not None:
            end = datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=self.zone)
        return (
            None if start is None else start.astimezone(UTC),
            None if end is None else end.astimezone(UTC),
        )

    @property
    def zone_name(self) -> str:
        return "UTC" if self.zone is UTC else str(self.zone)

    def label(self) -> str:
        if self.since is None and self.until is None:
            return "all dates"
        since = "the first session" if self.since is None else self.since.isoformat()
        until = "today" if self.until is None else self.until.isoformat()
        return f"started {since} to {until} ({self.zone_name})"

    def utc_label(self) -> str:
        start, end = self.bounds()
        first = "the beginning" if start is None else start.strftime("%Y-%m-%dT%H:%M:%SZ")
        last = "now" if end is None else end.strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"from {first} until {last}"

    def query(self) -> str:
        parts = []
        if self.since is not None:
            parts.append(f"since={self.since.isoformat()}")
        if self.until is not None:
            parts.append(f"until={self.until.isoformat()}")
        return "&".join(parts)


@dataclass(frozen=True)
class DominantEmotion:
    label: str
    valence: str
    share: str  # "45%"


@dataclass(frozen=True)
class SummaryRow:
    number: int
    session_id: str
    url: str
    source: str
    status: str
    started_at: datetime
    minutes: str
    messages: int
    client_turns: int
    start: str
    end: str
    mean: str
    first_third: str
    last_third: str
    shift: str
    direction: str  # "falling", "rising", "level" or "" (unknown)
    dominant: tuple[DominantEmotion, ...]
    milestones: int
    breakthroughs: int
    unreadable: int
    extra: tuple[str, ...]

    @property
    def dominant_text(self) -> str:
        return ", ".join(f"{d.label} {d.share}" for d in self.dominant) or NONE


@dataclass(frozen=True)
class ClientPage:
    client_id: str
    period: Period
    rows: tuple[SummaryRow, ...]
    chart_svg: SafeString
    extra_headers: tuple[str, ...]
    live_unavailable: bool
    unreadable_sessions: int
    messages: int
    client_turns: int
    milestones: int
    breakthroughs: int
    mean_of_means: str  # mean over the sessions that have a mean
    sessions_with_emotion: int


def _direction(shift: float | None) -> str:
    if shift is None:
        return ""
    if abs(shift) < 0.005:
        return "level"
    return "falling" if shift < 0 else "rising"


def _row(
    number: int, journey: SessionJourney, trend: SessionTrend, url: str, extra: tuple[str, ...]
) -> SummaryRow:
    minutes = max(0.0, (journey.last_updated - journey.started_at).total_seconds()) / 60
    return SummaryRow(
        number=number,
        session_id=journey.session_id,
        url=url,
        source=journey.source,
        status=journey.status,
        started_at=journey.started_at,
        minutes=f"{minutes:.0f}",
        messages=journey.message_count,
        client_turns=trend.turns,
        start=two(trend.start),
        end=two(trend.end),
        mean=two(trend.mean),
        first_third=two(trend.first_third),
        last_third=two(trend.last_third),
        shift=signed(trend.shift),
        direction=_direction(trend.shift),
        dominant=tuple(
            DominantEmotion(label, valence_of(label).value, f"{share:.0%}") for label, share in trend.dominant
        ),
        milestones=journey.milestone_count,
        breakthroughs=journey.breakthrough_count,
        unreadable=journey.unreadable,
        extra=extra,
    )


def client_page(grant: AccessGrant, viewer: User, period: Period, *, links: bool = True) -> ClientPage:
    """Everything the client page (``links``) and its summary PDF (no links) show. Redis down → the
    archived sessions, with ``live_unavailable``."""
    since, until = period.bounds()
    journeys = client_journeys(grant.client_id, since=since, until=until)
    sessions = journeys.sessions
    trends = [session_trend(j.transitions, j.client_turns) for j in sessions]
    urls = {j.session_id: reverse("sessions:detail", args=[grant.client_id, j.session_id]) for j in sessions}
    counts = {j.session_id: j.message_count for j in sessions}
    cells = extra_cells(viewer, grant.client_id, counts, printed=not links)
    rows = tuple(
        _row(number, journey, trend, urls[journey.session_id], cells[journey.session_id])
        for number, (journey, trend) in enumerate(zip(sessions, trends, strict=True), start=1)
    )
    points = [
        TrendPoint(row.number, j.session_id, j.started_at, t.mean, t.first_third, t.last_third)
        for row, j, t in zip(rows, sessions, trends, strict=True)
    ]
    means = [t.mean for t in trends if t.mean is not None]
    return ClientPage(
        client_id=grant.client_id,
        period=period,
        rows=rows,
        # Safe to mark: trend_chart.py builds the SVG from html.escape'd parts only. Never client text.
        chart_svg=mark_safe(trend_chart_svg(points, links=urls if links else None)),  # noqa: S308
        extra_headers=extra_headers(printed=not links),
        live_unavailable=journeys.live_unavailable,
        unreadable_sessions=journeys.unreadable_sessions,
        messages=sum(j.message_count for j in sessions),
        client_turns=sum(t.turns for t in trends),
        milestones=sum(j.milestone_count for j in sessions),
        breakthroughs=sum(j.breakthrough_count for j in sessions),
        mean_of_means=two(sum(means) / len(means) if means else None),
        sessions_with_emotion=len(means),
    )


def record_client_view(request: HttpRequest, grant: AccessGrant, page: ClientPage) -> None:
    """One audit row per client page shown (a record access: the page names sessions and emotions)."""
    audit.record(
        AuditAction.SESSION_LIST,
        actor=grant.username,
        role=grant.role,
        request=request,
        client_id=grant.client_id,
        detail={
            "view": "client page",
            "via": grant.via,
            "sessions": len(page.rows),
            "period": page.period.query(),
        },
    )
