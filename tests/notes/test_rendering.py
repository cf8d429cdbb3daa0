"""Clinicians' Markdown on the page and in the PDF: python-markdown, then nh3's allow-list.

A hostile corpus (script, event handlers, javascript: and data: URLs, remote images, HTML comments,
nested tables, ...) must come out with no element, attribute or URL outside the allow-list; the
allowed structure must survive; and random text must never produce anything else either.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions_app.notes.rendering import ALLOWED_TAGS, render_markdown

HOSTILE = [
    "<script>alert(document.cookie)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    '<img src="x" onerror="alert(1)">',
    "<b onmouseover=alert(1)>hover</b>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![remote](https://tracker.example/pixel.png)",
    '![x](data:image/svg+xml;utf8,<svg onload="alert(1)"></svg>)',
    "<!-- a comment --> visible",
    "<!--[if IE]><script>alert(1)</script><![endif]-->",
    "<table><tr><td><table><tr><td>nested</td></tr></table></td></tr></table>",
    "<iframe src='https://evil.example'></iframe>",
    "<style>body{display:none}</style>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
    "<form action=https://evil.example><input name=q></form>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<object data=https://evil.example/x.swf></object>",
    "<https://evil.example/auto>",
    "<mailto:someone@example.org>",
    "[ref][1]\n\n[1]: javascript:alert(1)",
    '[t](https://ok.example "title" onclick=x)',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;",
    "<details open ontoggle=alert(1)>",
    "``<script>``",
    "    <script>indented code</script>",
    "```html\n<script>fenced</script>\n```",
    "| a | <script>x</script> |\n|---|---|\n| <img src=x onerror=y> | b |",
    "\u202eevil\u202c and \x07 bell",
]


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    collector.close()
    return collector


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_markdown_keeps_only_allowed_inert_elements(payload: str) -> None:
    html = render_markdown(payload)
    found = parse(html)
    assert set(found.tags) <= ALLOWED_TAGS, html
    assert found.attributes == [], html
    assert found.comments == [], html
    lowered = html.lower()
    # Escaped as text ("&lt;img ... onerror=...") is inert; a real tag would start with "<".
    for needle in ("<script", "<img", "<a ", "<iframe", "<svg", "<style", "<object", "<form", "<math"):
        assert needle not in lowered, (needle, html)
    assert "<!--" not in html


def test_raw_html_is_shown_as_text_not_dropped_silently() -> None:
    html = render_markdown("Before <b>bold?</b> after")
    assert "&lt;b&gt;bold?&lt;/b&gt;" in html
    assert "<b>" not in html


def test_a_comment_is_visible_text_not_a_hidden_comment() -> None:
    assert "&lt;!-- secret --&gt;" in render_markdown("<!-- secret -->")


def test_https_links_show_text_and_url_other_links_only_text() -> None:
    html = render_markdown(
        "[guide](https://nhs.example/sleep) and [bad](javascript:alert(1)) and <https://x.example/a>"
    )
    assert "guide (https://nhs.example/sleep)" in html
    assert "javascript" not in html
    assert "bad" in html
    assert "https://x.example/a" in html  # an autolink's text is its URL: shown once
    assert "(https://x.example/a)" not in html


def test_images_become_a_text_placeholder() -> None:
    html = render_markdown("![chart of sleep](https://tracker.example/p.png)")
    assert "[image not shown: chart of sleep]" in html
    assert "tracker.example" not in html


def test_the_allowed_structure_renders() -> None:
    source = "\n".join(
        [
            "# Summary",
            "## Plan",
            "Some *emphasis*, **strong** and `code`.",
            "",
            "- one",
            "- two",
            "",
            "1. first",
            "",
            "> a quote",
            "",
            "| col | val |",
            "|---|---|",
            "| a | 1 |",
            "",
            "```",
            "block code",
            "```",
        ]
    )
    html = render_markdown(source)
    for fragment in (
        "<h3>Summary</h3>",
        "<h4>Plan</h4>",
        "<em>emphasis</em>",
        "<strong>strong</strong>",
        "<code>code</code>",
        "<li>one</li>",
        "<ol>",
        "<blockquote>",
        "<table>",
        "<th>col</th>",
        "<td>1</td>",
        "<pre><code>block code",
    ):
        assert fragment in html, fragment
    assert not re.search(r"<h[12][ >]", html)


def test_single_line_breaks_are_kept() -> None:
    assert "<br>" in render_markdown("line one\nline two")


def test_invisible_characters_become_visible_markers() -> None:
    html = render_markdown("a\u202eb\u2066c\x07d")
    for marker in ("[U+202E]", "[U+2066]", "[U+0007]"):
        assert marker in html
    assert "\u202e" not in html


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("<>/\"'=&#![]()*_`|-:abcdefhijlmnoprstuvwxyz 123\n\tAS@;.")),
        max_size=120,
    )
)
def test_random_markup_never_escapes_the_allow_list(text: str) -> None:
    html = render_markdown(text)
    found = parse(html)
    assert set(found.tags) <= ALLOWED_TAGS
    assert found.attributes == []
    assert found.comments == []
