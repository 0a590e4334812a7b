"""A Slack-shaped incoming webhook the lab plays on its own third-party host, for the alert
routes stage 6 proves (`monitor prove`, Alertmanager's slack_configs).

It answers as Slack documents for incoming webhooks (docs.slack.dev "Sending messages using
incoming webhooks", Handling errors; api.slack.com/changelog/2016-05-17-changes-to-errors-for-
incoming-webhooks): a JSON POST to /services/T.../B.../<secret> gets 200 with the body `ok`;
otherwise a status and one plain-text word: 400 invalid_payload (not a JSON object), 400
no_text (no text, blocks or attachments), 403 invalid_token (right workspace and hook, wrong
secret), 404 no_service (any other path, or the hook revoked), 410 channel_is_archived. Only
POST is accepted (405). The secret is random per lab start; the whole URL is the credential.
"""

from __future__ import annotations

import json
import secrets
import string
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from launchtui.lab.app import Reply
from launchtui.lab.receivers import Request

KIND = "slack"  # the HostSpec.receiver naming this service
KEPT = 100  # accepted payloads kept for tests and the demo, newest last
MODES = ("ok", "archived", "revoked")
_TEXT = "text/html"  # what Slack's webhook answers carry
_ALPHANUM = string.ascii_uppercase + string.digits


@dataclass(frozen=True, slots=True)
class Delivery:
    at: float  # time.time() when accepted
    payload: dict[str, Any]


def _id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_ALPHANUM) for _ in range(10))


class ChatWebhook:
    """One workspace's incoming webhook on `host`; thread-safe for readers in other threads."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.team, self.bot = _id("T"), _id("B")
        self.secret = secrets.token_urlsafe(18).replace("-", "x").replace("_", "y")
        self.path = f"/services/{self.team}/{self.bot}/{self.secret}"
        self._mode = "ok"
        self._kept: deque[Delivery] = deque(maxlen=KEPT)
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"https://{self.host}{self.path}"

    def set_mode(self, mode: str) -> None:
        """ "ok"; "archived": the channel is archived (410); "revoked": the hook was removed
        (404 no_service)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        with self._lock:
            self._mode = mode

    def received(self) -> list[Delivery]:
        """The accepted payloads, oldest first (at most KEPT)."""
        with self._lock:
            return list(self._kept)

    def reply(self, request: Request) -> Reply:
        if request.method != "POST":
            return Reply(405, b"invalid_method", _TEXT, [("Allow", "POST")])
        path = request.target.split("?", 1)[0]
        with self._lock:
            mode = self._mode
        if path != self.path or mode == "revoked":
            hook = f"/services/{self.team}/{self.bot}/"
            if mode != "revoked" and path.startswith(hook):
                return Reply(403, b"invalid_token", _TEXT)
            return Reply(404, b"no_service", _TEXT)
        try:
            payload = json.loads(request.body)
        except (UnicodeDecodeError, ValueError):
            return Reply(400, b"invalid_payload", _TEXT)
        if not isinstance(payload, dict):
            return Reply(400, b"invalid_payload", _TEXT)
        # Alertmanager's slack_configs send attachments (and an empty text): a message all the same
        if not any(payload.get(key) for key in ("text", "blocks", "attachments")):
            return Reply(400, b"no_text", _TEXT)
        if mode == "archived":
            return Reply(410, b"channel_is_archived", _TEXT)
        with self._lock:
            self._kept.append(Delivery(time.time(), payload))
        return Reply(200, b"ok", _TEXT)
