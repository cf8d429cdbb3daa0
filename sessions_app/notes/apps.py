from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "sessions_app.notes"
    label = "notes"
    verbose_name = "Clinical notes, guidance and adjudication"
    default_auto_field = "django.db.models.BigAutoField"
