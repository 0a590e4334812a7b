"""Where a TCP connection for host:port really goes.

Like curl's --connect-to, a `[network].connect_to` entry sends the connection to another
address while the Host header and the TLS server name stay those of the real hostname. Other
hostnames are resolved through the sprint's own DNS client (so a staging or lab nameserver
is honoured for HTTP and TLS too), never through the system resolver behind our back.

Politeness: at most `per_host` connections to one hostname and port are open at once, however
many checks want one (HTTP requests and TLS probes alike; see `slot`). The cap is per name, as
a browser's is per origin, so hosts that share an address (a CDN, the lab) do not queue.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from launchtui.model.sprint import HostPort
from launchtui.net.address import is_ip
from launchtui.net.dns import DnsClient, resolve_addresses
from launchtui.net.errors import NetError, NetTimeout, Refused

PER_HOST = 6  # connections open at once to one host:port, like a browser's per origin


@dataclass(slots=True)
class Connector:
    dns: DnsClient
    connect_to: dict[HostPort, HostPort] = field(default_factory=dict)
    connect_timeout: float = 5.0
    per_host: int = PER_HOST
    _slots: dict[HostPort, asyncio.Semaphore] = field(default_factory=dict, repr=False)

    @asynccontextmanager
    async def slot(self, host: str, port: int) -> AsyncIterator[None]:
        """Hold one of host:port's connection slots (made in the running loop on first use)."""
        key = (host.lower(), port)
        gate = self._slots.get(key)
        if gate is None:
            gate = self._slots[key] = asyncio.Semaphore(self.per_host)
        async with gate:
            yield

    @asynccontextmanager
    async def stream(
        self,
        host: str,
        port: int,
        *,
        tls: ssl.SSLContext | None = None,
        handshake_timeout: float | None = None,
    ) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter, HostPort]]:
        """A stream to host:port held in one of its slots, aborted on leaving (see _open)."""
        async with self.slot(host, port):
            reader, writer, address = await self._open(
                host, port, tls=tls, handshake_timeout=handshake_timeout
            )
            try:
                yield reader, writer, address
            finally:
                writer.transport.abort()

    async def endpoints(self, host: str, port: int) -> list[HostPort]:
        mapped = self.connect_to.get((host.lower(), port))
        if mapped is not None:
            return [mapped]
        if is_ip(host):
            return [(host, port)]
        return [(address, port) for address in await resolve_addresses(self.dns, host)]

    async def _open(
        self,
        host: str,
        port: int,
        *,
        tls: ssl.SSLContext | None = None,
        handshake_timeout: float | None = None,
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, HostPort]:
        """Open a stream to host:port (TLS with SNI = host when `tls` is given).

        Tries each address in turn; NetError says why the last one failed. TLS errors
        (ssl.SSLError) propagate unchanged: the caller decides what they mean.
        """
        last_error = NetError(f"no address for {host}")
        for address in await self.endpoints(host, port):
            where = format_hostport(address)
            try:
                async with asyncio.timeout(self.connect_timeout):
                    reader, writer = await asyncio.open_connection(address[0], address[1])
            except TimeoutError:
                last_error = NetTimeout(
                    f"connecting to {where} timed out after {self.connect_timeout:g} s"
                )
                continue
            except ConnectionRefusedError:
                last_error = Refused(f"connection refused by {where}")
                continue
            except OSError as exc:
                last_error = NetError(f"cannot connect to {where}: {exc.strerror or exc}")
                continue
            if tls is None:
                return reader, writer, address
            timeout = handshake_timeout or self.connect_timeout
            try:
                async with asyncio.timeout(timeout):
                    await writer.start_tls(tls, server_hostname=host)
            except TimeoutError:
                writer.transport.abort()
                raise NetTimeout(
                    f"TLS handshake with {host} at {where} did not complete within {timeout:g} s"
                ) from None
            except (ssl.SSLError, OSError):
                writer.transport.abort()
                raise
            return reader, writer, address
        raise last_error


def format_hostport(address: HostPort) -> str:
    host, port = address
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
