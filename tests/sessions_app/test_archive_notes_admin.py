"""Note revisions in the archive, and the admin pages that show the archive without its content."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from django.conf import LazySettings
from django.contrib import admin
from django.test import RequestFactory

from ifemotion.accounts.models import User
from sessions_app.archive.admin import ArchivedSessionAdmin
from sessions_app.archive.archiver import save_note_revision
from sessions_app.errors import InvalidInput
from sessions_app.models import (
    ArchivedCitation,
    ArchivedMessage,
    ArchivedSession,
    NoteRevision,
    QuarantinedEntry,
)
from sessions_app.state.manager import ConversationStateManager
from tests.sessions_app.archive_support import archiver, fill_session, use_embedded_chroma
from tests.support import login

pytestmark = pytest.mark.django_db

ALICE = "alice"
SECRET = "client said something private"


@pytest.fixture(autouse=True)
def _chroma(settings: LazySettings, tmp_path: Path) -> None:
    use_embedded_chroma(settings, tmp_path / "chroma")


@pytest.fixture
def manager(redis_backend: redis.Redis) -> ConversationStateManager:
    return ConversationStateManager(redis_backend, ttl_seconds=600, window=10)


def test_every_saved_version_leaves_a_revision(manager: ConversationStateManager) -> None:
    session_id = fill_session(manager, ALICE, messages=3)
    manager.update_context_snapshot(ALICE, session_id, session_notes="first", clinician="dr-a")
    manager.update_context_snapshot(ALICE, session_id, current_theme="sleep", clinician="dr-b")
    third = manager.update_context_snapshot(ALICE, session_id, session_notes="third", clinician="dr-a")

    archiver(manager.redis).archive_session(user_id=ALICE, session_id=session_id)

    revisions = list(NoteRevision.objects.order_by("version"))
    assert [(r.version, r.author, r.text_captured) for r in revisions] == [
        (1, "dr-a", False),  # superseded before anyone recorded its text: who and when are kept
        (2, "dr-b", False),
        (3, "dr-a", True),
    ]
    assert revisions[2].fields == {
        "current_theme": "sleep",
        "therapeutic_focus": "",
        "client_state_summary": "",
        "session_notes": "third",
        "topics_to_avoid": "",
    }
    assert revisions[2].saved_at == third.last_summarized


def test_the_dashboards_revision_is_kept_and_repeated_calls_change_nothing(
    manager: ConversationStateManager,
) -> None:
    session_id = fill_session(manager, ALICE, messages=3)
    saved = manager.update_context_snapshot(ALICE, session_id, session_notes="mine", clinician="dr-a")
    fields = {"session_notes": "mine", "current_theme": ""}

    first = save_note_revision(user_id=ALICE, session_id=session_id, version=1, author="dr-a", fields=fields)
    again = save_note_revision(user_id=ALICE, session_id=session_id, version=1, author="dr-a", fields=fields)
    archiver(manager.redis).archive_session(user_id=ALICE, session_id=session_id)

    row = NoteRevision.objects.get()
    assert first.pk == again.pk == row.pk
    assert (row.source, row.fields, row.text_captured) == ("dashboard", fields, True)
    assert saved.version == 1


def test_the_dashboard_fills_in_a_revision_known_only_from_its_citation(
    manager: ConversationStateManager,
) -> None:
    session_id = fill_session(manager, ALICE, messages=3)
    manager.update_context_snapshot(ALICE, session_id, session_notes="v1", clinician="dr-a")
    manager.update_context_snapshot(ALICE, session_id, session_notes="v2", clinician="dr-a")
    archiver(manager.redis).archive_session(user_id=ALICE, session_id=session_id)
    assert not NoteRevision.objects.get(version=1).text_captured

    save_note_revision(
        user_id=ALICE, session_id=session_id, version=1, author="dr-a", fields={"session_notes": "v1"}
    )

    assert NoteRevision.objects.get(version=1).fields == {"session_notes": "v1"}


def test_save_note_revision_checks_its_input() -> None:
    with pytest.raises(InvalidInput):
        save_note_revision(user_id=ALICE, session_id="s", version=0, author="a", fields={})
    with pytest.raises(InvalidInput):
        save_note_revision(user_id=ALICE, session_id="s", version=1, author="a", fields={"diagnosis": "x"})
    with pytest.raises(InvalidInput):
        save_note_revision(user_id="bad id!", session_id="s", version=1, author="a", fields={})


def test_the_admin_shows_counts_and_ids_but_no_content(manager: ConversationStateManager) -> None:
    session_id = manager.initialize_session(ALICE, model="haiku")
    for n in range(12):
        manager.append_message(ALICE, session_id, role="user", content=f"{SECRET} {n}")
    manager.update_context_snapshot(ALICE, session_id, session_notes=SECRET, clinician="dr-a")
    manager.close_session(ALICE, session_id)
    archiver(manager.redis).archive_session(user_id=ALICE, session_id=session_id)
    model_admin = ArchivedSessionAdmin(ArchivedSession, admin.site)
    request = RequestFactory().get("/admin/")

    row = model_admin.get_queryset(request).get()

    assert (model_admin.archived_messages(row), model_admin.archived_citations(row)) == (12, 15)
    assert model_admin.note_revisions(row) == 1
    content_fields = {
        "content",
        "event",
        "description",
        "fields",
        "raw",
        "session_notes",
        "current_theme",
        "therapeutic_focus",
        "client_state_summary",
        "evidence",
    }
    for model in (ArchivedSession, ArchivedMessage, ArchivedCitation, NoteRevision, QuarantinedEntry):
        shown = admin.site._registry[model]
        visible = set(shown.list_display) | set(shown.get_fields(request))
        assert not visible & content_fields, model.__name__
        assert not shown.has_change_permission(request)
        assert not shown.has_delete_permission(request)


def test_an_admin_sees_archived_sessions_read_only_without_content(
    manager: ConversationStateManager, root: User, alice: User
) -> None:
    session_id = manager.initialize_session(ALICE, model="haiku")
    for n in range(3):
        manager.append_message(ALICE, session_id, role="user", content=f"{SECRET} {n}")
    manager.update_context_snapshot(ALICE, session_id, session_notes=SECRET, author="dr-a")
    manager.close_session(ALICE, session_id)
    archiver(manager.redis).archive_session(user_id=ALICE, session_id=session_id)
    pk = ArchivedSession.objects.get().pk
    admin_client, therapist = login(root), login(alice)

    listing = admin_client.get("/admin/sessions_app/archivedsession/", secure=True)
    detail = admin_client.get(f"/admin/sessions_app/archivedsession/{pk}/change/", secure=True)
    heartbeat = admin_client.get("/admin/sessions_app/archiverheartbeat/", secure=True)

    assert listing.status_code == 200
    page = listing.content.decode()
    assert session_id in page
    assert ALICE in page
    assert SECRET not in page
    assert detail.status_code == 200
    assert SECRET not in detail.content.decode()
    assert heartbeat.status_code == 200
    # Read-only, and the rest of the archive stays closed to admins.
    assert (
        admin_client.post(
            f"/admin/sessions_app/archivedsession/{pk}/delete/", {"post": "yes"}, secure=True
        ).status_code
        == 403
    )
    assert ArchivedSession.objects.filter(pk=pk).exists()
    assert admin_client.get("/admin/sessions_app/archivedmessage/", secure=True).status_code == 403
    assert admin_client.get("/admin/sessions_app/noterevision/", secure=True).status_code == 403
    assert therapist.get("/admin/sessions_app/archivedsession/", secure=True).status_code == 403
