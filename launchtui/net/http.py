"""HTTP through httpx, with the sprint's connection mapping and hard limits.

The client never follows a redirect itself (checks record every hop), reads a body only up
to a cap (a 1 GB response costs at most the cap), and bounds each whole exchange in time, so
a server that trickles its headers one byte a second still ends within the budget.

A client lives for one run, and a GET of one URL with the same headers is made once in it,
however many checks ask (in flight and after, failures included): fetched with the client's
own cap, and cut to each caller's. Seven checks reading a host's home page cost one request.
The httpx side is in http_exchange, imported on the first request.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import TYPE_CHECKING

from launchtui.net.connect import Connector
from launchtui.net.errors import NetTimeout
from launchtui.net.fetched import Fetched
from launchtui.net.timeouts import Timeouts

if TYPE_CHECKING:
    from launchtui.net.http_exchange import Exchanges

__all__ = ["DEFAULT_MAX_BODY", "Fetched", "HttpClient"]

DEFAULT_MAX_BODY = 2 * 1024 * 1024


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
        self._exchanges: Exchanges | None = None
        self._gets: dict[tuple[str, tuple[tuple[str, str], ...]], asyncio.Future[Fetched]] = {}

    async def aclose(self) -> None:
        if self._exchanges is not None:
            await self._exchanges.aclose()

    async def fetch(
        self,
        url: str,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        max_body: int | None = None,
        content: bytes | None = None,
    ) -> Fetched:
        """One request, no redirect followed. NetError when no response could be had.

        A GET is shared by every caller asking the same; any other method (or a request with
        `content`, its body) is sent each time."""
        cap = self.max_body if max_body is None else min(max_body, self.max_body)
        if method != "GET" or content is not None:
            return await self._request(url, method, headers or {}, cap, content)
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

    async def _request(
        self,
        url: str,
        method: str,
        headers: dict[str, str],
        cap: int,
        content: bytes | None = None,
    ) -> Fetched:
        if self._exchanges is None:
            # Imported on the first request, not with this module (see http_exchange).
            from launchtui.net.http_exchange import Exchanges

            self._exchanges = Exchanges(self._connector, self._trust, self._timeouts)
        exchanges = self._exchanges
        origin = exchanges.origin(url, method)
        limit = self._timeouts.request
        # Waiting for one of the origin's connection slots is not part of the exchange's time
        # limit: the limit is for the server, not for politeness.
        async with self._connector.slot(origin[1], origin[2]):
            try:
                async with asyncio.timeout(limit):
                    return await exchanges.fetch(origin, url, method, headers, cap, content)
            except TimeoutError:
                raise NetTimeout(
                    f"{method} {url}: no complete response within {limit:g} s"
                ) from None
