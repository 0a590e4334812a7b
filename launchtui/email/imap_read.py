"""Reading a seed inbox over IMAP with stdlib imaplib (blocking: run it in a worker thread).

Port 993 means implicit TLS; on any other port STARTTLS is used when offered. The password is
never sent in clear except to a loopback address. The inbox and its spam folder (the
\\Junk special-use folder, else one named Junk, Spam or Bulk) are searched for the test token
in a header; a found message is fetched up to MAX_FETCH bytes.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from launchtui.email.smtp_send import is_loopback
from launchtui.email.templates import TOKEN_HEADER
from launchtui.model.sprint import HostPort

IMAPS_PORT = 993
MAX_FETCH = 2 * 1024 * 1024
SPAM_NAMES = ("junk", "spam", "bulk", "junk e-mail", "junk email", "[gmail]/spam")
_LIST_LINE = re.compile(rb'\((?P<flags>[^)]*)\) (?:"[^"]*"|NIL) (?P<name>.+)$')
MAX_FOLDERS = 500


_OnSocket = Callable[[socket.socket], None]


class InboxError(Exception):
    """The inbox could not be read; str() says why, for the delivery log."""


@dataclass(frozen=True, slots=True)
class Found:
    folder: str  # "inbox" or "spam"
    mailbox: str  # the IMAP folder name
    data: bytes


class _Plain(imaplib.IMAP4):
    def __init__(self, host: str, address: HostPort, timeout: float, on_socket: _OnSocket) -> None:
        self._address = address
        self._on_socket = on_socket
        super().__init__(host, address[1], timeout=timeout)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        raw = socket.create_connection(self._address, timeout)
        self._on_socket(raw)
        return raw


class _Implicit(imaplib.IMAP4_SSL):
    def __init__(
        self,
        host: str,
        address: HostPort,
        timeout: float,
        context: ssl.SSLContext,
        on_socket: _OnSocket,
    ) -> None:
        self._address = address
        self._context = context
        self._on_socket = on_socket
        super().__init__(host, address[1], ssl_context=context, timeout=timeout)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        raw = socket.create_connection(self._address, timeout)
        self._on_socket(raw)
        return self._context.wrap_socket(raw, server_hostname=self.host)


class InboxReader:
    def __init__(
        self,
        host: str,
        address: HostPort,
        username: str,
        password: str,
        *,
        trust: ssl.SSLContext,
        timeout: float,
    ) -> None:
        self.where = f"{host}:{address[1]}"
        self._host, self._address = host, address
        self._username, self._password = username, password
        self._trust, self._timeout = trust, timeout
        self._client: imaplib.IMAP4 | None = None
        self._socket: socket.socket | None = None  # known from the first byte, for abort()
        self._folders: list[tuple[str, str]] = []  # (kind, IMAP name)

    def open(self) -> None:
        try:
            self._client = self._connect()
            self._client.login(self._username, self._password)
        except imaplib.IMAP4.abort as exc:
            self.close()
            raise InboxError(f"{self.where} broke off the session: {_text(exc)}") from None
        except imaplib.IMAP4.error as exc:
            self.close()
            raise InboxError(
                f"{self.where} refused the login of {self._username}: {_text(exc)}"
            ) from None
        except TimeoutError:
            self.close()
            raise InboxError(f"{self.where} did not answer within {self._timeout:g} s") from None
        except ConnectionRefusedError:
            self.close()
            raise InboxError(f"{self.where} refused the connection") from None
        except ssl.SSLCertVerificationError as exc:
            self.close()
            raise InboxError(
                f"the certificate of {self.where} is not trusted: {exc.verify_message}"
            ) from None
        except (OSError, EOFError) as exc:
            self.close()
            raise InboxError(f"{self.where}: {type(exc).__name__}: {_text(exc)}") from None
        self._folders = self._list_folders()

    def _connect(self) -> imaplib.IMAP4:
        if self._address[1] == IMAPS_PORT:
            return _Implicit(self._host, self._address, self._timeout, self._trust, self._keep)
        client = _Plain(self._host, self._address, self._timeout, self._keep)
        if "STARTTLS" in client.capabilities:
            client.starttls(ssl_context=self._trust)
        elif not is_loopback(self._address[0]):
            client.shutdown()
            raise InboxError(
                f"{self.where} offers no TLS (neither port 993 nor STARTTLS): refusing to send "
                "the password in clear"
            )
        return client

    def _list_folders(self) -> list[tuple[str, str]]:
        folders = [("inbox", "INBOX")]
        client = self._client
        assert client is not None
        try:
            _status, lines = client.list()
        except (imaplib.IMAP4.error, OSError):
            return folders
        spam: list[tuple[int, str]] = []
        for line in (lines or [])[:MAX_FOLDERS]:
            if not isinstance(line, bytes):
                continue
            match = _LIST_LINE.match(line)
            if match is None:
                continue
            name = match.group("name").decode("utf-8", "replace").strip().strip('"')
            flags = match.group("flags").lower()
            if b"\\junk" in flags:
                spam.append((0, name))
            elif name.lower() in SPAM_NAMES:
                spam.append((1, name))
        folders += [("spam", name) for _, name in sorted(spam)]
        return folders

    def find(self, token: str, *, anywhere: bool = False) -> Found | None:
        """The message carrying `token` (in the token header; `anywhere`: in any header or
        the body, for a message another program wrote), from the inbox or the spam folder;
        InboxError when the server fails."""
        criteria = ("TEXT", token) if anywhere else ("HEADER", TOKEN_HEADER, token)
        client = self._client
        if client is None:
            raise InboxError(f"{self.where}: not connected")
        try:
            for kind, name in self._folders:
                status, _ = client.select(_quoted(name), readonly=True)
                if status != "OK":
                    continue
                status, data = client.uid("SEARCH", *criteria)
                uids = (data[0] or b"").split() if status == "OK" and data else []
                if not uids:
                    continue
                status, parts = client.uid(
                    "FETCH", uids[0].decode(), f"(BODY.PEEK[]<0.{MAX_FETCH}>)"
                )
                raw = next((p[1] for p in parts if isinstance(p, tuple)), b"")
                return Found(kind, name, bytes(raw))
        except TimeoutError:
            raise InboxError(f"{self.where} did not answer within {self._timeout:g} s") from None
        except (imaplib.IMAP4.error, OSError, EOFError) as exc:
            raise InboxError(f"{self.where}: {type(exc).__name__}: {_text(exc)}") from None
        return None

    def _keep(self, sock: socket.socket) -> None:
        self._socket = sock

    def abort(self) -> None:
        """Cut the connection from another thread: a read blocked on it ends at once."""
        sock = self._socket
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError, EOFError):
            client.shutdown()


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(exc: BaseException) -> str:
    text = str(exc)
    match = re.fullmatch(r"b'(.*)'", text) or re.fullmatch(r'b"(.*)"', text)
    text = match.group(1) if match else text
    return " ".join(text.split())[:300] or type(exc).__name__
