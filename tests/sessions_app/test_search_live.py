"""The search indexer: live messages searchable after one pass (seconds after the write), each message
one document whether indexed live or archived, deletions, and re-indexing when the embedding changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import LazySettings
from django.core.management import call_command

from sessions_app import repository
from sessions_app.archive.search import chroma, exact, indexer, worker
from sessions_app.archive.search.models import IndexerHeartbeat, LiveCursor, PendingDeletion
from sessions_app.models import ArchivedMessage, ArchivedSession
from sessions_app.state.connection import client_from_url
from sessions_app.state.keys import SessionKeys
from sessions_app.state.manager import ConversationStateManager
from tests.redis_server import free_port
from tests.sessions_app.archive_support import archiver, use_embedded_chroma
from tests.support import use_state_manager

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_path")]

AVA = "client-ava"
GRIEF = [
    "Since my father passed away I keep setting a plate for him at dinner.",
    "The funeral was on Tuesday and I still can't cry.",
]
SMALL_TALK = ["Hello again.", "It rained all morning here.", "Thanks, talk tomorrow."]


@pytest.fixture(autouse=True)
def _chroma(settings: LazySettings, tmp_path: Path) -> None:
    use_embedded_chroma(settings, tmp_path / "chroma")
    settings.CHROMA_EMBEDDING = "wordllama"


@pytest.fixture
def manager(redis_backend: redis.Redis) -> ConversationStateManager:
    return ConversationStateManager(redis_backend, ttl_seconds=600, window=5)


def conversation(
    manager: ConversationStateManager, user_id: str = AVA, texts: list[str] | None = None
) -> str:
    session_id = manager.initialize_session(user_id, model="haiku")
    for n, text in enumerate(texts or SMALL_TALK + GRIEF, start=1):
        manager.append_message(user_id, session_id, role="user" if n % 2 else "assistant", content=text,
                               message_id=f"m{n}")  # fmt: skip
    return session_id


def documents_of(user_id: str, session_id: str) -> list[str]:
    found = chroma.collection(chroma.MESSAGES).get(
        where={"$and": [{"user_id": user_id}, {"session_id": session_id}]}, include=[]
    )
    return sorted(found["ids"])


@pytest.fixture
def embedded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the index is asked to embed, in order."""
    texts: list[str] = []
    real = chroma.embed

    def counting(batch: Any) -> Any:
        texts.extend(batch)
        return real(batch)

    monkeypatch.setattr(chroma, "embed", counting)
    return texts


def test_a_live_message_is_found_by_meaning_after_one_indexer_pass(manager: ConversationStateManager) -> None:
    session_id = conversation(manager)
    assert not LiveCursor.objects.exists()

    outcome = worker.run_pass(manager.redis)  # what `index_search --loop` does every 10 s

    assert outcome.live is not None
    assert outcome.live.documents == 5
    hits = repository.search_messages("grief after losing a parent", user_ids=[AVA], limit=2, manager=manager)
    assert (hits[0].session_id, hits[0].seq, hits[0].source) == (session_id, 4, "live")
    assert hits[0].snippet == GRIEF[0]  # text from Redis: the index holds none
    assert hits[0].role == "assistant"
    # Filters apply to live documents too (by the metadata the index holds for them).
    said = repository.search_messages("grief", user_ids=[AVA], role="user", manager=manager)
    assert sorted(h.seq for h in said) == [1, 3, 5]
    later = datetime.now(UTC) + timedelta(hours=1)
    assert repository.search_messages("grief", user_ids=[AVA], since=later, manager=manager) == []
    assert LiveCursor.objects.get(session_id=session_id).seq == 5
    beat = IndexerHeartbeat.objects.get(name=worker.HEARTBEAT)
    assert beat.last_finished_at is not None
    assert beat.error == ""


def test_live_messages_count_toward_the_limit_of_the_exact_path(
    manager: ConversationStateManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation(manager)  # five messages, all live
    worker.run_pass(manager.redis)
    ranked: list[int] = []
    rank = exact.rank

    def counting(*args: Any, **kwargs: Any) -> list[chroma.Hit]:
        ranked.append(len(args[1]))
        return rank(*args, **kwargs)

    monkeypatch.setattr(exact, "rank", counting)
    # Five live messages count as ten (their metadata is fetched from the index too); 9: the filter.
    for limit, named in ((10, [5]), (9, [])):
        monkeypatch.setattr(exact, "EXACT_MAX_DOCUMENTS", limit)
        ranked.clear()
        hits = repository.search_messages("grief after losing a parent", user_ids=[AVA], manager=manager)
        assert hits[0].snippet == GRIEF[0]
        assert ranked == named


def test_only_new_messages_are_embedded_on_the_next_pass(
    manager: ConversationStateManager, embedded: list[str]
) -> None:
    session_id = conversation(manager)
    worker.run_pass(manager.redis)
    embedded.clear()
    manager.append_message(AVA, session_id, role="user", content="I dream about him.", message_id="m6")

    worker.run_pass(manager.redis)
    worker.run_pass(manager.redis)

    assert embedded == ["I dream about him."]
    assert len(documents_of(AVA, session_id)) == 6


def test_a_message_indexed_live_and_then_archived_stays_one_document(
    manager: ConversationStateManager, embedded: list[str]
) -> None:
    session_id = conversation(manager)
    worker.run_pass(manager.redis)
    embedded.clear()
    manager.close_session(AVA, session_id)
    archiver(manager.redis).run_pass()  # archives every message, then indexes archived rows

    # Already in the index under the same id: not embedded again (citations and the snapshot are new).
    assert not set(embedded) & set(SMALL_TALK + GRIEF)
    assert embedded
    assert documents_of(AVA, session_id) == [f"msg:{AVA}:{session_id}:{n}" for n in range(1, 6)]
    assert not ArchivedMessage.objects.filter(indexed=False).exists()
    hits = repository.search_messages("bereavement", user_ids=[AVA], limit=10, manager=manager)
    assert len({(h.session_id, h.seq) for h in hits}) == len(hits) == 5  # each message once


def test_messages_drained_to_the_archive_before_the_live_pass_are_indexed_once(
    manager: ConversationStateManager,
) -> None:
    texts = [f"small talk number {n}" for n in range(1, 11)] + GRIEF
    session_id = conversation(manager, texts=texts)  # window 5: seven messages wait in overflow
    archiver(manager.redis, margin_seconds=60).run_pass()  # drains them to the database and indexes

    worker.run_pass(manager.redis)

    assert len(documents_of(AVA, session_id)) == 12
    assert LiveCursor.objects.get(session_id=session_id).seq == 12


def test_nothing_is_skipped_when_the_index_is_down_during_a_pass(
    manager: ConversationStateManager, settings: LazySettings
) -> None:
    session_id = conversation(manager)
    path = settings.CHROMA_PATH
    settings.CHROMA_URL = f"http://127.0.0.1:{free_port()}"

    outcome = worker.run_pass(manager.redis)

    assert outcome.error
    assert "unreachable" in outcome.line()
    assert not LiveCursor.objects.exists()
    settings.CHROMA_URL, settings.CHROMA_PATH = "", path
    chroma.reset_client()
    worker.run_pass(manager.redis)
    assert len(documents_of(AVA, session_id)) == 5


def test_redis_down_is_reported_and_archived_rows_are_still_indexed(
    manager: ConversationStateManager,
) -> None:
    session_id = conversation(manager)
    manager.close_session(AVA, session_id)
    archiver(manager.redis, index=False).run_pass()
    # The product's client settings (no retries): redis-py's default retries with backoff made this
    # test wait eight seconds for a port that refuses at once.
    dead = client_from_url(f"redis://127.0.0.1:{free_port()}/0", socket_timeout=0.5, connect_timeout=0.5)

    outcome = worker.run_pass(dead)

    assert outcome.archived.documents >= 5
    assert "Redis" in outcome.error
    assert len(documents_of(AVA, session_id)) == 5


def test_the_command_runs_one_pass(
    manager: ConversationStateManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = conversation(manager)
    use_state_manager(monkeypatch, manager)  # the process's state manager, as the command uses
    call_command("index_search")
    assert len(documents_of(AVA, session_id)) == 5


# ---------------------------------------------------------------------------- deletions


def test_deleting_archived_records_removes_their_index_entries(
    manager: ConversationStateManager, django_capture_on_commit_callbacks: Any
) -> None:
    kept, deleted = conversation(manager), conversation(manager)
    for session_id in (kept, deleted):
        manager.close_session(AVA, session_id)
    archiver(manager.redis).run_pass()
    for session_id in (kept, deleted):
        SessionKeys.for_session(AVA, session_id)
        manager.redis.delete(*SessionKeys.for_session(AVA, session_id).session_keys())
    assert len(documents_of(AVA, deleted)) == 5

    with django_capture_on_commit_callbacks(execute=True):
        ArchivedMessage.objects.filter(user_id=AVA, session_id=deleted).delete()
        ArchivedSession.objects.filter(user_id=AVA, session_id=deleted).delete()

    assert documents_of(AVA, deleted) == []
    assert chroma.collection(chroma.SNAPSHOTS).get(ids=[indexer.snapshot_id(AVA, deleted)])["ids"] == []
    assert len(documents_of(AVA, kept)) == 5
    assert not PendingDeletion.objects.exists()
    hits = repository.search_messages("grief", user_ids=[AVA], limit=10, manager=manager)
    assert {h.session_id for h in hits} == {kept}


def test_deleting_one_message_leaves_the_rest_of_its_session_indexed(
    manager: ConversationStateManager, django_capture_on_commit_callbacks: Any
) -> None:
    session_id = conversation(manager)
    manager.close_session(AVA, session_id)
    archiver(manager.redis).run_pass()
    manager.redis.delete(*SessionKeys.for_session(AVA, session_id).session_keys())

    with django_capture_on_commit_callbacks(execute=True):
        ArchivedMessage.objects.filter(user_id=AVA, session_id=session_id, seq=4).delete()
    indexer.index_pending()

    assert documents_of(AVA, session_id) == [f"msg:{AVA}:{session_id}:{n}" for n in (1, 2, 3, 5)]


def test_a_deletion_while_the_index_is_down_is_carried_out_when_it_is_back(
    manager: ConversationStateManager, settings: LazySettings, django_capture_on_commit_callbacks: Any
) -> None:
    session_id = conversation(manager)
    manager.close_session(AVA, session_id)
    archiver(manager.redis).run_pass()
    path = settings.CHROMA_PATH
    settings.CHROMA_URL = f"http://127.0.0.1:{free_port()}"

    with django_capture_on_commit_callbacks(execute=True):
        ArchivedMessage.objects.filter(user_id=AVA, session_id=session_id).delete()

    assert PendingDeletion.objects.filter(session_id=session_id).exists()
    settings.CHROMA_URL, settings.CHROMA_PATH = "", path
    chroma.reset_client()
    manager.redis.delete(*SessionKeys.for_session(AVA, session_id).session_keys())
    worker.run_pass(manager.redis)
    assert documents_of(AVA, session_id) == []
    assert not PendingDeletion.objects.exists()


def test_a_live_session_that_expired_unarchived_leaves_the_index(manager: ConversationStateManager) -> None:
    session_id = conversation(manager)
    worker.run_pass(manager.redis)
    manager.redis.delete(*SessionKeys.for_session(AVA, session_id).session_keys())  # the TTL ran out
    manager.cleanup_expired_sessions()

    worker.run_pass(manager.redis)  # notices it is gone and unarchived
    worker.run_pass(manager.redis)  # removes its documents

    assert documents_of(AVA, session_id) == []


# ---------------------------------------------------------------------------- the embedding changes


def test_changing_the_embedding_rebuilds_the_index_on_the_next_pass(
    manager: ConversationStateManager, settings: LazySettings
) -> None:
    settings.CHROMA_EMBEDDING = "lexical"
    archived = conversation(manager)
    manager.close_session(AVA, archived)
    archiver(manager.redis).run_pass()
    live = conversation(manager)
    worker.run_pass(manager.redis)
    assert "LEXICAL" in chroma.heartbeat()["embedding"]

    settings.CHROMA_EMBEDDING = "wordllama"
    with pytest.raises(chroma.IndexOutdated):
        repository.search_messages("bereavement", user_ids=[AVA], manager=manager)
    assert chroma.heartbeat()["warnings"]

    worker.run_pass(manager.redis)

    beat = chroma.heartbeat()
    assert beat["embedding"].startswith("wordllama")
    assert "warnings" not in beat
    assert len(documents_of(AVA, archived)) == len(documents_of(AVA, live)) == 5
    hits = repository.search_sessions("bereavement", user_ids=[AVA], manager=manager)
    assert {h.session_id for h in hits} == {archived, live}
