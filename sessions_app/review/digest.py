"""The daily digest: each clinician's sessions that leave live storage within the window (24 h by
default) while unreviewed and not held. A page, and an email through Django's email backend.

The email names clients and sessions by their ids (pseudonymous, as in the audit log) and links to the
dashboard; it never contains message content, notes or emotions.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from ifemotion.accounts.models import Role, User
from sessions_app.access import assigned_client_ids
from sessions_app.dashboard.pages import message_url
from sessions_app.review import audit
from sessions_app.review.cursors import cursors_for
from sessions_app.review.models import DigestDelivery
from sessions_app.review.status import SessionReview, holds_for, session_reviews, warning_window
from sessions_app.review.tallies import Counts, gather

logger = logging.getLogger(__name__)
REVIEWER_ROLES = (Role.THERAPIST, Role.CLINICIAN)


@dataclass(frozen=True)
class DigestItem:
    client_id: str
    session_id: str
    leaves_at: datetime
    unread: Counts
    path: str  # the first unread message (or the session page)

    @property
    def link(self) -> str:
        return settings.SITE_URL.rstrip("/") + self.path


@dataclass(frozen=True)
class Digest:
    clinician: User
    generated_at: datetime
    window_hours: int
    items: list[DigestItem]
    live_unavailable: bool


def _item(review: SessionReview) -> DigestItem:
    leaves_at = review.leaves_at
    assert leaves_at is not None  # noqa: S101 - leaves_within() implies a leave time
    first_unread = (
        review.reviewed.messages + 1 if review.unread.messages else max(1, review.reviewed.messages)
    )
    return DigestItem(
        review.client_id, review.session_id, leaves_at, review.unread,
        message_url(review.client_id, review.session_id, first_unread),
    )  # fmt: skip


def build_digest(clinician: User, *, now: datetime) -> Digest:
    """The clinician's sessions leaving live storage within the window, unreviewed and not held."""
    client_ids = assigned_client_ids(clinician)
    tallies = gather(client_ids, archived=False)  # only live sessions can leave live storage
    live_ids = [t.session_id for t in tallies.sessions]
    reviews = session_reviews(
        tallies.sessions,
        cursors=cursors_for(clinician.pk, client_ids, session_ids=live_ids),
        holds=holds_for(client_ids, live_ids),
        flags={},
        now=now,
    )
    window = warning_window()
    items = sorted(
        (_item(r) for r in reviews if r.leaves_within(window)),
        key=lambda item: (item.leaves_at, item.client_id, item.session_id),
    )
    hours = int(window.total_seconds() // 3600)
    return Digest(clinician, now, hours, items, tallies.live_unavailable)


def reviewers() -> Iterator[User]:
    """Active therapists and clinicians with at least one assigned client."""
    yield from (
        User.objects.filter(is_active=True, role__in=REVIEWER_ROLES, assignments__isnull=False)
        .distinct()
        .order_by("username")
    )


def render_email(digest: Digest) -> EmailMessage:
    count = len(digest.items)
    subject = (
        f"IF.emotion: {count} session{'s' if count != 1 else ''} leave live storage within "
        f"{digest.window_hours} h unreviewed"
    )
    inbox_url = settings.SITE_URL.rstrip("/") + reverse("review:inbox")
    body = render_to_string("review/digest_email.txt", {"digest": digest, "inbox_url": inbox_url})
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [digest.clinician.email])


@dataclass(frozen=True)
class SendOutcome:
    username: str
    outcome: str  # "sent" | "nothing" | "already_sent" | "no_email" | "failed" | "live_unavailable"
    sessions: int


def send_digest(digest: Digest, *, day: date, force: bool = False) -> SendOutcome:
    """Email one clinician's digest once per day (``force``: again). Empty digests are not sent."""
    clinician = digest.clinician
    if digest.live_unavailable:
        # The list would miss live sessions: better no email than a reassuring, incomplete one.
        return SendOutcome(clinician.username, "live_unavailable", 0)
    if not digest.items:
        return SendOutcome(clinician.username, "nothing", 0)
    if not clinician.email:
        return SendOutcome(clinician.username, "no_email", len(digest.items))
    if not force and DigestDelivery.objects.filter(clinician=clinician, day=day).exists():
        return SendOutcome(clinician.username, "already_sent", len(digest.items))
    try:
        render_email(digest).send(fail_silently=False)
    except Exception as exc:  # SMTP errors come in many types; the others still get theirs
        logger.error("digest email to %s failed: %s", clinician.username, type(exc).__name__)
        return SendOutcome(clinician.username, "failed", len(digest.items))
    try:
        with transaction.atomic():
            DigestDelivery.objects.update_or_create(
                clinician=clinician, day=day, defaults={"sessions": len(digest.items)}
            )
    except IntegrityError:  # two runs at once: the other one recorded it
        pass
    audit.record(
        audit.DIGEST_SENT, actor="digest", role="system",
        detail={"to": clinician.username, "sessions": len(digest.items), "day": day.isoformat()},
    )  # fmt: skip
    return SendOutcome(clinician.username, "sent", len(digest.items))
