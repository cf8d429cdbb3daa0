from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The synthetic demo as a Django app, for its command (``manage.py seed_demo``)."""

    name = "sessions_app.demo"
    label = "demo"
    verbose_name = "Demo data"
