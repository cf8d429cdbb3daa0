"""Assess a run of one session's messages in order, each with the turns before it as context."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sessions_app.risk.detection.engine import CONTEXT_TURNS, assess
from sessions_app.risk.models import FlagSource
from sessions_app.risk.recording import AssessedMessage, record_flag


@dataclass(frozen=True)
class Turn:
    seq: int
    message_id: str
    role: str
    content: str
    timestamp: object  # datetime (typed loosely: rows from Redis and from the archive)


@dataclass
class ScanResult:
    assessed: int = 0
    flagged: int = 0
    through: int = 0  # the highest seq assessed with no gap before it


def scan(
    client_id: str, session_id: str, turns: Iterable[Turn], *, after: int, source: FlagSource
) -> ScanResult:
    """Assess client turns with ``seq > after``; earlier turns only serve as context.

    ``turns`` must be in seq order; the result's ``through`` stops before the first missing seq.
    """
    result = ScanResult(through=after)
    context: list[str] = []
    for turn in turns:
        if turn.seq > after:
            if turn.seq != result.through + 1:
                break  # a gap: nothing after it counts as assessed
            if turn.role == "user":
                assessment = assess(turn.content, context=context)
                result.assessed += 1
                message = AssessedMessage(client_id, session_id, turn.seq, turn.message_id, turn.timestamp)  # type: ignore[arg-type]
                if record_flag(message, assessment, source=source) is not None:
                    result.flagged += 1
            result.through = turn.seq
        context = [*context[-(CONTEXT_TURNS - 1) :], turn.content]
    return result
