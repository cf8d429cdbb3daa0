"""Which clients a token may touch. A token can be restricted to client ids starting with a prefix or
to a list of ids (``ApiToken.client_prefix`` / ``client_ids``); by default it reaches every client, as
the chatbot writes for all of its clients.

A client out of a token's reach is answered exactly like one that does not exist: 404, with the same
body as "session not found" on session endpoints, and ``not_found`` on client-level ones (list,
citations, create). Checked before any handler runs (``auth.BearerAuth`` for ids in the path,
``auth.note_subject`` for ids in a body or query).
"""

from __future__ import annotations

from ifemotion.accounts.models import ApiToken
from sessions_app.errors import SessionNotFound


class OutOfReach(LookupError):
    """A client-level request (no session id) about a client the token may not touch."""


def check_reach(token: ApiToken | None, user_id: str, session_id: str = "") -> None:
    if token is None or not user_id or token.reaches(user_id):
        return
    if session_id:
        raise SessionNotFound(user_id, session_id)
    raise OutOfReach(user_id)
