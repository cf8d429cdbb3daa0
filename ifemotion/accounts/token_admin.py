"""Admin for API tokens: create one (its secret is shown once, on the page after saving) or revoke it.

Tokens are never edited or deleted: the audit log names them, and a changed scope deserves a new token.
Registered by ``ifemotion/accounts/admin.py`` in place of a plain ModelAdmin (see the README).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers

from ifemotion.accounts import audit
from ifemotion.accounts.models import ApiToken, AuditAction
from ifemotion.accounts.tokens import (
    TokenError,
    check_name,
    check_reach_limits,
    issue_secret,
    reach_detail,
    revoke_token,
)

SECRET_ATTRIBUTE = "_ifemotion_new_api_token"  # noqa: S105 - an attribute name, not a secret


class ApiTokenAddForm(forms.ModelForm):  # type: ignore[type-arg]
    client_ids_text = forms.CharField(
        label="Client ids",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Restrict the token to these client ids (comma or line separated). Empty, with an empty "
        "prefix: the token reaches every client.",
    )

    class Meta:
        model = ApiToken
        fields = ("name", "scope", "client_prefix")
        help_texts = {"client_prefix": "Restrict the token to client ids starting with this."}

    def clean_name(self) -> str:
        try:
            return check_name(self.cleaned_data.get("name"))
        except TokenError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        raw = str(cleaned.get("client_ids_text") or "").replace("\n", ",").split(",")
        try:
            prefix, ids = check_reach_limits(cleaned.get("client_prefix"), raw)
        except TokenError as exc:
            raise forms.ValidationError(str(exc)) from exc
        cleaned["client_prefix"] = prefix
        self.instance.client_ids = ids
        return cleaned


def _actor(request: HttpRequest) -> str:
    return request.user.get_username() if request.user.is_authenticated else "admin"


class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "name",
        "prefix",
        "scope",
        "reach",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("scope",)
    search_fields = ("name", "prefix")
    actions = ["revoke_selected"]
    add_form = ApiTokenAddForm

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        return ("name", "prefix", "scope", "reach", "created_at", "created_by", "last_used_at", "revoked_at")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("name", "scope", "client_prefix", "client_ids_text")
        return self.get_readonly_fields(request, obj)

    @admin.display(description="Clients")
    def reach(self, obj: ApiToken) -> str:
        if not obj.is_restricted:
            return "all clients"
        parts = [f"ids starting with {obj.client_prefix!r}"] if obj.client_prefix else []
        if obj.client_ids:
            parts.append(", ".join(obj.client_ids))
        return "; ".join(parts)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return  # every field is read-only once created
        secret = issue_secret(obj)
        obj.created_by = request.user if request.user.is_authenticated else None
        obj.save(force_insert=True)
        audit.record(
            AuditAction.TOKEN_CHANGED,
            actor=_actor(request),
            request=request,
            detail={"event": "created", "token": obj.name, "scope": obj.scope} | reach_detail(obj),
        )
        setattr(request, SECRET_ATTRIBUTE, secret)

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None
    ) -> HttpResponse:
        secret = getattr(request, SECRET_ATTRIBUTE, None)
        if not isinstance(secret, str):
            return super().response_add(request, obj, post_url_continue)
        # Rendered straight away, never put in the messages framework: that would store it in a cookie.
        context = {
            **self.admin_site.each_context(request),
            "title": f"API token {obj.name} created",
            "token": obj,
            "secret": secret,
            "opts": self.model._meta,
        }
        response = TemplateResponse(request, "accounts/apitoken_created.html", context)
        add_never_cache_headers(response)
        return response

    @admin.action(description="Revoke selected API tokens")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = sum(
            revoke_token(name=token.name, actor=_actor(request), request=request) for token in queryset
        )
        self.message_user(request, f"Revoked {revoked} token(s).", messages.SUCCESS)
