from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern

from ifemotion.accounts import audit
from ifemotion.accounts.identity import (
    AccessChangeError,
    assign_client,
    check_assignable,
    grant_admin_permissions,
    unassign_client,
)
from ifemotion.accounts.mfa_admin import replace_django_otp_admin
from ifemotion.accounts.models import (
    ApiToken,
    AuditAction,
    AuditEvent,
    BreakGlassGrant,
    CareAssignment,
    Role,
    User,
)
from ifemotion.accounts.password_reset import ResetRefused, invite, issue_password_reset
from ifemotion.accounts.token_admin import ApiTokenAdmin


class ClinicUserAddForm(forms.ModelForm):  # type: ignore[type-arg]
    """A new account has no password: its owner chooses one from the emailed link."""

    class Meta:
        model = User
        fields = ("username", "email", "role", "first_name", "last_name")

    def clean_email(self) -> str:
        email: str = self.cleaned_data.get("email") or ""
        if not email:
            raise forms.ValidationError(
                "An email address is required: the account's owner sets their password "
                "from a link sent there."
            )
        return email


class ClinicUserChangeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("username", "email", "role", "first_name", "last_name", "is_active")

    def clean_role(self) -> str:
        role: str = self.cleaned_data["role"]
        if role == Role.ADMIN and self.instance.pk and self.instance.assignments.exists():
            raise forms.ValidationError(
                "This user has care assignments. Administrators hold none (separation of duties): "
                "remove the assignments first."
            )
        return role


@admin.register(User)
class ClinicUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """Users and roles. Passwords are never set or seen here: a reset mails the user a one-time link."""

    list_display = ("username", "email", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    form = ClinicUserChangeForm
    add_form = ClinicUserAddForm
    fieldsets = (
        (None, {"fields": ("username", "email", "role", "is_active")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "role", "first_name", "last_name")}),
    )
    readonly_fields = ("last_login", "date_joined")
    actions = ["send_password_reset"]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and getattr(obj, "pk", None) == request.user.pk:
            fields = (*fields, "role", "is_active")  # nobody changes their own role or locks themselves out
        return fields

    def get_urls(self) -> list[URLPattern]:
        # Django's "change password" form for another user is not offered at all.
        return [url for url in super().get_urls() if "password" not in str(url.pattern)]

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        raise PermissionDenied("administrators do not set passwords; send a reset link instead")

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            obj.set_unusable_password()
        obj.is_staff = obj.role == Role.ADMIN  # admin-site access follows the role, nothing else
        super().save_model(request, obj, form, change)
        if obj.role == Role.ADMIN:
            grant_admin_permissions(obj)
        actor = request.user if isinstance(request.user, User) else None
        audit.record(
            AuditAction.USER_CHANGED,
            actor=actor.username if actor else "",
            role=actor.role if actor else "",
            request=request,
            detail={"user": obj.username, "role": obj.role, "active": obj.is_active, "created": not change},
        )
        if not change:
            try:
                invite(user=obj, by=actor, request=request)
            except ResetRefused as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(
                    request, f"A link to choose a password was sent to {obj.email}.", messages.SUCCESS
                )

    @admin.action(description="Send a password reset link (ends their sessions and two-factor device)")
    def send_password_reset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        for user in queryset:
            try:
                issue_password_reset(user=user, by=actor, request=request)
            except ResetRefused as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(
                    request, f"Reset link sent to {user.username}'s email address.", messages.SUCCESS
                )


class CareAssignmentForm(forms.ModelForm):  # type: ignore[type-arg]
    """Only therapists and clinicians can be assigned; never an admin, never oneself."""

    class Meta:
        model = CareAssignment
        fields = ("therapist", "client_id")

    acting: User | None = None  # the signed-in admin; set per request by CareAssignmentAdmin.get_form

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["therapist"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = User.objects.filter(
                role__in=[Role.THERAPIST, Role.CLINICIAN], is_staff=False, is_superuser=False
            )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        therapist = cleaned.get("therapist")
        if isinstance(therapist, User):
            try:
                check_assignable(therapist, by=self.acting)
            except AccessChangeError as exc:
                raise forms.ValidationError(str(exc)) from None
        return cleaned


@admin.register(CareAssignment)
class CareAssignmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Granting and revoking go through identity.py, so every change is audited with its actor."""

    list_display = ("therapist", "client_id", "created_at", "created_by")
    search_fields = ("therapist__username", "client_id")
    readonly_fields = ("created_at", "created_by")
    form = CareAssignmentForm

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        acting = request.user if isinstance(request.user, User) else None
        return type("CareAssignmentFormForRequest", (form_class,), {"acting": acting})

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


# django-otp's device admin shows secrets; ours never does (see mfa_admin.py).
replace_django_otp_admin(admin.site)
