from __future__ import annotations

from django import forms

from ifemotion.accounts.identity import MIN_REASON_CHARS


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label="Six-digit code from your authenticator app",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class BreakGlassForm(forms.Form):
    client_id = forms.RegexField(regex=r"^[A-Za-z0-9_-]{1,64}$", label="Client id", max_length=64)
    reason = forms.CharField(
        label="Reason (recorded and reviewed by administrators)",
        min_length=MIN_REASON_CHARS,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
