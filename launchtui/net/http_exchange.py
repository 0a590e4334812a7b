"""The httpx side of HttpClient: one transport per origin over the Connector, one exchange
read up to a cap, and httpx's exceptions turned into the NetError tree.

Imported on a client's first request: httpx and httpcore take about 50 ms to import, and
listing a stage's checks (as opening the app does) must not pay for it.
"""

from __future__ import annotations

import ssl
import time
import zlib
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from launchtui.net.connect import Connector
from launchtui.net.errors import NetError, NetTimeout, Refused, TlsVerificationError
from launchtui.net.fetched import Fetched
from launchtui.net.timeouts import Timeouts

DEFAULT_HEADERS = {
    "User-Agent": "launchtui (launch-readiness check)",
    "Accept-Encoding": "gzip, deflate",
}
_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int]  # scheme, host, port


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


class Exchanges:
    """Requests over one transport per origin, each pool as large as the origin's connection
    slots: httpcore's pool scans all its connections for every request, so one shared pool
    of hundreds made a full run spend most of its CPU there."""

    def __init__(self, connector: Connector, trust: ssl.SSLContext, timeouts: Timeouts) -> None:
        self._connector = connector
        self._trust = trust
        self._transports: dict[Origin, httpx.AsyncHTTPTransport] = {}
        self._timeout = httpx.Timeout(
            connect=timeouts.connect, read=timeouts.read, write=timeouts.read, pool=None
        ).as_dict()

    @staticmethod
    def origin(url: str, method: str) -> Origin:
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise NetError(f"{method} {url}: invalid URL: {exc}") from None
        return parsed.scheme, parsed.host, parsed.port or _PORTS.get(parsed.scheme, 0)

    async def fetch(
        self,
        origin: Origin,
        url: str,
        method: str,
        headers: dict[str, str],
        cap: int,
        content: bytes | None = None,
    ) -> Fetched:
        """One exchange; NetError (of its kind) when no response could be had."""
        started = time.perf_counter()
        transport = self._transport(origin)
        try:
            return await self._exchange(transport, url, method, headers, cap, started, content)
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

    def _transport(self, origin: Origin) -> httpx.AsyncHTTPTransport:
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

    async def _exchange(
        self,
        transport: httpx.AsyncHTTPTransport,
        url: str,
        method: str,
        headers: dict[str, str],
        cap: int,
        started: float,
        content: bytes | None = None,
    ) -> Fetched:
        request = httpx.Request(
            method,
            url,
            headers={**DEFAULT_HEADERS, **headers},
            content=content,
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
