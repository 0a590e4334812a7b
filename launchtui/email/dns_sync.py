"""Blocking DNS lookups through chosen nameservers, for code that runs in a worker thread.

dkimpy asks for keys through a blocking callback, and the delivery test runs its SMTP and IMAP
clients in a thread, so these lookups use dnspython's synchronous resolver pointed at the
sprint's nameservers (or the lab's own DNS server), never the system resolver behind our back
when nameservers are given. "No such record" is an answer (None or []); a timeout, SERVFAIL or
refusal raises DnsTempError, which callers report as a temporary error, never as a pass.
"""

from __future__ import annotations

from collections.abc import Sequence

import dns.exception
import dns.name
import dns.resolver
import dns.reversename

from launchtui.model.sprint import HostPort
from launchtui.net.dns_query import configured


class DnsTempError(Exception):
    """No answer could be had (timeout, SERVFAIL, refusal)."""


def blocking_resolver(nameservers: Sequence[HostPort], timeout: float) -> dns.resolver.Resolver:
    """dnspython's blocking resolver asking `nameservers` (else the system's), no cache."""
    return configured(dns.resolver.Resolver, nameservers, timeout)


class SyncResolver:
    def __init__(self, nameservers: Sequence[HostPort] = (), timeout: float = 5.0) -> None:
        self.nameservers = tuple(nameservers)
        self.timeout = timeout
        self._resolver = blocking_resolver(nameservers, timeout)
        self.label = ", ".join(f"{h}:{p}" for h, p in nameservers) or "system resolver"

    def _answer(self, name: str, rdtype: str) -> dns.resolver.Answer | None:
        try:
            return self._resolver.resolve(dns.name.from_text(name), rdtype, search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return None
        except dns.resolver.LifetimeTimeout:
            raise DnsTempError(f"DNS lookup of {name} {rdtype} timed out ({self.label})") from None
        except dns.exception.DNSException as exc:
            raise DnsTempError(f"DNS lookup of {name} {rdtype} failed: {exc}") from None

    def txt(self, name: str) -> list[bytes]:
        """Each TXT record at `name`, its strings joined; [] when there is none."""
        answer = self._answer(name, "TXT")
        if answer is None:
            return []
        return [b"".join(rdata.strings) for rdata in answer]

    def addresses(self, name: str) -> list[str]:
        """The A, else AAAA, addresses of `name`; [] when it has none."""
        for rdtype in ("A", "AAAA"):
            answer = self._answer(name, rdtype)
            if answer is not None:
                return [rdata.to_text() for rdata in answer]
        return []

    def pointers(self, address: str) -> list[str]:
        """The PTR names of an IP address (without the trailing dot); [] when it has none."""
        answer = self._answer(dns.reversename.from_address(address).to_text(), "PTR")
        return [] if answer is None else [rdata.target.to_text().rstrip(".") for rdata in answer]

    def forward(self, name: str, version: int) -> list[str]:
        """The A (version 4) or AAAA (version 6) addresses of `name`; [] when it has none."""
        answer = self._answer(name, "A" if version == 4 else "AAAA")
        return [] if answer is None else [rdata.to_text() for rdata in answer]
