from typing import Any

from django.apps import AppConfig
from django.core import checks


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = "Conversation sessions"

    def ready(self) -> None:
        checks.register(check_emotion_vocabulary, checks.Tags.compatibility)


def check_emotion_vocabulary(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A malformed EMOTION_VOCABULARY stops ``manage.py check``/``migrate``/``runserver`` with its reason."""
    from sessions_app.emotions import check_configuration

    return [checks.Error(problem, id="sessions_app.E001") for problem in check_configuration()]
