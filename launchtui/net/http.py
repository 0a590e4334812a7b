"""HTTP through httpx, with the sprint's connection mapping and hard limits.

The client never follows a redirect itself (checks record every hop), reads a body only up
to a cap (a 1 GB response costs at most the cap), and bounds each whole exchange in time, so
a server that trickles its headers one byte a second still ends within the budget.

A client lives for one run, and a GET of one URL with the same headers is made once in it,
however many checks ask (in flight and after, failures included): fetched with the client's
own cap, and cut to each caller's. Seven checks reading a host's home page cost one request.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import httpcore
import httpx

from launchtui.net.connect import Connector
from launchtui.net.errors import NetError, NetTimeout, Refused, TlsVerificationError
from launchtui.net.timeouts import Timeouts

DEFAULT_MAX_BODY = 2 * 1024 * 1024
_PORTS = {"http": 80, "https": 443}
DEFAULT_HEADERS = {
    "User-Agent": "launchtui (launch-readiness check)",
    "Accept-Encoding": "gzip, deflate",
}


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str
    status: int
    http_version: str
    headers: tuple[tuple[str, str], ...]  # names lower-cased, in the order received
    body: bytes
    truncated: bool  # the body was longer than the cap
    elapsed_ms: int

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key == name), None)

    def header_all(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.headers if key == name]

    def capped(self, cap: int) -> Fetched:
        """The same response as read with a smaller body cap."""
        if len(self.body) <= cap:
            return self
        return replace(self, body=self.body[:cap], truncated=True)


class _MappedBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that connects where the Connector says."""

    def __init__(self, connector: Connector) -> None:
        self._connector = connector
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        last: Exception = NetError(f"no address for {host}")
        for address, mapped_port in await self._connector.endpoints(host, port):
            try:
                return await self._inner.connect_tcp(
                    address, mapped_port, timeout=timeout, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        raise last

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class HttpClient:
    def __init__(
        self,
        connector: Connector,
        trust: ssl.SSLContext,
        timeouts: Timeouts,
        max_body: int = DEFAULT_MAX_BODY,
    ) -> None:
        self._connector = connector
        self._trust = trust
        self._timeouts = timeouts
        self.max_body = max_body
        # One pool per origin, each as large as the origin's connection slots: httpcore's pool
        # scans all its connections for every request, so one shared pool of hundreds made
        # a full run spend most of its CPU there.
        self._transports: dict[tuple[str, str, int], httpx.AsyncHTTPTransport] = {}
        self._gets: dict[tuple[str, tuple[tuple[str, str], ...]], asyncio.Future[Fetched]] = {}
        self._timeout = httpx.Timeout(
            connect=timeouts.connect, read=timeouts.read, write=timeouts.read, pool=None
        ).as_dict()

    def _transport(self, origin: tuple[str, str, int]) -> httpx.AsyncHTTPTransport:
        transport = self._transports.get(origin)
        if transport is None:
            transport = httpx.AsyncHTTPTransport(verify=self._trust)
            # httpx has no public hook for the network backend; its pool is rebuilt with ours.
            transport._pool = httpcore.AsyncConnectionPool(
                ssl_context=self._trust,
                max_connections=self._connector.per_host,
                http1=True,
                http2=False,
                network_backend=_MappedBackend(self._connector),
            )
            # The transport is used directly, not through httpx.AsyncClient: the client
            # parses every Location header (even when not following), so a hostile one would
            # cost us the response that carried it.
            self._transports[origin] = transport
        return transport

    async def aclose(self) -> None:
        for transport in self._transports.values():
            await transport.aclose()
        self._transports.clear()

    async def fetch(
        self,
        url: str,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        max_body: int | None = None,
    ) -> Fetched:
        """One request, no redirect followed. NetError when no response could be had."""
        cap = self.max_body if max_body is None else min(max_body, self.max_body)
        if method != "GET":
            return await self._request(url, method, headers or {}, cap)
        key = (url, tuple(sorted((headers or {}).items())))
        shared = self._gets.get(key)
        if shared is None:
            shared = self._gets[key] = asyncio.ensure_future(
                self._request(url, method, headers or {}, self.max_body)
            )
            # retrieved here so that a failure nobody waits for any more is not logged
            shared.add_done_callback(lambda done: done.cancelled() or done.exception())
        # shielded: a check cancelled by its budget must not cancel the others' request
        return (await asyncio.shield(shared)).capped(cap)

    async def _request(self, url: str, method: str, headers: dict[str, str], cap: int) -> Fetched:
        limit = self._timeouts.request
        started = time.perf_counter()
        try:
            parsed = httpx.URL(url)
            origin = (parsed.scheme, parsed.host, parsed.port or _PORTS.get(parsed.scheme, 0))
            # Waiting for one of the origin's connection slots is not part of the exchange's
            # time limit: the limit is for the server, not for politeness.
            async with self._connector.slot(origin[1], origin[2]):
                started = time.perf_counter()
                async with asyncio.timeout(limit):
                    return await self._exchange(
                        self._transport(origin), url, method, headers, cap, started
                    )
        except TimeoutError:
            raise NetTimeout(f"{method} {url}: no complete response within {limit:g} s") from None
        except httpx.TimeoutException as exc:
            raise NetTimeout(f"{method} {url}: timed out ({_phase(exc)})") from None
        except httpx.ConnectError as exc:
            kind = _kind(exc)
            raise kind(f"{method} {url}: cannot connect: {_reason(exc)}") from None
        except httpx.RemoteProtocolError as exc:
            raise NetError(f"{method} {url}: malformed HTTP response: {_reason(exc)}") from None
        except httpx.HTTPError as exc:
            raise NetError(f"{method} {url}: {type(exc).__name__}: {_reason(exc)}") from None
        except httpx.InvalidURL as exc:
            raise NetError(f"{method} {url}: invalid URL: {exc}") from None

    async def _exchange(
        self,
        transport: httpx.AsyncHTTPTransport,
        url: str,
        method: str,
        headers: dict[str, str],
        cap: int,
        started: float,
    ) -> Fetched:
        request = httpx.Request(
            method,
            url,
            headers={**DEFAULT_HEADERS, **headers},
            extensions={"timeout": self._timeout},
        )
        response = await transport.handle_async_request(request)
        try:
            raw = bytearray()
            truncated = False
            async for chunk in response.stream:  # type: ignore[union-attr]
                raw.extend(chunk)
                if len(raw) > cap:
                    truncated = True
                    break
            body, over = _decode(bytes(raw[:cap]), response.headers.get("content-encoding"), cap)
            version = response.extensions.get("http_version", b"HTTP/1.1")
            return Fetched(
                url=str(request.url),
                status=response.status_code,
                http_version=version.decode("ascii", "replace"),
                headers=tuple(
                    (key.decode("latin-1").lower(), value.decode("latin-1"))
                    for key, value in response.headers.raw
                ),
                body=body,
                truncated=truncated or over,
                elapsed_ms=round((time.perf_counter() - started) * 1000),
            )
        finally:
            await response.aclose()


def _decode(raw: bytes, encoding: str | None, cap: int) -> tuple[bytes, bool]:
    """Undo gzip/deflate without ever inflating past the cap (compression bombs)."""
    if encoding is None or encoding.strip().lower() not in {"gzip", "deflate", "x-gzip"}:
        return raw, False
    wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding.lower() else zlib.MAX_WBITS
    inflater = zlib.decompressobj(wbits)
    try:
        body = inflater.decompress(raw, cap)
    except zlib.error:
        return raw, False  # keep the bytes as they came; the check sees what was sent
    return body, bool(inflater.unconsumed_tail)


def _phase(exc: httpx.TimeoutException) -> str:
    return {
        httpx.ConnectTimeout: "connecting",
        httpx.ReadTimeout: "waiting for data",
        httpx.WriteTimeout: "sending",
        httpx.PoolTimeout: "waiting for a connection",
    }.get(type(exc), "timeout")


def _kind(exc: BaseException) -> type[NetError]:
    """Which NetError a connection failure is, from the chain of causes httpx wraps."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, NetError):  # ours, from the connector (a DNS failure, say)
            return type(seen)
        if isinstance(seen, ssl.SSLCertVerificationError):
            return TlsVerificationError
        if isinstance(seen, ConnectionRefusedError):
            return Refused
        if isinstance(seen, TimeoutError):
            return NetTimeout
        seen = seen.__cause__ or seen.__context__
    return NetError


def _reason(exc: BaseException) -> str:
    """The innermost useful message: httpx wraps httpcore wraps ssl/OSError."""
    seen: BaseException | None = exc
    message = str(exc)
    while seen is not None:
        if str(seen):
            message = str(seen)
        if isinstance(seen, NetError):
            return str(seen)
        seen = seen.__cause__ or seen.__context__
    return message or type(exc).__name__
