"""The emotional-journey chart of one session: inferred intensity over time, as a self-contained SVG.

Rendered on the server so the session page and the PDF export embed the very same picture (see
``svg.py`` for what makes it safe to embed and readable with many labels). On the page every point is
a link to its provenance (the message the update belongs to, highlighted); the PDF gets no links.
Low-confidence points are drawn faded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape

from django.conf import settings

from sessions_app.dashboard.svg import (
    INK,
    attr,
    colour,
    fmt,
    marker,
    text,
    valence_legend,
    value_axes,
)
from sessions_app.domain import EmotionTransition, UnreadableEntry
from sessions_app.emotions import INFERRED_NOTE, valence_of

MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 16, 16, 56


def _x_positions(times: Sequence[datetime], left: float, span: float) -> list[float]:
    if not times:
        return []
    first, last = times[0], times[-1]
    total = (last - first).total_seconds()
    if total <= 0:
        step = span / max(len(times) - 1, 1)
        return [left + (index * step if len(times) > 1 else span / 2) for index in range(len(times))]
    return [left + span * (t - first).total_seconds() / total for t in times]


def _point_label(transition: EmotionTransition, faded: bool) -> str:
    label = (
        f"{transition.at:%Y-%m-%d %H:%M:%S} UTC: {transition.to_emotion} "
        f"({valence_of(transition.to_emotion).value}; intensity {transition.intensity:.2f}, "
        f"confidence {transition.confidence:.2f}{', low confidence' if faded else ''})"
    )
    return label


def emotion_chart_svg(
    transitions: Sequence[EmotionTransition | UnreadableEntry],
    *,
    width: int = 720,
    height: int = 240,
    links: Mapping[str, str] | None = None,
    low_confidence: float | None = None,
) -> str:
    """A self-contained SVG of inferred intensity (0 to 1) over time, coloured and shaped by valence.

    ``links``: citation id of a transition → the URL its point links to (the page passes provenance
    links; the PDF none). ``low_confidence``: points below it are faded (default: the setting).
    """
    threshold = float(settings.EMOTION_LOW_CONFIDENCE) if low_confidence is None else low_confidence
    readable = sorted((t for t in transitions if isinstance(t, EmotionTransition)), key=lambda t: t.at)
    unreadable = sum(isinstance(t, UnreadableEntry) for t in transitions)
    left, right = float(MARGIN_LEFT), float(width - MARGIN_RIGHT)
    top, bottom = float(MARGIN_TOP), float(height - MARGIN_BOTTOM)
    title = f"Emotional journey: {len(readable)} transitions; emotions {INFERRED_NOTE}"
    parts = [
        # With links (the page) the chart is a group of links; an image may not contain interactive parts.
        f'<svg xmlns="http://www.w3.org/2000/svg" class="emotion-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="{"group" if links else "img"}" aria-label="{attr(title)}">',
        f"<title>{escape(title)}</title>",
        *value_axes(width, height, top, bottom, left, right),
    ]
    xs = _x_positions([t.at for t in readable], left, right - left)
    points = [
        (x, bottom - (bottom - top) * max(0.0, min(1.0, t.intensity)))
        for x, t in zip(xs, readable, strict=True)
    ]
    for index in range(1, len(points)):
        (x1, y1), (x2, y2) = points[index - 1], points[index]
        stroke = colour(valence_of(readable[index].to_emotion).value)
        parts.append(
            f'<line x1="{fmt(x1)}" y1="{fmt(y1)}" x2="{fmt(x2)}" y2="{fmt(y2)}" '
            f'stroke="{stroke}" stroke-width="2" stroke-opacity="0.8"/>'
        )
    faded_any = False
    for (x, y), transition in zip(points, readable, strict=True):
        faded = transition.confidence < threshold
        faded_any = faded_any or faded
        label = _point_label(transition, faded)
        point = marker(valence_of(transition.to_emotion).value, x, y, faded=faded, title=label)
        href = (links or {}).get(transition.citation_id)
        if href:
            point = f'<a href="{attr(href)}" aria-label="{attr(label + ": open the message")}">{point}</a>'
        parts.append(point)
    if readable:
        parts.append(text(left, bottom + 16, f"{readable[0].at:%Y-%m-%d %H:%M}"))
        parts.append(text(right, bottom + 16, f"{readable[-1].at:%Y-%m-%d %H:%M} UTC", anchor="end"))
        parts.extend(valence_legend(left, float(height - 12), faded_note=faded_any))
    else:
        parts.append(
            text(
                (left + right) / 2,
                (top + bottom) / 2,
                "No emotion transitions recorded",
                size=13,
                anchor="middle",
            )
        )
    if unreadable:
        note = f"{unreadable} unreadable entr{'y' if unreadable == 1 else 'ies'} not shown"
        parts.append(text(right, bottom + 32, note, fill="#b3261e", anchor="end"))
    parts.append(text(right, top - 4, "intensity (inferred)", fill=INK, anchor="end", size=10))
    parts.append("</svg>")
    return "".join(parts)
