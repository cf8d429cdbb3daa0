from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "sessions_app.risk"
    label = "risk"
    verbose_name = "Risk flags"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sessions_app.risk import client_columns, metrics

        metrics.register()
        client_columns.register()
