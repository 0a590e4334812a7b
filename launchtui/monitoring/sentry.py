"""An error-tracking canary: one event sent to a Sentry (or GlitchTip, which speaks the same
protocol) project over the envelope endpoint, to prove production errors would arrive.

Protocol, as documented:
- the DSN `{scheme}://{PUBLIC_KEY}@{HOST}{/PATH}/{PROJECT_ID}` (develop.sentry.dev/sdk/
  foundations/transport/ "Parsing the DSN"); a legacy `:SECRET` after the key is accepted
  and never sent;
- `POST {scheme}://{HOST}{/PATH}/api/{PROJECT_ID}/envelope/` authenticated with
  `X-Sentry-Auth: Sentry sentry_version=7, sentry_key=..., sentry_client=...`;
- the envelope (develop.sentry.dev/sdk/foundations/transport/envelopes/): a JSON header line
  (`event_id`, `sent_at`, `dsn`), then per item a JSON header line (`type`, `length` of the
  payload in bytes) and the payload, lines separated by "\\n";
- the event payload (develop.sentry.dev/sdk/data-model/event-payloads/): `event_id` (32 hex
  digits, no dashes), `timestamp`, `platform`, `level`, `message`, `tags`;
- the answer: 200 with `{"id": "<event_id>"}`; 429 with `Retry-After` and
  `X-Sentry-Rate-Limits` when the project or key is over its limits (develop.sentry.dev/sdk/
  expected-features/rate-limiting/).

The DSN's public key is a credential: it only appears in the request, never in a message
(Dsn.shown is scheme://host/project).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from launchtui import __version__
from launchtui.net.fetched import Fetched
from launchtui.net.http import HttpClient

CLIENT = f"launchtui/{__version__}"
BODY_LIMIT = 16 * 1024  # the ingest's answer is a small JSON; more is not read
_KEY = re.compile(r"[A-Za-z0-9]+")
_PROJECT = re.compile(r"(?P<prefix>(?:/[^/]+)*)/(?P<project>[0-9]+)/?")


class DsnError(ValueError):
    """A value that is not a DSN; str() never contains the value."""


@dataclass(frozen=True, slots=True)
class Dsn:
    scheme: str
    host: str  # host[:port], as in the DSN
    prefix: str  # a path before the project id ("" mostly)
    project_id: str
    public_key: str = field(repr=False)
    text: str = field(repr=False)  # the DSN as given, for the envelope header

    @property
    def shown(self) -> str:
        """The DSN without its key: safe for messages and evidence."""
        return f"{self.scheme}://{self.host}{self.prefix}/{self.project_id}"

    @property
    def envelope_url(self) -> str:
        return f"{self.scheme}://{self.host}{self.prefix}/api/{self.project_id}/envelope/"

    @property
    def auth(self) -> str:
        return f"Sentry sentry_version=7, sentry_key={self.public_key}, sentry_client={CLIENT}"


def parse_dsn(text: str) -> Dsn:
    value = text.strip()
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise DsnError("not a URL") from None
    if parts.scheme not in ("http", "https"):
        raise DsnError("the scheme must be https:// (or http://)")
    if not parts.username or not _KEY.fullmatch(parts.username):
        raise DsnError("no public key before the host (https://PUBLIC_KEY@HOST/PROJECT_ID)")
    if not parts.hostname:
        raise DsnError("no host")
    if parts.query or parts.fragment:
        raise DsnError("a query or fragment after the project id")
    match = _PROJECT.fullmatch(parts.path)
    if match is None:
        raise DsnError("the path must end with the numeric project id")
    host = parts.hostname if port is None else f"{parts.hostname}:{port}"
    if ":" in parts.hostname:  # IPv6 literal
        host = f"[{parts.hostname}]" if port is None else f"[{parts.hostname}]:{port}"
    return Dsn(parts.scheme, host, match["prefix"], match["project"], parts.username, value)


def canary_envelope(dsn: Dsn, event_id: str, now: datetime) -> bytes:
    stamp = now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    event = {
        "event_id": event_id,
        "timestamp": stamp,
        "platform": "other",
        "level": "info",
        "logger": "launchtui",
        "message": f"launchtui canary {event_id}: error reporting reaches this project",
        "tags": {"launchtui": "canary"},
    }
    payload = json.dumps(event, separators=(",", ":")).encode("utf-8")
    header = {"event_id": event_id, "sent_at": stamp, "dsn": dsn.text}
    item = {"type": "event", "length": len(payload), "content_type": "application/json"}
    return b"\n".join([_line(header), _line(item), payload]) + b"\n"


def _line(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True, slots=True)
class Canary:
    event_id: str
    response: Fetched

    @property
    def returned_id(self) -> str | None:
        """The `id` of the JSON answer, None when there is none."""
        try:
            answer = json.loads(self.response.body)
        except (ValueError, RecursionError):
            return None
        value = answer.get("id") if isinstance(answer, dict) else None
        return value if isinstance(value, str) else None


async def send_canary(http: HttpClient, dsn: Dsn) -> Canary:
    """One canary event, POSTed once (NetError when no answer could be had)."""
    event_id = uuid.uuid4().hex
    body = canary_envelope(dsn, event_id, datetime.now(UTC))
    headers = {
        "X-Sentry-Auth": dsn.auth,
        "Content-Type": "application/x-sentry-envelope",
        "User-Agent": CLIENT,
    }
    response = await http.fetch(
        dsn.envelope_url, "POST", headers=headers, max_body=BODY_LIMIT, content=body
    )
    return Canary(event_id, response)
