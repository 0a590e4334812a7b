"""Rate-limit header fields, the IETF ones and the older conventions.

The IETF fields are draft-ietf-httpapi-ratelimit-headers-10 (September 2025; -11 of May 2026
keeps them), RateLimit-Policy and RateLimit, both Structured Field Lists (RFC 9651):

    RateLimit-Policy: "default";q=100;w=10       a quota of 100 units per 10 s window
    RateLimit: "default";r=50;t=30               50 units left, reset in 30 s

Each member names a policy (a String; earlier drafts used Tokens, read too) with parameters:
q (quota), qu (quota unit), w (window, seconds), pk (partition key) on a policy; r
(remaining), t (seconds until reset), pk on a limit. The older fields, from drafts up to -06
and widespread before them: RateLimit-Limit / -Remaining / -Reset and X-RateLimit-Limit /
-Remaining / -Reset (Reset in seconds, or a Unix time as GitHub sends it), and Retry-After
(RFC 9110 section 10.2.3: seconds or an HTTP date).
"""

from __future__ import annotations

import base64
import email.utils
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from launchtui.perf.cache_control import delta_seconds

BareItem = int | Decimal | str | bytes | bool
_TOKEN = re.compile(r"[A-Za-z*][!#$%&'*+\-.^_`|~:/0-9A-Za-z]*")
_KEY = re.compile(r"[a-z*][a-z0-9_\-.*]*")
_NUMBER = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,3})?")


class SfError(ValueError):
    """Not a Structured Field List."""


@dataclass(frozen=True, slots=True)
class Member:
    value: BareItem | tuple[BareItem, ...]  # an item, or an inner list's items
    params: dict[str, BareItem] = field(default_factory=dict)


class _Reader:
    def __init__(self, text: str) -> None:
        self.text, self.at = text, 0

    def peek(self) -> str:
        return self.text[self.at : self.at + 1]

    def skip(self, chars: str = " ") -> None:
        while self.peek() and self.peek() in chars:
            self.at += 1

    def bare(self) -> BareItem:
        c = self.peek()
        if c == '"':
            return self.string()
        if c == "?":
            self.at += 2
            flag = self.text[self.at - 1 : self.at]
            if flag not in ("0", "1"):
                raise SfError("a boolean is ?0 or ?1")
            return flag == "1"
        if c == ":":
            end = self.text.find(":", self.at + 1)
            if end < 0:
                raise SfError("an unterminated byte sequence")
            raw, self.at = self.text[self.at + 1 : end], end + 1
            try:
                return base64.b64decode(raw, validate=True)
            except ValueError:
                raise SfError("a byte sequence that is not base64") from None
        match = _NUMBER.match(self.text, self.at)
        if match and (c == "-" or c.isdigit()):
            self.at = match.end()
            return Decimal(match[0]) if match[1] else int(match[0])
        match = _TOKEN.match(self.text, self.at)
        if match:
            self.at = match.end()
            return match[0]
        raise SfError(f"unexpected {c!r} at character {self.at + 1}" if c else "an empty item")

    def string(self) -> str:
        self.at += 1
        out = []
        while self.at < len(self.text):
            c = self.text[self.at]
            self.at += 1
            if c == "\\":
                nxt = self.peek()
                if nxt not in ('"', "\\"):
                    raise SfError("a bad escape in a string")
                out.append(nxt)
                self.at += 1
            elif c == '"':
                return "".join(out)
            elif not " " <= c <= "~":
                raise SfError("a string holds only printable ASCII")
            else:
                out.append(c)
        raise SfError("an unterminated string")

    def params(self) -> dict[str, BareItem]:
        params: dict[str, BareItem] = {}
        while self.peek() == ";":
            self.at += 1
            self.skip()
            match = _KEY.match(self.text, self.at)
            if not match:
                raise SfError(f"a bad parameter name at character {self.at + 1}")
            self.at = match.end()
            value: BareItem = True
            if self.peek() == "=":
                self.at += 1
                value = self.bare()
            params[match[0]] = value
        return params

    def member(self) -> Member:
        if self.peek() == "(":
            self.at += 1
            items: list[BareItem] = []
            while True:
                self.skip()
                if self.peek() == ")":
                    self.at += 1
                    break
                if not self.peek():
                    raise SfError("an unterminated inner list")
                items.append(self.bare())
                self.params()  # an inner item's own parameters are not needed here
            return Member(tuple(items), self.params())
        return Member(self.bare(), self.params())


def parse_list(text: str) -> list[Member]:
    """A Structured Field List (RFC 9651 section 4.2.1); raises SfError."""
    reader = _Reader(text.strip(" \t"))
    members: list[Member] = []
    if not reader.text:
        return members
    while True:
        members.append(reader.member())
        reader.skip(" \t")
        if not reader.peek():
            return members
        if reader.peek() != ",":
            raise SfError(f"expected ',' at character {reader.at + 1}")
        reader.at += 1
        reader.skip(" \t")
        if not reader.peek():
            raise SfError("a trailing comma")


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    quota: int | None  # q
    window: int | None  # w, seconds
    unit: str = ""  # qu: "requests" when absent


@dataclass(frozen=True, slots=True)
class Limit:
    name: str
    remaining: int | None  # r
    reset: int | None  # t, seconds


def _int(value: BareItem | None) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _name(value: BareItem | tuple[BareItem, ...]) -> str:
    return value if isinstance(value, str) else ""


def policies(text: str) -> list[Policy]:
    """RateLimit-Policy's policies; raises SfError."""
    return [
        Policy(
            _name(m.value),
            _int(m.params.get("q")),
            _int(m.params.get("w")),
            _name(m.params.get("qu", "")),
        )
        for m in parse_list(text)
    ]


def limits(text: str) -> list[Limit]:
    """RateLimit's current limits; raises SfError."""
    return [
        Limit(_name(m.value), _int(m.params.get("r")), _int(m.params.get("t")))
        for m in parse_list(text)
    ]


def retry_after(value: str, now: datetime | None = None) -> int | None:
    """Retry-After in seconds from `now` (RFC 9110 section 10.2.3), None when unreadable."""
    value = value.strip()
    seconds = delta_seconds(value)
    if seconds is not None:
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, int((when - (now or datetime.now(UTC))).total_seconds()))


LEGACY = ("limit", "remaining", "reset")


@dataclass(frozen=True, slots=True)
class Signals:
    """What a response tells a client about its rate limit, as lines for a person."""

    told: list[str]  # what was found and understood
    retry_in: int | None  # seconds until it may retry, when some field says
    problems: list[str]  # fields present but malformed

    @property
    def tells_when(self) -> bool:
        return self.retry_in is not None


def read(headers: dict[str, str], now: datetime | None = None) -> Signals:
    """The rate-limit signals of one response (header names lower-cased)."""
    told: list[str] = []
    problems: list[str] = []
    retry: list[int] = []
    if "retry-after" in headers:
        seconds = retry_after(headers["retry-after"], now)
        if seconds is None:
            problems.append(f"Retry-After {headers['retry-after']!r} is neither seconds nor a date")
        else:
            told.append(f"Retry-After: {seconds} s")
            retry.append(seconds)
    if "ratelimit-policy" in headers:
        try:
            for policy in policies(headers["ratelimit-policy"]):
                quota = f"{policy.quota} {policy.unit or 'requests'}" if policy.quota else "?"
                window = f" per {policy.window} s" if policy.window else ""
                told.append(f"RateLimit-Policy {policy.name or '(unnamed)'}: {quota}{window}")
        except SfError as exc:
            problems.append(f"RateLimit-Policy is not a Structured Field List: {exc}")
    if "ratelimit" in headers:
        try:
            for limit in limits(headers["ratelimit"]):
                told.append(
                    f"RateLimit {limit.name or '(unnamed)'}: {limit.remaining} left, "
                    f"reset in {limit.reset} s"
                )
                if limit.reset is not None:
                    retry.append(limit.reset)
        except SfError as exc:
            problems.append(f"RateLimit is not a Structured Field List: {exc}")
    for prefix in ("ratelimit-", "x-ratelimit-"):
        found = {k: headers[prefix + k].strip() for k in LEGACY if prefix + k in headers}
        if not found:
            continue
        label = "X-RateLimit" if prefix.startswith("x") else "RateLimit"
        told.append(", ".join(f"{label}-{k.title()}: {v}" for k, v in found.items()))
        reset = found.get("reset", "")
        seconds = delta_seconds(reset)
        if seconds is not None:
            moment = (now or datetime.now(UTC)).timestamp()
            if seconds > 1_000_000_000:  # a Unix time (GitHub's X-RateLimit-Reset)
                seconds = max(0, int(seconds - moment))
            retry.append(seconds)
    return Signals(told, max(retry) if retry else None, problems)
