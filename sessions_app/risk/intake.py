"""Assessment on the HTTP append path: the chatbot gets the answer in the same response, so it can
show crisis resources at once. Runs after the state layer has stored the message (the state layer's
append is untouched); a failure here never fails the append: the worker assesses what was missed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError

from sessions_app.domain import Message, Role
from sessions_app.errors import StateError
from sessions_app.risk.detection.engine import CONTEXT_TURNS, assess
from sessions_app.risk.detection.replies import MAX_REPLY_WORDS
from sessions_app.risk.detection.types import Assessment
from sessions_app.risk.models import FlagSource
from sessions_app.risk.recording import AssessedMessage, advance_one, record_flag
from sessions_app.state.manager import ConversationStateManager

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppendAssessment:
    assessment: Assessment
    flag_id: int | None
    recorded: bool  # False: the flag could not be written now; the worker will write it


def assess_append(
    manager: ConversationStateManager, client_id: str, session_id: str, message: Message
) -> AppendAssessment | None:
    """Assess a client message just appended; None for assistant and system messages (and when
    ``RISK_ASSESS_ON_API`` is off, in which case the worker assesses every message)."""
    if not settings.RISK_ASSESS_ON_API:
        return None
    if message.role != Role.USER:
        _advance(client_id, session_id, message.seq)
        return None
    assessment = assess(message.content)
    if not assessment.flagged and _context_may_matter(message.content):
        # Only a short reply (or talk of urges) can mean more after the turns before it: read them then.
        assessment = assess(message.content, context=_context(manager, client_id, session_id, message.seq))
    try:
        flag = record_flag(
            AssessedMessage(client_id, session_id, message.seq, message.id, message.timestamp),
            assessment,
            source=FlagSource.API,
        )
    except DatabaseError as exc:
        logger.error("risk flag of message %s of session %s not recorded: %s", message.seq, session_id,
                     type(exc).__name__)  # fmt: skip
        return AppendAssessment(assessment, None, recorded=False)
    _advance(client_id, session_id, message.seq)
    return AppendAssessment(assessment, flag.pk if flag else None, recorded=True)


def _context_may_matter(text: str) -> bool:
    return len(text.split()) <= MAX_REPLY_WORDS or bool(_TOPICAL.search(text))


_TOPICAL = re.compile(r"urge|craving|thought", re.IGNORECASE)


def _context(manager: ConversationStateManager, client_id: str, session_id: str, seq: int) -> list[str]:
    """The turns before ``seq`` still in the live window (one read-only round trip); none if unreadable."""
    try:
        history = manager.get_message_history(client_id, session_id, limit=CONTEXT_TURNS + 1)
    except StateError:
        return []
    return [m.content for m in history if isinstance(m, Message) and m.seq < seq][-CONTEXT_TURNS:]


def _advance(client_id: str, session_id: str, seq: int) -> None:
    try:
        advance_one(client_id, session_id, seq)
    except DatabaseError as exc:
        logger.warning("risk cursor of session %s not advanced: %s", session_id, type(exc).__name__)
