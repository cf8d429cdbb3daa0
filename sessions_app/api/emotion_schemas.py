"""The emotion fields of the HTTP API: checked against the configured vocabulary (``sessions_app.emotions``),
documented with it, and the ``GET /emotions`` answer that lists it."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator

from sessions_app.emotions import check_emotion, vocabulary


def _known_emotion(value: str) -> str:
    return check_emotion(value)  # InvalidInput is a ValueError: pydantic reports it as a 400


def _vocabulary_enum(schema: dict[str, object]) -> None:
    # Evaluated when the OpenAPI document is built, so it lists the vocabulary configured then.
    schema["enum"] = list(vocabulary().labels)


EMOTION_DESCRIPTION = "a label of the configured emotion vocabulary (GET /emotions lists them with valence)"
# In: checked against the configured vocabulary (sessions_app.emotions); unknown → 400 naming the allowed.
EmotionName = Annotated[
    str,
    AfterValidator(_known_emotion),
    Field(description=EMOTION_DESCRIPTION, json_schema_extra=_vocabulary_enum),
]
# Out: a stored label, which may predate the current vocabulary.
EmotionLabel = Annotated[str, Field(description="an emotion label (inferred by the chatbot)")]


class EmotionLabelOut(Schema):
    label: str
    valence: str = Field(description="negative, neutral or positive")


class EmotionVocabularyOut(Schema):
    labels: list[EmotionLabelOut] = Field(description="the labels `emotion` fields accept, in order")
    note: str = Field(description="what these labels are, and are not")
