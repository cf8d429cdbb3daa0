from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from ifemotion.accounts.models import ApiToken, AuditEvent, CareAssignment, User


@admin.register(User)
class ClinicUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Role", {"fields": ("role",)}))


@admin.register(CareAssignment)
class CareAssignmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("therapist", "client_id", "created_at", "created_by")
    search_fields = ("therapist__username", "client_id")
    readonly_fields = ("created_at", "created_by")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "prefix", "scope", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "created_by", "last_used_at")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: the audit log is append-only (the database refuses changes too)."""

    list_display = ("at", "actor", "role", "action", "outcome", "client_id", "session_id", "ip")
    list_filter = ("action", "outcome", "role")
    search_fields = ("actor", "client_id", "session_id", "request_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
