from django.apps import AppConfig


class SearchConfig(AppConfig):
    """The search index's own tables (live-indexing cursors, deletions to carry out, the worker's
    heartbeat), kept apart from the archive of record: everything here may be rebuilt."""

    name = "sessions_app.archive.search"
    label = "search"
    verbose_name = "Search index"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sessions_app.archive.search import signals

        signals.connect()
