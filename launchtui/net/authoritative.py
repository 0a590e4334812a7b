"""A name's zone and its authoritative nameservers, asked directly rather than via a resolver.

The zone is found by walking up from the name to the nearest one with NS records. Each
nameserver is reached on port 53 through the connector, so [network].connect_to can stand in
for its address ("ns1.example.com:53" = "127.0.0.1:5390"), as it does in the lab.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from launchtui.net.connect import Connector
from launchtui.net.dns import Answer, DnsClient
from launchtui.net.errors import NetError

DNS_PORT = 53


@dataclass(frozen=True, slots=True)
class ZoneCut:
    apex: str
    nameservers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Nameserver:
    name: str
    client: DnsClient  # asks only this server

    @property
    def label(self) -> str:
        return f"{self.name} ({self.client.label})"


def ancestors(name: str) -> list[str]:
    """`name` and its parents, nearest first, stopping above the top-level domain."""
    labels = name.rstrip(".").lower().split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


async def find_zone(client: DnsClient, name: str) -> ZoneCut:
    """The zone `name` belongs to; NetError when no NS records are found or a lookup fails."""
    for candidate in ancestors(name):
        lookup = await client.lookup(candidate, "NS")
        # An alias answers with its target's NS records, which say nothing about where the
        # alias itself lives: keep climbing.
        if lookup.answer is Answer.FOUND and not lookup.cnames:
            return ZoneCut(candidate, lookup.records)
    raise NetError(f"no NS records for {name} or its parent domains ({client.label})")


async def nameservers(
    connector: Connector, zone: ZoneCut, timeout: float
) -> tuple[list[Nameserver], dict[str, str]]:
    """A client for each of the zone's nameservers that has an address, and why the others
    have none (nameserver name -> reason)."""
    found = await asyncio.gather(
        *(connector.endpoints(name, DNS_PORT) for name in zone.nameservers),
        return_exceptions=True,
    )
    reachable: list[Nameserver] = []
    errors: dict[str, str] = {}
    for name, endpoints in zip(zone.nameservers, found, strict=True):
        if isinstance(endpoints, NetError):
            errors[name] = str(endpoints)
        elif isinstance(endpoints, BaseException):
            raise endpoints
        else:
            reachable.append(Nameserver(name, DnsClient((endpoints[0],), timeout=timeout)))
    return reachable, errors
