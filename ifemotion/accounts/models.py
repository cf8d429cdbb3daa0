"""Users and roles, care assignments, API tokens and the append-only audit log."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

client_id_validator = RegexValidator(
    r"^[A-Za-z0-9_-]{1,64}$", "A client id is 1-64 characters from A-Z, a-z, 0-9, '_' and '-'."
)


class Role(models.TextChoices):
    THERAPIST = "therapist", "Therapist"
    CLINICIAN = "clinician", "Clinician"
    ADMIN = "admin", "Administrator"


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.THERAPIST)

    @property
    def may_download_records(self) -> bool:
        return self.role == Role.CLINICIAN

    @property
    def is_clinic_admin(self) -> bool:
        return self.role == Role.ADMIN


class CareAssignment(models.Model):
    """The only path from a therapist to a client's sessions."""

    therapist = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    client_id = models.CharField(max_length=64, validators=[client_id_validator], db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["therapist", "client_id"], name="one_assignment_per_pair")
        ]
        ordering = ["client_id"]

    def __str__(self) -> str:
        return f"{self.therapist.username} → {self.client_id}"


class TokenScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Read and write"


class ApiToken(models.Model):
    """A bearer token of the chatbot backend. Only its SHA-256 is stored; the token is shown once."""

    name = models.CharField(max_length=100, unique=True)
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise a token.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(max_length=8, choices=TokenScope.choices, default=TokenScope.WRITE)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Which clients the token reaches: empty prefix and list = every client (the chatbot writes for
    # all its clients). Otherwise client ids starting with the prefix, or listed; others answer 404.
    client_prefix = models.CharField(max_length=64, blank=True, default="")
    client_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def is_restricted(self) -> bool:
        return bool(self.client_prefix or self.client_ids)

    def reaches(self, client_id: str) -> bool:
        """Whether this token may touch ``client_id``'s records."""
        if not self.is_restricted:
            return True
        if self.client_prefix and client_id.startswith(self.client_prefix):
            return True
        return client_id in (self.client_ids or [])


class AuditAction(models.TextChoices):
    LOGIN = "login", "Login"
    LOGOUT = "logout", "Logout"
    LOGIN_FAILED = "login_failed", "Failed login"
    SESSION_LIST = "session_list", "Session list viewed"
    SESSION_VIEWED = "session_viewed", "Session viewed"
    NOTES_EDITED = "notes_edited", "Notes edited"
    NOTES_CONFLICT = "notes_conflict", "Notes save refused (conflict)"
    EXPORT = "export", "Export downloaded"
    ACCESS_DENIED = "access_denied", "Access denied"
    BREAK_GLASS = "break_glass", "Emergency access"
    ACCESS_GRANTED = "access_granted", "Access granted"
    ACCESS_REVOKED = "access_revoked", "Access revoked"
    USER_CHANGED = "user_changed", "User created or changed"
    TOKEN_CHANGED = "token_changed", "API token created or revoked"
    API_REQUEST = "api_request", "API request"
    PASSWORD_RESET = "password_reset", "Password reset link sent"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    MFA_DEVICE_CHANGED = "mfa_device_changed", "Two-factor device enrolled or removed"
    RISK_INBOX_VIEWED = "risk_inbox_viewed", "Risk alert inbox viewed"
    RISK_FLAG_VIEWED = "risk_flag_viewed", "Risk flag viewed"
    RISK_FLAG_CHANGED = "risk_flag_changed", "Risk flag acknowledged, resolved or marked false positive"
    RISK_FLAG_ESCALATED = "risk_flag_escalated", "Risk flag escalated"
    SEARCH = "search", "Search (the query is stored only as a keyed hash)"


class AuditEvent(models.Model):
    """Append-only (database triggers refuse UPDATE and DELETE) and hash-chained.

    Never holds message content or notes: only who, when, from where, what, on which record.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.CharField(max_length=150, help_text="username, or token:NAME for the API")
    role = models.CharField(max_length=16, blank=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices, db_index=True)
    outcome = models.CharField(max_length=16, default="ok")
    client_id = models.CharField(max_length=64, blank=True, db_index=True)
    session_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action}"


class BreakGlassGrant(models.Model):
    """Emergency read-only access to one client's records: reason required, time-boxed, audited.

    Rows are never deleted; ending a grant early sets ``ended_at``. Admins see them all in the admin.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glass_grants")
    client_id = models.CharField(max_length=64, validators=[client_id_validator], db_index=True)
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "client_id", "expires_at"], name="breakglass_lookup")]

    def __str__(self) -> str:
        return f"{self.user.username} → {self.client_id} until {self.expires_at:%Y-%m-%d %H:%M} UTC"

    def is_active(self, now: datetime | None = None) -> bool:
        moment = now or timezone.now()
        return self.ended_at is None and self.expires_at > moment
