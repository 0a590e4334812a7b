"""Which classes a log line is in (launchtui.model.logs): auth, payment, webhook and server
errors, from the line's status, path, level and message. Runs on every line, so the rules are
precompiled and a line with a status below 400 and no message costs one comparison.

Decisions:
- auth failures: 401, 403 and 429 on a login, join or invite path; in JSON lines, messages
  such as "login failed", "invalid password", "authentication failed", "invalid credentials".
- payment failures: on a checkout (billing, payment, subscribe) path, every 5xx and the 4xx
  that mean the payment went wrong (400, 402, 409, 422...) but not 401/403 (a session or
  permission matter), 404/405 (scanners and stale links) nor 429 (rate limiting); and
  payment-provider errors in messages (Stripe's card_declined and the other decline codes,
  StripeCardError / StripeError, "payment failed", invoice.payment_failed).
- webhook errors: 5xx on a webhook path; Stripe signature verification failures ("No
  signatures found matching the expected signature for payload", SignatureVerificationError,
  "webhook signature ...").
- server errors: any 5xx; JSON events at level error, fatal, critical (and their synonyms),
  unless they carry a status below 500 (an app logging a 404 or a failed login at error level
  has not failed).

A path matches a prefix as whole segments anywhere in the path: "/login" matches "/login",
"/login/verify", "/api/v1/login" and "/login.php", not "/loginx" nor "/blog/login-tips".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from launchtui.model.logs import AUTH, PAYMENT, SERVER, WEBHOOK

_B_AUTH, _B_PAYMENT, _B_WEBHOOK, _B_SERVER = 1, 2, 4, 8
# Every combination of classes, made once: classifying a line allocates no set.
_SETS: tuple[frozenset[str], ...] = tuple(
    frozenset(
        name
        for bit, name in (
            (_B_AUTH, AUTH),
            (_B_PAYMENT, PAYMENT),
            (_B_WEBHOOK, WEBHOOK),
            (_B_SERVER, SERVER),
        )
        if bits & bit
    )
    for bits in range(16)
)
NONE: frozenset[str] = _SETS[0]

_AUTH_STATUSES = frozenset({401, 403, 429})
_NOT_PAYMENT_STATUSES = frozenset({401, 403, 404, 405, 429})
ERROR_LEVELS = frozenset(
    {"error", "err", "fatal", "critical", "crit", "alert", "emerg", "emergency", "panic"}
)

_AUTH_MESSAGE = re.compile(
    r"log(?:-| )?in (?:attempt )?failed|failed (?:to )?log(?:-| )?in|failed log(?:-| )?in"
    r"|sign(?:-| )?in failed|invalid (?:password|credentials|username or password|login)"
    r"|incorrect (?:password|username or password)|wrong password|bad credentials"
    r"|authentication (?:failed|failure|error)|failed to authenticate|auth(?:entication)?_failed"
    r"|login_failed|invalid_credentials|invalid_grant",
    re.IGNORECASE,
)
_WEBHOOK_MESSAGE = re.compile(
    r"No signatures found matching the expected signature|SignatureVerificationError"
    r"|webhook signature|signature verification failed|Unable to extract timestamp and signatures"
    r"|webhook (?:\w+ )?(?:failed|error)",
    re.IGNORECASE,
)
_PAYMENT_MESSAGE = re.compile(
    r"card_declined|card declined|your card was declined|insufficient_funds|expired_card"
    r"|incorrect_cvc|incorrect_number|processing_error|do_not_honor|lost_card|stolen_card"
    r"|fraudulent|authentication_required|payment_intent_authentication_failure"
    r"|\bStripe(?:Card|InvalidRequest|API|Connection|RateLimit|Authentication|Permission"
    r"|Idempotency)?Error\b|\bCardError\b|stripe\.error\.(?!SignatureVerification)\w+"
    r"|payment (?:failed|failure|declined|error)|payment_failed|charge (?:failed|declined)"
    r"|checkout (?:failed|error)",
    re.IGNORECASE,
)


def _domain_paths(urls: list[str]) -> tuple[str, ...]:
    out = []
    for url in urls:
        path = urlsplit(url).path.rstrip("/")
        if path and path not in out:
            out.append(path)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class FlowPaths:
    """Path prefixes that say which requests are logins, joins, invites, checkouts and
    webhooks. The defaults are the common ones; `from_flows` puts the sprint's own first."""

    login: tuple[str, ...] = (
        "/login",
        "/signin",
        "/sign-in",
        "/sign_in",
        "/session",
        "/sessions",
        "/auth",
        "/oauth",
        "/wp-login.php",
    )
    join: tuple[str, ...] = ("/join", "/signup", "/sign-up", "/sign_up", "/register")
    invite: tuple[str, ...] = ("/invite", "/invites", "/invitation", "/invitations")
    checkout: tuple[str, ...] = (
        "/checkout",
        "/billing",
        "/payment",
        "/payments",
        "/subscribe",
        "/subscription",
        "/subscriptions",
    )
    webhook: tuple[str, ...] = ("/webhook", "/webhooks", "/hooks")

    @classmethod
    def from_flows(cls, flows: Mapping[str, str]) -> FlowPaths:
        """From sprint.flows (name -> URL): each flow's path is added before the defaults
        for its kind (login, join, invite, checkout; a flow whose name holds "webhook" adds a
        webhook path). Root paths ("/") are ignored: they would match every request."""
        base = cls()

        def merged(kind: str, default: tuple[str, ...]) -> tuple[str, ...]:
            own = _domain_paths([url for name, url in flows.items() if kind in name.lower()])
            return own + tuple(p for p in default if p not in own)

        return cls(
            login=merged("login", base.login),
            join=merged("join", base.join),
            invite=merged("invite", base.invite),
            checkout=merged("checkout", base.checkout),
            webhook=merged("webhook", base.webhook),
        )


def _segments(prefixes: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = [re.escape(p.strip("/")) for p in prefixes if p.strip("/")]
    if not parts:
        return None
    return re.compile(r"(?:^|/)(?:" + "|".join(parts) + r")(?:[/.;]|$)", re.IGNORECASE)


class Classifier:
    """The compiled rules for one FlowPaths."""

    __slots__ = ("_auth", "_checkout", "_webhook")

    def __init__(self, paths: FlowPaths) -> None:
        self._auth = _segments(paths.login + paths.join + paths.invite)
        self._checkout = _segments(paths.checkout)
        self._webhook = _segments(paths.webhook)

    def request(self, status: int | None, path: str) -> int:
        """Class bits for an HTTP request line (status, path without query)."""
        if status is None or status < 400:
            return 0
        bits = 0
        if status >= 500:
            bits = _B_SERVER
            if self._webhook is not None and self._webhook.search(path):
                bits |= _B_WEBHOOK
        elif status in _AUTH_STATUSES:
            if self._auth is not None and self._auth.search(path):
                bits |= _B_AUTH
            return bits
        if (
            status not in _NOT_PAYMENT_STATUSES
            and self._checkout is not None
            and self._checkout.search(path)
        ):
            bits |= _B_PAYMENT
        return bits

    def classes(
        self, status: int | None, path: str, level: str = "", message: str = ""
    ) -> frozenset[str]:
        """The classes of a line: its request (status, path), level and message (or any text
        to search for failed logins, payment-provider and webhook signature errors)."""
        bits = self.request(status, path)
        if message:
            bits |= message_bits(message)
        if level in ERROR_LEVELS and (status is None or status >= 500):
            bits |= _B_SERVER  # a 4xx an app logs at error level is the client's, not the server's
        return _SETS[bits]


def message_bits(text: str) -> int:
    bits = 0
    if _AUTH_MESSAGE.search(text):
        bits |= _B_AUTH
    if _WEBHOOK_MESSAGE.search(text):
        bits |= _B_WEBHOOK
    elif _PAYMENT_MESSAGE.search(text):
        bits |= _B_PAYMENT
    return bits


@lru_cache(maxsize=16)
def classifier(paths: FlowPaths) -> Classifier:
    return Classifier(paths)


def classify(
    status: int | None,
    path: str,
    *,
    level: str = "",
    message: str = "",
    paths: FlowPaths | None = None,
) -> frozenset[str]:
    """The classes of one line (see the module's decisions)."""
    return classifier(paths or FlowPaths()).classes(status, path, level, message)
