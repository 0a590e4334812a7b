"""The subresources a page loads, read with the stdlib's HTML parser.

html.parser keeps no tree and never recurses, so 100 000 nested tags cost no stack. But on an
unterminated tag, quote or comment it rescans the rest of the input once per "<" (seconds for
a few kilobytes of "<a b=\">\" " repeated), so it is never given the page whole: `_tags` cuts
the page into tags in one forward pass (skipping comments and script/style text), and the
parser reads one complete tag at a time. A construct that never ends ends the scan, as it
swallows the rest of the page in a browser too. The number of resources kept is capped.
URLs are returned as written in the page (only surrounding whitespace removed, as browsers
do), so evidence shows what the page really says.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

MAX_RESOURCES = 1000

# Tag -> the attribute that names a resource it loads. <link> and <source> are special-cased.
_LOADS = {
    "script": "src",
    "img": "src",
    "iframe": "src",
    "frame": "src",
    "audio": "src",
    "video": "src",
    "embed": "src",
    "object": "data",
    "form": "action",
    "base": "href",  # an http:// base turns every relative URL on the page into http://
}
# Browsers upgrade or block these "optionally blockable" loads; everything else is active.
PASSIVE_TAGS = frozenset({"img", "audio", "video", "source"})


@dataclass(frozen=True, slots=True)
class Resource:
    tag: str  # "script", "stylesheet" (a <link rel=stylesheet>), "img", "form"...
    attribute: str
    url: str  # as written in the page

    @property
    def passive(self) -> bool:
        return self.tag in PASSIVE_TAGS

    def describe(self) -> str:
        return f"<{self.tag} {self.attribute}={self.url}>"


class _Collector(HTMLParser):
    def __init__(self, limit: int) -> None:
        super().__init__(convert_charrefs=True)
        self.limit = limit
        self.found: list[Resource] = []
        self.more = False  # resources were left out because of the limit

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if tag == "link":
            rels = values.get("rel", "").lower().split()
            if "stylesheet" in rels:
                self._add("stylesheet", "href", values.get("href"))
            return
        if tag in ("img", "source"):
            for candidate in _srcset(values.get("srcset", "")):
                self._add(tag, "srcset", candidate)
        if tag == "source":
            self._add(tag, "src", values.get("src"))
            return
        attribute = _LOADS.get(tag)
        if attribute is not None:
            self._add(tag, attribute, values.get(attribute))

    handle_startendtag = handle_starttag

    def _add(self, tag: str, attribute: str, url: str | None) -> None:
        if url is None or not url.strip():
            return
        if len(self.found) >= self.limit:
            self.more = True
            return
        self.found.append(Resource(tag, attribute, url.strip()))


def _srcset(value: str) -> list[str]:
    """The URLs of a srcset: comma-separated candidates, each a URL and a descriptor."""
    return [part.split()[0] for part in value.split(",") if part.strip()]


@dataclass(frozen=True, slots=True)
class Page:
    resources: list[Resource]
    complete: bool  # False when resources beyond MAX_RESOURCES were left out


def resources(text: str, limit: int = MAX_RESOURCES) -> Page:
    """Every subresource (and form target) the HTML `text` names, in document order."""
    collector = _Collector(limit)
    for tag, name in _tags(text):
        if name not in _WANTED:
            continue
        collector.feed(tag)
        if name in _RAW_TEXT:
            collector.feed(f"</{name}>")  # its text was skipped; leave the parser's raw mode
        if collector.more:
            break
    return Page(collector.found, not collector.more)


_RAW_TEXT = ("script", "style")
_WANTED = frozenset({*_LOADS, "link", "source"})
_TAG_NAME = re.compile(r"<([A-Za-z][^\s/>]*)")
_TAG_STOP = re.compile(r"[>\"']")


def _tags(text: str) -> Iterator[tuple[str, str]]:
    """Each complete start tag of `text` with its lower-case name; every character is looked
    at a bounded number of times, whatever the page."""
    lower = text.lower()
    pos = text.find("<")
    while pos != -1:
        name_match = _TAG_NAME.match(text, pos)
        if name_match is None:  # comment, end tag, doctype, "<" in text
            close = "-->" if text.startswith("<!--", pos) else ">"
            end = text.find(close, pos + 1)
            if end == -1:
                return
            pos = text.find("<", end)
            continue
        end = _tag_end(text, name_match.end())
        if end == -1:
            return
        name = name_match.group(1).lower()
        yield text[pos : end + 1], name
        if name in _RAW_TEXT:
            end = lower.find(f"</{name}", end)
            if end == -1:
                return
        pos = text.find("<", end + 1)


def _tag_end(text: str, pos: int) -> int:
    """The index of the ">" closing the tag whose attributes start at `pos`, or -1."""
    while True:
        stop = _TAG_STOP.search(text, pos)
        if stop is None:
            return -1
        if stop.group() == ">":
            return stop.start()
        quote_end = text.find(stop.group(), stop.end())
        if quote_end == -1:
            return -1
        pos = quote_end + 1


def decode(body: bytes, content_type: str | None) -> str:
    """A page's text: the charset its Content-Type names, else UTF-8, never failing."""
    charset = "utf-8"
    for param in (content_type or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    try:
        return body.decode(charset, "replace")
    except (LookupError, ValueError):  # an unknown name; ValueError: a NUL in the name
        return body.decode("utf-8", "replace")


@dataclass(frozen=True, slots=True)
class HeadResource:
    tag: str  # "script" or "stylesheet"
    url: str  # as written in the page
    blocking: bool  # a classic script without async/defer, or a stylesheet for every media


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs = {name: value or "" for name, value in attrs}

    handle_startendtag = handle_starttag


def head_resources(text: str, limit: int = MAX_RESOURCES) -> list[HeadResource]:
    """The external scripts and stylesheets of the page's <head> (every tag before <body>),
    each with whether it blocks the first render: a classic script without `async` or
    `defer` (HTML: the parser waits for it), a stylesheet whose media is not print."""
    found: list[HeadResource] = []
    for tag, name in _tags(text):
        if name == "body" or len(found) >= limit:
            break
        if name not in ("script", "link"):
            continue
        parser = _Attributes()
        parser.feed(tag)
        attrs = parser.attrs
        if name == "script" and attrs.get("src", "").strip():
            module = attrs.get("type", "").strip().lower() == "module"
            deferred = "async" in attrs or "defer" in attrs or module
            found.append(HeadResource("script", attrs["src"].strip(), not deferred))
        elif name == "link" and _is_stylesheet(attrs):
            media = attrs.get("media", "all").strip().lower()
            found.append(HeadResource("stylesheet", attrs["href"].strip(), media != "print"))
    return found


def _is_stylesheet(attrs: dict[str, str]) -> bool:
    return "stylesheet" in attrs.get("rel", "").lower().split() and bool(
        attrs.get("href", "").strip()
    )
