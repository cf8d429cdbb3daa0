"""The trend arrow of the inbox: is the client's inferred emotional tone lighter or heavier than in
the session before? An inference from the chatbot's emotion labels, never a clinical measure.

Each session's final emotion is given a tone from its valence in the configured vocabulary
(``sessions_app.emotions``: positive +1, neutral 0, negative -1; a label the vocabulary no longer
lists counts as neutral) scaled by its intensity; the arrow compares the latest session with the one
before it, so "sad" → "calm" reads as more positive whatever labels the clinic uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from sessions_app.emotions import Valence, valence_of

TONE: dict[Valence, float] = {Valence.POSITIVE: 1.0, Valence.NEGATIVE: -1.0}
STEADY_BAND = 0.2  # tone differences smaller than this read as "about the same"
DEFAULT_INTENSITY = 0.5


@dataclass(frozen=True)
class Trend:
    direction: str  # "up" | "down" | "steady" | "unknown"
    arrow: str
    label: str


UNKNOWN = Trend("unknown", "\u2013", "one session only: no trend yet")  # an en dash


def tone(emotion: str, intensity: float | None) -> float:
    level = DEFAULT_INTENSITY if intensity is None else min(max(intensity, 0.0), 1.0)
    return TONE.get(valence_of(emotion), 0.0) * level


def trend(latest: tuple[str, float | None], previous: tuple[str, float | None] | None) -> Trend:
    """Compare the latest session's final (emotion, intensity) with the previous session's."""
    if previous is None:
        return UNKNOWN
    change = tone(*latest) - tone(*previous)
    if change >= STEADY_BAND:
        return Trend("up", "↑", f"more positive than the session before ({previous[0]} → {latest[0]})")
    if change <= -STEADY_BAND:
        return Trend("down", "↓", f"more negative than the session before ({previous[0]} → {latest[0]})")
    return Trend("steady", "→", f"about the same as the session before ({previous[0]} → {latest[0]})")
