"""Who a private page is loaded as, and what in a page is unique to one member.

An identity is a credential (never stored in the sprint file) holding how a member's browser
or app proves who it is:

- `Bearer <token>`: sent as `Authorization: Bearer <token>`;
- `name=value` (one or more, `; `-separated, as a browser's Cookie header): sent as `Cookie`;
- anything else: a bare token, sent as `Authorization: Bearer <token>`.

The value is never shown: evidence names the credential and the kind of header only.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

ANONYMOUS = "anonymous"


class BadIdentity(ValueError):
    """A credential value that cannot be sent as a header (it holds a line break...)."""


@dataclass(frozen=True, slots=True)
class Identity:
    name: str  # the credential's name, or ANONYMOUS
    headers: dict[str, str]

    @property
    def sends(self) -> str:
        """What is sent, without the value: "a Cookie header", "nothing"..."""
        if not self.headers:
            return "no credentials"
        return " and ".join(
            f"an {k} header" if k[0] in "AEIOU" else f"a {k} header" for k in self.headers
        )

    @property
    def label(self) -> str:
        return "anonymous visitor" if self.name == ANONYMOUS else f"credential {self.name}"


def from_credential(name: str, value: str) -> Identity:
    value = value.strip()
    if not value or any(c in value for c in "\r\n\x00"):
        raise BadIdentity(f"credential {name} is empty or holds a line break")
    if value.lower().startswith("bearer "):
        return Identity(name, {"Authorization": "Bearer " + value[7:].strip()})
    if re.fullmatch(r"[^=;\s]+=[^;]*(;\s*[^=;\s]+=[^;]*)*;?", value):
        return Identity(name, {"Cookie": value})
    return Identity(name, {"Authorization": f"Bearer {value}"})


def anonymous() -> Identity:
    return Identity(ANONYMOUS, {})


def digest(body: bytes) -> str:
    """A short, safe-to-show fingerprint of a response body."""
    return hashlib.sha256(body).hexdigest()[:12]


_WORD = re.compile(r"[^\W_]{3,}", re.UNICODE)


def words(body: bytes) -> set[str]:
    return set(_WORD.findall(body.decode("utf-8", errors="replace")))


def marker(own: bytes, others: bytes) -> frozenset[str]:
    """The words of one member's page that the other identity's own page does not carry:
    what would show the page was served to the wrong person. Empty when the pages are the same
    for both (a list every member sees alike)."""
    return frozenset(words(own) - words(others))


def carries(body: bytes, mark: frozenset[str]) -> bool:
    """Whether `body` carries the marker: at least half its words (a per-request token such as
    a CSRF value in the marker does not hide a leak), and at least one."""
    if not mark:
        return False
    found = len(mark & words(body))
    return found >= 1 and found * 2 >= len(mark)
