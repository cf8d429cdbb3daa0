from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from ifemotion.accounts import audit
from ifemotion.accounts.identity import assign_client, unassign_client
from ifemotion.accounts.models import ApiToken, AuditAction, AuditEvent, BreakGlassGrant, CareAssignment, User
from ifemotion.accounts.token_admin import ApiTokenAdmin


@admin.register(User)
class ClinicUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Role", {"fields": ("role",)}))
    # A clinic admin is not a superuser (no record models); they must not be able to make one.
    ESCALATION_FIELDS = ("is_superuser", "user_permissions", "groups")

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else (*fields, *self.ESCALATION_FIELDS)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        actor = request.user if isinstance(request.user, User) else None
        audit.record(
            AuditAction.USER_CHANGED,
            actor=actor.username if actor else "",
            role=actor.role if actor else "",
            request=request,
            detail={"user": obj.username, "role": obj.role, "active": obj.is_active, "created": not change},
        )


@admin.register(CareAssignment)
class CareAssignmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Granting and revoking go through identity.py, so every change is audited with its actor."""

    list_display = ("therapist", "client_id", "created_at", "created_by")
    search_fields = ("therapist__username", "client_id")
    readonly_fields = ("created_at", "created_by")

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # reassigning = revoke + grant, two audited events

    def save_model(self, request: HttpRequest, obj: CareAssignment, form: Any, change: bool) -> None:
        by = request.user if isinstance(request.user, User) else None
        saved = assign_client(therapist=obj.therapist, client_id=obj.client_id, by=by, request=request)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CareAssignment) -> None:
        by = request.user if isinstance(request.user, User) else None
        unassign_client(therapist=obj.therapist, client_id=obj.client_id, by=by, request=request)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CareAssignment]) -> None:
        for obj in queryset.select_related("therapist"):
            self.delete_model(request, obj)


@admin.register(BreakGlassGrant)
class BreakGlassGrantAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Every emergency access, for review. Read-only: the rows are evidence."""

    list_display = ("created_at", "user", "client_id", "expires_at", "ended_at", "active")
    list_filter = ("created_at",)
    search_fields = ("user__username", "client_id")
    readonly_fields = ("user", "client_id", "reason", "created_at", "expires_at", "ended_at")

    @admin.display(boolean=True)
    def active(self, obj: BreakGlassGrant) -> bool:
        return obj.is_active()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# Tokens are created (secret shown once) and revoked in their own admin; never edited or deleted.
admin.site.register(ApiToken, ApiTokenAdmin)


class AuditRoleFilter(admin.SimpleListFilter):
    """The actor's role, with a name for rows that have none (manage.py, API tokens, anonymous):
    Django's own filter would show those as a link without text."""

    title = "role"
    parameter_name = "role"
    NONE = "none"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        roles = AuditEvent.objects.order_by("role").values_list("role", flat=True).distinct()
        return [
            (role, role) if role else (self.NONE, "none (command line, API, anonymous)") for role in roles
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(role="" if value == self.NONE else value)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: the audit log is append-only (the database refuses changes too)."""

    list_display = ("at", "actor", "role", "action", "outcome", "client_id", "session_id", "ip")
    list_filter = ("action", "outcome", AuditRoleFilter)
    search_fields = ("actor", "client_id", "session_id", "request_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
