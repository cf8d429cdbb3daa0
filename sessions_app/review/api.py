"""The API's read of a client's review state (any token scope: it is a GET and changes nothing).

Registered on the chatbot API (``sessions_app.api.app.api``) when ``sessions_app.api.urls`` imports
this module. 404 when no clinician is assigned to the client.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Schema

from sessions_app.api.answers import Kind, answers
from sessions_app.api.app import api
from sessions_app.api.auth import ApiError, note_subject
from sessions_app.api.endpoints import UserId
from sessions_app.review.client_state import ClientReviewState, client_review_state


class ReviewerOut(Schema):
    role: Literal["therapist", "clinician"]
    last_session_id: str | None = Field(description="the session this reviewer marked reviewed most recently")
    last_seq: int | None = Field(description="the message they marked it reviewed up to")
    reviewed_at: datetime | None
    unread_messages: int = Field(description="messages of this client the reviewer has not reviewed yet")


class SessionReviewOut(Schema):
    session_id: str
    source: Literal["live", "archive"]
    message_count: int
    last_activity: datetime
    leaves_live_storage_at: datetime | None = Field(
        description="live sessions: when Redis forgets the session unless the chatbot writes again"
    )
    held: bool = Field(description="archived on a clinician's request and verified; nothing since")
    held_at: datetime | None
    reviewed_through_seq: int = Field(description="the furthest message any assigned reviewer has reviewed")
    reviewed_by: int = Field(description="assigned reviewers who have reviewed everything in the session")
    last_reviewed_at: datetime | None


class ReviewStateOut(Schema):
    client_id: str
    reviewers: list[ReviewerOut]
    sessions: list[SessionReviewOut]
    live_unavailable: bool = Field(description="Redis did not answer: only archived sessions are listed")

    @classmethod
    def of(cls, state: ClientReviewState) -> ReviewStateOut:
        return cls(
            client_id=state.client_id,
            reviewers=[ReviewerOut(**vars(r)) for r in state.reviewers],
            sessions=[
                SessionReviewOut(
                    session_id=s.review.session_id,
                    source=s.review.tally.source,
                    message_count=s.review.tally.counts.messages,
                    last_activity=s.review.tally.last_updated,
                    leaves_live_storage_at=s.review.leaves_at,
                    held=s.review.held,
                    held_at=s.review.hold.held_at if s.review.hold else None,
                    reviewed_through_seq=s.reviewed_through_seq,
                    reviewed_by=s.reviewed_by,
                    last_reviewed_at=s.last_reviewed_at,
                )
                for s in state.sessions
            ],
            live_unavailable=state.live_unavailable,
        )


@api.get(
    "/users/{user_id}/review",
    **answers({200: ReviewStateOut}, Kind.READ, corrupt=False),
    tags=["review"],
    operation_id="getReviewState",
)
def get_review_state(request: HttpRequest, user_id: UserId) -> ReviewStateOut:
    """How far the client's assigned therapists and clinicians have reviewed each session (e.g. to
    tell the client their therapist has read the conversation). Reviewers are given by role only."""
    note_subject(request, user_id=user_id)
    state = client_review_state(user_id, now=timezone.now())
    if state is None:
        raise ApiError(
            404, "not_found", "no review state: no therapist or clinician is assigned to this client"
        )
    return ReviewStateOut.of(state)
