"""The server name a TLS ClientHello asks for, peeked off the socket before ssl reads it.

Only the "stall" fault needs this: a stalled host must never start its handshake, so its name
has to be known before ssl sees the connection. Once ssl runs, its SNI callback picks the
certificate; this parser only has to be right for well-formed hellos, and says None otherwise.
"""

from __future__ import annotations

import asyncio
import socket

HANDSHAKE_RECORD = 22
CLIENT_HELLO = 1
SERVER_NAME_EXTENSION = 0
HOST_NAME = 0
RECORD_HEADER = 5
MAX_RECORD = RECORD_HEADER + 16384 + 2048
PEEK_RETRY = 0.005  # seconds between peeks while a hello arrives in pieces


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    @property
    def done(self) -> bool:
        return self.pos >= len(self.data)

    def take(self, count: int) -> bytes:
        if self.pos + count > len(self.data):
            raise ValueError("truncated")
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def number(self, size: int) -> int:
        return int.from_bytes(self.take(size), "big")

    def vector(self, length_size: int) -> _Cursor:
        return _Cursor(self.take(self.number(length_size)))


def _server_name(handshake: bytes) -> str | None:
    hello = _Cursor(handshake)
    if hello.number(1) != CLIENT_HELLO:
        return None
    hello.take(3 + 2 + 32)  # handshake length, legacy version, random
    for length_size in (1, 2, 1):  # session id, cipher suites, compression methods
        hello.vector(length_size)
    extensions = hello.vector(2)
    while not extensions.done:
        kind, body = extensions.number(2), extensions.vector(2)
        if kind != SERVER_NAME_EXTENSION:
            continue
        names = body.vector(2)
        while not names.done:
            name_type, name = names.number(1), names.vector(2)
            if name_type == HOST_NAME:
                return name.data.decode("ascii").lower()
    return None


def parse_server_name(data: bytes) -> tuple[bool, str | None]:
    """(complete, name) for the start of a TLS stream; complete is False while the first
    record has not fully arrived. Anything that is not a readable ClientHello gives no name."""
    if len(data) < RECORD_HEADER:
        return False, None
    if data[0] != HANDSHAKE_RECORD:
        return True, None
    length = int.from_bytes(data[3:5], "big")
    if len(data) < RECORD_HEADER + length:
        return False, None
    try:
        return True, _server_name(data[RECORD_HEADER : RECORD_HEADER + length])
    except (ValueError, UnicodeDecodeError):
        return True, None


async def peek_server_name(transport: asyncio.BaseTransport, timeout: float) -> str | None:
    """The SNI of the ClientHello waiting on `transport`'s socket, without consuming it.

    The transport must not be reading (its bytes belong to the TLS handshake that follows);
    a duplicate of its socket is watched and peeked at instead.
    """
    loop = asyncio.get_running_loop()
    sock = transport.get_extra_info("socket").dup()
    sock.setblocking(False)
    try:
        async with asyncio.timeout(timeout):
            while True:
                readable: asyncio.Future[None] = loop.create_future()

                def wake(readable: asyncio.Future[None] = readable) -> None:
                    if not readable.done():  # level-triggered: may fire again before we run
                        readable.set_result(None)

                loop.add_reader(sock.fileno(), wake)
                try:
                    await readable
                finally:
                    loop.remove_reader(sock.fileno())
                data = sock.recv(MAX_RECORD, socket.MSG_PEEK)
                complete, name = parse_server_name(data)
                if complete or not data:
                    return name
                await asyncio.sleep(PEEK_RETRY)
    except (TimeoutError, OSError):
        return None
    finally:
        sock.close()
