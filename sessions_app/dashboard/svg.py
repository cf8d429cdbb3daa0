"""Pieces shared by the server-rendered charts (journey and client trend), which the pages and the
PDFs embed alike: self-contained SVG, no scripts, no external references, no CSS.

Every piece of text goes through ``html.escape``; that is why templates may mark a chart safe (and
only a chart: never client-written text). Colours come from the emotion's valence, not its label, so
a chart stays readable with any number of labels: three colours with at least 5.4:1 contrast on white
(WCAG AA asks 3:1 for graphics, 4.5:1 for text), told apart by shape as well (down-pointing triangle:
negative, circle: neutral, up-pointing triangle: positive), never by colour alone.
"""

from __future__ import annotations

from html import escape

VALENCE_COLOURS: dict[str, str] = {
    "negative": "#b3261e",
    "neutral": "#5f6b7a",
    "positive": "#1f5fae",
    "unknown": "#1d2733",
}
VALENCE_NAMES = {"negative": "negative", "neutral": "neutral", "positive": "positive", "unknown": "unlisted"}
INK, MUTED, GRID, AXIS = "#1d2733", "#5b6775", "#e3e7eb", "#7a8591"
FONT = 'font-family="DejaVu Sans, sans-serif"'
FADED_FILL_OPACITY = "0.25"


def attr(value: object) -> str:
    return escape(str(value), quote=True)


def fmt(number: float) -> str:
    return f"{number:.1f}"


def text(
    x: float, y: float, content: str, *, size: int = 11, fill: str = MUTED, anchor: str = "start"
) -> str:
    return (
        f'<text x="{fmt(x)}" y="{fmt(y)}" font-size="{size}" fill="{fill}" text-anchor="{anchor}" {FONT}>'
        f"{escape(content)}</text>"
    )


def colour(valence: str) -> str:
    return VALENCE_COLOURS.get(valence, VALENCE_COLOURS["unknown"])


def marker(
    valence: str, x: float, y: float, *, faded: bool = False, size: float = 5.0, title: str = ""
) -> str:
    """The point of one state: its shape and colour say its valence; a faded one is hollow-ish and
    dashed (low confidence), its outline still at full contrast."""
    stroke = colour(valence)
    fill_opacity = FADED_FILL_OPACITY if faded else "1"
    style = f'fill="{stroke}" fill-opacity="{fill_opacity}" stroke="{stroke}" stroke-width="1.5"' + (
        ' stroke-dasharray="2 1.5"' if faded else ""
    )
    inner = f"<title>{escape(title)}</title>" if title else ""
    s = size * 1.2
    if valence == "negative":
        points = f"{fmt(x - s)},{fmt(y - s * 0.8)} {fmt(x + s)},{fmt(y - s * 0.8)} {fmt(x)},{fmt(y + s)}"
        return f'<polygon points="{points}" {style}>{inner}</polygon>'
    if valence == "positive":
        points = f"{fmt(x - s)},{fmt(y + s * 0.8)} {fmt(x + s)},{fmt(y + s * 0.8)} {fmt(x)},{fmt(y - s)}"
        return f'<polygon points="{points}" {style}>{inner}</polygon>'
    return f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="{fmt(size)}" {style}>{inner}</circle>'


def value_axes(width: int, height: int, top: float, bottom: float, left: float, right: float) -> list[str]:
    """White background, the two axes, and grid lines at 0, 0.5 and 1 (every value here is 0..1)."""
    parts = [
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{AXIS}" stroke-width="1"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="{AXIS}" stroke-width="1"/>',
    ]
    for tick in (0.0, 0.5, 1.0):
        y = bottom - (bottom - top) * tick
        parts.append(
            f'<line x1="{left}" y1="{fmt(y)}" x2="{right}" y2="{fmt(y)}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(text(left - 6, y + 4, f"{tick:.1f}", anchor="end"))
    return parts


def valence_legend(x: float, y: float, *, faded_note: bool) -> list[str]:
    """The three valences (shape + colour + word) and, when some points are faded, what that means."""
    parts: list[str] = []
    for valence in ("negative", "neutral", "positive"):
        parts.append(marker(valence, x + 6, y - 4, size=4.5))
        label = f"{VALENCE_NAMES[valence]} emotion"
        parts.append(text(x + 16, y, label, fill=INK))
        x += 30 + 6.5 * len(label)
    if faded_note:
        parts.append(marker("neutral", x + 6, y - 4, size=4.5, faded=True))
        parts.append(text(x + 16, y, "faded: low confidence", fill=INK))
    return parts
