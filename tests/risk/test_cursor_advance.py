"""The HTTP path's cursor move (``recording.advance_one``): a compare-and-set by exactly one message,
written as one fixed SQL statement for speed, so these tests pin it to the model it stands for."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions_app.risk.models import AssessmentCursor
from sessions_app.risk.recording import CURSOR_TABLE, advance_one, assessed_through

pytestmark = pytest.mark.django_db


def test_the_statement_names_the_models_table() -> None:
    assert AssessmentCursor._meta.db_table == CURSOR_TABLE


def test_the_cursor_moves_one_message_at_a_time() -> None:
    assert advance_one("client-a", "s1", 1) is True  # the first message creates the cursor
    assert advance_one("client-a", "s1", 2) is True
    assert advance_one("client-a", "s1", 3) is True
    assert assessed_through("client-a", "s1") == 3


def test_a_cursor_elsewhere_is_left_alone() -> None:
    advance_one("client-a", "s1", 1)
    assert advance_one("client-a", "s1", 3) is False  # message 2 not assessed here: the worker will see
    assert advance_one("client-a", "s1", 1) is False  # already there
    assert assessed_through("client-a", "s1") == 1


def test_only_that_sessions_cursor_moves() -> None:
    for client_id, session_id in (("client-a", "s1"), ("client-a", "s2"), ("client-b", "s1")):
        advance_one(client_id, session_id, 1)
    assert advance_one("client-a", "s1", 2) is True
    assert assessed_through("client-a", "s2") == 1
    assert assessed_through("client-b", "s1") == 1


def test_the_move_records_when_as_an_aware_time() -> None:
    advance_one("client-a", "s1", 1)
    before = timezone.now()
    advance_one("client-a", "s1", 2)
    cursor = AssessmentCursor.objects.get(client_id="client-a", session_id="s1")
    assert cursor.updated_at is not None
    assert timezone.is_aware(cursor.updated_at)
    assert before - timedelta(seconds=1) <= cursor.updated_at <= timezone.now() + timedelta(seconds=1)
