"""The risk worker: assesses every client message the chatbot wrote through the Python state API
(and any the HTTP path could not record), by polling ``sessions_app.state.feed``.

One pass: read every live session's message count (one pipelined sweep); for each session whose
count moved since the last pass, compare it with the session's cursor in the database and read the
messages after it (plus a few before, as context) in one atomic read. Messages the archiver already
moved to the database are read from the archive. Flags and the cursor are written in the database,
so a restarted worker (or a second one) continues where the last left off. Every ``catch_up_every``
passes it also assesses archived sessions the live feed can no longer show (``catchup``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import redis

from sessions_app.domain import Message
from sessions_app.models import ArchivedMessage
from sessions_app.risk.detection.engine import CONTEXT_TURNS
from sessions_app.risk.models import FlagSource
from sessions_app.risk.recording import advance_to, cursors_for
from sessions_app.risk.scan import Turn, scan
from sessions_app.state import feed

logger = logging.getLogger(__name__)


@dataclass
class PassSummary:
    sessions: int = 0  # live sessions seen
    changed: int = 0  # sessions with messages not assessed yet
    assessed: int = 0
    flagged: int = 0
    from_archive: int = 0  # messages read from the archive (drained from Redis before we saw them)
    missing: int = 0  # messages neither Redis nor the archive held (logged; never expected)
    failures: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"risk pass: {self.sessions} live sessions, {self.changed} with new messages, "
            f"{self.assessed} client messages assessed, {self.flagged} flagged, "
            f"{self.from_archive} read from the archive, {self.missing} missing, {self.failures} failures"
        )


class RiskWorker:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.seen: dict[tuple[str, str], int] = {}  # message counts at the last pass

    def run_pass(self) -> PassSummary:
        """One pass over the live sessions. Raises StateUnavailable when Redis is unreachable."""
        summary = PassSummary()
        counts = feed.session_counts(self.client)
        summary.sessions = len(counts)
        changed = {pair: count for pair, count in counts.items() if self.seen.get(pair) != count}
        self.seen = {pair: count for pair, count in self.seen.items() if pair in counts}
        if not changed:
            return summary
        cursors = cursors_for(list(changed))
        for pair, count in changed.items():
            through = cursors.get(pair, 0)
            if count > through:
                summary.changed += 1
                try:
                    self._catch_up(pair, through, count, summary)
                except Exception as exc:  # one session's trouble must not stop the others
                    summary.failures += 1
                    summary.errors.append(type(exc).__name__)
                    logger.exception("risk worker: session %s failed", pair[1])
                    continue
            self.seen[pair] = count
        return summary

    def _catch_up(self, pair: tuple[str, str], through: int, count: int, summary: PassSummary) -> None:
        client_id, session_id = pair
        start = max(0, through - CONTEXT_TURNS)
        page = feed.messages_after(self.client, client_id, session_id, start, message_count=count)
        turns = {m.seq: _turn(m) for m in page.messages}
        if page.missing_from is not None and page.missing_to is not None:
            archived = _archived_turns(client_id, session_id, page.missing_from, page.missing_to)
            summary.from_archive += sum(1 for seq in archived if seq > through)
            turns.update(archived)
        expected = range(through + 1, count + 1)
        missing = [seq for seq in expected if seq not in turns]
        if missing:
            summary.missing += len(missing)
            logger.warning("risk worker: %d messages of session %s are neither live nor archived",
                           len(missing), session_id)  # fmt: skip
            for seq in missing:  # nothing left to assess: step over them, said in the log
                turns[seq] = Turn(seq, "", "missing", "", None)
        result = scan(client_id, session_id, (turns[s] for s in sorted(turns)), after=through,
                      source=FlagSource.WORKER)  # fmt: skip
        summary.assessed += result.assessed
        summary.flagged += result.flagged
        if result.through > through:
            advance_to(client_id, session_id, result.through)


def _turn(message: Message) -> Turn:
    return Turn(message.seq, message.id, str(message.role), message.content, message.timestamp)


def _archived_turns(client_id: str, session_id: str, first: int, last: int) -> dict[int, Turn]:
    rows = ArchivedMessage.objects.filter(
        user_id=client_id, session_id=session_id, seq__gte=first, seq__lte=last
    ).values_list("seq", "message_id", "role", "content", "timestamp")
    return {seq: Turn(seq, mid, role, content, at) for seq, mid, role, content, at in rows}
