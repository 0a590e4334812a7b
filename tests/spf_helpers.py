"""Evaluating SPF against a lab: a DNS world built from records, check_host() over loopback."""

from __future__ import annotations

import asyncio
from typing import Any

from launchtui.email.spf import SpfOutcome, check_host
from launchtui.lab import HostSpec, Lab, LabConfig
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
