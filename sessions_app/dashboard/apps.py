from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The therapist dashboard as a Django app, for its template tags (emotion chips, provenance)."""

    name = "sessions_app.dashboard"
    label = "dashboard"
    verbose_name = "Therapist dashboard"
