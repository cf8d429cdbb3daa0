"""The history page of a session's note: every revision, and a line diff between any two."""

from __future__ import annotations

from typing import Any

from sessions_app import repository
from sessions_app.access import AccessGrant
from sessions_app.notes import reads
from sessions_app.notes.diff import diff_counts, line_diff
from sessions_app.notes.records import RevisionRecord


def _version(raw: str, default: int, highest: int) -> int:
    return min(max(int(raw), 0), highest) if raw.isdigit() and len(raw) < 9 else default


def history_view(grant: AccessGrant, session_id: str, *, older: str, newer: str) -> dict[str, Any]:
    """Template context: revisions (newest first), the two compared and their diff. A session with no
    note must still exist (``SessionNotFound`` otherwise)."""
    revisions = reads.note_revisions(grant.client_id, session_id)
    if not revisions:
        repository.get_session(grant.client_id, session_id)  # raises SessionNotFound for a wrong id
    by_version: dict[int, RevisionRecord] = {r.version: r for r in revisions}
    latest = revisions[-1].version if revisions else 0
    new = _version(newer, latest, latest)
    old = _version(older, max(new - 1, 0), latest)
    if old > new:
        old, new = new, old
    old_text = by_version[old].text if old in by_version else ""
    new_text = by_version[new].text if new in by_version else ""
    diff = line_diff(old_text, new_text)
    added, removed = diff_counts(diff)
    return {
        "grant": grant,
        "session_id": session_id,
        "note": reads.session_note(grant.client_id, session_id),
        "revisions": list(reversed(revisions)),
        "versions": [0, *by_version],
        "older": old,
        "newer": new,
        "diff": diff,
        "added": added,
        "removed": removed,
    }
