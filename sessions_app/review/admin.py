"""Read-only admin views of the review state (ids, counts and times; nothing a client wrote).

Like the archive's, these are not among the clinic admins' default permissions (least privilege):
an operator with a superuser account, or an admin granted them, sees who held what and when, and
which digests went out.
"""

from __future__ import annotations

from django.contrib import admin

from sessions_app.archive.admin import ReadOnlyAdmin
from sessions_app.review.models import DigestDelivery, ReviewCursor, SessionHold


@admin.register(SessionHold)
class SessionHoldAdmin(ReadOnlyAdmin):
    list_display = (
        "client_id",
        "session_id",
        "held_by_name",
        "held_at",
        "messages",
        "citations",
        "note_version",
    )
    search_fields = ("client_id", "session_id", "held_by_name")
    fields = (*list_display, "emotion_changes", "milestones", "breakthroughs")


@admin.register(ReviewCursor)
class ReviewCursorAdmin(ReadOnlyAdmin):
    list_display = ("clinician", "client_id", "session_id", "seq", "reviewed_at")
    search_fields = ("client_id", "session_id", "clinician__username")
    fields = (*list_display, "milestones", "breakthroughs", "emotion_changes")


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("clinician", "day", "sent_at", "sessions")
    date_hierarchy = "day"
