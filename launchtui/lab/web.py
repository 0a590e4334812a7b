"""The lab's HTTPS and plain-HTTP listeners: TLS per virtual host, HTTP/1.1 via h11.

TLS is started by hand on each accepted connection (not by asyncio.start_server(ssl=...)) so
that the configured handshake delay and the "stall" fault run on the event loop. The SNI picks
the virtual host: an ssl SNI callback swaps in that host's context, and the context the
handshake ends with tells which site to serve.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import email.utils
import ssl
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import cast

import h11

from launchtui.lab import acme
from launchtui.lab.app import (
    HEALTH_PATH,
    JSON,
    READ_METHODS,
    Reply,
    dressed,
    redirect_reply,
    site_reply,
)
from launchtui.lab.ca import LabCA
from launchtui.lab.config import HostSpec, LabConfig
from launchtui.lab.members import AppState
from launchtui.lab.ports import Address, bind_error
from launchtui.lab.receivers import Receiver, Request
from launchtui.lab.sni import peek_server_name
from launchtui.lab.tasks import ServerTasks, StreamHandler

SERVER_HEADER = "harborclub-lab"
IDLE_TIMEOUT = 30.0  # seconds a keep-alive connection may sit between requests
HANDSHAKE_TIMEOUT = 10.0
READ_SIZE = 65536
MAX_BODY = 1024 * 1024  # a request body past this is refused with 413 (receivers read bodies)

ReplyFor = Callable[[h11.Request, bytes], Reply]


class _PausedStreamProtocol(asyncio.StreamReaderProtocol):
    """Stops reading the moment a connection is accepted, so that no byte of the client's
    ClientHello lands in the StreamReader before start_tls (asyncio would lose it there)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.ReadTransport)
        transport.pause_reading()
        super().connection_made(transport)


def _header(request: h11.Request, name: bytes) -> str:
    for key, value in request.headers:
        if key == name:
            return value.decode("latin-1")
    return ""


def _host_name(host_header: str) -> str:
    """The name in a Host header, without port or trailing dot."""
    if host_header.startswith("["):  # an IPv6 literal
        return host_header.split("]", 1)[0] + "]"
    return host_header.rsplit(":", 1)[0].rstrip(".").lower()


def _response_bytes(conn: h11.Connection, reply: Reply, *, head: bool = False) -> bytes:
    headers = [
        ("Server", SERVER_HEADER),
        ("Date", email.utils.formatdate(usegmt=True)),
        ("Content-Type", reply.content_type),
        ("Content-Length", str(len(reply.body))),
        *reply.headers,
    ]
    reason = HTTPStatus(reply.status).phrase
    response = h11.Response(status_code=reply.status, headers=headers, reason=reason)
    out = conn.send(response) or b""
    if not head:
        out += conn.send(h11.Data(data=reply.body)) or b""
    return out + (conn.send(h11.EndOfMessage()) or b"")


def app_reply(
    state: AppState,
    site: HostSpec | None,
    config: LabConfig,
    method: str,
    target: str,
    cookie: str,
) -> Reply:
    """The HTTPS answer, with the app's state: counted, member pages, POSTed forms and the
    host's shared cache (see lab.members) before the stateless site_reply."""
    if site is None:
        return site_reply(site, config, method, target)
    state.note(site.name, method, target)
    path = target.split("?", 1)[0]
    if site.app and method == "POST":
        posted = state.post(path, site.name)
        if posted is not None:
            return dressed(site, config, path, posted)
    if method not in READ_METHODS:
        return site_reply(site, config, method, target)
    if path == HEALTH_PATH and state.health_down(site.name):
        down = Reply(503, b'{"status": "down"}', JSON, [("Cache-Control", "no-store")])
        return dressed(site, config, path, down)
    caching = site.shared_cache and method == "GET"
    if caching:
        hit = state.cached(site.name, target)
        if hit is not None:
            return hit
    member = state.member_page(site.name, path, cookie) if site.app else None
    if member is not None:
        reply = dressed(site, config, path, member)
    else:
        reply = site_reply(site, config, method, target)
    return state.store(site.name, target, reply) if caching else reply


async def _next_event(conn: h11.Connection, reader: asyncio.StreamReader) -> object:
    while True:
        event = conn.next_event()
        if event is not h11.NEED_DATA:
            return event
        async with asyncio.timeout(IDLE_TIMEOUT):
            conn.receive_data(await reader.read(READ_SIZE))


class _TooLarge(Exception):
    """A request body over MAX_BODY: answered 413 and the connection closed."""


async def _read_request(
    conn: h11.Connection, reader: asyncio.StreamReader
) -> tuple[h11.Request, bytes] | None:
    """The next request and its body (at most MAX_BODY); None when the client closed."""
    request = await _next_event(conn, reader)
    if not isinstance(request, h11.Request):
        return None
    body = bytearray()
    while True:
        event = await _next_event(conn, reader)
        if isinstance(event, h11.Data):
            body += event.data
            if len(body) > MAX_BODY:
                raise _TooLarge
        elif isinstance(event, h11.EndOfMessage):
            return request, bytes(body)
        elif isinstance(event, h11.ConnectionClosed):
            return None


async def serve_http(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, reply_for: ReplyFor, delay: float
) -> None:
    """Answer HTTP/1.1 requests on one connection, with keep-alive, until either side closes."""
    conn = h11.Connection(h11.SERVER)
    while True:
        try:
            received = await _read_request(conn, reader)
        except (h11.RemoteProtocolError, _TooLarge) as exc:
            if conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                if isinstance(exc, _TooLarge):
                    reply = Reply(413, b"Request body too large.\n", "text/plain")
                else:
                    reply = Reply(exc.error_status_hint, b"Bad request.\n", "text/plain")
                reply.headers.append(("Connection", "close"))
                writer.write(_response_bytes(conn, reply))
                await writer.drain()
            return
        if received is None:
            return
        request, body = received
        reply = reply_for(request, body)
        if delay + reply.delay:
            await asyncio.sleep(delay + reply.delay)
        writer.write(_response_bytes(conn, reply, head=request.method == b"HEAD"))
        await writer.drain()
        if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
            return  # one side asked to close (HTTP/1.0, Connection: close)
        conn.start_next_cycle()


class WebServers:
    """The HTTPS listener (virtual hosts by SNI) and the plain-HTTP one (by Host header)."""

    def __init__(
        self,
        config: LabConfig,
        ca: LabCA,
        state: AppState | None = None,
        receivers: Mapping[str, Receiver] | None = None,
    ) -> None:
        self.config = config
        self.state = state or AppState()
        # HostSpec.receiver -> the third-party service that answers that host's requests
        self.receivers = dict(receivers or {})
        self.tasks = ServerTasks()
        self._servers: list[asyncio.Server] = []
        self._by_name = {host.name: host for host in config.hosts}
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._sites: dict[ssl.SSLContext, HostSpec] = {}
        issued = {
            host.name: ca.issue(host.name, host.cert, host.cert_organization)
            for host in config.hosts
            if host.https
        }
        early = [issued[host.name].cert for host in config.hosts if host.renew_early]
        acme_routes = acme.routes(config.zone, early, dt.datetime.now(dt.UTC))
        for host in config.hosts:
            if host.https:
                context = issued[host.name].server_context(host.tls_min_version)
                self._contexts[host.name] = context
                if host.name == f"{acme.LABEL}.{config.zone}":
                    host = dataclasses.replace(host, routes=host.routes | acme_routes)
                self._sites[context] = host
        # The SNI callback comes too late to change the TLS versions a handshake accepts:
        # a host with other versions is picked by peeking at its name, before ssl starts.
        self._own_versions = {
            host.name: self._contexts[host.name]
            for host in config.hosts
            if host.https and host.tls_min_version != "1.2"
        }
        # No or unknown SNI: a valid certificate that names no lab site.
        self._default = ca.issue(f"unknown.{config.zone}").server_context()
        self._default.sni_callback = self._pick_context
        self._stalled = {host.name for host in config.hosts if host.https and host.tls == "stall"}

    def _pick_context(
        self, ssl_object: ssl.SSLObject, server_name: str | None, _context: ssl.SSLContext
    ) -> None:
        context = self._contexts.get((server_name or "").lower())
        if context is not None:
            ssl_object.context = context

    async def start(self, host: str, https_port: int, http_port: int) -> tuple[Address, Address]:
        https = await self._listen(self._serve_https, host, https_port, tls=True)
        http = await self._listen(self._serve_plain, host, http_port, tls=False)
        return https, http

    async def _listen(self, serve: StreamHandler, host: str, port: int, *, tls: bool) -> Address:
        handler = self.tasks.connection_handler(serve)
        try:
            if tls:
                server = await asyncio.get_running_loop().create_server(
                    lambda: _PausedStreamProtocol(asyncio.StreamReader(), handler), host, port
                )
            else:
                server = await asyncio.start_server(handler, host, port)
        except OSError as exc:
            raise bind_error(exc, host, port) from exc
        self._servers.append(server)
        return host, int(server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
        await self.tasks.cancel_all()
        for server in self._servers:
            await server.wait_closed()

    async def _serve_https(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if self.config.tls_delay:
            await asyncio.sleep(self.config.tls_delay)
        context = self._default
        if self._stalled or self._own_versions:
            name = await peek_server_name(writer.transport, HANDSHAKE_TIMEOUT)
            if name in self._stalled:
                await self._stall(reader, writer)
                return
            context = self._own_versions.get(name or "", self._default)
        await writer.start_tls(context, ssl_handshake_timeout=HANDSHAKE_TIMEOUT)
        ssl_object = writer.get_extra_info("ssl_object")
        site = self._sites.get(ssl_object.context)
        config = self.config

        state = self.state
        receiver = self.receivers.get(site.receiver) if site and site.receiver else None

        def reply_for(request: h11.Request, body: bytes) -> Reply:
            method, target = request.method.decode(), request.target.decode("latin-1")
            if receiver is not None and site is not None:
                headers = {
                    name.decode("latin-1").lower(): value.decode("latin-1")
                    for name, value in request.headers
                }
                return receiver.reply(Request(site.name, method, target, headers, body))
            cookie = _header(request, b"cookie")
            return app_reply(state, site, config, method, target, cookie)

        await serve_http(reader, writer, reply_for, config.http_delay)

    async def _stall(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Never answer the ClientHello; hold the connection until the client gives up."""
        cast(asyncio.ReadTransport, writer.transport).resume_reading()
        while await reader.read(READ_SIZE):
            pass

    async def _serve_plain(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        def reply_for(request: h11.Request, _body: bytes) -> Reply:
            site = self._by_name.get(_host_name(_header(request, b"host")))
            return redirect_reply(site, request.target.decode("latin-1"))

        await serve_http(reader, writer, reply_for, self.config.http_delay)
