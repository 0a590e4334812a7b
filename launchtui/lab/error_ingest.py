"""The lab's error tracker: a Sentry-shaped ingest (ingest.errortracker.test, in a zone of
its own like a SaaS tracker) that accepts events over the envelope endpoint, as Sentry's Relay
and GlitchTip do, so monitoring.error-reporting is proven against the documented protocol.

It checks what a real ingest checks (develop.sentry.dev/sdk/foundations/transport/ and
.../envelopes/): the project id of `POST /api/<project_id>/envelope/`, the public key of
`X-Sentry-Auth: Sentry sentry_key=...` (or the `sentry_key` query parameter), and the
envelope itself: a JSON header line, then items of a JSON header line (`type`, optional
`length` in bytes) and a payload. An accepted event is answered 200 `{"id": "<event_id>"}`
and kept (the last KEEP). Tests set `mode`: "rate-limited" answers 429 with Retry-After and
X-Sentry-Rate-Limits, "revoked" 401 with Sentry's `{"detail": ...}`, "wrong-id" 200 with an
id that is not the event's (a proxy answering for the tracker).
"""

from __future__ import annotations

import collections
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from launchtui.lab.app import JSON, Reply
from launchtui.lab.config import ERROR_INGEST_HOST
from launchtui.lab.receivers import Request

PROJECT_ID = "4507"
KEEP = 20  # accepted events kept for tests and the demo to read back
MODES = ("ok", "rate-limited", "revoked", "wrong-id")
RETRY_AFTER = 60  # seconds, in the rate-limited answer
_PATH = re.compile(r"/api/(?P<project>[0-9]+)/envelope/?")
_AUTH_PAIR = re.compile(r"(sentry_[a-z_]+)=([^,\s]+)")


class Malformed(ValueError):
    pass


@dataclass
class SentryIngest:
    """A lab.receivers.Receiver: the hosts whose HostSpec.receiver is "sentry"."""

    public_key: str = field(default_factory=lambda: secrets.token_hex(16))
    project_id: str = PROJECT_ID
    mode: str = "ok"
    events: collections.deque[dict[str, Any]] = field(
        default_factory=lambda: collections.deque(maxlen=KEEP)
    )

    def dsn(self, host: str = ERROR_INGEST_HOST) -> str:
        return f"https://{self.public_key}@{host}/{self.project_id}"

    def reply(self, request: Request) -> Reply:
        parts = urlsplit(request.target)
        match = _PATH.fullmatch(parts.path)
        if request.method != "POST" or match is None:
            return _json(404, {"detail": "not found"})
        if match["project"] != self.project_id:
            return _json(404, {"detail": "project not found"})
        key = _auth_key(request.headers.get("x-sentry-auth", ""), parts.query)
        if key is None:
            return _json(401, {"detail": "missing authorization information"})
        if key != self.public_key or self.mode == "revoked":
            return _json(401, {"detail": "event submission rejected with_reason: DisabledKey"})
        if self.mode == "rate-limited":
            return _json(
                429,
                {"detail": "event submission rejected with_reason: RateLimited"},
                [
                    ("Retry-After", str(RETRY_AFTER)),
                    ("X-Sentry-Rate-Limits", f"{RETRY_AFTER}:error;default:key"),
                ],
            )
        try:
            event = parse_envelope(request.body)
        except Malformed as exc:
            return _json(400, {"detail": f"invalid envelope: {exc}"})
        self.events.append(event)
        if self.mode == "wrong-id":  # what a proxy answering for the tracker might say
            return _json(200, {"id": "0" * 32})
        return _json(200, {"id": event["event_id"]})


def parse_envelope(body: bytes) -> dict[str, Any]:
    """The event of an envelope; Malformed when it does not follow the format or has none."""
    header_line, newline, rest = body.partition(b"\n")
    header = _object(header_line, "envelope header")
    event: dict[str, Any] | None = None
    while rest.strip():
        item_line, newline, rest = rest.partition(b"\n")
        if not newline and not item_line.strip():
            break
        item = _object(item_line, "item header")
        length = item.get("length")
        if length is None:
            payload, _, rest = rest.partition(b"\n")
        elif isinstance(length, int) and 0 <= length <= len(rest):
            payload, rest = rest[:length], rest[length:]
            if rest[:1] == b"\n":
                rest = rest[1:]
            elif rest:
                raise Malformed("an item's payload is not followed by a newline")
        else:
            raise Malformed(f"an item's length {length!r} does not fit the envelope")
        if item.get("type") == "event":
            event = _object(payload, "event payload")
    if event is None:
        raise Malformed("no event item")
    event_id = event.get("event_id")
    if not isinstance(event_id, str) or not re.fullmatch(r"[0-9a-f]{32}", event_id):
        raise Malformed("the event has no event_id of 32 hex digits")
    if "event_id" in header and header["event_id"] != event_id:
        raise Malformed("the envelope's event_id is not its event's")
    return event


def _object(line: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        raise Malformed(f"the {what} is not JSON") from None
    if not isinstance(value, dict):
        raise Malformed(f"the {what} is not a JSON object")
    return value


def _auth_key(header: str, query: str) -> str | None:
    if header.lower().startswith("sentry "):
        pairs = dict(_AUTH_PAIR.findall(header))
        return pairs.get("sentry_key")
    keys = parse_qs(query).get("sentry_key")
    return keys[0] if keys else None


def _json(status: int, body: object, headers: list[tuple[str, str]] | None = None) -> Reply:
    return Reply(status, json.dumps(body).encode(), JSON, headers or [])
