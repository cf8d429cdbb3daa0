"""Clinicians' Markdown, rendered safely for the page and the PDF. Never used on client text.

python-markdown renders, then nh3 keeps an allow-list: paragraphs and line breaks, emphasis, lists,
headings from level 3 down (``#`` becomes h3, ``##`` h4, ...: the note sits under the page's own
headings), code, quotes and tables; no attributes at all. Raw HTML is never passed through: the HTML
block and inline HTML processors are removed, so ``<b>`` is shown as the text ``<b>``. Links and
images never become elements: a link to ``https://`` is shown as its text followed by the URL in
brackets, any other link as its text only, an image as ``[image not shown: alt]``. Invisible
characters become visible markers first (``exports_app.text.visible``).
"""

from __future__ import annotations

# (ElementTree is only the type of the tree python-markdown hands us: nothing is parsed here.)
import xml.etree.ElementTree as ET  # nosec B405

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from exports_app.text import visible

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "ul", "ol", "li", "h3", "h4", "h5", "h6", "code", "pre", "blockquote",
     "table", "thead", "tbody", "tr", "th", "td"}
)  # fmt: skip
HEADINGS = {"h1": "h3", "h2": "h4", "h3": "h5", "h4": "h6", "h5": "h6", "h6": "h6"}


class _Inert(Treeprocessor):
    """Demotes headings; turns links and images into plain text (see the module docstring)."""

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            if element.tag in HEADINGS:
                element.tag = HEADINGS[element.tag]
            elif element.tag == "a":
                href = element.get("href", "")
                label = "".join(element.itertext())
                element.tag, element.attrib = "span", {}
                if href.lower().startswith("https://") and label.strip() != href:
                    element.tail = f" ({href})" + (element.tail or "")
            elif element.tag == "img":
                alt = element.get("alt", "")
                element.tag, element.attrib = "span", {}
                element.text = f"[image not shown{': ' + alt if alt else ''}]"


class _Safe(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # After "inline" (20), which creates links and images; before "prettify" (10).
        md.treeprocessors.register(_Inert(md), "ifemotion_inert", 15)


def _markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["tables", "fenced_code", "sane_lists", "nl2br", _Safe()], output_format="html"
    )


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={},
        url_schemes=set(),
        strip_comments=True,
        link_rel=None,
    )


def render_markdown(text: str) -> str:
    """Sanitised HTML of a clinician's Markdown (a string; mark it safe only where it is placed)."""
    return sanitise(_markdown().convert(visible(text)))


def render_safe(text: str) -> SafeString:
    """``render_markdown`` for templates. Safe to mark: nh3 has just applied the allow-list above."""
    return mark_safe(render_markdown(text))  # noqa: S308
