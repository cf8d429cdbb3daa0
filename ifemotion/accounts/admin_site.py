"""The clinic's admin site: Django's, except that a signed-in non-admin gets 403, not a redirect loop.

Django's admin sends anyone without admin permission to the admin login page, which here is the one
login page (``accounts:login``); that page sends a signed-in user straight back to ``next``: an endless
loop. A user who is signed in but may not administer is answered "403 Forbidden" instead.
Installed in place of ``django.contrib.admin`` (``ClinicAdminConfig``), so ``admin.site`` is this site.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

ViewT = TypeVar("ViewT", bound=Callable[..., HttpResponseBase])


class ClinicAdminSite(AdminSite):
    site_header = "IF.emotion Clinician administration"
    site_title = "IF.emotion Clinician administration"

    def admin_view(self, view: ViewT, cacheable: bool = False) -> ViewT:
        guarded = super().admin_view(view, cacheable)

        @wraps(guarded)
        def refuse_signed_in_non_admins(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied("administration is for clinic administrators")
            return guarded(request, *args, **kwargs)

        return cast(ViewT, refuse_signed_in_non_admins)


class ClinicAdminConfig(AdminConfig):
    default_site = "ifemotion.accounts.admin_site.ClinicAdminSite"
