"""A structural check of rendered pages with the standard library's parser (no validator is installed):
every element closed in order, ids unique, htmx only as ``data-hx-*``, every form control labelled,
every chart named for assistive technology."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# SVG elements the charts close themselves (<circle .../>): the parser reports them as start+end.
CONTROLS = {"input", "select", "textarea"}


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.labels: set[str] = set()
        self.controls: list[tuple[str, dict[str, str | None]]] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if any(name.startswith("hx-") for name in found):
            self.problems.append(f"<{tag}> uses hx-* instead of data-hx-*")
        if tag == "label" and found.get("for"):
            self.labels.add(str(found["for"]))
        if tag in CONTROLS and found.get("type") not in ("hidden", "submit"):
            if "label" in self.stack:
                found["aria-label"] = found.get("aria-label") or "(inside its label)"
            self.controls.append((tag, found))
        if tag == "svg" and not found.get("aria-label"):
            self.problems.append("an <svg> without aria-label")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()


def problems_of(html: str) -> list[str]:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    found = list(checker.problems)
    if checker.stack:
        found.append(f"never closed: {checker.stack}")
    duplicates = {i for i in checker.ids if checker.ids.count(i) > 1}
    if duplicates:
        found.append(f"duplicate ids: {sorted(duplicates)}")
    for tag, attrs in checker.controls:
        named = attrs.get("aria-label") or (attrs.get("id") and attrs.get("id") in checker.labels)
        if not named:
            found.append(f"<{tag} name={attrs.get('name')}> has no label")
    return found
