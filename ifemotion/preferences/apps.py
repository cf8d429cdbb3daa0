from django.apps import AppConfig


class PreferencesConfig(AppConfig):
    name = "ifemotion.preferences"
    label = "preferences"
    verbose_name = "Display preferences"
    default_auto_field = "django.db.models.BigAutoField"
