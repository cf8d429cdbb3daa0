"""Provenance: every point of the journey chart and every row of the journey table leads to the message
and citation that changed the state, on real-length conversations, live (with and without overflow)
and archived, on fakeredis and on a real Redis."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ifemotion.accounts.models import User
from sessions_app import repository
from sessions_app.domain import CitationType, Emotion, EmotionTransition, Message, Role
from sessions_app.repository.provenance import journey_links, link_transitions
from sessions_app.state.live import LiveStore
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.journeys import archive_away, drain, real_session
from tests.support import AVA, login

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def msg(seq: int, seconds: int) -> Message:
    return Message(f"m{seq}", seq, Role.USER, "x", T0 + timedelta(seconds=seconds), f"if://citation/m{seq}")


def update(seconds: int, message_id: str | None = None) -> EmotionTransition:
    at = T0 + timedelta(seconds=seconds)
    return EmotionTransition(None, Emotion("sad"), 0.5, 0.9, at, f"if://citation/e{seconds}", message_id)


# ------------------------------------------------------------------ the rule, on its own


def test_an_update_belongs_to_its_message_or_the_one_just_before_it() -> None:
    messages = [msg(1, 10), msg(2, 20), msg(3, 30)]
    refs = link_transitions([update(20, "m2"), update(25), update(30), update(99)], messages)
    assert [(r.seq, r.how) for r in refs if r] == [
        (2, "attached"),
        (2, "before"),
        (3, "before"),
        (3, "before"),
    ]
    assert refs[0] is not None
    assert refs[0].citation_id == "if://citation/m2"


def test_an_update_before_the_first_message_belongs_to_the_first_message_and_says_so() -> None:
    (ref,) = link_transitions([update(1)], [msg(1, 10), msg(2, 20)])
    assert ref is not None
    assert (ref.seq, ref.how) == (1, "after")
    assert link_transitions([update(1)], []) == [None]


def test_with_only_the_newest_messages_older_updates_stay_open() -> None:
    window = [msg(5, 50), msg(6, 60)]
    refs = link_transitions([update(10, "m1"), update(20), update(55)], window, complete=False)
    assert refs[0] is None
    assert refs[1] is None
    assert refs[2] is not None
    assert refs[2].seq == 5


# ------------------------------------------------------------------ real-length sessions, end to end

SETUPS: dict[str, Callable[[ConversationStateManager, str], None]] = {
    "live, overflow waiting for the archiver": lambda m, sid: None,
    "live, overflow archived": lambda m, sid: drain(m, AVA, sid),
    "archived and gone from Redis": lambda m, sid: archive_away(m, AVA, sid),
}


def links_of(body: str) -> tuple[list[str], list[str]]:
    """(chart point links, journey table links) of a session page."""
    chart = body[
        body.index('<svg xmlns="http://www.w3.org/2000/svg" class="emotion-chart"') : body.index("</svg>")
    ]
    table = body[body.index('<table class="transitions">') :]
    table = table[: table.index("</table>")]
    return (
        [unescape(h) for h in re.findall(r'<a href="([^"]+)"', chart)],
        [unescape(h) for h in re.findall(r'<a href="([^"]+)"', table)],
    )


@pytest.mark.django_db
@pytest.mark.parametrize("setup", list(SETUPS))
def test_every_chart_point_and_table_row_resolves_to_its_message_and_citation(
    live_manager: ConversationStateManager, alice: User, setup: str
) -> None:
    demo = real_session(live_manager, AVA, 1, messages=168, arc=None)
    sid = demo.session_id
    SETUPS[setup](live_manager, sid)
    history = {m.seq: m for m in repository.get_history(AVA, sid).items if isinstance(m, Message)}
    assert len(history) == 168
    citations = {
        c.citation_id: c for c in repository.search_citations(user_id=AVA, session_id=sid, limit=100_000)
    }
    transitions = [
        t for t in repository.get_session(AVA, sid).state.emotion_log if isinstance(t, EmotionTransition)
    ]
    assert any(t.message_id is None for t in transitions)  # classifier revisions between messages
    client = login(alice)

    body = client.get(f"/clients/{AVA}/sessions/{sid}/").content.decode()
    chart, table = links_of(body)

    assert len(chart) == len(table) == len(transitions) > 5  # 100 % of points and rows
    assert chart == table
    deferred = [link for link in chart if "/provenance?" in link]
    # Only updates whose message waits in the live overflow are resolved on click (the page itself
    # never reads the overflow); once archived, every link is direct.
    assert bool(deferred) == (setup == "live, overflow waiting for the archiver")
    for link, transition in zip(chart, transitions, strict=True):
        if link in deferred:
            followed = client.get(link)
            assert followed.status_code == 302
            link = followed["Location"]
        query = parse_qs(urlsplit(link).query)
        seq, cited = int(query["m"][0]), query["c"][0]
        assert urlsplit(link).fragment == f"m{seq}"
        message = history[seq]  # an existing message ...
        assert citations[cited].type == CitationType.EMOTION_STATE_UPDATE  # ... and an existing citation
        assert cited == transition.citation_id
        if transition.message_id:
            assert message.id == transition.message_id
            assert citations[cited].evidence == (message.id,)
        else:  # the last message at or before the update
            assert message.timestamp <= transition.at
            assert seq == len(history) or history[seq + 1].timestamp > transition.at
        assert citations[message.citation_id].evidence == (message.id,)


@pytest.mark.django_db
def test_following_a_link_opens_the_transcript_at_the_message_and_highlights_the_citation(
    live_manager: ConversationStateManager, alice: User
) -> None:
    sid = real_session(live_manager, AVA, 2, messages=140).session_id
    drain(live_manager, AVA, sid)
    client = login(alice)
    chart, _ = links_of(client.get(f"/clients/{AVA}/sessions/{sid}/").content.decode())
    first = chart[0]  # early in the session: not on the latest transcript page
    seq, cited = int(parse_qs(urlsplit(first).query)["m"][0]), parse_qs(urlsplit(first).query)["c"][0]

    body = client.get(first).content.decode()

    assert re.findall(r'<li class="msg role-\w+ focus" id="m(\d+)" aria-current="true">', body) == [str(seq)]
    assert "The emotion update you followed" in body
    anchor = "c-" + cited.removeprefix("if://citation/")
    assert f'<tr id="{anchor}" class="focus" aria-current="true">' in body
    assert "<details open>" in body  # the citations panel opens on the page holding it
    assert f'href="#{anchor}"' in body


@pytest.mark.django_db
def test_the_window_answers_without_reading_overflow_or_message_text(
    fake_manager: ConversationStateManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = real_session(fake_manager, AVA, 3, messages=60).session_id
    state = fake_manager.read_session(AVA, sid)
    transitions = [t for t in state.emotion_log if isinstance(t, EmotionTransition)]
    calls: list[str] = []
    monkeypatch.setattr(LiveStore, "history", lambda self, u, s: calls.append(s))

    with CaptureQueriesContext(connection) as queries:
        refs = journey_links(AVA, sid, transitions, state.messages, live=True, overflow=0)

    assert all(refs)
    assert calls == []
    assert len(queries) == 0


@pytest.mark.django_db
def test_the_page_never_reads_the_live_overflow(
    fake_manager: ConversationStateManager, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = real_session(fake_manager, AVA, 6, messages=300).session_id  # 200 in the overflow
    calls: list[str] = []
    original = LiveStore.history

    def counted(self: LiveStore, user_id: str, session_id: str) -> tuple[bytes, ...] | None:
        calls.append(session_id)
        return original(self, user_id, session_id)

    monkeypatch.setattr(LiveStore, "history", counted)
    client = login(alice)

    chart, _ = links_of(client.get(f"/clients/{AVA}/sessions/{sid}/").content.decode())

    assert calls == []
    deferred = [link for link in chart if "/provenance?" in link]
    assert deferred
    assert client.get(deferred[0]).status_code == 302
    assert calls == [sid]  # read on click, for that one update


@pytest.mark.django_db
def test_a_resolver_link_for_an_unknown_update_says_so(
    fake_manager: ConversationStateManager, alice: User, bob: User
) -> None:
    sid = real_session(fake_manager, AVA, 7, messages=10).session_id
    url = f"/clients/{AVA}/sessions/{sid}/provenance?c=if://citation/none"
    response = login(alice).get(url, follow=True)
    assert "The message of that emotion update could not be found." in response.content.decode()
    assert login(bob).get(url).status_code == 404


@pytest.mark.django_db
def test_an_archived_session_resolves_from_index_columns_only(fake_manager: ConversationStateManager) -> None:
    sid = real_session(fake_manager, AVA, 4, messages=240).session_id
    archive_away(fake_manager, AVA, sid)
    record = repository.get_session(AVA, sid)
    transitions = [t for t in record.state.emotion_log if isinstance(t, EmotionTransition)]

    with CaptureQueriesContext(connection) as queries:
        refs = journey_links(
            AVA, sid, transitions, record.state.messages, live=False, overflow=record.state.overflow_count
        )

    assert all(refs)
    assert queries.captured_queries, "early updates are outside the last 100 messages"
    assert not any('"content"' in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db
def test_a_link_to_another_sessions_citation_highlights_nothing(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    sid = real_session(fake_manager, AVA, 5, messages=20).session_id
    body = (
        login(alice)
        .get(f"/clients/{AVA}/sessions/{sid}/?m=3&c=if://citation/not-this-one#m3")
        .content.decode()
    )
    assert "The emotion update you followed" not in body
    assert "aria-current" in body
    assert body.count('class="focus"') == 0
    assert login(alice).get(f"/clients/{AVA}/sessions/{sid}/?c=<script>").status_code == 200
