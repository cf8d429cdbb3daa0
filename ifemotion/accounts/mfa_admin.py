"""Two-factor devices in the admin: who has one, and removing it (a reset). Never the secret.

django-otp's own admin shows each device's key and serves its otpauth:// URL and QR code: with those
(and the power to set passwords) an admin could sign in as any clinician. Here an admin sees only the
owner, name, state and last use, may not add or edit a device (a device with a key the admin chose
would be the same hole), and may delete one: the owner then enrols a new device at their next login,
is told by email, and the removal is audited.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from ifemotion.accounts import audit
from ifemotion.accounts.models import AuditAction, User


def _remove(request: HttpRequest, device: TOTPDevice) -> None:
    actor = request.user if isinstance(request.user, User) else None
    owner = device.user
    device.delete()
    audit.record(
        AuditAction.MFA_DEVICE_CHANGED,
        actor=actor.username if actor else "",
        role=actor.role if actor else "",
        request=request,
        detail={"user": owner.get_username(), "event": "removed"},
    )


class TOTPDeviceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # a device's key is never shown or chosen here

    def delete_model(self, request: HttpRequest, obj: TOTPDevice) -> None:
        _remove(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[TOTPDevice]) -> None:
        for device in queryset.select_related("user"):
            _remove(request, device)


def replace_django_otp_admin(site: admin.AdminSite) -> None:
    if site.is_registered(TOTPDevice):
        site.unregister(TOTPDevice)
    site.register(TOTPDevice, TOTPDeviceAdmin)
