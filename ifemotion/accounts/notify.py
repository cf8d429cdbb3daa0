"""Emails that tell a person about changes to their own account, and the signals that send them.

Every change of a password, of the sign-in email address and of a two-factor device is mailed to the
account's owner (through Django's email backend: the console under ``make run``, SMTP in production),
whoever made it: the person, an admin's reset, or ``manage.py changepassword``. A change the owner did
not make is then noticed. The mails say what changed and when, never a secret.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ifemotion.accounts.models import User

logger = logging.getLogger("ifemotion.security")
PRODUCT = "IF.emotion Clinician"
_CHANGES = "_ifemotion_account_changes"
_WAS_CONFIRMED = "_ifemotion_device_was_confirmed"


_quiet = threading.local()


@contextmanager
def demo_accounts_quiet() -> Iterator[None]:
    """No owner notifications inside this block: only for ``seed_demo_accounts`` (DEBUG only), whose
    accounts are made afresh with a new password on every ``make run``; a real change always mails."""
    _quiet.on = True
    try:
        yield
    finally:
        _quiet.on = False


def send_to(address: str, subject: str, body: str) -> bool:
    """Send one plain-text mail; False (logged, without the address) when it cannot be sent."""
    if not address or getattr(_quiet, "on", False):
        return False
    try:
        send_mail(f"[{PRODUCT}] {subject}", body, settings.DEFAULT_FROM_EMAIL, [address])
    except Exception:  # an unreachable mail server must not undo the change itself
        logger.exception("could not send an account notification (%s)", subject)
        return False
    return True


def _when() -> str:
    return timezone.now().strftime("%Y-%m-%d %H:%M UTC")


def _footer() -> str:
    return (
        "\n\nIf you did not expect this, tell your clinic administrator at once: someone else may be "
        "using your account.\n"
    )


def notify_password_changed(user: User) -> None:
    body = f"Hello {user.get_username()},\n\nthe password of your {PRODUCT} account was changed on {_when()}."
    send_to(user.email, "Your password was changed", body + _footer())


def notify_email_changed(user: User, old_address: str) -> None:
    body = (
        f"Hello {user.get_username()},\n\nthe email address of your {PRODUCT} account was changed on "
        f"{_when()}. Account mail now goes to the new address; this is the last mail to this one."
    )
    send_to(old_address, "Your account's email address was changed", body + _footer())


def notify_device_changed(user: User, *, enrolled: bool) -> None:
    what = (
        "A new two-factor device was enrolled for" if enrolled else "The two-factor device was removed from"
    )
    body = f"Hello {user.get_username()},\n\n{what} your {PRODUCT} account on {_when()}."
    if not enrolled:
        body += " You will set up a new one (scan a QR code) the next time you log in."
    send_to(user.email, "Your two-factor device changed", body + _footer())


# ------------------------------------------------------------------------------ signals


@receiver(pre_save, sender=User)
def _remember_account_fields(sender: Any, instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    if instance.pk is None or (update_fields is not None and not {"password", "email"} & set(update_fields)):
        return  # e.g. the last_login update at every login: nothing to compare
    before = User.objects.filter(pk=instance.pk).values("password", "email").first()
    setattr(instance, _CHANGES, before)


@receiver(post_save, sender=User)
def _notify_account_changes(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, _CHANGES, None)
    if created or not before:
        return
    setattr(instance, _CHANGES, None)
    if before["password"] != instance.password and instance.has_usable_password():
        transaction.on_commit(lambda: notify_password_changed(instance))
    old_address = before["email"] or ""
    if old_address and old_address != instance.email:
        transaction.on_commit(lambda: notify_email_changed(instance, old_address))


@receiver(pre_save, sender=TOTPDevice)
def _remember_device_state(sender: Any, instance: TOTPDevice, **kwargs: Any) -> None:
    if instance.pk is None:
        setattr(instance, _WAS_CONFIRMED, False)
        return
    before = TOTPDevice.objects.filter(pk=instance.pk).values_list("confirmed", flat=True).first()
    setattr(instance, _WAS_CONFIRMED, bool(before))


@receiver(post_save, sender=TOTPDevice)
def _notify_enrolment(sender: Any, instance: TOTPDevice, **kwargs: Any) -> None:
    if instance.confirmed and not getattr(instance, _WAS_CONFIRMED, True):
        user = instance.user
        transaction.on_commit(lambda: notify_device_changed(user, enrolled=True))


@receiver(post_delete, sender=TOTPDevice)
def _notify_removal(sender: Any, instance: TOTPDevice, **kwargs: Any) -> None:
    if instance.confirmed:
        user = instance.user
        transaction.on_commit(lambda: notify_device_changed(user, enrolled=False))
