"""Forms of the review pages: inbox filters, marking reviewed or unread. Bad input is a form error."""

from __future__ import annotations

from typing import Any

from django import forms

from sessions_app.emotions import vocabulary
from sessions_app.review.inbox import InboxFilters
from sessions_app.review.tallies import Counts

ID_REGEX = r"^[A-Za-z0-9_-]{1,64}$"
MAX_COUNT = 10**9


class InboxFilterForm(forms.Form):
    show = forms.ChoiceField(required=False)
    emotion = forms.ChoiceField(required=False)
    q = forms.CharField(required=False, max_length=64, label="Client id contains")
    page = forms.IntegerField(required=False, min_value=1, max_value=10**6)

    def __init__(self, *args: Any, show_choices: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["show"].choices = list(show_choices.items())  # type: ignore[attr-defined]
        # The configured vocabulary (sessions_app.emotions), read per form: a settings change applies.
        labels = [(label, label) for label in vocabulary().labels]
        self.fields["emotion"].choices = [("", "any emotion"), *labels]  # type: ignore[attr-defined]

    def filters(self) -> InboxFilters:
        """The valid filters; an invalid one is dropped (and shown as an error) rather than failing."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return InboxFilters(
            show=data.get("show") or "all",
            emotion=data.get("emotion") or "",
            query=data.get("q") or "",
            page=data.get("page") or 1,
        )


def _count(required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(required=required, min_value=0, max_value=MAX_COUNT)


class MarkForm(forms.Form):
    """Mark one session reviewed (up to ``seq``, with what the page showed) or the whole client."""

    scope = forms.ChoiceField(choices=[("session", "session"), ("client", "client")])
    session_id = forms.RegexField(regex=ID_REGEX, required=False)
    seq = _count()
    messages = _count()
    milestones = _count()
    breakthroughs = _count()
    emotion_changes = _count()
    next = forms.CharField(required=False, max_length=2000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == "session" and not data.get("session_id"):
            raise forms.ValidationError("Which session? The form did not say.")
        shown = [data.get(name) for name in ("messages", "milestones", "breakthroughs", "emotion_changes")]
        if any(value is not None for value in shown) and any(value is None for value in shown):
            raise forms.ValidationError("The page's counts were incomplete; reload the page and try again.")
        return data

    def shown(self) -> Counts | None:
        data = self.cleaned_data
        if data.get("messages") is None:
            return None
        return Counts(data["messages"], data["milestones"], data["breakthroughs"], data["emotion_changes"])


class UnreadForm(forms.Form):
    scope = forms.ChoiceField(choices=[("session", "session"), ("client", "client")])
    session_id = forms.RegexField(regex=ID_REGEX, required=False)
    next = forms.CharField(required=False, max_length=2000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == "session" and not data.get("session_id"):
            raise forms.ValidationError("Which session? The form did not say.")
        return data


class NextForm(forms.Form):
    next = forms.CharField(required=False, max_length=2000)
