from __future__ import annotations

from django import forms

from sessions_app.risk.models import FlagState, RiskFlag
from sessions_app.risk.queries import SEVERITIES
from sessions_app.risk.workflow import NOTE_MAX_CHARS

ACTIONS = {
    "acknowledge": FlagState.ACKNOWLEDGED,
    "resolve": FlagState.RESOLVED,
    "false_positive": FlagState.FALSE_POSITIVE,
}


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=NOTE_MAX_CHARS,
        strip=True,
        label="Note (required): what you did or decided",
        error_messages={"required": "A note is required: say what you did or decided."},
    )

    def target_state(self) -> str:
        return ACTIONS[self.cleaned_data["action"]]


class InboxFilterForm(forms.Form):
    SHOW = [("unresolved", "needing attention"), ("open", "not acknowledged"), ("closed", "closed"),
            ("all", "all")]  # fmt: skip
    show = forms.ChoiceField(choices=SHOW, required=False)
    severity = forms.ChoiceField(
        choices=[("", "any severity")] + [(s, s) for s in SEVERITIES], required=False
    )

    def states(self) -> tuple[str, ...]:
        show = self.cleaned_data.get("show") if self.is_valid() else ""
        return {
            "open": (FlagState.OPEN,),
            "closed": (FlagState.RESOLVED, FlagState.FALSE_POSITIVE),
            "all": tuple(FlagState.values),
        }.get(show or "", (FlagState.OPEN, FlagState.ACKNOWLEDGED))

    def chosen_severity(self) -> str | None:
        return (self.cleaned_data.get("severity") or None) if self.is_valid() else None


def actions_for(flag: RiskFlag) -> list[tuple[str, str]]:
    """(action, button label) the flag's state allows."""
    if flag.state == FlagState.OPEN:
        return [("acknowledge", "Acknowledge")]
    if flag.state == FlagState.ACKNOWLEDGED:
        return [("resolve", "Resolve"), ("false_positive", "Mark false positive")]
    return []
