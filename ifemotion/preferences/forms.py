from __future__ import annotations

from django import forms

from ifemotion.preferences.models import time_zone_names


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Your time zone",
        widget=forms.Select(attrs={"aria-describedby": "tz-help"}),
        help_text="Pages show times in this zone; hover a time for UTC. Exports and the audit log use UTC.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["time_zone"].choices = [(name, name.replace("_", " ")) for name in time_zone_names()]  # type: ignore[attr-defined]
