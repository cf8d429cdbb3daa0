"""The labels of an inference: a category and a confidence band (pure, no Django)."""

from __future__ import annotations

from sessions_app.domain import BreakthroughCategory

MILESTONE = "milestone"
# What an inference may be labelled as: a milestone, or a breakthrough of one of its categories.
CATEGORIES: tuple[str, ...] = (MILESTONE, *(c.value for c in BreakthroughCategory))
BANDS: tuple[str, ...] = ("low", "medium", "high")
# The chatbot's confidence in [0, 1] is shown to clinicians as a band, not as a pseudo-precise number:
# below 0.5 low, below 0.8 medium, else high.
BAND_LIMITS: tuple[tuple[float, str], ...] = ((0.5, "low"), (0.8, "medium"))


def confidence_band(confidence: float | None) -> str:
    """The band of a confidence; "" when there is none (milestones carry no confidence)."""
    if confidence is None or confidence != confidence:  # None or NaN
        return ""
    for limit, band in BAND_LIMITS:
        if confidence < limit:
            return band
    return "high"


def category_label(category: str) -> str:
    """A category as people read it: "pattern recognition", "milestone"."""
    return category.replace("_", " ")
