"""Admin views of the archive: ids, times and counts only, never message content or notes.

Everything is read-only: the archive is the record of truth, written by the archiver alone. Admins
(the role, not superusers) see the archived sessions and the archiver's heartbeat, to check that
archiving works; the other archive tables stay with superusers.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from ifemotion.accounts.models import Role
from sessions_app.models import (
    ArchivedCitation,
    ArchivedMessage,
    ArchivedSession,
    ArchiverHeartbeat,
    NoteRevision,
    QuarantinedEntry,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AdminsMayView:
    """View permission for the admin role, without a per-user permission row to grant or forget."""

    @staticmethod
    def _is_admin(request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and getattr(user, "role", None) == Role.ADMIN)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._is_admin(request) or super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request) or super().has_module_permission(request)  # type: ignore[misc]


def _count_of(model: type[ArchivedMessage] | type[ArchivedCitation] | type[NoteRevision]) -> Any:
    rows = (
        model.objects.filter(user_id=OuterRef("user_id"), session_id=OuterRef("session_id"))
        .order_by()
        .values("user_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


@admin.register(ArchivedSession)
class ArchivedSessionAdmin(AdminsMayView, ReadOnlyAdmin):
    list_display = (
        "user_id",
        "session_id",
        "status",
        "started_at",
        "last_updated",
        "message_count",
        "archived_messages",
        "archived_citations",
        "note_revisions",
        "context_version",
        "archived_at",
        "removed_from_live_at",
        "indexed",
    )
    list_filter = ("status", "indexed")
    search_fields = ("user_id", "session_id")
    fields = (
        "user_id",
        "session_id",
        "conversation_id",
        "status",
        "started_at",
        "last_updated",
        "last_resumed",
        "closed_at",
        "last_model",
        "message_count",
        "milestone_count",
        "breakthrough_count",
        "context_version",
        "first_archived_at",
        "archived_at",
        "removed_from_live_at",
        "fingerprint",
        "indexed",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ArchivedSession]:
        rows: QuerySet[ArchivedSession] = super().get_queryset(request)
        return rows.annotate(
            n_messages=_count_of(ArchivedMessage),
            n_citations=_count_of(ArchivedCitation),
            n_revisions=_count_of(NoteRevision),
        )

    @admin.display(description="archived messages", ordering="n_messages")
    def archived_messages(self, obj: Any) -> int:
        return int(obj.n_messages)

    @admin.display(description="archived citations", ordering="n_citations")
    def archived_citations(self, obj: Any) -> int:
        return int(obj.n_citations)

    @admin.display(description="note revisions", ordering="n_revisions")
    def note_revisions(self, obj: Any) -> int:
        return int(obj.n_revisions)


@admin.register(ArchivedMessage)
class ArchivedMessageAdmin(ReadOnlyAdmin):
    list_display = ("user_id", "session_id", "seq", "message_id", "role", "timestamp", "indexed")
    list_filter = ("role", "indexed")
    search_fields = ("user_id", "session_id", "message_id")
    fields = ("user_id", "session_id", "seq", "message_id", "role", "timestamp", "citation_id", "archived_at")


@admin.register(ArchivedCitation)
class ArchivedCitationAdmin(ReadOnlyAdmin):
    list_display = ("citation_id", "type", "timestamp", "user_id", "session_id", "indexed")
    list_filter = ("type", "indexed")
    search_fields = ("citation_id", "user_id", "session_id")
    fields = ("citation_id", "type", "timestamp", "user_id", "session_id", "status", "version")


@admin.register(NoteRevision)
class NoteRevisionAdmin(ReadOnlyAdmin):
    list_display = ("user_id", "session_id", "version", "author", "saved_at", "text_captured", "source")
    list_filter = ("source", "text_captured")
    search_fields = ("user_id", "session_id", "author")
    fields = (
        "user_id",
        "session_id",
        "version",
        "author",
        "saved_at",
        "text_captured",
        "source",
        "recorded_at",
    )


@admin.register(QuarantinedEntry)
class QuarantinedEntryAdmin(ReadOnlyAdmin):
    list_display = ("user_id", "session_id", "kind", "sha256", "found_at")
    list_filter = ("kind",)
    fields = ("user_id", "session_id", "kind", "sha256", "found_at")


@admin.register(ArchiverHeartbeat)
class ArchiverHeartbeatAdmin(AdminsMayView, ReadOnlyAdmin):
    list_display = ("name", "last_finished_at", "sessions", "messages", "citations", "failures", "seconds")
