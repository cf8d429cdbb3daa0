"""Markdown export: the report's layout (golden), and user text that can never become structure."""

from __future__ import annotations

import re
from pathlib import Path

import markdown as python_markdown
import nh3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from exports_app.document import build_document
from exports_app.errors import InvalidRange
from exports_app.exporters import json_export, markdown_export
from exports_app.markdown.export import generated_headings
from exports_app.records import ExportRecord, assemble
from sessions_app.domain import UnreadableEntry
from tests.exports_app.factories import make_context, make_record, make_state, message
from tests.exports_app.payloads import HOSTILE

GOLDEN = Path(__file__).parent / "golden"
COMMONMARK = MarkdownIt("commonmark")


def _inline_text(token: Token) -> str:
    return "".join(child.content for child in token.children or [] if child.type in {"text", "code_inline"})


def structure(text: str) -> tuple[list[str], list[str], list[str]]:
    """Headings (as text), link/image targets and HTML found by a CommonMark parser."""
    tokens = COMMONMARK.parse(text)
    headings, links, html = [], [], []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            headings.append(_inline_text(tokens[index + 1]))
        if token.type == "html_block":
            html.append(token.content)
        for child in token.children or []:
            if child.type in {"link_open", "image"}:
                links.append(str(child.attrGet("href") or child.attrGet("src")))
            if child.type == "html_inline":
                html.append(child.content)
    return headings, links, html


def hostile_record(texts: list[str]) -> ExportRecord:
    return make_record(
        texts,
        notes="\n\n".join(texts),
        milestone_text=texts[0] + "\n" + texts[1],
        breakthrough_text="\n".join(texts[:5]),
    )


def test_golden_layout() -> None:
    record = make_record(
        [
            "Hello. I keep thinking about my father.",
            "What comes up when you think of him?",
            "Anger, then guilt.\nAnd then I shut down.",
        ]
    )
    result = markdown_export(record, make_context())
    expected = (GOLDEN / "session.md").read_text(encoding="utf-8")
    assert result.content.decode("utf-8") == expected
    assert result.filename == "ifemotion-sess-42-20251130T150000Z.md"
    assert result.content_type == "text/markdown; charset=utf-8"


def test_golden_layout_of_hostile_payloads() -> None:
    result = markdown_export(hostile_record(HOSTILE), make_context())
    expected = (GOLDEN / "hostile.md").read_text(encoding="utf-8")
    assert result.content.decode("utf-8") == expected


def test_parser_finds_exactly_the_generated_headings_and_no_links_or_html() -> None:
    record = hostile_record(HOSTILE)
    doc = build_document(record, make_context())
    text = markdown_export(record, make_context()).content.decode("utf-8")
    headings, links, html = structure(text)
    assert headings == generated_headings(doc)
    assert links == []
    assert html == []


@pytest.mark.parametrize("payload", HOSTILE)
def test_each_payload_stays_inside_its_own_quote(payload: str) -> None:
    text = markdown_export(make_record(["before", payload, "after"]), make_context()).content.decode()
    tokens = COMMONMARK.parse(text)
    # Between the heading of message 2 and the heading of message 3 there is exactly one quote.
    start = next(i for i, t in enumerate(tokens) if t.type == "inline" and t.content.startswith("Message 2 "))
    end = next(i for i, t in enumerate(tokens) if t.type == "inline" and t.content.startswith("Message 3 "))
    between = [t.type for t in tokens[start + 2 : end - 1]]
    blocks = [t for t in between if t.endswith("_open") and t not in {"strong_open", "em_open"}]
    assert blocks.count("blockquote_open") == 1
    assert set(blocks) <= {"blockquote_open", "paragraph_open"}


GFM = MarkdownIt("gfm-like")  # tables, strikethrough and autolinks (linkify), as GitHub renders
INDENTED = [
    "    four spaces, as a pasted list or poem",
    "        eight spaces\n        and more",
    "\ttabbed line",
    "first line\n    indented continuation",
    "a paragraph\n\n    indented after a blank line\n\tand a tab",
    "  two\n     five - not a list",
]


def _message_text(tokens: list[Token], seq: int) -> str:
    """The text of message ``seq`` as a reader sees it: its quote's paragraphs, line breaks as newlines."""
    start = next(
        i for i, t in enumerate(tokens) if t.type == "inline" and t.content.startswith(f"Message {seq} ")
    )
    quote = next(i for i in range(start, len(tokens)) if tokens[i].type == "blockquote_open")
    end = next(i for i in range(quote, len(tokens)) if tokens[i].type == "blockquote_close")
    paragraphs = []
    for token in tokens[quote:end]:
        if token.type == "inline":
            parts = [c.content if c.type == "text" else "\n" for c in token.children or []]
            paragraphs.append("".join(parts))
    return "\n\n".join(paragraphs)


@pytest.mark.parametrize("parser", [COMMONMARK, GFM], ids=["commonmark", "gfm"])
@pytest.mark.parametrize("text", INDENTED)
def test_indented_client_text_stays_a_plain_paragraph_with_its_indentation(
    parser: MarkdownIt, text: str
) -> None:
    record = make_record(["before", text], notes=text, milestone_text=text, breakthrough_text=text)
    markdown = markdown_export(record, make_context()).content.decode()

    tokens = parser.parse(markdown)
    rendered = parser.render(markdown)

    assert [t.type for t in tokens if t.type in {"code_block", "fence"}] == []
    assert _message_text(tokens, 2) == text  # every character, the indentation included
    assert "\\" not in rendered  # no hard-break backslash shown as text
    assert "<pre>" not in rendered


def test_python_markdown_and_nh3_find_no_user_links_or_headings() -> None:
    record = hostile_record(HOSTILE)
    text = markdown_export(record, make_context()).content.decode()
    html = nh3.clean(python_markdown.markdown(text, extensions=["tables"]))
    assert "<a " not in html
    assert "<img" not in html
    headings = re.findall(r"<h[1-6]>(.*?)</h[1-6]>", html)
    assert len(headings) == len(generated_headings(build_document(record, make_context())))
    assert "Therapist note</h" not in html


def test_bidi_and_control_characters_are_made_visible() -> None:
    text = markdown_export(make_record(["\u202eexe.pdf\x07\u2066x\u2069"]), make_context()).content.decode()
    for char in ("\u202e", "\x07", "\u2066", "\u2069"):
        assert char not in text
    assert "\\[U+202E\\]exe.pdf\\[U+0007\\]\\[U+2066\\]x\\[U+2069\\]" in text


def test_a_range_shows_only_those_messages_and_says_so() -> None:
    record = make_record([f"message number {i}" for i in range(1, 11)])
    text = markdown_export(record, make_context(seq_from=3, seq_to=5)).content.decode()
    assert "Messages 3\u20135 of 10 (3 shown)." in text
    shown = re.findall(r"^### Message (\d+) ", text, flags=re.MULTILINE)
    assert shown == ["3", "4", "5"]
    with pytest.raises(InvalidRange):
        markdown_export(record, make_context(seq_from=5, seq_to=3))


def test_gaps_and_unreadable_entries_are_marked() -> None:
    messages = [message(1, "one"), message(2, "two"), message(5, "five")]
    state = make_state([messages[2]], message_count=5)
    record = assemble(state, [messages[0], messages[1], UnreadableEntry("message", 7, "not valid JSON")])
    text = markdown_export(record, make_context()).content.decode()
    assert "### Messages 3\u20134: missing from the record" in text
    assert "### Unreadable entry (stored position 7)" in text
    assert text.index("### Message 2 ") < text.index("### Messages 3\u20134") < text.index("### Message 5 ")


def test_markdown_and_json_carry_the_same_record_hash() -> None:
    record = make_record(["a", "b"])
    md = markdown_export(record, make_context())
    js = json_export(record, make_context())
    assert md.record_sha256 == js.record_sha256
    assert f"**Record SHA-256:** `{md.record_sha256}`" in md.content.decode()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=80), min_size=1, max_size=4))
def test_arbitrary_text_never_creates_structure(texts: list[str]) -> None:
    record = make_record(texts, notes=texts[0], milestone_text=texts[-1])
    doc = build_document(record, make_context())
    text = markdown_export(record, make_context()).content.decode()
    headings, links, html = structure(text)
    assert headings == generated_headings(doc)
    assert links == []
    assert html == []
    assert len(re.findall(r"^### Message \d+ ", text, flags=re.MULTILINE)) == len(texts)
    assert [t.type for t in GFM.parse(text) if t.type in {"code_block", "fence"}] == []
