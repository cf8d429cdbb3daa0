"""The session page stays usable on long sessions: citations paged and collapsed, go to a message,
a print stylesheet, times in the viewer's own time zone (UTC on hover), and a long session's first
screen read without its whole transcript."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from ifemotion.accounts.models import User
from ifemotion.preferences.models import DisplayPreference
from sessions_app.archive import mapping
from sessions_app.domain import Message
from sessions_app.models import ArchivedMessage
from sessions_app.repository.citation_pages import CITATION_PAGE, citation_page
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.journeys import archive_away, drain, real_session
from tests.support import AVA, login

pytestmark = pytest.mark.django_db


def detail(client: Client, sid: str, query: str = "") -> str:
    response = client.get(f"/clients/{AVA}/sessions/{sid}/{query}")
    assert response.status_code == 200
    return response.content.decode()


def citation_rows(body: str) -> list[str]:
    section = body[body.index('id="citations"') :]
    return re.findall(r'<tr id="(c-[^"]+)"', section)


def test_citations_are_collapsed_and_paged_with_every_one_reachable(
    live_manager: ConversationStateManager, alice: User
) -> None:
    sid = real_session(live_manager, AVA, 1, messages=130).session_id
    drain(live_manager, AVA, sid)  # some archived, the rest still buffered in Redis
    live_manager.append_message(AVA, sid, role="user", content="one more, after the archiver ran")
    client = login(alice)

    first = detail(client, sid)
    assert "<details>" in first  # collapsed
    pages = int(re.search(r"Citations <span class=\"muted\">\((\d+);", first).group(1))  # type: ignore[union-attr]
    seen: list[str] = []
    number = 1
    while True:
        body = detail(client, sid, f"?cp={number}")
        rows = citation_rows(body)
        assert 0 < len(rows) <= CITATION_PAGE
        seen += rows
        if f"page {number} of" in body and f"?cp={number + 1}&amp;" not in body:
            break
        number += 1
    assert len(seen) == len(set(seen)) == pages  # every citation exactly once, across the pages
    assert number == -(-pages // CITATION_PAGE) > 2


def test_the_citation_page_holding_a_citation_opens_for_it(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    sid = real_session(fake_manager, AVA, 2, messages=120).session_id
    archive_away(fake_manager, AVA, sid)
    everything = [c.citation_id for c in citation_page(AVA, sid, [], page=1, per_page=10**6).items]
    target = everything[7]

    page = citation_page(AVA, sid, [], focus=target)

    assert page.page == 1
    assert page.focus == target
    assert target in [c.citation_id for c in page.items]
    later = citation_page(AVA, sid, [], focus=everything[CITATION_PAGE + 3])
    assert later.page == 2
    assert citation_page(AVA, sid, [], focus="if://citation/unknown").focus == ""


def test_go_to_message_redirects_to_the_highlighted_message(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    sid = real_session(fake_manager, AVA, 3, messages=120).session_id
    client = login(alice)

    response = client.get(f"/clients/{AVA}/sessions/{sid}/jump", {"m": "7"})

    assert response.status_code == 302
    assert response["Location"] == f"/clients/{AVA}/sessions/{sid}/?m=7#m7"
    body = detail(client, sid, "?m=7")
    assert 'id="m7" aria-current="true"' in body
    missing = detail(client, sid, "?m=500")
    assert "There is no message 500 here: this session has 120 messages." in missing
    empty = client.get(f"/clients/{AVA}/sessions/{sid}/jump", {"m": "x"}, follow=True)
    assert "Enter a message number" in empty.content.decode()


def test_go_to_message_needs_access_like_every_record_view(
    fake_manager: ConversationStateManager, bob: User
) -> None:
    sid = real_session(fake_manager, AVA, 4, messages=10).session_id
    assert login(bob).get(f"/clients/{AVA}/sessions/{sid}/jump", {"m": "1"}).status_code == 404


def test_times_are_in_the_viewers_zone_with_utc_on_hover(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    sid = fake_manager.initialize_session(AVA, model="m")
    fake_manager.append_message(AVA, sid, role="user", content="hello")
    started = fake_manager.read_session(AVA, sid).metadata.started_at
    client = login(alice)
    utc_body = detail(client, sid)
    utc_text = started.strftime("%Y-%m-%d %H:%M")
    assert f'title="{utc_text} UTC">{utc_text} UTC</time>' in utc_body

    DisplayPreference.objects.create(user=alice, time_zone="Asia/Kolkata")  # UTC+5:30, no DST
    body = detail(client, sid)

    local_text = started.astimezone(ZoneInfo("Asia/Kolkata")).strftime("%Y-%m-%d %H:%M")
    assert (
        f'title="{utc_text} UTC">{local_text} IST<span class="utc-alt"> ({utc_text} UTC)</span></time>'
        in body
    )
    assert f'datetime="{started.isoformat()}"' in body


def test_the_preference_page_saves_a_zone_and_refuses_an_unknown_one(alice: User) -> None:
    client = login(alice)
    assert 'value="UTC" selected' in client.get("/preferences/").content.decode()
    assert client.post("/preferences/", {"time_zone": "Europe/Berlin"}).status_code == 302
    assert DisplayPreference.objects.get(user=alice).time_zone == "Europe/Berlin"
    refused = client.post("/preferences/", {"time_zone": "Mars/Olympus_Mons"})
    assert refused.status_code == 400
    assert DisplayPreference.objects.get(user=alice).time_zone == "Europe/Berlin"
    assert client.get("/preferences/", secure=True).status_code == 200
    assert Client().get("/preferences/").status_code == 302  # login first


def test_exports_stay_in_utc_whatever_the_viewers_zone(
    fake_manager: ConversationStateManager, carmen: User
) -> None:
    sid = fake_manager.initialize_session(AVA, model="m")
    fake_manager.append_message(AVA, sid, role="user", content="hello")
    DisplayPreference.objects.create(user=carmen, time_zone="Asia/Kolkata")
    started = fake_manager.read_session(AVA, sid).metadata.started_at
    body = login(carmen).get(f"/exports/{AVA}/{sid}/markdown/").content.decode()
    assert f"**Started:** {started.strftime('%Y-%m-%dT%H:%M:%SZ')}" in body
    assert "IST" not in body


def test_the_page_links_a_print_stylesheet_that_shows_the_record_not_the_app(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    sid = fake_manager.initialize_session(AVA, model="m")
    body = detail(login(alice), sid)
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in body
    assert "print-only print-header" in body
    assert "contains protected health information" in body
    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "print.css").read_text()
    for hidden in (".topbar", ".notes-form", ".jump", ".downloads", ".pager"):
        assert hidden in css
    assert ".utc-alt { display: inline; }" in css


def test_a_long_sessions_first_screen_reads_only_its_window(
    fake_manager: ConversationStateManager, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """1,000 messages, 900 of them archived: the page decodes the live window and nothing else."""
    sid = real_session(fake_manager, AVA, 5, messages=1000, days_ago=2).session_id
    drain(fake_manager, AVA, sid)
    assert ArchivedMessage.objects.filter(user_id=AVA, session_id=sid).count() == 900

    rows: list[int] = []
    original = mapping.message_from_row

    def counted(row: ArchivedMessage) -> Message:
        rows.append(row.seq)
        return original(row)

    monkeypatch.setattr(mapping, "message_from_row", counted)

    body = detail(login(alice), sid)

    assert rows == []  # no archived message was read, not even a page of them
    assert "(messages 951\u20131000 of 1000)" in body
    detail(login(alice), sid, "?tp=2")
    assert sorted(rows) == list(range(51, 101))  # an older page reads exactly that page


def test_the_time_tag_shows_a_dash_for_no_time_and_stacks_on_request() -> None:
    from datetime import UTC, datetime

    from django.template import Context, Template

    template = Template("{% load usertime %}{% when value %}|{% when value stacked=True seconds=True %}")
    at = datetime(2026, 3, 1, 8, 5, 9, tzinfo=UTC)
    assert template.render(Context({"value": None})) == "—|—"
    assert template.render(Context({"value": at.replace(tzinfo=None)})) == "—|—"  # naive: never guessed
    plain, stacked = template.render(Context({"value": at})).split("|")
    shown = "2026-03-01 08:05 UTC"
    assert plain == f'<time datetime="2026-03-01T08:05:09+00:00" title="{shown}">{shown}</time>'
    assert ">2026-03-01<br>08:05:09 UTC</time>" in stacked


def test_the_new_pages_are_well_formed_labelled_and_use_data_hx(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    from tests.dashboard.html_check import problems_of

    sid = real_session(fake_manager, AVA, 8, messages=130).session_id
    client = login(alice)
    body = detail(client, sid)
    link = re.search(r'<a href="([^"]+)" aria-label="[^"]*"><(?:polygon|circle)', body)
    assert link is not None
    followed = client.get(link.group(1).replace("&amp;", "&"), follow=True).content.decode()
    assert "The emotion update you followed" in followed
    pages = {
        "session": body,
        "session, from a chart point": followed,
        "client": client.get(f"/clients/{AVA}/").content.decode(),
        "preferences": client.get("/preferences/").content.decode(),
        "list": client.get("/sessions/").content.decode(),
    }
    assert {name: problems_of(html) for name, html in pages.items()} == {name: [] for name in pages}


def test_the_structural_check_catches_what_it_looks_for() -> None:
    from tests.dashboard.html_check import problems_of

    assert problems_of('<div id="a"><label for="x">X</label><input id="x" name="x"></div>') == []
    assert problems_of("<div><span></div>")
    assert problems_of('<div hx-get="/x"></div>') == ["<div> uses hx-* instead of data-hx-*"]
    assert problems_of('<p id="a"></p><p id="a"></p>') == ["duplicate ids: ['a']"]
    assert problems_of('<input name="q">') == ["<input name=q> has no label"]
    assert problems_of("<svg></svg>") == ["an <svg> without aria-label"]
