"""The session page, the Markdown and the PDF cite the same message and citation for every row of the
emotional journey, and say the emotions are inferred."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from ifemotion.accounts.models import User
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.journeys import drain, real_session
from tests.exports_app.test_pdf import pdftotext
from tests.support import AVA, login

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed"),
]
INFERRED = "inferred from the conversation, not a validated clinical measure"


def test_page_markdown_and_pdf_cite_the_same_ids(
    fake_manager: ConversationStateManager, alice: User, tmp_path: Path
) -> None:
    sid = real_session(fake_manager, AVA, 1, messages=120).session_id
    drain(fake_manager, AVA, sid)
    client = login(alice)
    page = client.get(f"/clients/{AVA}/sessions/{sid}/").content.decode()
    table = page[page.index('<table class="transitions">') :]
    links = [unescape(h) for h in re.findall(r'<a href="([^"]+)"', table[: table.index("</table>")])]
    on_page = [(int(parse_qs(urlsplit(x).query)["m"][0]), parse_qs(urlsplit(x).query)["c"][0]) for x in links]
    assert len(on_page) > 5

    markdown = client.get(f"/exports/{AVA}/{sid}/markdown/").content.decode()
    rows = re.findall(r"^\| \d+ \| .* \| #(\d+) \| `([^`]+)` \| `([^`]+)` \|$", markdown, re.M)
    assert [(int(seq), cited) for seq, _, cited in rows] == on_page
    message_citations = {int(seq): message_citation for seq, message_citation, _ in rows}
    assert INFERRED in markdown

    pdf = pdftotext(client.get(f"/exports/{AVA}/{sid}/pdf/").content, tmp_path)
    flat = re.sub(r"\s+", "", pdf)  # ids wrap inside narrow table cells
    for seq, cited in on_page:
        assert re.sub(r"\s+", "", cited) in flat
        assert message_citations[seq] in flat
        assert f"#{seq}" in pdf
    assert INFERRED in re.sub(r"\s+", " ", pdf)
