"""Authentication-Results header fields (RFC 8601): parse a receiver's, write the lab's.

Only what the delivery test needs: the authserv-id and, per method (spf, dkim, dmarc...), the
first result and its properties (header.d=, smtp.mailfrom=...). Comments in parentheses are
dropped; a value that cannot be parsed is kept out rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_COMMENT = re.compile(r"\([^()]*\)")
_RESULT = re.compile(r"([A-Za-z0-9_-]+)(?:/[0-9]+)?\s*=\s*([A-Za-z0-9_-]+)")
_PROPERTY = re.compile(r"([A-Za-z0-9_-]+\.[A-Za-z0-9_.-]+)\s*=\s*(\"[^\"]*\"|[^\s;]+)")
MAX_LENGTH = 8192  # longer header fields are cut before parsing


@dataclass(frozen=True, slots=True)
class MethodResult:
    method: str  # lower case: "spf", "dkim", "dmarc"...
    result: str  # lower case: "pass", "fail", "none"...
    properties: dict[str, str] = field(default_factory=dict)  # "header.d" -> "example.com"

    def text(self) -> str:
        props = "".join(f" {key}={value}" for key, value in self.properties.items())
        return f"{self.method}={self.result}{props}"


@dataclass(frozen=True, slots=True)
class AuthResults:
    authserv_id: str
    results: tuple[MethodResult, ...] = ()

    def first(self, method: str) -> MethodResult | None:
        return next((r for r in self.results if r.method == method), None)

    def header_value(self) -> str:
        parts = [r.text() for r in self.results] or ["none"]
        return "; ".join([self.authserv_id, *parts])


def parse(value: str) -> AuthResults:
    """Parse an Authentication-Results value (unfolded or not)."""
    text = " ".join(value[:MAX_LENGTH].split())
    for _ in range(8):  # nested comments, innermost first; bounded
        stripped = _COMMENT.sub(" ", text)
        if stripped == text:
            break
        text = stripped
    authserv, *specs = [part.strip() for part in text.split(";")]
    results = []
    for spec in specs:
        match = _RESULT.match(spec)
        if match is None:
            continue
        method, result = match.group(1).lower(), match.group(2).lower()
        if method == "none":
            continue
        properties = {
            key.lower(): val.strip('"') for key, val in _PROPERTY.findall(spec[match.end() :])
        }
        results.append(MethodResult(method, result, properties))
    return AuthResults(authserv.split()[0] if authserv else "", tuple(results))
