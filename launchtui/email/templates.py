"""The test messages the delivery test sends: one per template, each with a unique token.

The token is in a header (X-Launchtui-Token) and in the body, so a seed inbox can be searched
for it whichever part its provider indexes. The launch announcement is the one marketing
message: it carries the sprint's [email].unsubscribe URIs as List-Unsubscribe, with RFC 8058's
List-Unsubscribe-Post when one of them is HTTPS, and the link in its body, as the providers'
bulk-sender rules ask; without them it is sent bare, and the sender rules say what is missing.
"""

from __future__ import annotations

import email.utils
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP

TOKEN_HEADER = "X-Launchtui-Token"

# template -> (subject, body); {community} and {token} are filled in.
TEMPLATES: dict[str, tuple[str, str]] = {
    "welcome": (
        "Welcome to {community}",
        "Hi,\n\nWelcome to {community}: your membership is active.\n"
        "Start here: introduce yourself in the community.\n",
    ),
    "password-reset": (
        "Reset your {community} password",
        "Hi,\n\nSomeone asked to reset the password of your {community} account.\n"
        "If it was you, use the link in this message within an hour; otherwise ignore it.\n",
    ),
    "invite": (
        "You are invited to join {community}",
        "Hi,\n\nA member invited you to {community}. Accept the invitation to join.\n",
    ),
    "receipt": (
        "Your {community} receipt",
        "Hi,\n\nThank you for your payment. Membership: 1 month.\n"
        "Keep this receipt for your records.\n",
    ),
    "launch-announcement": (
        "{community} is open",
        "Hi,\n\n{community} is open: everything is ready for you and the other members.\n"
        "Come in, say hello, and tell us what you would like to see first.\n",
    ),
}
TEMPLATE_NAMES = tuple(TEMPLATES)
MARKETING = frozenset({"launch-announcement"})  # sent to every member as bulk, subscribed mail


@dataclass(frozen=True, slots=True)
class TestMessage:
    template: str
    recipient: str
    token: str
    subject: str
    data: bytes  # CRLF line endings, ready for SMTP DATA


def new_token() -> str:
    return f"lt-{secrets.token_hex(12)}"


def render(
    template: str,
    *,
    from_header: str,
    recipient: str,
    community: str,
    unsubscribe: tuple[str, ...] = (),
) -> TestMessage:
    """One test message; `unsubscribe` ([email].unsubscribe) goes on marketing templates only."""
    subject_text, body_text = TEMPLATES[template]
    token = new_token()
    subject = subject_text.format(community=community)
    body = body_text.format(community=community)
    headers: dict[str, str] = {}
    if template in MARKETING and unsubscribe:
        headers["List-Unsubscribe"] = ", ".join(f"<{uri}>" for uri in unsubscribe)
        if any(uri.lower().startswith("https://") for uri in unsubscribe):
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        body += f"\nTo stop receiving these emails: {unsubscribe[0]}\n"
    body += f"\nDelivery test token: {token} (sent by launchtui email-test)\n"
    data = compose(
        from_header=from_header,
        to=recipient,
        subject=subject,
        token=token,
        body=body,
        extra=headers,
    )
    return TestMessage(template, recipient, token, subject, data)


def compose(
    *,
    from_header: str,
    to: str,
    subject: str,
    token: str,
    body: str,
    extra: Mapping[str, str] | None = None,
) -> bytes:
    """A plain-text message as launchtui sends it for a test (a delivery test, a test alert):
    Date and a Message-ID on the sender's domain, the token header it is found by, and the
    `extra` header fields."""
    domain = email.utils.parseaddr(from_header)[1].rpartition("@")[2] or "launchtui.invalid"
    message = EmailMessage(policy=SMTP)
    message["From"] = from_header
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(localtime=False)
    message["Message-ID"] = email.utils.make_msgid(idstring=token, domain=domain)
    message[TOKEN_HEADER] = token
    for name, value in (extra or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()
