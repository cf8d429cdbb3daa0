"""The emotional-journey SVG: self-contained, escaped, coloured and shaped by valence, linked to its
provenance on the page only, faded where the chatbot was unsure, honest about gaps."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from sessions_app.dashboard.charts import emotion_chart_svg
from sessions_app.dashboard.svg import VALENCE_COLOURS
from sessions_app.domain import Emotion, EmotionTransition, UnreadableEntry

SVG = "{http://www.w3.org/2000/svg}"
START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def transition(minutes: int, emotion: str, intensity: float, confidence: float = 0.9) -> EmotionTransition:
    return EmotionTransition(
        None, Emotion(emotion), intensity, confidence, START + timedelta(minutes=minutes), f"if://c/{minutes}"
    )


def markers(root: ET.Element) -> list[ET.Element]:
    """The points, in document order: circles (neutral) and triangles (negative, positive), not the legend."""
    found = []
    for element in root.iter():
        if element.tag in (f"{SVG}circle", f"{SVG}polygon") and element.find(f"{SVG}title") is not None:
            found.append(element)
    return found


def centre(element: ET.Element) -> tuple[float, float]:
    if element.tag == f"{SVG}circle":
        return float(element.get("cx", "0")), float(element.get("cy", "0"))
    points = [tuple(map(float, p.split(","))) for p in element.get("points", "").split()]
    return points[2][0], sum(p[1] for p in points) / 3


def test_points_are_placed_by_time_and_intensity_and_drawn_by_valence() -> None:
    svg = emotion_chart_svg(
        [transition(0, "sad", 0.0), transition(30, "hopeful", 1.0), transition(60, "neutral", 0.5)],
        width=400,
        height=200,
    )
    root = ET.fromstring(svg)  # noqa: S314 - our own output; being well-formed XML is the point
    points = markers(root)
    assert [p.get("fill") for p in points] == [
        VALENCE_COLOURS[v] for v in ("negative", "positive", "neutral")
    ]
    assert [p.tag.removeprefix(SVG) for p in points] == ["polygon", "polygon", "circle"]
    xs = [centre(p)[0] for p in points]
    assert xs[0] < xs[1] < xs[2]
    assert abs((xs[1] - xs[0]) - (xs[2] - xs[1])) < 0.5
    assert root.get("viewBox") == "0 0 400 200"
    assert "inferred from the conversation, not a validated clinical measure" in (
        root.get("aria-label") or ""
    )


def test_a_higher_intensity_is_drawn_higher_up() -> None:
    root = ET.fromstring(  # noqa: S314
        emotion_chart_svg(
            [transition(0, "calm", 0.2), transition(1, "calm", 0.9), transition(2, "calm", 0.5)]
        )
    )
    ys = [centre(p)[1] for p in markers(root)]
    assert ys[1] < ys[2] < ys[0]


def test_many_labels_need_only_three_colours_each_readable_on_white() -> None:
    labels = [
        "sad",
        "angry",
        "afraid",
        "ashamed",
        "guilty",
        "lonely",
        "hopeless",
        "calm",
        "hopeful",
        "confused",
    ]
    svg = emotion_chart_svg([transition(i, label, 0.5) for i, label in enumerate(labels)])
    fills = {p.get("fill") for p in markers(ET.fromstring(svg))}  # noqa: S314
    assert fills <= set(VALENCE_COLOURS.values())
    assert len(fills) == 3
    for colour in fills:
        assert contrast(colour or "", "#ffffff") >= 4.5  # AA for text; graphics need only 3:1


def test_low_confidence_points_are_faded_and_the_legend_says_what_that_means() -> None:
    svg = emotion_chart_svg(
        [transition(0, "sad", 0.5, confidence=0.3), transition(1, "sad", 0.6, confidence=0.9)]
    )
    unsure, sure = markers(ET.fromstring(svg))  # noqa: S314
    assert unsure.get("fill-opacity") == "0.25"
    assert unsure.get("stroke-dasharray")
    assert sure.get("fill-opacity") == "1"
    assert sure.get("stroke-dasharray") is None
    assert "faded: low confidence" in svg
    assert "faded" not in emotion_chart_svg([transition(0, "sad", 0.5)])


def test_points_link_to_their_provenance_only_when_links_are_given() -> None:
    items = [transition(0, "sad", 0.5), transition(1, "calm", 0.2)]
    linked = emotion_chart_svg(items, links={"if://c/0": "/clients/a/sessions/s/?m=3&c=x#m3"})
    root = ET.fromstring(linked)  # noqa: S314
    anchors = root.findall(f"{SVG}a")
    assert [a.get("href") for a in anchors] == ["/clients/a/sessions/s/?m=3&c=x#m3"]
    assert "open the message" in (anchors[0].get("aria-label") or "")
    assert "href" not in emotion_chart_svg(items)


def test_no_scripts_or_styles_and_unreadable_entries_are_counted() -> None:
    svg = emotion_chart_svg(
        [transition(0, "exploring", 0.3), UnreadableEntry("emotion transition", 1, "bad")]
    )
    assert "<script" not in svg
    assert "href" not in svg
    assert "style" not in svg
    assert "url(" not in svg
    assert "1 unreadable entry not shown" in svg
    ET.fromstring(svg)  # noqa: S314


def test_an_unlisted_label_still_draws_in_a_readable_colour() -> None:
    svg = emotion_chart_svg([transition(0, "label-from-an-older-vocabulary", 0.4)])
    (point,) = markers(ET.fromstring(svg))  # noqa: S314
    assert point.get("fill") == VALENCE_COLOURS["unknown"]


def test_an_empty_journey_says_so() -> None:
    assert "No emotion transitions recorded" in emotion_chart_svg([])


@pytest.mark.parametrize("count", [1, 2])
def test_a_single_point_and_simultaneous_points_do_not_divide_by_zero(count: int) -> None:
    same = [transition(0, "happy", 0.2), transition(0, "anxious", 0.7)][:count]
    assert len(markers(ET.fromstring(emotion_chart_svg(same)))) == count  # noqa: S314


def contrast(foreground: str, background: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
