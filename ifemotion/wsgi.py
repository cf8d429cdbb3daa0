import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifemotion.settings")
application = get_wsgi_application()

# Imported after the application: it needs configured settings.
from sessions_app.health import warn_about_redis_configuration  # noqa: E402

warn_about_redis_configuration()
