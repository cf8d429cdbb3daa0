import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifemotion.settings")
# Web workers get PostgreSQL's statement_timeout (DATABASE_STATEMENT_TIMEOUT_SECONDS); the archiver,
# migrations and other commands keep long statements.
os.environ.setdefault("IFEMOTION_WEB_PROCESS", "1")
application = get_wsgi_application()

# Imported after the application: it needs configured settings.
from ifemotion.ops.health import warn_about_redis_configuration  # noqa: E402

warn_about_redis_configuration()
