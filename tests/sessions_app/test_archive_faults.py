"""The archiver under faults: killed mid-way, run twice at once, ChromaDB down or lost, bad data."""

from __future__ import annotations

import random
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import LazySettings
from django.core.management import call_command
from django.db import connections

from sessions_app import repository
from sessions_app.archive.archiver import Archiver, PassSummary
from sessions_app.archive.search import chroma, indexer
from sessions_app.errors import StateStorageFull
from sessions_app.models import ArchivedCitation, ArchivedMessage, ArchivedSession, QuarantinedEntry
from sessions_app.state.keys import SessionKeys
from sessions_app.state.live import LiveStore
from sessions_app.state.manager import ConversationStateManager
from tests.redis_server import free_port
from tests.sessions_app.archive_support import (
    archive_content,
    archiver,
    chroma_server,
    fill_session,
    use_embedded_chroma,
    wipe_archive,
)

pytestmark = pytest.mark.real_redis

ALICE, BOB = "alice", "bob"


class Killed(BaseException):
    """Stands in for SIGKILL: nothing in the archiver catches it, nothing after it runs."""


@pytest.fixture(autouse=True)
def _chroma(settings: LazySettings, tmp_path: Path) -> None:
    use_embedded_chroma(settings, tmp_path / "chroma")


@pytest.mark.django_db
@pytest.mark.parametrize("snapshot", [False, True], ids=["drain", "snapshot"])
def test_killed_between_commit_and_cleanup_loses_and_duplicates_nothing(
    real_redis: redis.Redis, monkeypatch: pytest.MonkeyPatch, snapshot: bool
) -> None:
    # TTL above the archiver's 1 h margin: an open session is only drained, a closed one snapshotted.
    manager = ConversationStateManager(real_redis, ttl_seconds=7200, window=20)
    session_id = fill_session(manager, ALICE, messages=70)
    if snapshot:
        manager.close_session(ALICE, session_id)
    keys = SessionKeys.for_session(ALICE, session_id)
    citations_before = real_redis.llen(keys.citations)

    def killed(*args: Any, **kwargs: Any) -> None:
        raise Killed

    monkeypatch.setattr(LiveStore, "trim", killed)
    with pytest.raises(Killed):
        archiver(real_redis, delete_closed_after_seconds=0).archive_session(
            user_id=ALICE, session_id=session_id
        )
    # Committed, not cleaned up: the database and Redis both hold the batch.
    assert ArchivedMessage.objects.count() == (70 if snapshot else 50)
    assert real_redis.llen(keys.overflow) == 50
    assert real_redis.llen(keys.citations) == citations_before
    monkeypatch.undo()

    again = archiver(real_redis, delete_closed_after_seconds=0).archive_session(
        user_id=ALICE, session_id=session_id
    )

    assert again.messages == 0  # nothing new: the first run had committed it all
    seqs = list(ArchivedMessage.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 71 if snapshot else 51))
    assert ArchivedCitation.objects.count() == citations_before
    assert real_redis.llen(keys.overflow) == 0
    assert real_redis.llen(keys.citations) == 0
    if snapshot:
        assert again.outcome == "deleted"
    history = repository.get_history(ALICE, session_id, manager=manager)
    assert [m.seq for m in history.items] == list(range(1, 71))  # type: ignore[union-attr]


def _dump(client: redis.Redis) -> list[tuple[bytes, int, bytes]]:
    """Every key with its remaining TTL and DUMP image, so a test can run twice on the same data."""
    image = []
    for key in client.scan_iter(count=1000):
        value = client.dump(key)
        assert isinstance(value, bytes)
        image.append((key, max(int(client.pttl(key)), 0), value))
    return image


def _restore(client: redis.Redis, image: list[tuple[bytes, int, bytes]]) -> None:
    client.flushdb()
    for key, pttl, value in image:
        client.restore(key, pttl, value)


@pytest.mark.django_db(transaction=True)
def test_two_archivers_at_once_leave_the_same_archive_as_one(real_redis: redis.Redis) -> None:
    manager = ConversationStateManager(real_redis, ttl_seconds=600, window=10)
    for n in range(6):
        session_id = fill_session(manager, ALICE if n % 2 else BOB, messages=40 + n * 7)
        manager.update_context_snapshot(ALICE if n % 2 else BOB, session_id, session_notes=f"notes {n}")
        if n % 3 == 0:
            manager.close_session(ALICE if n % 2 else BOB, session_id)
    image = _dump(real_redis)

    def one(client: redis.Redis) -> Archiver:
        return archiver(client, delete_closed_after_seconds=0, batch_size=16, index=False)

    one(real_redis).run_pass()
    expected = archive_content()
    remaining_after_one = sorted(real_redis.scan_iter(count=1000))

    wipe_archive()
    _restore(real_redis, image)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    summaries: list[PassSummary] = []

    def run() -> None:
        try:
            barrier.wait()
            summaries.append(one(redis.Redis(connection_pool=real_redis.connection_pool)).run_pass())
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's database connection

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert [s.failures for s in summaries] == [0, 0]
    assert sum(s.messages for s in summaries) == len(expected["ArchivedMessage"])  # each row written once
    assert archive_content() == expected
    assert sorted(real_redis.scan_iter(count=1000)) == remaining_after_one


WORDS = [
    *("sleep", "work", "sister", "garden", "panic", "train", "boundary", "father", "proud", "guilty"),
    *("meeting", "report", "deadline", "lunch", "school", "fear", "breathing", "shoulders", "phone"),
    *("park", "dog", "kitchen", "laptop", "queue", "supermarket", "criticism", "project"),
]


def ranking(hits: list[repository.MessageHit]) -> tuple[object, ...]:
    """Hits as a ranking that two correct indexes agree on: the scores, best first, and which messages
    hold each score. Messages tied at the last score shown may differ (any of them is a right answer),
    so only their number is compared there."""
    scores = [round(h.score, 5) for h in hits]
    by_score: dict[float, set[tuple[str, str, int, str]]] = {}
    for h, score in zip(hits, scores, strict=True):
        by_score.setdefault(score, set()).add((h.user_id, h.session_id, h.seq, h.snippet))
    cutoff = min(scores, default=0.0)
    return tuple(scores), {score: found for score, found in by_score.items() if score != cutoff}


@pytest.mark.django_db
def test_reindex_after_the_index_directory_is_lost_gives_identical_results(
    real_redis: redis.Redis, settings: LazySettings
) -> None:
    manager = ConversationStateManager(real_redis, ttl_seconds=600, window=10)
    rng = random.Random(5)
    for user_id in (ALICE, BOB):
        session_id = manager.initialize_session(user_id, model="haiku")
        for _ in range(60):
            text = " ".join(rng.sample(WORDS, rng.randint(3, 7)))
            manager.append_message(user_id, session_id, role="user", content=text)
        manager.update_context_snapshot(user_id, session_id, session_notes="sleep and work stress")
        manager.close_session(user_id, session_id)
    summary = archiver(real_redis).run_pass()
    assert summary.index_error == ""
    assert summary.index_pending == 0
    queries = ["panic on the train", "my father and the boundary", "sleep", "proud of the project"]

    def search() -> list[list[repository.MessageHit]]:
        return [repository.search_messages(q, user_ids=[ALICE, BOB], limit=10) for q in queries]

    before = search()
    assert [len(hits) for hits in before] == [10, 10, 10, 10]
    assert all("panic" in hit.snippet for hit in before[0][:3])

    shutil.rmtree(settings.CHROMA_PATH)
    chroma.reset_client()
    assert repository.search_messages(queries[0], user_ids=[ALICE], limit=10) == []

    call_command("reindex_archive")

    assert [ranking(hits) for hits in search()] == [ranking(hits) for hits in before]
    total = (
        ArchivedMessage.objects.count() + ArchivedCitation.objects.count() + ArchivedSession.objects.count()
    )
    assert sum(chroma.count(name) for name in chroma.COLLECTIONS) == total


@pytest.mark.django_db
@pytest.mark.slow
def test_with_chroma_unreachable_the_database_archive_succeeds_and_indexing_catches_up(
    real_redis: redis.Redis, settings: LazySettings, tmp_path: Path
) -> None:
    port = free_port()
    settings.CHROMA_URL = f"http://127.0.0.1:{port}"  # nothing listens there yet
    chroma.reset_client()
    manager = ConversationStateManager(real_redis, ttl_seconds=600, window=10)
    session_id = fill_session(manager, ALICE, messages=30)
    manager.close_session(ALICE, session_id)

    down = archiver(real_redis).run_pass()

    assert (down.sessions, down.messages, down.failures) == (1, 30, 0)
    assert "unreachable" in down.index_error
    assert down.index_pending == indexer.pending() > 0
    with pytest.raises(repository.SearchUnavailable):
        repository.search_messages("anxious", user_ids=[ALICE])

    with chroma_server(tmp_path / "chroma-server", port=port):
        up = archiver(real_redis).run_pass()
        hits = repository.search_messages("anxious about work", user_ids=[ALICE], limit=5)

    assert up.messages == 0
    assert up.index_error == ""
    assert up.indexed == down.index_pending
    assert indexer.pending() == 0
    assert hits
    assert all(h.user_id == ALICE and h.session_id == session_id for h in hits)
    assert "anxious" in hits[0].snippet


@pytest.mark.django_db
def test_an_unreadable_member_is_quarantined_byte_exact_not_destroyed(real_redis: redis.Redis) -> None:
    manager = ConversationStateManager(real_redis, ttl_seconds=600, window=5)
    session_id = fill_session(manager, ALICE, messages=8)
    keys = SessionKeys.for_session(ALICE, session_id)
    garbage = b"\xff\xfe{not json"
    real_redis.lset(keys.overflow, 1, garbage)  # type: ignore[arg-type]  # message #2 is corrupt
    manager.close_session(ALICE, session_id)

    result = archiver(real_redis, delete_closed_after_seconds=0).archive_session(
        user_id=ALICE, session_id=session_id
    )

    assert result.verified
    assert result.outcome == "deleted"
    entry = QuarantinedEntry.objects.get()
    assert (entry.kind, bytes(entry.raw)) == ("message", garbage)
    assert list(ArchivedMessage.objects.order_by("seq").values_list("seq", flat=True)) == [
        1,
        3,
        4,
        5,
        6,
        7,
        8,
    ]


def fill_redis(client: redis.Redis) -> None:
    for n in range(10_000):
        client.set(f"ballast:{n}", "x" * 1024)


@pytest.mark.django_db
@pytest.mark.fault
@pytest.mark.slow
def test_the_archiver_frees_memory_when_redis_is_full(redis_server: Any) -> None:
    client = redis.Redis.from_url(redis_server.url)
    manager = ConversationStateManager(client, ttl_seconds=7200, window=5)
    session_id = fill_session(manager, ALICE, messages=60)
    used = int(client.info("memory")["used_memory"])
    client.config_set("maxmemory", used + 64 * 1024)
    with pytest.raises(redis.ResponseError, match="maxmemory"):
        fill_redis(client)
    with pytest.raises(StateStorageFull):
        manager.append_message(ALICE, session_id, role="user", content="blocked")

    result = archiver(client).archive_session(user_id=ALICE, session_id=session_id)

    assert result.outcome == "drained"
    assert result.messages == 55
    assert client.llen(SessionKeys.for_session(ALICE, session_id).overflow) == 0
    client.close()


@pytest.mark.django_db
def test_a_corrupt_member_in_the_window_does_not_make_archiving_repeat_itself(
    real_redis: redis.Redis,
) -> None:
    manager = ConversationStateManager(real_redis, ttl_seconds=600, window=5)
    session_id = fill_session(manager, ALICE, messages=8)
    keys = SessionKeys.for_session(ALICE, session_id)
    real_redis.lset(keys.messages, 2, "{truncated")
    manager.close_session(ALICE, session_id)
    patient = archiver(real_redis)
    assert patient.archive_session(user_id=ALICE, session_id=session_id).outcome == "snapshot"
    image = [real_redis.dump(key) for key in keys.all()]

    again = patient.archive_session(user_id=ALICE, session_id=session_id)

    assert again.outcome == "unchanged"
    assert again.verified  # 7 archived + 1 quarantined = all 8
    assert [real_redis.dump(key) for key in keys.all()] == image
    assert QuarantinedEntry.objects.count() == 1


def _index_total() -> int:
    return sum(chroma.count(name) for name in chroma.COLLECTIONS)


def _archive_total() -> int:
    return (
        ArchivedMessage.objects.count() + ArchivedCitation.objects.count() + ArchivedSession.objects.count()
    )


@pytest.mark.django_db
@pytest.mark.fault
@pytest.mark.slow
@pytest.mark.parametrize("when", ["between passes", "during a pass"])
def test_index_directory_removed_while_archiving_loses_nothing_and_the_index_catches_up(
    real_redis: redis.Redis, settings: LazySettings, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    manager = ConversationStateManager(real_redis, ttl_seconds=600, window=10)
    first = fill_session(manager, ALICE, messages=30)
    manager.close_session(ALICE, first)
    assert archiver(real_redis).run_pass().index_error == ""
    second = fill_session(manager, BOB, messages=30)
    manager.close_session(BOB, second)

    if when == "between passes":
        shutil.rmtree(settings.CHROMA_PATH)  # the open client is not told: as with an operator's rm -rf
    else:
        original = chroma.upsert

        def remove_then_upsert(name: str, documents: Any) -> None:
            if Path(settings.CHROMA_PATH).exists():
                shutil.rmtree(settings.CHROMA_PATH)
            original(name, documents)

        monkeypatch.setattr(chroma, "upsert", remove_then_upsert)
    archiver(real_redis).run_pass()
    monkeypatch.undo()

    # The database archive is complete whatever happened to the index.
    assert ArchivedMessage.objects.filter(user_id=ALICE).count() == 30
    assert ArchivedMessage.objects.filter(user_id=BOB).count() == 30
    # The next pass notices the index lost documents and rebuilds what is missing.
    catch_up = archiver(real_redis).run_pass()
    assert catch_up.index_error == ""
    assert _index_total() == _archive_total()
    for user_id, session_id in ((ALICE, first), (BOB, second)):
        hits = repository.search_messages("anxious about work", user_ids=[user_id], limit=5)
        assert hits
        assert {h.session_id for h in hits} == {session_id}


def _immutable(path: str | Path, on: bool) -> bool:
    """``chattr -R +i``: read-only even for root (file permissions are not). False if unsupported."""
    chattr = shutil.which("chattr")
    if chattr is None:
        return False
    done = subprocess.run([chattr, "-R", "+i" if on else "-i", str(path)], capture_output=True, check=False)
    return done.returncode == 0


@pytest.mark.django_db
@pytest.mark.fault
@pytest.mark.slow
def test_a_read_only_index_directory_never_fails_the_database_archive(
    real_redis: redis.Redis, settings: LazySettings
) -> None:
    manager = ConversationStateManager(real_redis, ttl_seconds=600, window=10)
    first = fill_session(manager, ALICE, messages=20)
    manager.close_session(ALICE, first)
    assert archiver(real_redis).run_pass().index_error == ""
    if not _immutable(settings.CHROMA_PATH, True):
        pytest.skip("this filesystem cannot make the index directory immutable (chattr +i)")
    try:
        chroma.reset_client()  # as a process started after the directory became read-only
        second = fill_session(manager, BOB, messages=20)
        manager.close_session(BOB, second)
        blocked = archiver(real_redis).run_pass()
        assert ArchivedMessage.objects.filter(user_id=BOB).count() == 20  # the record of truth is complete
        assert blocked.failures == 0
        assert blocked.index_error != ""
        assert indexer.pending() > 0
    finally:
        _immutable(settings.CHROMA_PATH, False)
    chroma.reset_client()
    caught_up = archiver(real_redis).run_pass()
    assert caught_up.index_error == ""
    assert indexer.pending() == 0
    assert _index_total() == _archive_total()
    assert repository.search_messages("anxious about work", user_ids=[BOB], limit=5)
