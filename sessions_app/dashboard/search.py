"""The dashboard's search page: one box, results as sessions with their best messages, filters, deep
links into the transcript, and an audit row for every search (the query itself only as a keyed hash).

Only the caller's readable clients are searched (assignments and active emergency access); no other
client's message is ever ranked (``repository.search_sessions``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ifemotion.accounts import audit
from ifemotion.accounts.models import AuditAction, User
from sessions_app import repository
from sessions_app.access import readable_client_ids
from sessions_app.archive.search.chroma import IndexOutdated, SearchUnavailable
from sessions_app.archive.search.embeddings import content_words
from sessions_app.dashboard.pages import message_url
from sessions_app.errors import InvalidInput
from sessions_app.repository.search import MAX_QUERY_CHARS

logger = logging.getLogger(__name__)

AUDIT_ACTION = AuditAction.SEARCH
PAGE_SIZE = 10
MAX_PAGE = 20
SPEAKERS = {"user": "Client", "assistant": "Chatbot", "system": "System"}
WORDS = re.compile(r"(\w+)", re.UNICODE)


def query_fingerprint(query: str) -> str:
    """HMAC-SHA-256 of the query, keyed by SECRET_KEY: the audit log holds no search text, yet whoever
    holds the key can check whether a given query was run (a plain hash of a short query could be
    reversed by trying words)."""
    return salted_hmac("ifemotion.search.audit", query, algorithm="sha256").hexdigest()


class SearchForm(forms.Form):
    q = forms.CharField(required=False, strip=False, label="Search", max_length=10_000)
    client = forms.ChoiceField(required=False, label="Client")
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    speaker = forms.ChoiceField(
        required=False,
        label="Speaker",
        choices=[("", "anyone"), ("user", "the client"), ("assistant", "the chatbot")],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, *args: Any, client_ids: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [("", "all my clients")] + [(c, c) for c in client_ids]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data


@dataclass(frozen=True)
class MessageResult:
    hit: repository.MessageHit
    url: str
    speaker: str
    segments: list[tuple[str, bool]]  # (text, shares a word with the query): <mark>ed in the page


@dataclass(frozen=True)
class SessionResult:
    hit: repository.SessionHit
    url: str
    messages: list[MessageResult]
    live: bool


@dataclass
class SearchOutcome:
    form: SearchForm
    query: str = ""
    results: list[SessionResult] = field(default_factory=list)
    page: int = 1
    has_next: bool = False
    error: str = ""
    unavailable: str = ""  # why search cannot run now; the records are unaffected
    searched: bool = False

    @property
    def first_rank(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1


def highlight(text: str, query: str) -> list[tuple[str, bool]]:
    """``text`` split into runs, marking the words it shares with ``query`` (a semantic hit may share
    none; then nothing is marked). Returned as plain strings: the template escapes them."""
    wanted = set(content_words(query))
    segments: list[tuple[str, bool]] = []
    for part in WORDS.split(text):
        if not part:
            continue
        marked = part.lower() in wanted
        if segments and segments[-1][1] == marked:
            segments[-1] = (segments[-1][0] + part, marked)
        else:
            segments.append((part, marked))
    return segments


def _bounds(data: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    since: date | None = data.get("since")
    until: date | None = data.get("until")
    start = datetime.combine(since, time.min, tzinfo=UTC) if since else None
    end = (
        datetime.combine(until, time.min, tzinfo=UTC) + timedelta(days=1, microseconds=-1) if until else None
    )
    return start, end


def _result(hit: repository.SessionHit, query: str) -> SessionResult:
    messages = [
        MessageResult(
            hit=m,
            url=message_url(m.user_id, m.session_id, m.seq),
            speaker=SPEAKERS.get(m.role, m.role or "Unknown"),
            segments=highlight(m.snippet, query),
        )
        for m in hit.snippets
    ]
    return SessionResult(
        hit=hit,
        url=reverse("sessions:detail", args=[hit.user_id, hit.session_id]),
        messages=messages,
        live=any(m.source == "live" for m in hit.snippets),
    )


def run_search(request: HttpRequest, user: User, client_ids: list[str]) -> SearchOutcome:
    form = SearchForm(request.GET, client_ids=client_ids)
    outcome = SearchOutcome(form=form)
    if "q" not in request.GET:
        return outcome  # the empty page: nothing searched, nothing audited
    outcome.searched = True
    if not form.is_valid():
        outcome.error = "Some filters were not understood; correct them and search again."
        return outcome
    data = form.cleaned_data
    outcome.query = str(data["q"])
    outcome.page = data.get("page") or 1
    searched = [data["client"]] if data.get("client") else client_ids
    since, until = _bounds(data)
    detail: dict[str, Any] = {
        "query_hmac": query_fingerprint(outcome.query),
        "filters": {
            "client": data.get("client") or "",
            "since": since.isoformat() if since else "",
            "until": until.isoformat() if until else "",
            "speaker": data.get("speaker") or "",
        },
        "page": outcome.page,
    }
    status = "ok"
    try:
        found = repository.search_sessions(
            outcome.query, user_ids=searched, limit=PAGE_SIZE + 1, offset=(outcome.page - 1) * PAGE_SIZE,
            since=since, until=until, role=data.get("speaker") or None,
        )  # fmt: skip
    except InvalidInput as exc:
        outcome.error, status = _query_error(exc), "refused"
    except IndexOutdated:
        outcome.unavailable, status = (
            "The search index is being rebuilt (the search model changed). Try again in a few minutes.",
            "unavailable",
        )
    except SearchUnavailable as exc:
        logger.warning("search unavailable: %s", type(exc).__name__)
        outcome.unavailable, status = "Search is temporarily unavailable.", "unavailable"
    else:
        outcome.has_next = len(found) > PAGE_SIZE
        outcome.results = [_result(hit, outcome.query) for hit in found[:PAGE_SIZE]]
        detail["results"] = len(outcome.results)
        detail["clients"] = sorted({r.hit.user_id for r in outcome.results})
    audit.record(AUDIT_ACTION, actor=user.username, role=user.role, request=request, outcome=status,
                 client_id=data.get("client") or "", detail=detail)  # fmt: skip
    return outcome


def _query_error(exc: InvalidInput) -> str:
    if exc.field != "query":
        return exc.message
    if "empty" in exc.message:
        return "Type a few words describing what you are looking for."
    if "limit" in exc.message:
        return f"The search text is too long: at most {MAX_QUERY_CHARS} characters."
    if "nothing to search for" in exc.message:
        return "The search text has no words to search for (only spaces or punctuation)."
    return "The search text could not be used: " + exc.message


@never_cache
@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by login_required
    client_ids = readable_client_ids(user)
    outcome = run_search(request, user, client_ids)
    query = request.GET.copy()
    query.pop("page", None)
    # What was typed, shown back as typed (the form's cleaned data may be missing when it is invalid).
    values = {
        name: request.GET.get(name, "")[: MAX_QUERY_CHARS * 2] for name in ("q", "client", "since", "until")
    }
    context = {
        "outcome": outcome, "form": outcome.form, "client_ids": client_ids, "query": query.urlencode(),
        "values": values,
    }  # fmt: skip
    status = 503 if outcome.unavailable else 200
    return render(request, "sessions_app/search.html", context, status=status)
