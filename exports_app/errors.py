"""Typed errors of the exports. Views and commands turn each into a clear message, never a traceback."""

from __future__ import annotations


class ExportError(Exception):
    """Base of every error an export raises on purpose."""


class ExportTooLarge(ExportError):
    """The record is too large to render within the configured time/memory limits."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "This record is too large to render as a PDF within the server's limits. "
            "Export a smaller range of messages, or download Markdown or JSON instead."
        )


class ExportTooLong(ExportError):
    """A document with a page limit (the one-page client summary) laid out longer than it."""


class ExportRenderFailed(ExportError):
    """The PDF renderer failed for another reason (crash, bad template). Logged without content."""


class InvalidRange(ExportError, ValueError):
    """A requested message range is malformed (e.g. from > to)."""
