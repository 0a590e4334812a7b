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

from launchtui.sprint.model import HostPort

BUDGET_FACTOR = 6  # the whole exchange may take this many per-operation timeouts


class SendError(Exception):
    """The relay could not take the messages; str() says why, for the delivery log."""


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
) -> None:
    """Log in and send each (recipient, data); SendError names the first failure."""
    if relay.tls == "none" and not is_loopback(relay.address[0]):
        raise SendError(
            f'refusing to send the SMTP password unencrypted (tls = "none") to {relay.host}: '
            'use tls = "starttls" or "tls"'
        )
    where = f"{relay.host}:{relay.port}"
    client: smtplib.SMTP = (
        _Implicit(relay, timeout, trust) if relay.tls == "tls" else _Plain(relay, timeout)
    )

    def cut() -> None:  # shutdown(), not close(): it wakes a read blocked in this thread
        sock = client.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(timeout * BUDGET_FACTOR, cut)
    watchdog.daemon = True
    watchdog.start()
    try:
        _exchange(client, relay, password, sender, messages, trust)
    except SendError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(
            f"{where} refused the login of {relay.username} ({_reply(exc)}): check the "
            "smtp_password credential and [email].smtp.username"
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise SendError(f"{where} answered {_reply(exc)}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        refused = "; ".join(
            f"{rcpt}: {_reply_of(*reply)}" for rcpt, reply in exc.recipients.items()
        )
        raise SendError(f"{where} refused the recipient ({refused})") from None
    except smtplib.SMTPServerDisconnected as exc:
        if not watchdog.is_alive():
            raise SendError(f"{where} took longer than {timeout * BUDGET_FACTOR:g} s") from None
        if "timed out" in str(exc):  # smtplib turns a read timeout into a disconnection
            raise SendError(f"{where} did not answer within {timeout:g} s") from None
        raise SendError(f"{where} closed the connection ({exc or 'no reason given'})") from None
    except ssl.SSLCertVerificationError as exc:
        raise SendError(
            f"the certificate of {where} is not trusted: {exc.verify_message}"
        ) from None
    except TimeoutError:
        raise SendError(f"{where} did not answer within {timeout:g} s") from None
    except ConnectionRefusedError:
        raise SendError(f"{where} refused the connection") from None
    except (ssl.SSLError, OSError, smtplib.SMTPException) as exc:
        if not watchdog.is_alive():
            raise SendError(f"{where} took longer than {timeout * BUDGET_FACTOR:g} s") from None
        raise SendError(f"{where}: {type(exc).__name__}: {exc}") from None
    finally:
        watchdog.cancel()
        client.close()


def _exchange(
    client: smtplib.SMTP,
    relay: Relay,
    password: str,
    sender: str,
    messages: list[tuple[str, bytes]],
    trust: ssl.SSLContext,
) -> None:
    client.connect(relay.host, relay.port)
    client.ehlo_or_helo_if_needed()
    if relay.tls == "starttls":
        if not client.has_extn("starttls"):
            raise SendError(f"{relay.host}:{relay.port} does not offer STARTTLS")
        client.starttls(context=trust)
        client.ehlo()
    client.login(relay.username, password)
    for recipient, data in messages:
        client.sendmail(sender, [recipient], data)
    with contextlib.suppress(smtplib.SMTPException):
        client.quit()  # every message was accepted: a rude goodbye changes nothing


def _reply(exc: smtplib.SMTPResponseException) -> str:
    return _reply_of(exc.smtp_code, exc.smtp_error)


def _reply_of(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(message.split())}"[:300]
