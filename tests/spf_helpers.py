"""Evaluating SPF against a lab: a DNS world built from records, check_host() over loopback;
or bare zones served by the lab's DNS server."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine, Iterator
from typing import Any

from launchtui.email.spf import SpfOutcome, check_host
from launchtui.lab import HostSpec, Lab, LabConfig
from launchtui.lab.dns_server import DnsServer
from launchtui.lab.ports import Address
from launchtui.lab.server import THREAD_TIMEOUT
from launchtui.lab.zone import Zone
from launchtui.net.dns import DnsClient


def spf_world(
    zone: str,
    txt: dict[str, list[str]],
    *,
    records: list[tuple[str, str, str]] | None = None,
    mx: dict[str, list[str]] | None = None,
    external: tuple[str, ...] = (),
    hosts: list[HostSpec] | None = None,
    **overrides: Any,
) -> LabConfig:
    """A lab serving `zone` (and `external` zones) with just these records."""
    return LabConfig(
        zone=zone,
        hosts=hosts or [],
        txt=txt,
        mx=mx or {},
        caa={},
        records=records or [],
        external_zones={name: [] for name in external},
        resolver_count=0,
        dns_port=0,
        https_port=0,
        http_port=0,
        **overrides,
    )


def evaluate(
    lab: Lab, ip: str, sender: str, helo: str = "", *, timeout: float = 2.0, **kwargs: Any
) -> SpfOutcome:
    client = DnsClient((lab.dns_address,), timeout=timeout)
    return asyncio.run(check_host(client, ip, sender, helo, **kwargs))


@contextlib.contextmanager
def serve_zones(zones: list[Zone]) -> Iterator[list[Address]]:
    """Each zone served by its own lab DnsServer on an ephemeral loopback port, all on one event
    loop in a daemon thread; yields their addresses, in order."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="spf-zones", daemon=True)
    thread.start()
    servers = [DnsServer(zone) for zone in zones]

    def run(step: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(step, loop).result(THREAD_TIMEOUT)

    try:
        yield [run(server.start("127.0.0.1", 0)) for server in servers]
    finally:
        for server in servers:
            run(server.stop())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(THREAD_TIMEOUT)
        loop.close()
