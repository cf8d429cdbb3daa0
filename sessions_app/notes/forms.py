"""Forms of the notes app. Length limits here mirror the services' checks (which are authoritative)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest

from sessions_app.notes.adjudication import REASON_MAX_CHARS as DECISION_REASON_MAX_CHARS
from sessions_app.notes.guidance import GUIDANCE_MAX_CHARS
from sessions_app.notes.labels import BANDS, CATEGORIES, category_label
from sessions_app.notes.services import REASON_MAX_CHARS
from sessions_app.notes.text import invalid_utf8_fields, normalise


def _text(
    label: str, max_length: int, *, rows: int, required: bool = False, described_by: str = ""
) -> forms.CharField:
    attrs: dict[str, Any] = {"rows": rows, "dir": "auto"}
    if described_by:
        attrs["aria-describedby"] = described_by
    return forms.CharField(
        label=label, required=required, strip=False, max_length=max_length, widget=forms.Textarea(attrs=attrs)
    )


class TextForm(forms.Form):
    """Browsers send textarea line breaks as CRLF: every text field is stored with LF."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        return {k: normalise(v) if isinstance(v, str) else v for k, v in data.items()}

    def mark_invalid_utf8(self, fields: set[str]) -> None:
        """Bytes that were not UTF-8 (Django shows them as U+FFFD): an error, the text kept as shown."""
        for name in fields & set(self.fields):
            self.add_error(
                name,
                "Part of this text was not valid UTF-8 and is shown as \ufffd. Check it, then save again.",
            )


class NoteForm(TextForm):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    text = _text("Session notes", settings.STATE_MAX_NOTE_CHARS, rows=12, described_by="notes-help")


class SignForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class AddendumForm(TextForm):
    text = _text("Addendum", settings.STATE_MAX_NOTE_CHARS, rows=6, required=True)
    reason = forms.CharField(label="Reason for the addendum", max_length=REASON_MAX_CHARS, strip=False)


class GuidanceForm(TextForm):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    current_theme = _text("Current theme", GUIDANCE_MAX_CHARS, rows=2)
    therapeutic_focus = _text("Therapeutic focus", GUIDANCE_MAX_CHARS, rows=3)
    topics_to_avoid = _text("Topics to avoid", GUIDANCE_MAX_CHARS, rows=3)


DECISION_CHOICES = [("accepted", "Accept"), ("relabelled", "Relabel"), ("rejected", "Reject")]


class AdjudicationForm(TextForm):
    decision = forms.ChoiceField(choices=DECISION_CHOICES, widget=forms.RadioSelect)
    category = forms.ChoiceField(
        required=False,
        label="Category (to relabel)",
        choices=[("", "—")] + [(c, category_label(c)) for c in CATEGORIES],
    )
    band = forms.ChoiceField(
        required=False, label="Confidence band (to relabel)", choices=[("", "—")] + [(b, b) for b in BANDS]
    )
    reason = _text("Reason (required to reject or relabel)", DECISION_REASON_MAX_CHARS, rows=2)


class AgreementFilterForm(forms.Form):
    since = forms.DateField(
        required=False, label="inferences from", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="to (inclusive)", widget=forms.DateInput(attrs={"type": "date"})
    )
    client = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, client_ids: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [("", "all my clients")] + [(c, c) for c in client_ids]  # type: ignore[attr-defined]


def bound_form(form_class: type[Any], request: HttpRequest, **kwargs: Any) -> Any:
    """A bound form; fields whose bytes were not UTF-8 get an error (and are shown with U+FFFD)."""
    form = form_class(request.POST, **kwargs)
    bad = (
        invalid_utf8_fields(request.body)
        if request.content_type == "application/x-www-form-urlencoded"
        else set()
    )
    if form.is_valid() and bad:
        prefix = f"{form.prefix}-" if form.prefix else ""
        form.mark_invalid_utf8({name.removeprefix(prefix) for name in bad})
    return form
