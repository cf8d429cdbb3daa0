from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "sessions_app.review"
    label = "review"
    verbose_name = "Review: cursors, holds and digests"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sessions_app.review import client_columns

        client_columns.register()
