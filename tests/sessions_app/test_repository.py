"""The repository: live first, the archive once Redis has forgotten, whole histories, searches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import redis
from django.conf import LazySettings
from pytest_django.fixtures import Settings

from ifemotion.settings import redis_cache
from sessions_app import repository
from sessions_app.archive import store as archive_store
from sessions_app.archive.archiver import save_note_revision
from sessions_app.archive.decode import decode
from sessions_app.archive.search import indexer
from sessions_app.domain import CONTEXT_FIELDS, CitationType, Message
from sessions_app.errors import InvalidInput, SessionNotFound, StateUnavailable
from sessions_app.models import ArchivedMessage
from sessions_app.state import configured
from sessions_app.state.connection import client_from_url
from sessions_app.state.keys import SessionKeys
from sessions_app.state.manager import ConversationStateManager
from tests.redis_server import free_port
from tests.sessions_app.archive_support import archiver, fill_session, use_embedded_chroma

pytestmark = pytest.mark.django_db

ALICE, BOB = "alice", "bob"


@pytest.fixture(autouse=True)
def _chroma(settings: LazySettings, tmp_path: Path) -> None:
    use_embedded_chroma(settings, tmp_path / "chroma")


@pytest.fixture
def manager(redis_backend: redis.Redis) -> ConversationStateManager:
    return ConversationStateManager(redis_backend, ttl_seconds=600, window=10)


@pytest.fixture
def down() -> ConversationStateManager:
    """A manager whose Redis refuses connections (nothing listens on the port)."""
    client = client_from_url(f"redis://127.0.0.1:{free_port()}/0", socket_timeout=0.5, connect_timeout=0.5)
    return ConversationStateManager(client, ttl_seconds=600, window=10)


def forget(client: redis.Redis, user_id: str, session_id: str) -> None:
    """What Redis does when the TTL runs out: every key of the session disappears together."""
    client.delete(*SessionKeys.for_session(user_id, session_id).session_keys())


def archive_and_forget(manager: ConversationStateManager, user_id: str, session_id: str) -> None:
    manager.close_session(user_id, session_id)
    result = archiver(manager.redis).archive_session(user_id=user_id, session_id=session_id)
    assert result.verified
    forget(manager.redis, user_id, session_id)


# ------------------------------------------------------------------------------ get_session


def test_it_serves_a_live_session_from_redis_without_touching_its_ttl(
    manager: ConversationStateManager,
) -> None:
    session_id = fill_session(manager, ALICE, messages=3)
    metadata = SessionKeys.for_session(ALICE, session_id).metadata
    manager.redis.expire(metadata, 500)

    record = repository.get_session(ALICE, session_id, manager=manager)

    assert (record.source, record.live_unavailable) == ("live", False)
    assert [m.seq for m in record.state.messages if isinstance(m, Message)] == [1, 2, 3]
    assert manager.redis.ttl(metadata) <= 500


def test_it_serves_a_session_redis_has_forgotten_from_the_archive(manager: ConversationStateManager) -> None:
    session_id = fill_session(manager, ALICE, messages=25)
    live = manager.read_session(ALICE, session_id)
    archive_and_forget(manager, ALICE, session_id)

    record = repository.get_session(ALICE, session_id, manager=manager)

    assert (record.source, record.live_unavailable) == ("archive", False)
    assert record.state.messages == live.messages
    assert record.state.overflow_count == 15
    assert record.state.emotion_log == live.emotion_log
    assert record.state.metadata.archived_at is not None


def test_it_raises_not_found_when_neither_store_has_the_session(manager: ConversationStateManager) -> None:
    with pytest.raises(SessionNotFound):
        repository.get_session(ALICE, "never-was", manager=manager)
    with pytest.raises(SessionNotFound):
        repository.get_history(ALICE, "never-was", manager=manager)


def test_with_redis_down_it_serves_the_archive_and_says_so(
    manager: ConversationStateManager, down: ConversationStateManager
) -> None:
    session_id = fill_session(manager, ALICE, messages=12)
    manager.close_session(ALICE, session_id)
    archiver(manager.redis).archive_session(user_id=ALICE, session_id=session_id)

    record = repository.get_session(ALICE, session_id, manager=down)

    assert (record.source, record.live_unavailable) == ("archive", True)
    assert record.state.metadata.message_count == 12


def test_with_redis_down_and_nothing_archived_it_never_says_not_found(down: ConversationStateManager) -> None:
    with pytest.raises(StateUnavailable):
        repository.get_session(ALICE, "maybe-live", manager=down)
    with pytest.raises(StateUnavailable):
        repository.get_history(ALICE, "maybe-live", manager=down)


# ------------------------------------------------------------------------------ get_history


def test_history_is_archive_then_overflow_then_window_each_message_once(
    manager: ConversationStateManager,
) -> None:
    session_id = fill_session(manager, ALICE, messages=45)
    archiver(manager.redis, margin_seconds=60).archive_session(user_id=ALICE, session_id=session_id)  # 1..35
    fill_session(
        manager, ALICE, session_id=session_id, messages=15, start=46
    )  # overflow 36..50, window 51..60
    # Archived but not yet trimmed: messages 36..50 are in the database AND still in overflow.
    read = archiver(manager.redis).live.read(ALICE, session_id, batch=100, full=False)
    archive_store.store(ALICE, session_id, decode(read), fingerprint="", now=datetime.now(UTC))
    assert ArchivedMessage.objects.count() == 50

    page = repository.get_history(ALICE, session_id, manager=manager)

    assert page.total == 60
    assert [m.seq for m in page.items if isinstance(m, Message)] == list(range(1, 61))
    assert [m.id for m in page.items if isinstance(m, Message)] == [f"m{n}" for n in range(1, 61)]


@pytest.mark.parametrize(
    ("offset", "limit"), [(0, 5), (30, 10), (33, 5), (35, 10), (50, None), (58, 10), (70, 5)]
)
def test_history_pages_cut_across_the_archive_and_live_parts(
    manager: ConversationStateManager, offset: int, limit: int | None
) -> None:
    session_id = fill_session(manager, ALICE, messages=45)
    archiver(manager.redis, margin_seconds=60).archive_session(user_id=ALICE, session_id=session_id)
    fill_session(manager, ALICE, session_id=session_id, messages=15, start=46)
    everything = list(range(1, 61))

    page = repository.get_history(ALICE, session_id, offset=offset, limit=limit, manager=manager)

    assert page.total == 60
    stop = None if limit is None else offset + limit
    assert [m.seq for m in page.items if isinstance(m, Message)] == everything[offset:stop]


def test_history_refuses_bad_paging(manager: ConversationStateManager) -> None:
    session_id = fill_session(manager, ALICE, messages=1)
    with pytest.raises(InvalidInput):
        repository.get_history(ALICE, session_id, offset=-1, manager=manager)
    with pytest.raises(InvalidInput):
        repository.get_history(ALICE, session_id, limit=0, manager=manager)


@pytest.mark.real_redis
def test_history_with_redis_down_shows_the_archived_part_and_says_so(
    real_redis: redis.Redis, down: ConversationStateManager
) -> None:
    manager = ConversationStateManager(real_redis, ttl_seconds=600, window=10)
    session_id = fill_session(manager, ALICE, messages=30)
    archiver(real_redis, margin_seconds=60).archive_session(user_id=ALICE, session_id=session_id)

    page = repository.get_history(ALICE, session_id, manager=down)

    assert page.live_unavailable
    assert [m.seq for m in page.items if isinstance(m, Message)] == list(range(1, 21))


# ------------------------------------------------------------------------------ citations


def test_citations_are_found_by_session_user_time_and_type_archived_and_live_each_once(
    manager: ConversationStateManager,
) -> None:
    first = fill_session(manager, ALICE, messages=20)
    manager.update_context_snapshot(ALICE, first, session_notes="n", clinician="dr-b")
    archiver(manager.redis, margin_seconds=60).archive_session(
        user_id=ALICE, session_id=first
    )  # all archived
    middle = datetime.now(UTC)
    fill_session(manager, ALICE, session_id=first, messages=3, start=22)  # buffered in Redis, no emotions
    second = fill_session(manager, ALICE, messages=2)
    other = fill_session(manager, BOB, messages=2)
    # Committed to the database and still in Redis: listed once.
    read = archiver(manager.redis).live.read(ALICE, second, batch=100, full=False)
    archive_store.store(ALICE, second, decode(read), fingerprint="", now=datetime.now(UTC))

    by_session = repository.search_citations(user_id=ALICE, session_id=first, manager=manager)
    by_user = repository.search_citations(user_id=ALICE, manager=manager)
    everyone = repository.search_citations(manager=manager)
    notes = repository.search_citations(
        user_id=ALICE, citation_type=CitationType.CONTEXT_SNAPSHOT_UPDATED, manager=manager
    )
    recent = repository.search_citations(user_id=ALICE, session_id=first, since=middle, manager=manager)
    early = repository.search_citations(user_id=ALICE, session_id=first, until=middle, manager=manager)

    appended = [c for c in by_session if c.type is CitationType.MESSAGE_APPENDED]
    assert len(appended) == 23  # 20 archived + 3 live
    assert {c.session_id for c in by_user} == {first, second}
    assert len(by_user) == len(by_session) + 3  # second: initialized + 2 messages
    assert {c.user_id for c in everyone} == {ALICE, BOB}
    assert len(everyone) == len(by_user) + 3
    assert [c.type for c in notes] == [CitationType.CONTEXT_SNAPSHOT_UPDATED]
    assert len(recent) == 3
    assert len(early) == len(by_session) - 3
    for found in (by_session, by_user, everyone):
        assert len({c.citation_id for c in found}) == len(found)
        assert [c.timestamp for c in found] == sorted(c.timestamp for c in found)
    assert other  # bob's session exists and stays out of alice's results


def test_citation_search_checks_its_filters(manager: ConversationStateManager) -> None:
    with pytest.raises(InvalidInput):
        repository.search_citations(user_id=ALICE, since=datetime(2026, 1, 1), manager=manager)  # noqa: DTZ001
    with pytest.raises(InvalidInput):
        repository.search_citations(citation_type="gossip", manager=manager)
    with pytest.raises(InvalidInput):
        repository.search_citations(user_id="bad id!", manager=manager)


def test_citation_search_with_redis_down_is_refused_or_archive_only(
    manager: ConversationStateManager, down: ConversationStateManager
) -> None:
    session_id = fill_session(manager, ALICE, messages=3)
    archiver(manager.redis, margin_seconds=60).archive_session(user_id=ALICE, session_id=session_id)
    with pytest.raises(StateUnavailable):
        repository.search_citations(user_id=ALICE, manager=down)
    archived = repository.search_citations(user_id=ALICE, include_live=False, manager=down)
    assert len(archived) == 4  # initialized + 3 messages


def test_citation_search_limit_keeps_the_oldest(manager: ConversationStateManager) -> None:
    session_id = fill_session(manager, ALICE, messages=10)
    archiver(manager.redis, margin_seconds=60).archive_session(user_id=ALICE, session_id=session_id)
    fill_session(manager, ALICE, session_id=session_id, messages=5, start=11)
    everything = repository.search_citations(user_id=ALICE, manager=manager)
    assert repository.search_citations(user_id=ALICE, limit=12, manager=manager) == everything[:12]
    since = everything[3].timestamp - timedelta(microseconds=1)
    assert repository.search_citations(user_id=ALICE, since=since, manager=manager) == everything[3:]


# ------------------------------------------------------------------------------ text search


def test_message_search_returns_only_the_given_clients(manager: ConversationStateManager) -> None:
    for user_id in (ALICE, BOB):
        session_id = fill_session(manager, user_id, messages=30)
        archive_and_forget(manager, user_id, session_id)

    assert indexer.index_pending().pending == 0
    hits = repository.search_messages("anxious about work", user_ids=[ALICE], limit=20)
    both = repository.search_messages("anxious about work", user_ids=[ALICE, BOB], limit=20)

    assert hits
    assert {h.user_id for h in hits} == {ALICE}
    assert "anxious" in hits[0].snippet
    assert hits[0].score > 0.5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert {h.user_id for h in both} == {ALICE, BOB}
    assert repository.search_messages("anxious", user_ids=[]) == []
    assert repository.search_messages("anxious", user_ids=["carol"]) == []


def test_message_search_checks_its_input() -> None:
    with pytest.raises(InvalidInput):
        repository.search_messages("   ", user_ids=[ALICE])
    with pytest.raises(InvalidInput):
        repository.search_messages("x", user_ids=ALICE)
    with pytest.raises(InvalidInput):
        repository.search_messages("x", user_ids=["bad id!"])


@pytest.mark.parametrize("archived", [False, True], ids=["nothing archived", "archived messages"])
def test_message_search_with_the_index_unreachable_raises_search_unavailable(
    settings: LazySettings, search_path: str, archived: bool
) -> None:
    # Nothing archived: the client's newest live messages may be waiting for the index, so "no
    # results" would not be true either.
    if archived:
        ArchivedMessage.objects.create(
            user_id=ALICE, session_id="s1", seq=1, message_id="m1", role="user", content="I feel anxious",
            timestamp=datetime.now(UTC), citation_id="c-1",
        )  # fmt: skip
    settings.CHROMA_URL = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(repository.SearchUnavailable):
        repository.search_messages("anxious", user_ids=[ALICE])
    with pytest.raises(repository.SearchUnavailable):
        repository.search_sessions("anxious", user_ids=[ALICE])


# ------------------------------------------------------------------------------ duplicate appends


def test_a_duplicate_append_of_an_archived_message_is_answered_from_the_archive(
    redis_backend: redis.Redis,
) -> None:
    manager = ConversationStateManager(
        redis_backend, ttl_seconds=600, window=10, archived_message_lookup=archive_store.archived_message
    )
    session_id = fill_session(manager, ALICE, messages=25)  # m1..m15 pushed out of the window
    archiver(redis_backend, margin_seconds=60).archive_session(user_id=ALICE, session_id=session_id)
    original = archive_store.archived_message(ALICE, session_id, "m3")
    assert original is not None
    assert original.seq == 3

    again = manager.append_message_result(ALICE, session_id, role="user", content="retried", message_id="m3")

    assert (again.created, again.message) == (False, original)
    assert archive_store.archived_message(ALICE, session_id, "m999") is None


def test_the_process_state_manager_looks_up_archived_messages(settings: Settings) -> None:
    settings.CACHES = {"default": redis_cache("redis://127.0.0.1:1/0")}  # built lazily: never connects
    configured.get_state_manager.cache_clear()
    try:
        assert configured.get_state_manager().archived_message_lookup is archive_store.archived_message
    finally:
        configured.get_state_manager.cache_clear()


def test_notes_saved_after_the_last_snapshot_are_served_from_their_revision(
    manager: ConversationStateManager,
) -> None:
    session_id = fill_session(manager, ALICE, messages=3)
    manager.update_context_snapshot(
        ALICE, session_id, session_notes="v1", current_theme="sleep", clinician="dr-a"
    )
    archiver(manager.redis).archive_session(user_id=ALICE, session_id=session_id)
    # A therapist saves just before Redis forgets the session, after the archiver's last pass.
    saved = manager.update_context_snapshot(
        ALICE, session_id, session_notes="v2", clinician="dr-b", extend_retention=False
    )
    save_note_revision(
        user_id=ALICE,
        session_id=session_id,
        version=saved.version,
        author="dr-b",
        fields={name: getattr(saved, name) for name in CONTEXT_FIELDS},
        saved_at=saved.last_summarized,
    )
    forget(manager.redis, ALICE, session_id)

    context = repository.get_session(ALICE, session_id, manager=manager).state.context

    assert (context.session_notes, context.current_theme, context.version) == ("v2", "sleep", 2)
    assert (context.notes_updated_by, context.last_summarized) == ("dr-b", saved.last_summarized)


@pytest.mark.django_db
def test_time_bounds_with_any_utc_offset_work_and_impossible_dates_are_refused(
    manager: ConversationStateManager,
) -> None:
    session_id = fill_session(manager, ALICE, messages=3)
    archive_and_forget(manager, ALICE, session_id)
    # Python allows offsets up to ±23:59; PostgreSQL only ±15:59. Bounds are compared in UTC.
    far_east = timezone(timedelta(hours=20, minutes=33))
    found = repository.search_citations(
        user_id=ALICE, since=datetime(2000, 1, 1, tzinfo=far_east), manager=manager
    )
    assert len(found) >= 4  # initialised, three messages (and their emotion updates), closed
    assert (
        repository.search_citations(
            user_id=ALICE, until=datetime(2000, 1, 1, tzinfo=far_east), manager=manager
        )
        == []
    )
    with pytest.raises(InvalidInput):
        repository.search_citations(user_id=ALICE, since=datetime(1, 1, 1, tzinfo=far_east), manager=manager)
