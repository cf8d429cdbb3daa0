"""Review: what needs a clinician now.

Read cursors per clinician and session ("since your last review"), unread counts from light reads
(session metadata and list lengths, never transcripts), the inbox that ranks a clinician's clients,
the retention clock with "hold for review" (archive now, verify against the database), the daily
digest of sessions about to leave live storage unreviewed, and the API read of a client's review state.
A Django app of its own (label ``review``), so its migrations never collide with another's.
"""
