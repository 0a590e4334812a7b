"""The network a run reaches through, built from the sprint's [network] table: its resolver,
HTTP client, TLS trust and verify commands (the sprint and credentials are the check
context's, launchtui.checks.context)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType

from launchtui.model.sprint import HostPort, NetworkConfig
from launchtui.net.commands import Commands
from launchtui.net.connect import Connector
from launchtui.net.dns import DnsClient
from launchtui.net.http import HttpClient
from launchtui.net.timeouts import Timeouts
from launchtui.net.tls import verify_context


@dataclass(slots=True)
class NetworkContext:
    config: NetworkConfig
    timeouts: Timeouts
    dns: DnsClient
    connector: Connector
    trust: ssl.SSLContext
    http: HttpClient
    _public: dict[HostPort, DnsClient] = field(default_factory=dict)

    @classmethod
    def create(
        cls,
        config: NetworkConfig,
        timeouts: Timeouts | None = None,
    ) -> NetworkContext:
        timeouts = timeouts or Timeouts.uniform(config.timeout)
        dns = DnsClient(config.nameservers, timeout=timeouts.dns)
        connect_to = {(host.lower(), port): to for (host, port), to in config.connect_to.items()}
        connector = Connector(dns, connect_to, timeouts.connect)
        trust = verify_context(config.ca_bundle)
        http = HttpClient(connector, trust, timeouts)
        return cls(config, timeouts, dns, connector, trust, http)

    @property
    def trust_label(self) -> str:
        """Which trust anchors a certificate is checked against, for evidence."""
        if self.config.ca_bundle is None:
            return "system trust store"
        return f"system trust store + {self.config.ca_bundle.name}"

    @property
    def commands(self) -> Commands:
        """Verify commands for fixes that reach what this context reaches."""
        return Commands.of(self.config)

    def public_resolver(self, server: HostPort) -> DnsClient:
        """A DNS client that asks only `server` (one of [network].public_resolvers)."""
        if server not in self._public:
            self._public[server] = DnsClient((server,), timeout=self.timeouts.dns)
        return self._public[server]

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> NetworkContext:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def with_overrides(
    config: NetworkConfig,
    nameservers: tuple[HostPort, ...] = (),
    ca_bundle: Path | None = None,
    connect_to: dict[HostPort, HostPort] | None = None,
    timeout: float | None = None,
) -> NetworkConfig:
    """[network] with command-line flags applied for one run (flags win; connect_to merges)."""
    merged = dict(config.connect_to)
    merged.update(connect_to or {})
    return replace(
        config,
        nameservers=nameservers or config.nameservers,
        ca_bundle=ca_bundle or config.ca_bundle,
        connect_to=merged,
        timeout=config.timeout if timeout is None else timeout,
    )
