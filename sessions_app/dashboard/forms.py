"""Forms of the dashboard: list filters (the notes forms are in ``sessions_app.notes.forms``)."""

from __future__ import annotations

from typing import Any

from django import forms

from sessions_app.dashboard.listing import ListFilters
from sessions_app.domain import Emotion, SessionStatus


class SessionFilterForm(forms.Form):
    client = forms.ChoiceField(required=False)
    emotion = forms.ChoiceField(
        required=False, choices=[("", "any emotion")] + [(e.value, e.value) for e in Emotion]
    )
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
