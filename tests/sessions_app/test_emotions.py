"""The emotion vocabulary: a setting with a valence per label, checked wherever an emotion enters
(state layer, HTTP API, dashboard filter), never where a stored one is read back."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from pytest_django.fixtures import Settings

from sessions_app.apps import check_emotion_vocabulary
from sessions_app.dashboard.forms import SessionFilterForm
from sessions_app.domain import Emotion, EmotionTransition
from sessions_app.emotions import (
    DEFAULT_VOCABULARY,
    Valence,
    check_emotion,
    negative_affect,
    parse_vocabulary,
    valence_of,
    vocabulary,
)
from sessions_app.errors import InvalidInput
from sessions_app.state.manager import ConversationStateManager
from tests.sessions_app.api_support import AMIRA, ApiClient, error_of

REPORT_EIGHT = [
    "neutral",
    "happy",
    "frustrated",
    "anxious",
    "breakthrough",
    "integrated",
    "exploring",
    "resistant",
]
CLINICAL = [
    "sad",
    "depressed",
    "angry",
    "afraid",
    "ashamed",
    "guilty",
    "lonely",
    "hopeless",
    "hopeful",
    "calm",
]


def test_the_default_is_the_reports_eight_plus_a_clinically_usual_set() -> None:
    labels = vocabulary().labels
    assert list(labels[:8]) == REPORT_EIGHT
    assert set(CLINICAL) <= set(labels)
    assert len(labels) == len(set(labels)) == len(DEFAULT_VOCABULARY)
    for label in [
        "sad",
        "depressed",
        "angry",
        "afraid",
        "ashamed",
        "guilty",
        "lonely",
        "hopeless",
        "anxious",
    ]:
        assert valence_of(label) is Valence.NEGATIVE, label
    for label in ["hopeful", "calm", "happy", "integrated"]:
        assert valence_of(label) is Valence.POSITIVE, label
    assert valence_of("neutral") is Valence.NEUTRAL
    assert valence_of("no-such-label") is Valence.UNKNOWN


def test_an_unknown_label_is_refused_naming_every_allowed_one() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_emotion("elated")
    assert caught.value.field == "emotion"
    for label in [*REPORT_EIGHT, *CLINICAL]:
        assert label in caught.value.message
    assert check_emotion("grieving") == "grieving"
    assert isinstance(check_emotion("grieving"), Emotion)
    for wrong in [None, 3, "", "Sad", " sad"]:
        with pytest.raises(InvalidInput):
            check_emotion(wrong)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("sad", "needs a valence"),
        ("sad:gloomy", "must be negative, neutral or positive"),
        ("Sad:negative", "is not a label"),
        ("sad:negative, sad:negative", "listed twice"),
        ("x" * 33 + ":neutral", "is not a label"),
    ],
)
def test_a_malformed_vocabulary_stops_the_app_with_its_reason(raw: str, problem: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=problem):
        parse_vocabulary(raw)


def test_the_setting_replaces_or_extends_the_vocabulary(settings: Settings) -> None:
    settings.EMOTION_VOCABULARY = "neutral:neutral, sad:negative, calm:positive"
    assert vocabulary().labels == ("neutral", "sad", "calm")
    settings.EMOTION_VOCABULARY_EXTRA = "wistful:negative, calm:neutral"
    assert vocabulary().labels == ("neutral", "sad", "calm", "wistful")
    assert valence_of("calm") is Valence.NEUTRAL
    settings.EMOTION_VOCABULARY = ""
    assert "hopeless" in vocabulary().labels
    assert "wistful" in vocabulary().labels


def test_the_system_check_reports_a_broken_vocabulary(settings: Settings) -> None:
    assert check_emotion_vocabulary() == []
    settings.EMOTION_VOCABULARY = "sad:negative"  # no neutral: every session starts there
    (error,) = check_emotion_vocabulary()
    assert error.id == "sessions_app.E001"
    assert "must include neutral" in error.msg


def test_negative_affect_is_the_intensity_of_negative_states_only() -> None:
    assert negative_affect("sad", 0.7) == 0.7
    assert negative_affect("hopeful", 0.9) == 0.0
    assert negative_affect("neutral", 0.5) == 0.0
    assert negative_affect("unlisted", 0.5) == 0.0
    assert negative_affect("angry", 1.5) == 1.0


# ------------------------------------------------------------------ the state layer (fakeredis and real)


def test_the_state_layer_takes_clinical_labels_and_refuses_unknown_ones(
    manager: ConversationStateManager,
) -> None:
    sid = manager.initialize_session("u1", model="m")
    manager.append_message(
        "u1", sid, role="user", content="I miss her", emotion="grieving", intensity=0.8, confidence=0.9
    )
    manager.update_emotion("u1", sid, emotion="lonely", intensity=0.6, confidence=0.7)
    manager.record_milestone("u1", sid, description="named the loss", emotion="sad")
    with pytest.raises(InvalidInput, match="emotion must be one of: neutral, happy"):
        manager.update_emotion("u1", sid, emotion="elated", intensity=0.6, confidence=0.7)
    with pytest.raises(InvalidInput, match="hopeless"):
        manager.record_milestone("u1", sid, description="x", emotion="elated")
    with pytest.raises(InvalidInput):
        manager.append_message(
            "u1", sid, role="user", content="x", emotion="elated", intensity=0.1, confidence=0.1
        )

    state = manager.read_session("u1", sid)
    assert [str(t.to_emotion) for t in state.emotion_log if isinstance(t, EmotionTransition)] == [
        "grieving",
        "lonely",
    ]
    assert state.emotion.current_emotion == "lonely"
    assert state.metadata.message_count == 1  # the refused append wrote nothing


def test_a_label_dropped_from_the_vocabulary_still_reads_back(
    manager: ConversationStateManager, settings: Settings
) -> None:
    settings.EMOTION_VOCABULARY_EXTRA = "wistful:negative"
    sid = manager.initialize_session("u1", model="m")
    manager.update_emotion("u1", sid, emotion="wistful", intensity=0.4, confidence=0.8)
    settings.EMOTION_VOCABULARY_EXTRA = ""

    state = manager.read_session("u1", sid)

    assert state.emotion.current_emotion == "wistful"
    assert [str(t.to_emotion) for t in state.emotion_log if isinstance(t, EmotionTransition)] == ["wistful"]
    assert state.unreadable_count == 0
    assert valence_of("wistful") is Valence.UNKNOWN


# ------------------------------------------------------------------ the HTTP API


@pytest.mark.django_db
def test_the_api_refuses_an_unknown_label_with_400_naming_the_allowed_ones(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()
    response = chatbot.put(
        f"/sessions/{AMIRA}/s1/emotion", {"emotion": "elated", "intensity": 0.5, "confidence": 1}
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_input"
    assert error["field"] == "emotion"
    assert "must be one of: neutral, happy" in error["message"]
    assert "hopeless" in error["message"]

    ok = chatbot.put(
        f"/sessions/{AMIRA}/s1/emotion", {"emotion": "ashamed", "intensity": 0.5, "confidence": 1}
    )
    assert ok.status_code == 200
    assert ok.json()["current_emotion"] == "ashamed"
    milestone = chatbot.post(f"/sessions/{AMIRA}/s1/milestones", {"description": "x", "emotion": "sunny"})
    assert milestone.status_code == 400
    assert error_of(milestone)["field"] == "emotion"


@pytest.mark.django_db
def test_the_api_lists_the_vocabulary_and_documents_it(
    api_manager: ConversationStateManager, chatbot: ApiClient, settings: Settings
) -> None:
    settings.EMOTION_VOCABULARY_EXTRA = "wistful:negative"
    body = chatbot.get("/emotions").json()
    labels = {item["label"]: item["valence"] for item in body["labels"]}
    assert labels["wistful"] == "negative"
    assert labels["calm"] == "positive"
    assert "not a validated clinical measure" in body["note"]
    schema = chatbot.get("/openapi.json").json()["components"]["schemas"]["EmotionIn"]
    assert "wistful" in schema["properties"]["emotion"]["enum"]


@pytest.mark.django_db
def test_the_dashboard_filter_offers_the_configured_labels(settings: Settings) -> None:
    settings.EMOTION_VOCABULARY_EXTRA = "wistful:negative"
    form = SessionFilterForm({"emotion": "wistful"}, client_ids=["client-ava"])
    assert form.is_valid()
    assert form.filters().emotion == "wistful"
    assert not SessionFilterForm({"emotion": "elated"}, client_ids=["client-ava"]).is_valid()
