"""The emotional-journey SVG: self-contained, escaped, coloured by emotion, honest about gaps."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from sessions_app.dashboard.charts import EMOTION_COLOURS, emotion_chart_svg
from sessions_app.domain import Emotion, EmotionTransition, UnreadableEntry

SVG = "{http://www.w3.org/2000/svg}"
START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def transition(minutes: int, emotion: Emotion, intensity: float) -> EmotionTransition:
    return EmotionTransition(
        None, emotion, intensity, 0.9, START + timedelta(minutes=minutes), f"if://c/{minutes}"
    )


def test_points_are_placed_by_time_and_intensity_and_coloured_by_emotion() -> None:
    svg = emotion_chart_svg(
        [
            transition(0, Emotion.ANXIOUS, 0.0),
            transition(30, Emotion.HAPPY, 1.0),
            transition(60, Emotion.NEUTRAL, 0.5),
        ],
        width=400,
        height=200,
    )
    root = ET.fromstring(svg)  # noqa: S314 - our own output; being well-formed XML is the point
    circles = root.findall(f"{SVG}circle")
    assert [c.get("fill") for c in circles] == [EMOTION_COLOURS[e] for e in ("anxious", "happy", "neutral")]
    xs = [float(c.get("cx", "0")) for c in circles]
    ys = [float(c.get("cy", "0")) for c in circles]
    assert xs[0] < xs[1] < xs[2]
    assert abs((xs[1] - xs[0]) - (xs[2] - xs[1])) < 0.2
    assert ys[1] < ys[2] < ys[0]  # higher intensity is higher up
    assert root.get("viewBox") == "0 0 400 200"


def test_no_scripts_links_or_styles_and_unreadable_entries_are_counted() -> None:
    svg = emotion_chart_svg(
        [transition(0, Emotion.EXPLORING, 0.3), UnreadableEntry("emotion transition", 1, "bad")]
    )
    assert "<script" not in svg
    assert "href" not in svg
    assert "style" not in svg
    assert "url(" not in svg
    assert "1 unreadable entry not shown" in svg
    ET.fromstring(svg)  # noqa: S314


def test_an_empty_journey_says_so() -> None:
    assert "No emotion transitions recorded" in emotion_chart_svg([])


def test_a_single_point_and_simultaneous_points_do_not_divide_by_zero() -> None:
    same = [transition(0, Emotion.HAPPY, 0.2), transition(0, Emotion.ANXIOUS, 0.7)]
    assert emotion_chart_svg(same[:1]).count("<circle") == 1
    assert emotion_chart_svg(same).count("<circle") == 2
