"""The state manager of the Django process, built once from settings."""

from __future__ import annotations

from functools import cache

from django.conf import settings

import sessions_app.state.decoded as decoded
from sessions_app.archive.store import archived_message
from sessions_app.notes.reads import guidance_seed
from sessions_app.state.connection import get_redis
from sessions_app.state.manager import ConversationStateManager


@cache
def get_state_manager() -> ConversationStateManager:
    # One cache of decoded members per kind and process, shared by every reader of live records.
    decoded.size_all(settings.STATE_DECODED_MESSAGES)
    return ConversationStateManager(
        get_redis(),
        ttl_seconds=settings.STATE_TTL_SECONDS,
        window=settings.STATE_MESSAGE_WINDOW,
        max_content_chars=settings.STATE_MAX_MESSAGE_CHARS,
        max_note_chars=settings.STATE_MAX_NOTE_CHARS,
        ttl_slack_seconds=settings.STATE_TTL_SLACK_SECONDS,
        # A duplicate append of a message already drained to the archive is answered from there.
        archived_message_lookup=archived_message,
        # Every new session starts with the client's current guidance (theme, focus, topics to avoid).
        context_seed=guidance_seed,
    )
