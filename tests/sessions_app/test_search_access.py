"""The access filter lives inside the index query: zero foreign hits and full pages, for every query,
filter and page; session search; bad queries get clear errors."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings

from sessions_app import repository
from sessions_app.archive.search import chroma, exact, indexer
from sessions_app.errors import ContentTooLarge, InvalidInput
from sessions_app.models import ArchivedMessage
from sessions_app.repository.search_hits import MessageHit
from sessions_app.state.manager import ConversationStateManager
from tests.sessions_app.archive_support import use_embedded_chroma

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_path")]

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
# Therapist one's ten clients talk about sleep and work; therapist two's about loss and their partners.
# So for "grief", the nearest messages in the whole index are all therapist two's.
ONE = [f"client-one-{n}" for n in range(10)]
TWO = [f"client-two-{n}" for n in range(10)]
TOPICS = {
    "one": [
        "I can't fall asleep before four in the morning, my mind races.",
        "My manager keeps piling projects on me and I stay at the office until ten.",
        "I wake up exhausted even after eight hours in bed.",
        "The deadline on Friday is all I can think about.",
    ],
    "two": [
        "Since my father passed away I keep setting a plate for him at dinner.",
        "The funeral was on Tuesday and I still can't cry.",
        "My girlfriend and I argue constantly about money.",
        "He said he needs space and moved out last week.",
    ],
}
# The default: ONE's and TWO's 160 messages each are ranked exactly (named from the records).
EXACT_MAX_DOCUMENTS = exact.EXACT_MAX_DOCUMENTS
ASSISTANT = "That sounds really hard. What feels heaviest about it right now?"
QUERIES = [
    "grief after losing a parent",
    "bereavement",
    "relationship conflict",
    "breakup",
    "insomnia",
    "overworked and exhausted by my job",
    "burnout",
    "panic attacks",
    "feeling lonely",
    "drinking too much",
    "anger at my mother",
    "suicidal thoughts",
    "hopeful about the future",
    "what should I do",
    "悲しい",
]


@pytest.fixture(autouse=True)
def _index(settings: LazySettings, tmp_path: Path) -> None:
    use_embedded_chroma(settings, tmp_path / "chroma")
    settings.CHROMA_EMBEDDING = "wordllama"
    rows = []
    for group, clients in (("one", ONE), ("two", TWO)):
        for client, session in itertools.product(clients, ("s1", "s2")):
            day = START + timedelta(days=(0 if session == "s1" else 20))
            for n, text in enumerate(itertools.chain(*zip(TOPICS[group], [ASSISTANT] * 4, strict=True))):
                rows.append(
                    ArchivedMessage(
                        user_id=client, session_id=session, seq=n + 1, message_id=f"m{n + 1}",
                        role="assistant" if n % 2 else "user", content=text,
                        timestamp=day + timedelta(minutes=n), citation_id=f"c-{client}-{session}-{n}",
                    )
                )  # fmt: skip
    ArchivedMessage.objects.bulk_create(rows)
    assert indexer.index_pending().pending == 0


@pytest.mark.parametrize("query", QUERIES)
def test_a_therapist_gets_full_pages_of_their_own_clients_only(
    query: str, fake_manager: ConversationStateManager
) -> None:
    for own in (ONE, TWO):
        messages = repository.search_messages(query, user_ids=own, limit=10, manager=fake_manager)
        sessions = repository.search_sessions(query, user_ids=own, limit=5, manager=fake_manager)
        assert len(messages) == 10
        assert {h.user_id for h in messages} <= set(own)
        assert len(sessions) == 5
        assert {h.user_id for h in sessions} <= set(own)
        assert all(s.snippets for s in sessions)
        assert all(hit.user_id == s.user_id for s in sessions for hit in s.snippets)


def test_the_nearest_foreign_messages_never_take_a_place_on_the_page(
    fake_manager: ConversationStateManager,
) -> None:
    everyone = repository.search_messages("grief after losing a parent", user_ids=ONE + TWO, limit=10,
                                          manager=fake_manager)  # fmt: skip
    assert {h.user_id for h in everyone} <= set(TWO)  # the nearest are all therapist two's
    mine = repository.search_messages("grief after losing a parent", user_ids=ONE, limit=10,
                                      manager=fake_manager)  # fmt: skip
    assert len(mine) == 10
    assert {h.user_id for h in mine} <= set(ONE)


def test_filters_run_inside_the_query_and_still_fill_the_page(fake_manager: ConversationStateManager) -> None:
    since, until = START + timedelta(days=10), START + timedelta(days=30)
    hits = repository.search_messages("grief", user_ids=TWO, limit=10, since=since, until=until,
                                      role="user", manager=fake_manager)  # fmt: skip
    assert len(hits) == 10
    assert {h.session_id for h in hits} == {"s2"}
    assert {h.role for h in hits} == {"user"}
    assert all(since <= h.timestamp <= until for h in hits)
    one_client = repository.search_sessions("grief", user_ids=[TWO[3]], limit=5, manager=fake_manager)
    assert [(s.user_id, s.session_id) for s in one_client] in (
        [(TWO[3], "s1"), (TWO[3], "s2")],
        [(TWO[3], "s2"), (TWO[3], "s1")],
    )


def test_session_search_ranks_sessions_by_their_best_messages(fake_manager: ConversationStateManager) -> None:
    sessions = repository.search_sessions("grief after losing a parent", user_ids=ONE + TWO, limit=10,
                                          manager=fake_manager)  # fmt: skip
    assert len(sessions) == 10
    assert {s.user_id for s in sessions} <= set(TWO)
    assert [s.score for s in sessions] == sorted((s.score for s in sessions), reverse=True)
    best = sessions[0]
    assert best.snippets[0].snippet == TOPICS["two"][0]
    expected = best.snippets[0].score + sum(
        h.score * 0.5**n for n, h in enumerate(best.snippets[1:3], start=1)
    )
    assert best.score == pytest.approx(expected)
    assert best.matches >= 2  # the funeral message is near too
    assert len(best.snippets) == min(3, best.matches)
    assert [h.score for h in best.snippets] == sorted((h.score for h in best.snippets), reverse=True)


def test_pages_follow_each_other_without_repeats(fake_manager: ConversationStateManager) -> None:
    first = repository.search_sessions("insomnia", user_ids=ONE, limit=5, manager=fake_manager)
    second = repository.search_sessions("insomnia", user_ids=ONE, limit=5, offset=5, manager=fake_manager)
    assert len(second) == 5
    assert not {(s.user_id, s.session_id) for s in first} & {(s.user_id, s.session_id) for s in second}
    messages = repository.search_messages("insomnia", user_ids=ONE, limit=20, manager=fake_manager)
    paged = repository.search_messages("insomnia", user_ids=ONE, limit=10, offset=10, manager=fake_manager)
    assert [(h.user_id, h.session_id, h.seq) for h in paged] == [
        (h.user_id, h.session_id, h.seq) for h in messages[10:]
    ]


def test_a_client_without_messages_or_no_clients_find_nothing(fake_manager: ConversationStateManager) -> None:
    assert repository.search_messages("grief", user_ids=["client-new"], manager=fake_manager) == []
    assert repository.search_sessions("grief", user_ids=[], manager=fake_manager) == []


@pytest.mark.parametrize(
    ("query", "error", "message"),
    [
        ("", InvalidInput, "must not be empty"),
        ("   \n", InvalidInput, "must not be empty"),
        ("?!…—!!", InvalidInput, "nothing to search for"),
        ("x" * 501, ContentTooLarge, "limit is 500"),
        ("grief\x00", InvalidInput, "NUL"),
        ("\ud800grief", InvalidInput, "Unicode"),
        (None, InvalidInput, "must be text"),
    ],
)
def test_bad_queries_get_clear_errors(query: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        repository.search_sessions(query, user_ids=ONE)  # type: ignore[arg-type]


def test_bad_filters_get_clear_errors() -> None:
    with pytest.raises(InvalidInput, match="earlier"):
        repository.search_messages("grief", user_ids=ONE, since=START, until=START - timedelta(days=1))
    with pytest.raises(InvalidInput, match="role"):
        repository.search_messages("grief", user_ids=ONE, role="therapist")
    with pytest.raises(InvalidInput, match="time zone"):
        repository.search_messages("grief", user_ids=ONE, since=datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(InvalidInput, match="not one string"):
        repository.search_sessions("grief", user_ids="client-one-1")


def ranking(hits: list[MessageHit]) -> list[tuple[float, set[tuple[str, str, int]]]]:
    """Hits grouped by score (rounded: float32 against the index's own arithmetic), best first. The
    last group is left out: a page may cut a group of equal scores anywhere, in either path."""
    groups: dict[float, set[tuple[str, str, int]]] = {}
    for hit in hits:
        groups.setdefault(round(hit.score, 5), set()).add((hit.user_id, hit.session_id, hit.seq))
    return sorted(groups.items(), reverse=True)[:-1]


@pytest.mark.parametrize("clients", [ONE, ONE[:1], ONE[:3] + TWO[:2]], ids=["ten", "one", "five"])
def test_named_documents_rank_as_the_index_filter_does(
    clients: list[str], monkeypatch: pytest.MonkeyPatch, fake_manager: ConversationStateManager
) -> None:
    since = START + timedelta(days=10)

    def searches(query: str) -> tuple[list[MessageHit], list[MessageHit], list[float]]:
        everything = repository.search_messages(query, user_ids=clients, limit=30, manager=fake_manager)
        filtered = repository.search_messages(
            query, user_ids=clients, limit=30, since=since, role="user", manager=fake_manager
        )
        # Every client of a group says the same, so sessions tie: compare their scores, with a page
        # large enough (20 sessions: 160 candidates) that no tie is cut.
        sessions = repository.search_sessions(query, user_ids=clients, limit=20, manager=fake_manager)
        return everything, filtered, [round(s.score, 5) for s in sessions]

    for query in QUERIES:
        monkeypatch.setattr(exact, "EXACT_MAX_DOCUMENTS", EXACT_MAX_DOCUMENTS)
        named = searches(query)
        monkeypatch.setattr(exact, "EXACT_MAX_DOCUMENTS", 0)  # the index's where
        where = searches(query)
        assert len(named[0]) == min(30, 16 * len(clients)), query
        assert ranking(named[0]) == ranking(where[0]), query
        assert ranking(named[1]) == ranking(where[1]), query
        assert {h.session_id for h in named[1]} == {"s2"}
        assert {h.role for h in named[1]} == {"user"}
        assert len(named[2]) == 2 * len(clients)
        assert named[2] == where[2], query


def test_past_the_limit_the_index_filter_is_used(
    monkeypatch: pytest.MonkeyPatch, fake_manager: ConversationStateManager
) -> None:
    calls: list[str] = []
    query, rank = chroma.query, exact.rank

    def spy(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(chroma, "query", spy("where", query))
    monkeypatch.setattr(exact, "rank", spy("named", rank))
    for limit, path in ((160, "named"), (159, "where")):  # ONE has 160 messages
        monkeypatch.setattr(exact, "EXACT_MAX_DOCUMENTS", limit)
        calls.clear()
        hits = repository.search_messages("insomnia", user_ids=ONE, limit=10, manager=fake_manager)
        assert len(hits) == 10
        assert {h.user_id for h in hits} <= set(ONE)
        assert set(calls) == {path}


def test_archived_rows_the_index_does_not_hold_yet_are_skipped(
    fake_manager: ConversationStateManager,
) -> None:
    client = ONE[0]
    late = "My grandmother's funeral is on Friday and I do not know what to say."
    ArchivedMessage.objects.create(
        user_id=client, session_id="s3", seq=1, message_id="m1", role="user", content=late,
        timestamp=START + timedelta(days=40), citation_id=f"c-{client}-s3-1",
    )  # fmt: skip

    def search() -> list[MessageHit]:
        return repository.search_messages(
            "grandmother funeral", user_ids=[client], limit=20, manager=fake_manager
        )

    assert len(search()) == 16
    assert "s3" not in {h.session_id for h in search()}
    assert indexer.index_pending().pending == 0
    assert search()[0].session_id == "s3"
    assert search()[0].snippet == late
