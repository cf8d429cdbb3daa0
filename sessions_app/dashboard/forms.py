"""Forms of the dashboard: list filters (the notes forms are in ``sessions_app.notes.forms``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from sessions_app.dashboard.listing import ListFilters
from sessions_app.domain import SessionStatus
from sessions_app.emotions import vocabulary


class SessionFilterForm(forms.Form):
    client = forms.ChoiceField(required=False)
    emotion = forms.ChoiceField(required=False)
    status = forms.ChoiceField(
        required=False, choices=[("", "any status")] + [(s.value, s.value) for s in SessionStatus]
    )
    since = forms.DateField(
        required=False, label="active from", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(required=False, label="to", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, client_ids: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [("", "all clients")] + [(c, c) for c in client_ids]  # type: ignore[attr-defined]
        # The configured vocabulary (sessions_app.emotions), read per form: a settings change applies.
        labels = [(label, label) for label in vocabulary().labels]
        self.fields["emotion"].choices = [("", "any emotion"), *labels]  # type: ignore[attr-defined]

    def filters(self) -> ListFilters:
        """The valid filters; an invalid one is dropped (and shown as an error) rather than failing."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return ListFilters(
            client=data.get("client") or "",
            emotion=data.get("emotion") or "",
            status=data.get("status") or "",
            since=data.get("since"),
            until=data.get("until"),
        )


class ClientPeriodForm(forms.Form):
    """The client page's period: sessions started from ``since`` to ``until``, whole days, inclusive."""

    since = forms.DateField(
        required=False, label="Sessions from", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(required=False, label="to", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The start of the period is after its end.")
        return data

    def dates(self) -> tuple[date | None, date | None]:
        """The valid period, or no period at all (every session) when it is invalid."""
        if not self.is_valid():
            return None, None
        return self.cleaned_data.get("since"), self.cleaned_data.get("until")
