"""TOTP two-factor: enrolment (only while the user has no confirmed device) and verification."""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from ifemotion.accounts import audit
from ifemotion.accounts.models import AuditAction, User


def confirmed_device(user: User) -> TOTPDevice | None:
    device: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (created on first use)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code in a data: URI (allowed by the CSP's img-src)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg: bytes = image.to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def verify(request: HttpRequest, user: User, device: TOTPDevice, token: str) -> bool:
    """Check a code (django-otp throttles repeated failures); on success mark the session verified."""
    if not device.verify_token(token.strip()):
        audit.record(
            AuditAction.LOGIN_FAILED,
            actor=user.username,
            role=user.role,
            request=request,
            outcome="failed",
            detail={"step": "totp"},
        )
        return False
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record(
            AuditAction.MFA_DEVICE_CHANGED, actor=user.username, role=user.role, request=request,
            detail={"user": user.username, "event": "enrolled"},
        )  # fmt: skip
    otp_login(request, device)
    request.session.cycle_key()  # a new key once the second factor is in, too
    audit.record(
        AuditAction.LOGIN, actor=user.username, role=user.role, request=request, detail={"step": "totp"}
    )
    return True
