"""The lab's SMTP relay (aiosmtpd): STARTTLS with a lab-CA certificate, AUTH required, DKIM
signing with the lab's key, and delivery into the seed Maildirs through the receiving side.

It accepts mail only for the seed mailboxes (anything else: 550) and only after AUTH over TLS.
Delivery authenticates the signed message as a receiver would (receiver.py), in a worker
thread: that code asks the lab's own DNS server, which answers on this same event loop.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from typing import Any

import dkim
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from launchtui.email.dns_sync import DnsTempError, SyncResolver
from launchtui.lab.ca import IssuedCert
from launchtui.lab.config import RELAY_UNSUBSCRIBE, Mailbox
from launchtui.lab.mail.dkim_key import SELECTOR, SigningKey
from launchtui.lab.mail.mailstore import MailStore
from launchtui.lab.mail.receiver import (
    authenticate,
    folder_for,
    stamped,
    submission_received,
)
from launchtui.lab.ports import Address, bind_error

MAX_MESSAGE = 1024 * 1024  # bytes; a bigger DATA is refused with 552
SESSION_TIMEOUT = 60.0  # seconds of client silence before the relay hangs up
SIGNED_HEADERS = [b"from", b"to", b"subject", b"date", b"message-id", b"mime-version"]
# RFC 8058 section 4: the DKIM signature must cover both when the message has them.
UNSUBSCRIBE_HEADERS = [b"list-unsubscribe", b"list-unsubscribe-post"]


def _split(content: bytes) -> tuple[list[bytes], bytes]:
    """The header fields of a message (each with its folded lines and line ends) and the rest
    (the blank line and the body)."""
    fields: list[bytes] = []
    lines = content.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line in (b"\r\n", b"\n"):
            return fields, b"".join(lines[index:])
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += line
        else:
            fields.append(line)
    return fields, b""


def _field_name(field: bytes) -> bytes:
    return field.split(b":", 1)[0].strip().lower()


def header_names(content: bytes) -> set[bytes]:
    """The lowercased names of a message's header fields."""
    return {_field_name(field) for field in _split(content)[0]}


def without_headers(content: bytes, names: list[bytes]) -> bytes:
    """The message with every field of these (lowercase) names removed, folded lines too."""
    fields, rest = _split(content)
    return b"".join(f for f in fields if _field_name(f) not in names) + rest


def signed_headers(content: bytes, unsubscribe: str) -> list[bytes]:
    """What the signature covers: SIGNED_HEADERS, plus the unsubscribe headers the message
    has when they are kept under the signature."""
    if unsubscribe != "keep":
        return list(SIGNED_HEADERS)
    present = header_names(content)
    return [*SIGNED_HEADERS, *(name for name in UNSUBSCRIBE_HEADERS if name in present)]


# aiosmtpd logs every connection at INFO and a client's TLS errors with tracebacks.
logging.getLogger("mail.log").setLevel(logging.CRITICAL)


class RelayHandler:
    def __init__(
        self,
        *,
        hostname: str,
        mailboxes: list[Mailbox],
        store: MailStore,
        key: SigningKey,
        resolver: SyncResolver,
        sending_ip: str = "",
        dkim_sign: bool = True,
        unsubscribe: str = "keep",
        tls: bool = True,
    ) -> None:
        if unsubscribe not in RELAY_UNSUBSCRIBE:
            raise ValueError(f"unsubscribe must be one of {RELAY_UNSUBSCRIBE}, not {unsubscribe!r}")
        self.hostname = hostname
        self.mailboxes = {mailbox.address: mailbox for mailbox in mailboxes}
        self.store = store
        self.key = key
        self.resolver = resolver
        # The address the relay delivers from ("" = the submitting client's, as before)
        self.sending_ip = sending_ip
        self.dkim_sign = dkim_sign
        self.unsubscribe = unsubscribe
        self.tls = tls

    def ptr_name(self, address: str) -> str:
        """The reverse DNS name of `address` from the lab's DNS, without the trailing dot;
        "unknown" when it has none or DNS does not answer (never raises)."""
        try:
            names = self.resolver.pointers(address)
        except (DnsTempError, ValueError):  # ValueError: not an IP address
            return "unknown"
        return names[0] if names and names[0] else "unknown"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.lower() not in self.mailboxes:
            return f"550 5.1.1 <{address}>: no such mailbox in the lab"
        envelope.rcpt_tos.append(address.lower())
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        if len(content) > MAX_MESSAGE:
            return "552 5.3.4 message too big for the lab"
        queue_id = secrets.token_hex(6).upper()
        peer = session.peer[0] if isinstance(session.peer, tuple) else "unknown"
        try:
            await asyncio.to_thread(
                self._deliver,
                content,
                list(envelope.rcpt_tos),
                mail_from=envelope.mail_from or "",
                helo=session.host_name or "",
                client_ip=str(peer),
                queue_id=queue_id,
            )
        except dkim.DKIMException as exc:
            return f"554 5.6.0 the lab cannot sign this message: {exc}"
        return f"250 2.0.0 Ok: queued as {queue_id}"

    def _deliver(
        self,
        content: bytes,
        recipients: list[str],
        *,
        mail_from: str,
        helo: str,
        client_ip: str,
        queue_id: str,
    ) -> None:
        if self.unsubscribe == "strip":
            content = without_headers(content, UNSUBSCRIBE_HEADERS)
        content = (
            submission_received(
                helo=helo, client_ip=client_ip, hostname=self.hostname, queue_id=queue_id
            )
            + content
        )
        if self.dkim_sign:
            content = (
                dkim.sign(
                    content,
                    SELECTOR.encode(),
                    self.key.domain.encode(),
                    self.key.private_pem,
                    include_headers=signed_headers(content, self.unsubscribe),
                )
                + content
            )
        sending_ip = self.sending_ip or client_ip
        verdict = authenticate(
            content,
            self.resolver,
            self.hostname,
            client_ip=sending_ip,
            mail_from=mail_from,
            helo=self.hostname,
        )
        ptr_name = self.ptr_name(sending_ip)
        for recipient in recipients:
            folder, note = folder_for(self.mailboxes[recipient].policy, verdict)
            data = stamped(
                content,
                verdict,
                recipient=recipient,
                hostname=self.hostname,
                sending_ip=sending_ip,
                ptr_name=ptr_name,
                mail_from=mail_from,
                tls=self.tls,
                queue_id=queue_id,
                filter_note=f"{folder} ({note})",
            )
            self.store.deliver(recipient, folder, data)


class _Smtp(SMTP):
    # AUTH LOGIN's challenges as real servers send them (Cyrus SASL, Postfix; the LOGIN
    # mechanism's draft-murchison-sasl-login): clients such as Alertmanager's accept only
    # these, not aiosmtpd's "User Name\0".
    AuthLoginUsernameChallenge = "Username:"
    AuthLoginPasswordChallenge = "Password:"


class Relay:
    """The relay's listening socket on the lab's loop."""

    def __init__(self, handler: RelayHandler, cert: IssuedCert, password: str) -> None:
        self.handler = handler
        self.username = ""  # set by start()
        self._password = password
        self._tls = cert.server_context()
        self._server: asyncio.Server | None = None

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and hmac.compare_digest(data.login, self.username.encode())
            and hmac.compare_digest(data.password, self._password.encode())
        )
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535 itself

    async def start(self, address: Address, username: str) -> Address:
        self.username = username
        loop = asyncio.get_running_loop()

        def protocol() -> SMTP:
            return _Smtp(
                self.handler,
                hostname=self.handler.hostname,
                ident="launchtui lab relay",
                tls_context=self._tls,
                require_starttls=True,
                auth_required=True,
                auth_require_tls=True,
                authenticator=self._authenticate,
                data_size_limit=MAX_MESSAGE,
                timeout=SESSION_TIMEOUT,
                loop=loop,
            )

        host, port = address
        try:
            self._server = await loop.create_server(protocol, host, port)
        except OSError as exc:
            raise bind_error(exc, host, port) from None
        bound = self._server.sockets[0].getsockname()
        return (str(bound[0]), int(bound[1]))

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
