"""Client- and therapist-written text is always escaped: messages, notes, milestones, breakthroughs."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from ifemotion.accounts.models import User
from sessions_app.access import check_client_access
from sessions_app.dashboard.charts import emotion_chart_svg
from sessions_app.notes import services as note_services
from sessions_app.notes.actor import Actor
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.conftest import seed_session
from tests.support import AVA, login

ROOT = Path(__file__).resolve().parents[2]
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "{{7*7}} {% debug %}",
    "</textarea><script>alert(2)</script>",
    "<a href='javascript:alert(3)'>x</a>",
    "\u202eevil\u202c <b>bold</b>",
    "<iframe src=//example.org></iframe>",
    "<style>body{display:none}</style>",
]


class ActiveContent(HTMLParser):
    """Collects what a browser would run or load from the parsed page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        src = dict(attrs).get("src") or ""
        allowed = (tag == "script" and src.startswith("/static/")) or (
            tag == "img" and src.startswith("data:")
        )
        if tag in {"script", "iframe", "style", "img", "object", "embed"} and not allowed:
            self.found.append(tag)
        for name, value in attrs:
            url_attribute = name in {"href", "src", "action", "formaction", "xlink:href", "data"}
            if name.startswith("on") or (
                url_attribute and (value or "").strip().lower().startswith("javascript:")
            ):
                self.found.append(f"{tag}[{name}]")


def active_content(html: str) -> list[str]:
    parser = ActiveContent()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_render_escaped_everywhere(
    fake_manager: ConversationStateManager, alice: User, payload: str
) -> None:
    sid = seed_session(
        fake_manager, AVA, message=payload, milestone=payload, breakthrough=payload, notes=payload
    )
    fake_manager.update_context_snapshot(AVA, sid, current_theme=payload, therapeutic_focus=payload)
    client = login(alice)
    for url in (reverse("sessions:detail", args=[AVA, sid]), reverse("sessions:list")):
        html = client.get(url).content.decode()
        assert active_content(html) == [], (url, payload)
        assert payload not in html or not re.search(r"[<>\"']", payload)
    # A colleague saved meanwhile: the conflict page shows both texts, the diff and the merge box.
    note_services.save_note(
        actor=Actor.of(check_client_access(alice, AVA, purpose="annotate")), session_id=sid,
        expected_version=0, text="a colleague's text",
    )  # fmt: skip
    conflict = client.post(reverse("sessions:notes", args=[AVA, sid]), {"version": 0, "text": payload})
    assert conflict.status_code == 409
    assert active_content(conflict.content.decode()) == []


def test_the_chart_escapes_what_it_is_given(fake_manager: ConversationStateManager) -> None:
    sid = seed_session(fake_manager, AVA)
    svg = emotion_chart_svg(fake_manager.read_session(AVA, sid).emotion_log)
    assert svg.startswith("<svg")
    assert "<script" not in svg
    assert "href" not in svg
    assert active_content(svg) == []


def test_no_template_or_module_marks_client_text_safe() -> None:
    """The mark_safe calls are the charts (built from escaped parts) and the clinicians' Markdown right
    after nh3's allow-list (sessions_app/notes/rendering.py); no |safe or autoescape off."""
    templates = list((ROOT / "templates").rglob("*.html"))
    offenders = [
        str(t) for t in templates if re.search(r"\|\s*safe\b|autoescape\s+off|safeseq", t.read_text())
    ]
    assert offenders == []
    sources = [
        path for app in ("sessions_app", "exports_app", "ifemotion") for path in (ROOT / app).rglob("*.py")
    ]
    marked = sorted(
        line.strip() for source in sources for line in source.read_text().splitlines() if "mark_safe(" in line
    )
    assert marked == [
        '"chart": mark_safe(emotion_chart_svg(doc.record.state.emotion_log)),  # noqa: S308',
        "chart_svg=mark_safe(emotion_chart_svg(state.emotion_log, links=links)),  # noqa: S308",
        "chart_svg=mark_safe(trend_chart_svg(points, links=urls if links else None)),  # noqa: S308",
        "return mark_safe(render_markdown(text))  # noqa: S308",
    ]
