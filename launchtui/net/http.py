"""HTTP through httpx, with the sprint's connection mapping and hard limits.

The client never follows a redirect itself (checks record every hop), reads a body only up
to a cap (a 1 GB response costs at most the cap), and bounds each whole exchange in time, so
a server that trickles its headers one byte a second still ends within the budget.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from launchtui.net.connect import Connector
from launchtui.net.errors import NetError
from launchtui.net.timeouts import Timeouts

DEFAULT_MAX_BODY = 2 * 1024 * 1024
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
        max_connections: int = 20,
    ) -> None:
        self._timeouts = timeouts
        self.max_body = max_body
        transport = httpx.AsyncHTTPTransport(verify=trust)
        # httpx has no public hook for the network backend; its pool is rebuilt with ours.
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=trust,
            max_connections=max_connections,
            http1=True,
            http2=False,
            network_backend=_MappedBackend(connector),
        )
        # The transport is used directly, not through httpx.AsyncClient: the client parses
        # every Location header (even when not following), so a hostile one would cost us
        # the response that carried it.
        self._transport = transport
        self._timeout = httpx.Timeout(
            connect=timeouts.connect, read=timeouts.read, write=timeouts.read, pool=None
        ).as_dict()

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def fetch(
        self,
        url: str,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        max_body: int | None = None,
    ) -> Fetched:
        """One request, no redirect followed. NetError when no response could be had."""
        cap = self.max_body if max_body is None else max_body
        limit = self._timeouts.request
        started = time.perf_counter()
        try:
            async with asyncio.timeout(limit):
                return await self._exchange(url, method, headers or {}, cap, started)
        except TimeoutError:
            raise NetError(f"{method} {url}: no complete response within {limit:g} s") from None
        except httpx.TimeoutException as exc:
            raise NetError(f"{method} {url}: timed out ({_phase(exc)})") from None
        except httpx.ConnectError as exc:
            raise NetError(f"{method} {url}: cannot connect: {_reason(exc)}") from None
        except httpx.RemoteProtocolError as exc:
            raise NetError(f"{method} {url}: malformed HTTP response: {_reason(exc)}") from None
        except httpx.HTTPError as exc:
            raise NetError(f"{method} {url}: {type(exc).__name__}: {_reason(exc)}") from None
        except httpx.InvalidURL as exc:
            raise NetError(f"{method} {url}: invalid URL: {exc}") from None

    async def _exchange(
        self, url: str, method: str, headers: dict[str, str], cap: int, started: float
    ) -> Fetched:
        request = httpx.Request(
            method,
            url,
            headers={**DEFAULT_HEADERS, **headers},
            extensions={"timeout": self._timeout},
        )
        response = await self._transport.handle_async_request(request)
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
