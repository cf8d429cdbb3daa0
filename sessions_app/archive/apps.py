from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    """The archiver's room as a Django app: its commands (archive_sessions, reindex_archive) and the
    read-only admin of the archive. The archive's tables belong to ``sessions_app`` (its models)."""

    name = "sessions_app.archive"
    label = "archive"
    verbose_name = "Archive of record (read-only)"
