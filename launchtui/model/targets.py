"""What a result is about: its target, a `Target` value with the text it is displayed as.

A target is one of five kinds:

- a host: a hostname or mail domain (`app.acme.community`), optionally with a note shown in
  parentheses (`acme.community (Mailchimp)`: the DKIM row of a sender whose selectors must be
  declared);
- a URL (`https://app.acme.community/`);
- a DNS record name (`google._domainkey.acme.community`, `_dmarc.acme.community`);
- a setting that is missing (`[site].canonical`);
- a pair written `A -> B`: a declared redirect (`old URL -> new URL`), or a host and the
  canonical origin it must converge on.

`Target.text` is the display string, and the key of a result in the sprint file and the JSON
output: it must not change for a given target. `Target.parse` reads that text back, telling
the kinds apart in this order: text holding " -> " is a pair (split at the first arrow; a URL
cannot hold the spaces); text starting with "[" is a setting; text holding "://" is a URL;
text with a label starting with "_" is a record name (the record names checks target all have
one, as `_domainkey` does); anything else, the empty text included, is a host.
A host or name ending in " (note)" keeps the note apart. For every target a check produces,
`Target.parse(target.text) == target`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

ARROW = " -> "


class Kind(StrEnum):
    HOST = "host"
    URL = "url"
    NAME = "name"  # a DNS record name
    SETTING = "setting"  # a missing setting, e.g. [site].canonical
    PAIR = "pair"  # A -> B


@dataclass(frozen=True, slots=True)
class Target:
    kind: Kind
    value: str  # the host, URL, record name or setting; a pair's first part
    to: str = ""  # a pair's second part: where the first must end up
    note: str = ""  # shown in parentheses after a host or name

    @classmethod
    def for_host(cls, host: str, note: str = "") -> Target:
        return cls(Kind.HOST, host, note=note)

    @classmethod
    def for_url(cls, url: str) -> Target:
        return cls(Kind.URL, url)

    @classmethod
    def for_name(cls, name: str) -> Target:
        return cls(Kind.NAME, name)

    @classmethod
    def for_setting(cls, setting: str) -> Target:
        return cls(Kind.SETTING, setting)

    @classmethod
    def for_pair(cls, first: str, second: str) -> Target:
        return cls(Kind.PAIR, first, to=second)

    @classmethod
    def parse(cls, text: str) -> Target:
        """The target stored as `text` (the module docstring says how kinds are told apart)."""
        first, arrow, second = text.partition(ARROW)
        if arrow:
            return cls.for_pair(first, second)
        if text.startswith("["):
            return cls.for_setting(text)
        if "://" in text:
            return cls.for_url(text)
        value, note = text, ""
        if text.endswith(")") and " (" in text:
            value, _, rest = text.partition(" (")
            note = rest.removesuffix(")")
        if any(label.startswith("_") for label in value.split(".")):
            return cls(Kind.NAME, value, note=note)
        return cls.for_host(value, note)

    @property
    def text(self) -> str:
        """How the target is displayed, and its key in the sprint file and the JSON output."""
        if self.kind is Kind.PAIR:
            return f"{self.value}{ARROW}{self.to}"
        if self.note:
            return f"{self.value} ({self.note})"
        return self.value

    @property
    def host(self) -> str:
        """The hostname the target is about, lower-cased: the host of a URL (a pair's first
        part included), else the value up to its first space (results are grouped by host in
        the routing map and the risk list)."""
        first = self.value
        if "://" in first:
            return (urlsplit(first).hostname or first).lower()
        return first.split(" ", 1)[0].lower()

    def __str__(self) -> str:
        return self.text
