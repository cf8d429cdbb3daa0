"""The emotional-journey chart: intensity over time, coloured by emotion, as a self-contained SVG.

Rendered on the server so the session page and the PDF export embed the very same picture. The SVG
has no scripts, no external references and no CSS: colours are presentation attributes. Every piece
of text in it goes through ``html.escape``; that is why templates may mark the returned string safe
(and only this string: never client-written text).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from sessions_app.domain import Emotion, EmotionTransition, UnreadableEntry

EMOTION_COLOURS: dict[str, str] = {
    Emotion.NEUTRAL: "#7a8591",
    Emotion.HAPPY: "#e0a100",
    Emotion.FRUSTRATED: "#c0392b",
    Emotion.ANXIOUS: "#8e44ad",
    Emotion.BREAKTHROUGH: "#d81b60",
    Emotion.INTEGRATED: "#2e86c1",
    Emotion.EXPLORING: "#27ae60",
    Emotion.RESISTANT: "#a04000",
}
UNKNOWN_COLOUR = "#444444"
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 16, 16, 48


def emotion_colour(emotion: object) -> str:
    return EMOTION_COLOURS.get(str(emotion), UNKNOWN_COLOUR)


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _fmt(number: float) -> str:
    return f"{number:.1f}"


def _x_positions(times: Sequence[datetime], left: float, span: float) -> list[float]:
    if not times:
        return []
    first, last = times[0], times[-1]
    total = (last - first).total_seconds()
    if total <= 0:
        step = span / max(len(times) - 1, 1)
        return [left + (index * step if len(times) > 1 else span / 2) for index in range(len(times))]
    return [left + span * (t - first).total_seconds() / total for t in times]


def _axes(width: int, height: int, top: float, bottom: float, left: float, right: float) -> list[str]:
    parts = [
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#9aa4ae" stroke-width="1"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#9aa4ae" stroke-width="1"/>',
    ]
    for tick in (0.0, 0.5, 1.0):
        y = bottom - (bottom - top) * tick
        parts.append(
            f'<line x1="{left}" y1="{_fmt(y)}" x2="{right}" y2="{_fmt(y)}" '
            'stroke="#e3e7eb" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{_fmt(y + 4)}" font-size="11" text-anchor="end" '
            f'fill="#5b6775" font-family="sans-serif">{tick:.1f}</text>'
        )
    return parts


def _legend(emotions: Sequence[str], y: float, left: float) -> list[str]:
    parts: list[str] = []
    x = left
    for emotion in emotions:
        label = escape(emotion)
        parts.append(
            f'<rect x="{_fmt(x)}" y="{_fmt(y - 9)}" width="10" height="10" fill="{emotion_colour(emotion)}"/>'
            f'<text x="{_fmt(x + 14)}" y="{_fmt(y)}" font-size="11" fill="#1d2733" '
            f'font-family="sans-serif">{label}</text>'
        )
        x += 22 + 7 * len(emotion)
    return parts


def emotion_chart_svg(
    transitions: Sequence[EmotionTransition | UnreadableEntry], *, width: int = 720, height: int = 240
) -> str:
    """A self-contained SVG of intensity (0 to 1) over time; points and segments coloured by emotion."""
    readable = sorted((t for t in transitions if isinstance(t, EmotionTransition)), key=lambda t: t.at)
    unreadable = sum(isinstance(t, UnreadableEntry) for t in transitions)
    left, right = float(MARGIN_LEFT), float(width - MARGIN_RIGHT)
    top, bottom = float(MARGIN_TOP), float(height - MARGIN_BOTTOM)
    title = f"Emotional journey: {len(readable)} transitions"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="emotion-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_attr(title)}">',
        f"<title>{escape(title)}</title>",
        *_axes(width, height, top, bottom, left, right),
    ]
    xs = _x_positions([t.at for t in readable], left, right - left)
    points = [
        (x, bottom - (bottom - top) * max(0.0, min(1.0, t.intensity)))
        for x, t in zip(xs, readable, strict=True)
    ]
    for index in range(1, len(points)):
        (x1, y1), (x2, y2) = points[index - 1], points[index]
        colour = emotion_colour(readable[index].to_emotion)
        parts.append(
            f'<line x1="{_fmt(x1)}" y1="{_fmt(y1)}" x2="{_fmt(x2)}" y2="{_fmt(y2)}" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
    for (x, y), transition in zip(points, readable, strict=True):
        label = (
            f"{transition.at:%Y-%m-%d %H:%M} UTC: {transition.to_emotion} "
            f"(intensity {transition.intensity:.2f}, confidence {transition.confidence:.2f})"
        )
        parts.append(
            f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="4" fill="{emotion_colour(transition.to_emotion)}">'
            f"<title>{escape(label)}</title></circle>"
        )
    if readable:
        parts.append(
            f'<text x="{left}" y="{bottom + 16}" font-size="11" fill="#5b6775" font-family="sans-serif">'
            f"{escape(f'{readable[0].at:%Y-%m-%d %H:%M}')}</text>"
            f'<text x="{right}" y="{bottom + 16}" font-size="11" text-anchor="end" fill="#5b6775" '
            f'font-family="sans-serif">{escape(f"{readable[-1].at:%Y-%m-%d %H:%M} UTC")}</text>'
        )
    else:
        parts.append(
            f'<text x="{(left + right) / 2}" y="{(top + bottom) / 2}" font-size="13" text-anchor="middle" '
            f'fill="#5b6775" font-family="sans-serif">No emotion transitions recorded</text>'
        )
    seen = list(dict.fromkeys(str(t.to_emotion) for t in readable))
    parts.extend(_legend(seen, float(height - 10), left))
    if unreadable:
        note = f"{unreadable} unreadable entr{'y' if unreadable == 1 else 'ies'} not shown"
        parts.append(
            f'<text x="{right}" y="{height - 10}" font-size="11" text-anchor="end" fill="#c0392b" '
            f'font-family="sans-serif">{escape(note)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
