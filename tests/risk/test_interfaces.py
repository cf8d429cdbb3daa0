"""Every client message is assessed, whichever interface wrote it: the HTTP append (assessed in the
request, answered in its response), the Python state API (the worker), messages already drained to
the archive (worker and backfill). No message gets two flags. Runs on fakeredis and a real Redis."""

from __future__ import annotations

import logging
import threading
import time
from io import StringIO

import pytest
import redis
from django.core.management import call_command
from django.db import connection
from pytest_django.fixtures import Settings as SettingsWrapper

from sessions_app.risk.catchup import assess_archived
from sessions_app.risk.models import AssessmentCursor, FlagSource, RiskFlag
from sessions_app.risk.worker import RiskWorker
from sessions_app.state.manager import ConversationStateManager
from tests.risk.conftest import write_turns
from tests.sessions_app.api_support import ApiClient
from tests.sessions_app.archive_support import archiver

pytestmark = pytest.mark.django_db
AVA = "client-ava"
RISKY = "Honestly I want to kill myself."


def test_http_append_carries_the_assessment_and_records_the_flag(
    live_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    sid = live_manager.initialize_session(AVA, model="m")
    ordinary = chatbot.post(
        f"/sessions/{AVA}/{sid}/messages", {"role": "user", "content": "Work was fine.", "message_id": "a1"}
    )
    assert ordinary.status_code == 201
    assert ordinary.json()["risk"]["flagged"] is False
    risky = chatbot.post(
        f"/sessions/{AVA}/{sid}/messages", {"role": "user", "content": RISKY, "message_id": "a2"}
    )
    body = risky.json()["risk"]
    assert body["flagged"] is True
    assert body["severity"] == "high"
    assert body["category"] == "active_ideation"
    assert body["recorded"] is True
    flag = RiskFlag.objects.get(pk=body["flag_id"])
    assert (flag.client_id, flag.session_id, flag.seq, flag.source) == (AVA, sid, 2, FlagSource.API)
    assert flag.excerpt == RISKY
    assert AssessmentCursor.objects.get(client_id=AVA, session_id=sid).assessed_through == 2


def test_assistant_messages_are_not_assessed_but_move_the_cursor(
    live_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    sid = live_manager.initialize_session(AVA, model="m")
    answer = chatbot.post(
        f"/sessions/{AVA}/{sid}/messages",
        {"role": "assistant", "content": "Do you want to kill yourself?", "message_id": "b1"},
    )
    assert answer.json()["risk"] is None
    assert AssessmentCursor.objects.get(client_id=AVA, session_id=sid).assessed_through == 1
    assert not RiskFlag.objects.exists()


def test_a_reply_is_assessed_with_the_turns_before_it_on_the_http_path(
    live_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    sid = live_manager.initialize_session(AVA, model="m")
    path = f"/sessions/{AVA}/{sid}/messages"
    chatbot.post(path, {"role": "user", "content": "I've been saving my pills.", "message_id": "c1"})
    chatbot.post(path, {"role": "assistant", "content": "Do you still have the tablets?", "message_id": "c2"})
    reply = chatbot.post(path, {"role": "user", "content": "yes, I kept them", "message_id": "c3"}).json()
    assert reply["risk"]["flagged"] is True
    assert reply["risk"]["rule"] == "reply.means"


def test_a_retried_append_returns_the_same_flag(
    live_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    sid = live_manager.initialize_session(AVA, model="m")
    body = {"role": "user", "content": RISKY, "message_id": "d1"}
    first = chatbot.post(f"/sessions/{AVA}/{sid}/messages", body).json()
    again = chatbot.post(f"/sessions/{AVA}/{sid}/messages", body)
    assert again.status_code == 200
    assert again.json()["risk"]["flag_id"] == first["risk"]["flag_id"]
    assert RiskFlag.objects.count() == 1


def test_the_worker_assesses_what_the_python_api_wrote(live_manager: ConversationStateManager) -> None:
    sid = write_turns(
        live_manager, AVA, [("user", "Hello."), ("assistant", "Hi, how are you?"), ("user", RISKY)]
    )
    summary = RiskWorker(live_manager.redis).run_pass()
    assert (summary.assessed, summary.flagged) == (2, 1)
    flag = RiskFlag.objects.get()
    assert (flag.seq, flag.source, flag.excerpt) == (3, FlagSource.WORKER, RISKY)
    assert AssessmentCursor.objects.get(client_id=AVA, session_id=sid).assessed_through == 3
    again = RiskWorker(live_manager.redis).run_pass()  # a restarted worker continues from the cursor
    assert again.assessed == 0


def test_api_and_worker_never_double_flag(live_manager: ConversationStateManager, chatbot: ApiClient) -> None:
    sid = live_manager.initialize_session(AVA, model="m")
    chatbot.post(f"/sessions/{AVA}/{sid}/messages", {"role": "user", "content": RISKY, "message_id": "e1"})
    live_manager.append_message(AVA, sid, role="assistant", content="I'm here.", message_id="e2")
    live_manager.append_message(AVA, sid, role="user", content="I want to die.", message_id="e3")
    summary = RiskWorker(live_manager.redis).run_pass()
    assert summary.assessed == 1  # only e3: e1 was assessed by the HTTP path
    AssessmentCursor.objects.filter(client_id=AVA).update(assessed_through=0)  # force a re-read of all
    RiskWorker(live_manager.redis).run_pass()
    assert sorted(RiskFlag.objects.values_list("seq", "source")) == [(1, "api"), (3, "worker")]


def test_messages_drained_to_the_archive_are_read_from_it(
    redis_backend: redis.Redis, live_manager: ConversationStateManager
) -> None:
    small = ConversationStateManager(redis_backend, window=3)
    turns = [("user", RISKY), ("assistant", "I'm listening.")] + [("user", f"Line {i}.") for i in range(6)]
    sid = write_turns(small, AVA, turns)
    archiver(redis_backend, index=False).archive_session(user_id=AVA, session_id=sid)  # drains the overflow
    summary = RiskWorker(redis_backend).run_pass()
    assert summary.from_archive >= 1
    assert summary.missing == 0
    assert RiskFlag.objects.get().seq == 1
    assert AssessmentCursor.objects.get(client_id=AVA, session_id=sid).assessed_through == len(turns)


def test_backfill_assesses_archived_sessions_once(
    redis_backend: redis.Redis, live_manager: ConversationStateManager
) -> None:
    sid = write_turns(
        live_manager, AVA, [("user", "I took a whole bottle of pills last night."), ("user", "ok")]
    )
    live_manager.close_session(AVA, sid)  # a closed session is snapshotted in full
    archiver(redis_backend, index=False).archive_session(user_id=AVA, session_id=sid)
    redis_backend.flushdb()  # Redis forgets the session; only the archive has it
    out = StringIO()
    call_command("risk_backfill", stdout=out)
    assert "1 archived sessions" in out.getvalue()
    flag = RiskFlag.objects.get()
    assert (flag.source, flag.category) == (FlagSource.ARCHIVE, "recent_attempt")
    assert assess_archived().sessions == 0  # nothing left to do


def test_backfill_refuses_a_malformed_client_id(db: None) -> None:
    with pytest.raises(Exception, match="--client"):
        call_command("risk_backfill", "--client", "../etc")


def test_when_the_flag_cannot_be_written_the_append_still_succeeds_and_the_worker_catches_up(
    live_manager: ConversationStateManager,
    chatbot: ApiClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from django.db import DatabaseError

    import sessions_app.risk.intake as intake

    def broken(*args: object, **kwargs: object) -> None:
        raise DatabaseError("database is locked")

    monkeypatch.setattr(intake, "record_flag", broken)
    sid = live_manager.initialize_session(AVA, model="m")
    with caplog.at_level(logging.INFO):
        response = chatbot.post(
            f"/sessions/{AVA}/{sid}/messages", {"role": "user", "content": RISKY, "message_id": "f1"}
        )
    assert response.status_code == 201
    assert response.json()["risk"] == {
        **response.json()["risk"],
        "flagged": True,
        "recorded": False,
        "flag_id": None,
    }
    assert "kill myself" not in caplog.text  # nothing of the message is logged
    monkeypatch.undo()
    RiskWorker(live_manager.redis).run_pass()
    assert RiskFlag.objects.get().source == FlagSource.WORKER


def test_assessment_can_be_left_to_the_worker(
    live_manager: ConversationStateManager, chatbot: ApiClient, settings: SettingsWrapper
) -> None:
    settings.RISK_ASSESS_ON_API = False
    sid = live_manager.initialize_session(AVA, model="m")
    response = chatbot.post(
        f"/sessions/{AVA}/{sid}/messages", {"role": "user", "content": RISKY, "message_id": "g1"}
    )
    assert response.json()["risk"] is None
    RiskWorker(live_manager.redis).run_pass()
    assert RiskFlag.objects.get().source == FlagSource.WORKER


@pytest.mark.django_db(transaction=True)
def test_with_the_worker_running_a_flag_is_in_the_database_within_5_seconds(
    real_redis: redis.Redis, audit_flushable: None
) -> None:
    """The running worker (its loop, on a real Redis) makes each flag durable within 5 s of the write."""
    manager = ConversationStateManager(real_redis, window=100)
    stop = threading.Event()
    worker = RiskWorker(real_redis)

    def loop() -> None:
        try:
            while not stop.is_set():
                worker.run_pass()
                stop.wait(0.5)
        finally:
            connection.close()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    latencies = []
    try:
        for index in range(5):
            sid = manager.initialize_session(AVA, model="m", session_id=f"visible-{index}")
            written = time.monotonic()
            manager.append_message(AVA, sid, role="user", content=RISKY, message_id="v1")
            while not RiskFlag.objects.filter(session_id=sid).exists():
                assert time.monotonic() - written < 5.0, "flag not visible within 5 s"
                time.sleep(0.05)
            latencies.append(time.monotonic() - written)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert max(latencies) < 5.0
