"""DNS lookups through dnspython's async resolver, honouring [network].nameservers.

Lookups never raise for "the answer is no" (NXDOMAIN, no record of that type): those are
findings, returned as data. They raise NetError only when no answer could be had at all
(SERVFAIL, timeout, refusal), which the engine reports as `error`, never as a pass.

A client lives for one run (the network context makes one per source), and asks each name and
type once: a lookup that many checks want is shared, in flight and after, failures included,
so that fourteen checks of one host cost one query each. A check that compares sources asks
each source's own client. At most IN_FLIGHT queries wait on one client's servers at once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from launchtui.model.sprint import HostPort
from launchtui.net.errors import NetError
from launchtui.net.lookup import Answer, Lookup

if TYPE_CHECKING:
    import dns.asyncresolver

__all__ = ["Answer", "DnsClient", "Lookup", "resolve_addresses"]

IN_FLIGHT = 64  # queries waiting on one client's nameservers at once


@dataclass(slots=True)
class DnsClient:
    nameservers: tuple[HostPort, ...] = ()
    timeout: float = 5.0
    _resolver: dns.asyncresolver.Resolver | None = field(init=False, repr=False, default=None)
    _asked: dict[tuple[str, str], asyncio.Future[Lookup]] = field(init=False, repr=False)
    _loop: asyncio.AbstractEventLoop | None = field(init=False, repr=False, default=None)
    _gate: asyncio.Semaphore = field(init=False, repr=False)

    async def lookup(self, name: str, rdtype: str) -> Lookup:
        """The answer for name and type, asked once per client (see the module's docstring)."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a client reused under another event loop starts afresh
            self._loop, self._asked = loop, {}
            self._gate = asyncio.Semaphore(IN_FLIGHT)
        key = (name.lower().rstrip("."), rdtype.upper())
        shared = self._asked.get(key)
        if shared is None:
            shared = self._asked[key] = asyncio.ensure_future(self._ask(name, rdtype))
            # retrieved here so that a failure nobody waits for any more is not logged
            shared.add_done_callback(lambda done: done.cancelled() or done.exception())
        # shielded: a check cancelled by its budget must not cancel the others' lookup
        found = await asyncio.shield(shared)
        return found if found.name == name else replace(found, name=name)

    async def _ask(self, name: str, rdtype: str) -> Lookup:
        async with self._gate:
            return await self._query(name, rdtype)

    @property
    def label(self) -> str:
        if not self.nameservers:
            return "system resolver"
        return ", ".join(f"{host}:{port}" for host, port in self.nameservers)

    async def _query(self, name: str, rdtype: str) -> Lookup:
        # Imported on the first lookup, not with this module (see dns_query).
        from launchtui.net import dns_query

        if self._resolver is None:
            self._resolver = dns_query.resolver(self.nameservers, self.timeout)
        servers = list(self.nameservers) or dns_query.system_servers(self._resolver)
        return await dns_query.query(
            self._resolver, name, rdtype, label=self.label, timeout=self.timeout, servers=servers
        )


async def resolve_addresses(client: DnsClient, name: str) -> list[str]:
    """A then AAAA addresses of `name`; NetError if it does not resolve at all."""
    addresses: list[str] = []
    for rdtype in ("A", "AAAA"):
        result = await client.lookup(name, rdtype)
        if result.answer is Answer.NXDOMAIN:
            raise NetError(f"{name} does not resolve (NXDOMAIN at {client.label})")
        addresses.extend(result.records)
        if addresses:
            break
    if not addresses:
        raise NetError(f"{name} has no A or AAAA record ({client.label})")
    return addresses
