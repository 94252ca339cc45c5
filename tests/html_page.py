"""A parsed HTML page for integration tests: every element with its attributes, text and enclosing ids, so a test
asserts on what a person sees inside one part of the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"input", "br", "meta", "link", "img", "hr"}


@dataclass
class Element:
    """A parsed element: tag, attributes, its text (with its descendants') and the ids of its ancestors."""

    tag: str
    attrs: dict[str, str]
    within: frozenset[str]
    text: str = ""
    children: list[Element] = field(default_factory=list)


class Page(HTMLParser):
    """Every element of a page, in document order, with `status` the response's status code."""

    def __init__(self, html: str, status: int) -> None:
        super().__init__()
        self.status = status
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        within = frozenset(e.attrs["id"] for e in self._open if "id" in e.attrs)
        element = Element(tag, {k: v or "" for k, v in attrs}, within)
        if self._open:
            self._open[-1].children.append(element)
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop().tag != tag:
            pass

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data.strip()

    def find(self, tag: str, within: str) -> list[Element]:
        """Elements `tag` inside the element with id `within`."""
        return [e for e in self.elements if e.tag == tag and within in e.within]

    def by_id(self, element_id: str) -> Element | None:
        """The element with this id, if any."""
        return next((e for e in self.elements if e.attrs.get("id") == element_id), None)

    def value(self, name: str) -> str | None:
        """The value of the input (or the text of the textarea) named `name`."""
        for e in self.elements:
            if e.attrs.get("name") == name and e.tag in ("input", "textarea"):
                return e.attrs.get("value", "") if e.tag == "input" else e.text
        return None
