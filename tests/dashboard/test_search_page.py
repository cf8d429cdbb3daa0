"""The search page: own clients only, sessions with their best messages, deep links that open the
transcript at the message, filters, an audit row per search without the query text, bad input and
an unavailable index as clear pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.urls import reverse

from ifemotion.accounts.models import AuditEvent, User
from sessions_app.archive.search import chroma, worker
from sessions_app.dashboard.pages import message_url
from sessions_app.dashboard.search import highlight, query_fingerprint
from sessions_app.state.manager import ConversationStateManager
from tests.redis_server import free_port
from tests.sessions_app.archive_support import use_embedded_chroma
from tests.support import AVA, BEN, login

pytestmark = pytest.mark.django_db
URL = "/search/"
AVA_TEXTS = [
    "Hi, it's me again.",
    "Good to hear from you. How has the week been?",
    "Since my father passed away I keep setting a plate for him at dinner.",
    "That sounds painful. What is dinner like now?",
    "Quiet. Mum doesn't talk much.",
]
BEN_TEXTS = ["The funeral was on Tuesday and I still can't cry.", "I'm here with you."]


@pytest.fixture(autouse=True)
def _index(settings: LazySettings, tmp_path: Path) -> None:
    use_embedded_chroma(settings, tmp_path / "chroma")
    settings.CHROMA_EMBEDDING = "wordllama"


def talk(manager: ConversationStateManager, client_id: str, texts: list[str]) -> str:
    session_id = manager.initialize_session(client_id, model="m")
    for n, text in enumerate(texts):
        manager.append_message(client_id, session_id, role="assistant" if n % 2 else "user", content=text)
    return session_id


@pytest.fixture
def sessions(fake_manager: ConversationStateManager) -> dict[str, str]:
    found = {AVA: talk(fake_manager, AVA, AVA_TEXTS), BEN: talk(fake_manager, BEN, BEN_TEXTS)}
    worker.run_pass(fake_manager.redis)
    return found


def test_results_are_sessions_of_my_clients_with_their_best_messages(
    sessions: dict[str, str], alice: User
) -> None:
    response = login(alice).get(URL, {"q": "grief after losing a parent"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Since my father passed away" in body
    assert "funeral" not in body  # bob's client, nearer in meaning, never shown to alice
    assert BEN not in body
    assert reverse("sessions:detail", args=[AVA, sessions[AVA]]) in body
    assert response["Cache-Control"].startswith("max-age=0")


def test_each_message_links_into_the_transcript_at_that_message(
    sessions: dict[str, str], alice: User
) -> None:
    client = login(alice)
    body = client.get(URL, {"q": "bereavement"}).content.decode()
    link = message_url(AVA, sessions[AVA], 3).replace("&", "&amp;")
    assert f'href="{link}"' in body

    page = client.get(message_url(AVA, sessions[AVA], 3)).content.decode()
    assert re.findall(r'class="msg role-user focus" id="m(\d+)"', page) == ["3"]


def test_every_search_is_audited_with_the_query_hashed_never_stored(
    sessions: dict[str, str], alice: User
) -> None:
    client = login(alice)
    client.get(URL)  # the empty page is not a search
    client.get(URL, {"q": "my father passed away", "speaker": "user"})
    client.get(URL, {"q": "!!!"})

    rows = list(AuditEvent.objects.filter(action="search").order_by("id"))
    assert [(r.actor, r.outcome) for r in rows] == [("alice", "ok"), ("alice", "refused")]
    assert rows[0].detail["query_hmac"] == query_fingerprint("my father passed away")
    assert rows[0].detail["clients"] == [AVA]
    assert rows[0].detail["filters"]["speaker"] == "user"
    everything = "".join(str(r.detail) for r in AuditEvent.objects.all())
    assert "father" not in everything
    assert "!!!" not in everything


def test_filters_narrow_the_results(sessions: dict[str, str], fake_manager: ConversationStateManager,
                                    alice: User) -> None:  # fmt: skip
    client = login(alice)
    chatbot = client.get(URL, {"q": "dinner", "speaker": "assistant"}).content.decode()
    assert "What is <mark>dinner</mark> like now?" in chatbot  # the shared word is highlighted
    assert "setting a plate" not in chatbot
    future = client.get(URL, {"q": "dinner", "since": "2999-01-01"}).content.decode()
    assert "No sessions match." in future
    backwards = client.get(URL, {"q": "dinner", "since": "2026-02-01", "until": "2026-01-01"})
    assert "end date is before the start date" in backwards.content.decode()


def test_a_client_filter_naming_someone_elses_client_reveals_nothing(
    sessions: dict[str, str], alice: User
) -> None:
    body = login(alice).get(URL, {"q": "funeral", "client": BEN}).content.decode()
    assert "filters were not understood" in body
    assert "funeral was on Tuesday" not in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Type a few words"),
        ("   ", "Type a few words"),
        ("?!… — !!", "no words to search for"),
        ("grief " * 200, "too long: at most 500"),
    ],
)
def test_bad_queries_get_a_clear_message(
    sessions: dict[str, str], alice: User, query: str, message: str
) -> None:
    response = login(alice).get(URL, {"q": query})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_non_latin_and_hostile_queries_are_searched_safely(sessions: dict[str, str], alice: User) -> None:
    client = login(alice)
    for query in ("父が亡くなってから眠れない", "<script>alert(1)</script> dinner", "Ωμέγα 🙂"):
        response = client.get(URL, {"q": query})
        assert response.status_code == 200
        assert "<script>alert" not in response.content.decode()


def test_client_text_is_escaped_in_results(fake_manager: ConversationStateManager, alice: User) -> None:
    talk(fake_manager, AVA, ['<img src=x onerror=alert(1)> my dad died and "I" feel lost'])
    worker.run_pass(fake_manager.redis)
    body = login(alice).get(URL, {"q": "grief"}).content.decode()
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


def test_with_the_index_down_the_page_says_so_and_records_still_open(
    sessions: dict[str, str], alice: User, settings: LazySettings
) -> None:
    settings.CHROMA_URL = f"http://127.0.0.1:{free_port()}"
    client = login(alice)

    response = client.get(URL, {"q": "grief"})

    assert response.status_code == 503
    body = response.content.decode()
    assert "Search is temporarily unavailable" in body
    assert reverse("sessions:list") in body
    assert client.get(reverse("sessions:detail", args=[AVA, sessions[AVA]])).status_code == 200
    assert AuditEvent.objects.filter(action="search", outcome="unavailable").count() == 1


def test_while_the_index_is_rebuilt_the_page_says_so(sessions: dict[str, str], alice: User,
                                                     settings: LazySettings) -> None:  # fmt: skip
    settings.CHROMA_EMBEDDING = "lexical"
    chroma.reset_client()
    response = login(alice).get(URL, {"q": "grief"})
    assert response.status_code == 503
    assert "being rebuilt" in response.content.decode()


def test_search_needs_a_login(client: object) -> None:
    from django.test import Client

    response = Client().get(URL, {"q": "grief"})
    assert response.status_code == 302
    assert "/accounts/login" in response["Location"] or "login" in response["Location"]


def test_therapists_without_clients_are_told_why_nothing_is_found(db: None) -> None:
    from tests.support import make_user

    lonely = make_user("dana", "therapist")
    body = login(lonely).get(URL, {"q": "grief"}).content.decode()
    assert "You have no assigned clients" in body


def test_highlight_marks_the_words_shared_with_the_query() -> None:
    assert highlight("I could not sleep, sleep never came.", "sleep problems") == [
        ("I could not ", False),
        ("sleep", True),
        (", ", False),
        ("sleep", True),
        (" never came.", False),
    ]
    assert highlight("Since my father passed away", "grief") == [("Since my father passed away", False)]
