"""Where each exported monitor really connects, as the sprint's [network] says.

A `[network].connect_to` entry (like curl --connect-to) sends host:port elsewhere while the
Host header and the TLS server name stay the real hostname's; engines that cannot resolve
through the sprint's nameservers (the lab's zone, a staging one) reach the site this way.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from launchtui.model.sprint import HostPort, NetworkConfig

DEFAULT_PORTS = {"https": 443, "http": 80}
# The DNS monitors need a resolver to ask; without [network].nameservers or public_resolvers
# they ask a public one, as a visitor's resolver would.
FALLBACK_RESOLVER: HostPort = ("1.1.1.1", 53)


def hostport(address: HostPort) -> str:
    host, port = address
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True, slots=True)
class HttpTarget:
    url: str  # what the engine requests: the real URL, or its mapped address
    host_header: str  # "" unless mapped: the real Host (with a non-default port)
    server_name: str  # "" unless mapped: the TLS server name to send and verify


def http_target(url: str, network: NetworkConfig) -> HttpTarget:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 443)
    mapped = _mapped(network, host, port)
    if mapped is None:
        return HttpTarget(url, "", "")
    netloc = hostport(mapped)
    real_host = host if parts.port in (None, DEFAULT_PORTS.get(parts.scheme)) else parts.netloc
    server_name = host if parts.scheme == "https" else ""
    return HttpTarget(urlunsplit(parts._replace(netloc=netloc)), real_host, server_name)


def tls_target(host: str, network: NetworkConfig, port: int = 443) -> str:
    """host:port the certificate probe connects to (the TLS server name stays `host`)."""
    mapped = _mapped(network, host, port)
    return hostport(mapped if mapped is not None else (host, port))


def resolver(network: NetworkConfig) -> HostPort:
    """The DNS server the DNS monitors ask: the sprint's first nameserver, else its first
    public resolver, else FALLBACK_RESOLVER."""
    for servers in (network.nameservers, network.public_resolvers):
        if servers:
            return servers[0]
    return FALLBACK_RESOLVER


def smtp_address(host: str, port: int, network: NetworkConfig) -> tuple[str, bool]:
    """host:port of the SMTP relay to connect to, and whether it was mapped (then the TLS
    server name must be `host`)."""
    mapped = _mapped(network, host, port)
    return hostport(mapped if mapped is not None else (host, port)), mapped is not None


def _mapped(network: NetworkConfig, host: str, port: int) -> HostPort | None:
    wanted = (host.lower(), port)
    for (from_host, from_port), to in network.connect_to.items():
        if (from_host.lower(), from_port) == wanted:
            return to
    return None
