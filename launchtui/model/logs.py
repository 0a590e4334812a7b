"""Log lines as the daily risk notes read them (launchtui.logs): one event per line, in its
class or classes, with the time it happened in UTC.

The classes are the roadmap's ("track basic logs for auth failures, payment failures, and
webhook errors") plus server errors; a line may be in more than one (a 5xx on a webhook path is
a webhook error and a server error). Recurring error messages are grouped by template, not
class: one recurring failure is one line with a count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

AUTH = "auth-failure"  # 401, 403, 429 on login, join and invite paths; failed-login events
PAYMENT = "payment-failure"  # checkout errors; payment-provider errors
WEBHOOK = "webhook-error"  # 5xx on webhook paths; Stripe signature verification failures
SERVER = "server-error"  # any 5xx; error-level events
CLASSES = (AUTH, PAYMENT, WEBHOOK, SERVER)
CLASS_TITLES = {
    AUTH: "auth failures",
    PAYMENT: "payment failures",
    WEBHOOK: "webhook errors",
    SERVER: "server errors",
}

COMBINED, JSON_LINES = "combined", "json"  # the formats read (nginx/Apache combined, JSON lines)


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One line of a log, parsed. `text` is the line as read (bounded, undecodable bytes
    replaced), to be shown literally; a secret in a URL's query is redacted where it is shown,
    not here."""

    at: datetime  # aware, in UTC
    source: str  # the file it came from, as given ("-" for standard input)
    line: int  # 1-based line number in its source
    text: str
    format: str  # COMBINED or JSON_LINES
    status: int | None = None  # the HTTP status, when the line has one
    method: str = ""
    path: str = ""  # the request path without its query
    client: str = ""  # the remote address
    level: str = ""  # lower case: error, warn, info... (JSON lines)
    message: str = ""  # the event's message (JSON lines); "" for access-log lines
    classes: frozenset[str] = field(default=frozenset())
