"""Mixed load: chatbot writers through the HTTP API and therapists browsing the dashboard.

Run by bench/load_test.py, which starts the server, the archiver and locust, then checks that every
message the writers saw acknowledged is in the records exactly once. Environment: LOAD_API_TOKEN,
LOAD_PASSWORD, LOAD_THERAPISTS, LOAD_CLIENTS_PER_THERAPIST, LOAD_ACKED_FILE.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import uuid
from typing import Any

from locust import HttpUser, between, events, task

TOKEN = os.environ.get("LOAD_API_TOKEN", "")
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
THERAPISTS = int(os.environ.get("LOAD_THERAPISTS", "20"))
CLIENTS_PER_THERAPIST = int(os.environ.get("LOAD_CLIENTS_PER_THERAPIST", "5"))
ACKED_FILE = os.environ.get("LOAD_ACKED_FILE", "acked.json")
CLIENTS = [f"client-{t}-{c}" for t in range(THERAPISTS) for c in range(CLIENTS_PER_THERAPIST)]
EMOTIONS = ["anxious", "exploring", "frustrated", "breakthrough", "integrated", "neutral"]
TEXT = "I keep going back to what my father said at dinner; it still sits in my chest."

acked: dict[str, list[str]] = {}  # "user/session" -> message ids acknowledged (201 or 200)
acked_lock = threading.Lock()
writer_numbers = itertools.count()
therapist_numbers = itertools.count()
SESSION_LINK = re.compile(r'href="/clients/([A-Za-z0-9_-]+)/sessions/([A-Za-z0-9_-]+)/"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class ChatbotWriter(HttpUser):
    """One chatbot conversation after another: append messages (retrying with the same id), now and
    then an emotion, a milestone; close after ~40 messages."""

    fixed_count = 50
    wait_time = between(0.05, 0.3)

    def on_start(self) -> None:
        self.number = next(writer_numbers)
        self.client.headers["Authorization"] = f"Bearer {TOKEN}"
        self.start_session()

    def start_session(self) -> None:
        self.user_id = random.choice(CLIENTS)
        self.session_id = f"w{self.number}-{uuid.uuid4().hex[:12]}"
        self.sent = 0
        self.client.post(
            "/api/v1/sessions",
            json={"user_id": self.user_id, "model": "claude-haiku", "session_id": self.session_id},
            name="api: create session",
        )

    @task(20)
    def append(self) -> None:
        message_id = uuid.uuid4().hex
        body: dict[str, Any] = {
            "role": "user" if self.sent % 2 == 0 else "assistant",
            "content": f"{self.sent}: {TEXT}",
            "message_id": message_id,
        }
        if self.sent % 7 == 0:
            body["emotion"] = {"emotion": random.choice(EMOTIONS), "intensity": 0.5, "confidence": 0.8}
        for _attempt in range(5):  # an unknown outcome is retried with the same id
            with self.client.post(
                f"/api/v1/sessions/{self.user_id}/{self.session_id}/messages",
                json=body,
                name="api: append message",
                catch_response=True,
            ) as response:
                if response.status_code in (200, 201):
                    with acked_lock:
                        acked.setdefault(f"{self.user_id}/{self.session_id}", []).append(message_id)
                    break
                if response.status_code != 503:
                    response.failure(f"HTTP {response.status_code}")
                    return
        self.sent += 1
        if self.sent >= 40:
            self.client.post(f"/api/v1/sessions/{self.user_id}/{self.session_id}/close", name="api: close")
            self.start_session()

    @task(2)
    def milestone(self) -> None:
        self.client.post(
            f"/api/v1/sessions/{self.user_id}/{self.session_id}/milestones",
            json={"description": "Named a pattern"},
            name="api: milestone",
        )

    @task(2)
    def resume(self) -> None:
        self.client.get(f"/api/v1/sessions/{self.user_id}/{self.session_id}", name="api: resume")


class Therapist(HttpUser):
    """Logs in, opens the list, reads sessions, sometimes writes a note or downloads Markdown."""

    fixed_count = 20
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.username = f"therapist-{next(therapist_numbers)}"
        page = self.client.get("/accounts/login/", name="dash: login page")
        token = CSRF.search(page.text)
        response = self.client.post(
            "/accounts/login/",
            name="dash: login",
            data={
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "username": self.username,
                "password": PASSWORD,
                "next": "",
            },
        )
        if "/inbox/" not in response.url:  # a login lands on the review inbox (home)
            raise RuntimeError(f"login of {self.username} failed")
        self.sessions: list[tuple[str, str]] = []

    @task(3)
    def session_list(self) -> None:
        response = self.client.get("/sessions/", name="dash: session list")
        self.sessions = SESSION_LINK.findall(response.text) or self.sessions

    @task(5)
    def session_detail(self) -> None:
        if not self.sessions:
            return self.session_list()
        client_id, session_id = random.choice(self.sessions)
        self.client.get(f"/clients/{client_id}/sessions/{session_id}/", name="dash: session page")
        return None

    @task(1)
    def write_note(self) -> None:
        if not self.sessions:
            return
        client_id, session_id = random.choice(self.sessions)
        page = self.client.get(f"/clients/{client_id}/sessions/{session_id}/", name="dash: session page")
        token, version = CSRF.search(page.text), re.search(r'name="version" value="(\d+)"', page.text)
        if not (token and version):
            return  # the page did not offer a form (e.g. live records were unavailable)
        with self.client.post(
            f"/clients/{client_id}/sessions/{session_id}/notes",
            name="dash: save note",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "version": version.group(1),
                "text": f"note by {self.username}",
            },
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                response.success()  # a colleague saved first, or the note is signed: the right answer

    @task(1)
    def export_markdown(self) -> None:
        if not self.sessions:
            return
        client_id, session_id = random.choice(self.sessions)
        self.client.get(f"/exports/{client_id}/{session_id}/markdown/", name="dash: export markdown")


@events.test_stop.add_listener  # type: ignore[untyped-decorator]
def save_acknowledged(**_kwargs: Any) -> None:
    with acked_lock, open(ACKED_FILE, "w", encoding="utf-8") as handle:
        json.dump(acked, handle)
