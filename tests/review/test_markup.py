"""The review pages are well-formed HTML (no parse errors by the HTML5 parsing algorithm, via the
parser WeasyPrint ships), with unique ids, labelled inputs and ``data-hx-*`` attributes only."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.urls import reverse
from tinyhtml5.parser import HTMLParser  # type: ignore[import-untyped]

from ifemotion.accounts.models import User
from sessions_app.review.cursors import mark_reviewed
from sessions_app.state.manager import ConversationStateManager
from tests.review.conftest import add_messages, grant_for, seed_session
from tests.support import AVA, login

NS = "{http://www.w3.org/1999/xhtml}"


def parse(html: str) -> ET.Element:
    parser = HTMLParser()
    tree = parser._parse(html)
    del tree
    assert parser.errors == [], parser.errors[:5]
    return parser.tree.get_document()  # type: ignore[no-any-return]


@pytest.fixture
def pages(fake_manager: ConversationStateManager, alice: User) -> dict[str, str]:
    sid = seed_session(fake_manager, AVA)
    add_messages(fake_manager, AVA, sid, 60)
    mark_reviewed(grant=grant_for(alice, AVA), session_id=sid, seq=20)
    client = login(alice)
    return {
        url: client.get(url).content.decode()
        for url in (
            reverse("review:inbox"),
            reverse("review:inbox") + "?show=unread&emotion=anxious&q=ava",
            reverse("review:digest"),
            reverse("sessions:list"),
            reverse("sessions:detail", args=[AVA, sid]),
            reverse("sessions:detail", args=[AVA, sid]) + "?tp=1",
        )
    }


def test_the_pages_parse_without_errors_and_ids_are_unique(pages: dict[str, str]) -> None:
    for url, html in pages.items():
        document = parse(html)
        ids = [found for element in document.iter() if (found := element.get("id"))]
        assert len(ids) == len(set(ids)), (url, sorted(i for i in ids if ids.count(i) > 1))
        parents = {child: parent for parent in document.iter() for child in parent}
        for element in [*document.iter(f"{NS}input"), *document.iter(f"{NS}select")]:
            if element.get("type") in ("hidden", "submit"):
                continue
            name, ancestor = element.get("id"), parents.get(element)
            while ancestor is not None and ancestor.tag != f"{NS}label":
                ancestor = parents.get(ancestor)
            labelled = ancestor is not None or (name and re.search(rf'<label[^>]* for="{name}"', html))
            assert labelled or element.get("aria-label"), (url, element.attrib)


def test_review_templates_use_data_hx_attributes_only() -> None:
    templates = Path(__file__).resolve().parents[2] / "templates" / "review"
    for path in templates.glob("*.html"):
        assert not re.search(r"\shx-[a-z-]+=", path.read_text()), path.name
