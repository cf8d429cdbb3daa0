"""The cross-session trend of one client: per session, its mean negative affect (a point, joined across
sessions) and its within-session shift (an arrow from the first third to the last third of the
client's turns), placed by the session's start. Server-rendered SVG, embedded by the client page and
the client summary PDF alike (``svg.py`` says what makes it safe to embed).

On the page each point links to its session; in the PDF nothing links. Points are numbered like the
rows of the sessions table next to them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from sessions_app.dashboard.svg import INK, MUTED, attr, fmt, text, value_axes
from sessions_app.emotions import INFERRED_NOTE

MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 20, 22, 58
POINT, LINE, UP, DOWN = "#1d2733", "#5f6b7a", "#b3261e", "#1f5fae"
LABEL_POINTS_UP_TO = 24  # more sessions than this: numbers only in the tooltips (they would overlap)


@dataclass(frozen=True)
class TrendPoint:
    number: int  # the row number in the sessions table
    session_id: str
    started_at: datetime
    mean: float | None
    first_third: float | None
    last_third: float | None


def _xs(times: Sequence[datetime], left: float, right: float) -> list[float]:
    if not times:
        return []
    span = (times[-1] - times[0]).total_seconds()
    if span <= 0:
        step = (right - left) / max(len(times) - 1, 1)
        return [left + (i * step if len(times) > 1 else (right - left) / 2) for i in range(len(times))]
    return [left + (right - left) * (t - times[0]).total_seconds() / span for t in times]


def _arrow(x: float, y1: float, y2: float) -> str:
    """First third (y1) → last third (y2); red when negative affect rose, blue when it fell."""
    rising = y2 < y1  # up the chart: more negative affect
    colour = UP if rising else DOWN
    head = -5.0 if rising else 5.0
    if abs(y2 - y1) < 1.0:
        return (
            f'<line x1="{fmt(x - 5)}" y1="{fmt(y1)}" x2="{fmt(x + 5)}" y2="{fmt(y1)}" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
    points = f"{fmt(x - 4)},{fmt(y2 - head)} {fmt(x + 4)},{fmt(y2 - head)} {fmt(x)},{fmt(y2)}"
    return (
        f'<line x1="{fmt(x)}" y1="{fmt(y1)}" x2="{fmt(x)}" y2="{fmt(y2 - head)}" stroke="{colour}" '
        f'stroke-width="2"/><polygon points="{points}" fill="{colour}"/>'
    )


def trend_chart_svg(
    points: Sequence[TrendPoint],
    *,
    width: int = 720,
    height: int = 260,
    links: Mapping[str, str] | None = None,
) -> str:
    """A self-contained SVG; ``links``: session id → URL of its page (the page passes them, the PDF not)."""
    left, right = float(MARGIN_LEFT), float(width - MARGIN_RIGHT)
    top, bottom = float(MARGIN_TOP), float(height - MARGIN_BOTTOM)
    title = f"Negative affect across {len(points)} sessions; {INFERRED_NOTE}"
    parts = [
        # With links (the page) the chart is a group of links; an image may not contain interactive parts.
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="{"group" if links else "img"}" aria-label="{attr(title)}">',
        f"<title>{escape(title)}</title>",
        *value_axes(width, height, top, bottom, left, right),
        text(left, top - 8, "negative affect, 0 to 1 (inferred)", fill=INK, size=10),
    ]
    if not points:
        parts.append(
            text(
                (left + right) / 2, (top + bottom) / 2, "No sessions in this period", size=13, anchor="middle"
            )
        )
        parts.append("</svg>")
        return "".join(parts)
    xs = _xs([p.started_at for p in points], left + 8, right - 8)

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * max(0.0, min(1.0, value))

    means = [(x, y_of(p.mean)) for x, p in zip(xs, points, strict=True) if p.mean is not None]
    if len(means) > 1:
        path = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in means)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="1.5"/>')
    for x, point in zip(xs, points, strict=True):
        if point.first_third is not None and point.last_third is not None:
            parts.append(_arrow(x, y_of(point.first_third), y_of(point.last_third)))
        parts.append(_point(x, point, y_of, (links or {}).get(point.session_id)))
        if len(points) <= LABEL_POINTS_UP_TO:
            parts.append(text(x, bottom + 14, str(point.number), anchor="middle", fill=INK, size=10))
    parts.append(text(left, bottom + 30, f"{points[0].started_at:%Y-%m-%d}", fill=MUTED))
    parts.append(
        text(right, bottom + 30, f"{points[-1].started_at:%Y-%m-%d} (UTC)", anchor="end", fill=MUTED)
    )
    parts.extend(_legend(left, float(height - 10)))
    parts.append("</svg>")
    return "".join(parts)


def _describe(point: TrendPoint) -> str:
    def two(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    return (
        f"Session {point.number} ({point.session_id}), started {point.started_at:%Y-%m-%d %H:%M} UTC: "
        f"mean negative affect {two(point.mean)}; first third {two(point.first_third)}, "
        f"last third {two(point.last_third)}"
    )


def _point(x: float, point: TrendPoint, y_of: Callable[[float], float], href: str | None) -> str:
    label = _describe(point)
    if point.mean is None:
        # No inferred emotion in this session: a hollow mark on the axis, so the session still shows.
        label += " (no inferred emotion)"
        style = f'r="4" fill="#ffffff" stroke="{LINE}" stroke-width="1.5"'
        y = y_of(0.0)
    else:
        style = f'r="5" fill="{POINT}"'
        y = y_of(point.mean)
    shape = f'<circle cx="{fmt(x)}" cy="{fmt(y)}" {style}><title>{escape(label)}</title></circle>'
    if href:
        return f'<a href="{attr(href)}" aria-label="{attr(label + ": open the session")}">{shape}</a>'
    return shape


def _legend(x: float, y: float) -> list[str]:
    return [
        f'<circle cx="{fmt(x + 5)}" cy="{fmt(y - 4)}" r="4.5" fill="{POINT}"/>',
        text(x + 14, y, "session mean", fill=INK),
        _arrow(x + 120, y - 2, y - 12),
        text(
            x + 130,
            y,
            "shift within the session, rising (first third → last third of client turns)",
            fill=INK,
        ),
        _arrow(x + 560, y - 12, y - 2),
        text(x + 570, y, "falling", fill=INK),
    ]
