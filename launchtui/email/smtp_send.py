"""Sending the test messages through the sprint's SMTP relay with stdlib smtplib (blocking:
run it in a worker thread).

The relay host is resolved through the sprint's nameservers (or mapped by [network].connect_to)
while TLS verifies the certificate for the host name, against the system store plus
[network].ca_bundle. The password is sent only over TLS, or in clear to a loopback address.
Every socket operation is bounded by `timeout`, and a watchdog closes the connection when the
whole exchange runs past its budget (a server trickling bytes), so nothing hangs.
"""

from __future__ import annotations

import contextlib
import ipaddress
import smtplib
import socket
import ssl
import threading
from dataclasses import dataclass

from launchtui.model.sprint import HostPort

BUDGET_FACTOR = 6  # the whole exchange may take this many per-operation timeouts


class SendError(Exception):
    """The relay could not take the messages; str() says why, for the delivery log."""

    def __init__(self, reason: str, sent: int = 0) -> None:
        super().__init__(reason)
        self.sent = sent  # messages accepted before the failure


@dataclass(frozen=True, slots=True)
class Relay:
    host: str  # the name TLS verifies
    port: int
    tls: str  # "starttls", "tls" or "none"
    username: str
    address: HostPort  # where the connection really goes


class _Plain(smtplib.SMTP):
    def __init__(self, relay: Relay, timeout: float) -> None:
        self._relay = relay
        super().__init__(timeout=timeout)
        self._host = relay.host  # the name STARTTLS verifies

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return socket.create_connection(self._relay.address, timeout)


class _Implicit(smtplib.SMTP_SSL):
    def __init__(self, relay: Relay, timeout: float, context: ssl.SSLContext) -> None:
        self._relay = relay
        super().__init__(timeout=timeout, context=context)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        raw = socket.create_connection(self._relay.address, timeout)
        return self.context.wrap_socket(raw, server_hostname=self._relay.host)


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def send(
    relay: Relay,
    password: str,
    sender: str,
    messages: list[tuple[str, bytes]],
    *,
    trust: ssl.SSLContext,
    timeout: float,
) -> list[str]:
    """Log in and send each (recipient, data). Returns, per message, "" when the relay took
    it or why it refused that one message; SendError when the session itself failed (no
    connection, TLS, login, a timeout), with `sent` messages accepted before that."""
    if relay.tls == "none" and not is_loopback(relay.address[0]):
        raise SendError(
            f'refusing to send the SMTP password unencrypted (tls = "none") to {relay.host}: '
            'use tls = "starttls" or "tls"'
        )
    where = f"{relay.host}:{relay.port}"
    client: smtplib.SMTP = (
        _Implicit(relay, timeout, trust) if relay.tls == "tls" else _Plain(relay, timeout)
    )

    fired = threading.Event()

    def cut() -> None:  # shutdown(), not close(): it wakes a read blocked in this thread
        fired.set()
        sock = client.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(timeout * BUDGET_FACTOR, cut)
    watchdog.daemon = True
    watchdog.start()
    refusals: list[str] = []  # one per message handed over so far
    try:
        _exchange(client, relay, password, sender, messages, trust, refusals)
        return refusals
    except SendError:
        raise
    except (OSError, smtplib.SMTPException) as exc:
        sent = sum(1 for refusal in refusals if not refusal)
        if fired.is_set():  # whatever the cut connection looked like to smtplib
            budget = timeout * BUDGET_FACTOR
            raise SendError(f"{where} took longer than {budget:g} s", sent) from None
        raise SendError(_reason(exc, where, relay.username, timeout), sent) from None
    finally:
        watchdog.cancel()
        client.close()


def _reason(exc: Exception, where: str, username: str, timeout: float) -> str:
    """Why sending failed, in words, for the delivery log."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            f"{where} refused the login of {username} ({_reply(exc)}): check the "
            "smtp_password credential and [email].smtp.username"
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{where} answered {_reply(exc)}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{rcpt}: {_reply_of(*reply)}" for rcpt, reply in exc.recipients.items()
        )
        return f"{where} refused the recipient ({refused})"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        if "timed out" in str(exc):  # smtplib turns a read timeout into a disconnection
            return f"{where} did not answer within {timeout:g} s"
        return f"{where} closed the connection ({exc or 'no reason given'})"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"the certificate of {where} is not trusted: {exc.verify_message}"
    if isinstance(exc, TimeoutError):
        return f"{where} did not answer within {timeout:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return f"{where} refused the connection"
    return f"{where}: {type(exc).__name__}: {exc}"


def _exchange(
    client: smtplib.SMTP,
    relay: Relay,
    password: str,
    sender: str,
    messages: list[tuple[str, bytes]],
    trust: ssl.SSLContext,
    refusals: list[str],
) -> None:
    where = f"{relay.host}:{relay.port}"
    client.connect(relay.host, relay.port)
    client.ehlo_or_helo_if_needed()
    if relay.tls == "starttls":
        if not client.has_extn("starttls"):
            raise SendError(f"{relay.host}:{relay.port} does not offer STARTTLS")
        client.starttls(context=trust)
        client.ehlo()
    client.login(relay.username, password)
    for recipient, data in messages:
        try:
            client.sendmail(sender, [recipient], data)
        except smtplib.SMTPRecipientsRefused as exc:  # this message only: go on
            refusals.append(_reason(exc, where, relay.username, 0))
            client.rset()
            continue
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            refusals.append(f"{where} refused the message ({_reply(exc)})")
            client.rset()
            continue
        refusals.append("")
    with contextlib.suppress(smtplib.SMTPException):
        client.quit()  # every message was handed over: a rude goodbye changes nothing


def _reply(exc: smtplib.SMTPResponseException) -> str:
    return _reply_of(exc.smtp_code, exc.smtp_error)


def _reply_of(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(message.split())}"[:300]
