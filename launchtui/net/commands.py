"""Shell commands for the verify steps of fixes, asking what launchtui itself asked.

A fix's command must run as written where the sprint runs: with [network].nameservers set,
`dig` asks the first of them (the one launchtui's lookups try first); with connect_to and
ca_bundle, `curl` and `openssl s_client` connect where launchtui connected and trust what it
trusted. Without [network], the commands are the plain ones a reader expects.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from launchtui.model.sprint import HostPort, NetworkConfig

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class Commands:
    nameservers: tuple[HostPort, ...] = ()
    connect_to: Mapping[HostPort, HostPort] = field(default_factory=dict)
    ca_bundle: Path | None = None

    @classmethod
    def of(cls, config: NetworkConfig) -> Commands:
        mapped = {(host.lower(), port): to for (host, port), to in config.connect_to.items()}
        return cls(config.nameservers, mapped, config.ca_bundle)

    def dig(
        self,
        name: str,
        rdtype: str = "",
        *,
        short: bool = True,
        server: HostPort | None = None,
        options: str = "",
    ) -> str:
        """`dig [+short] [OPTIONS] [@server [-p port]] NAME [TYPE]`; the server defaults to the
        sprint's first nameserver, and port 53 goes unsaid."""
        if server is None and self.nameservers:
            server = self.nameservers[0]
        words = ["dig"]
        if short:
            words.append("+short")
        if options:
            words.append(options)
        if server is not None:
            address, port = server
            words.append(f"@{address}")
            if port != 53:
                words += ["-p", str(port)]
        words.append(name)
        if rdtype:
            words.append(rdtype)
        return " ".join(words)

    def curl(self, options: str, url: str, *via: str) -> str:
        """`curl OPTIONS URL` with a --connect-to for each mapped host:port of `url` and of
        `via` (the URLs it is expected to reach when following redirects), and the CA bundle
        when any of them is https."""
        urls = (url, *via)
        words = ["curl", options]
        reached = [target for u in urls if (target := _host_port(u)) is not None]
        for host, port in dict.fromkeys(reached):
            to = self.connect_to.get((host, port))
            if to is not None:
                words.append(f"--connect-to {host}:{port}:{_bracketed(to[0])}:{to[1]}")
        if self.ca_bundle is not None and any(u.startswith("https://") for u in urls):
            words.append(f"--cacert {shlex.quote(str(self.ca_bundle))}")
        words.append(url)
        return " ".join(words)

    def s_client(self, host: str, options: str = "", *, verify: bool = False) -> str:
        """`openssl s_client` to host:443 (where connect_to sends it) with SNI host, then
        OPTIONS; with `verify`, for a command that judges the certificate, the name to check
        it for (s_client checks none by default) and the CA bundle."""
        address, port = self.connect_to.get((host.lower(), 443), (host, 443))
        words = ["openssl s_client", f"-connect {_bracketed(address)}:{port}"]
        words.append(f"-servername {host}")
        if verify:
            words.append(f"-verify_hostname {host}")
        if verify and self.ca_bundle is not None:
            words.append(f"-CAfile {shlex.quote(str(self.ca_bundle))}")
        if options:
            words.append(options)
        return " ".join(words)

    def launchtui(self, arguments: str) -> str:
        """`launchtui ARGUMENTS` for a command with --nameserver (spf, dmarc): the same DNS."""
        servers = "".join(
            f" --nameserver {_bracketed(address)}:{port}" for address, port in self.nameservers
        )
        return f"launchtui {arguments}{servers}"


def _host_port(url: str) -> HostPort | None:
    parts = urlsplit(url)
    if parts.hostname is None or parts.scheme not in _DEFAULT_PORTS:
        return None
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError:  # a port that is not a number: the URL is a placeholder
        return None
    return parts.hostname.lower(), port


def _bracketed(address: str) -> str:
    return f"[{address}]" if ":" in address else address
