"""The dnspython side of DnsClient: a resolver for chosen nameservers, and one query turned
into a Lookup, or a DnsError naming what each server answered.

Imported on a client's first lookup: dnspython takes about 100 ms to import, and listing a
stage's checks (as opening the app does) must not pay for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import dns.asyncresolver
import dns.exception
import dns.message
import dns.name
import dns.nameserver
import dns.rdataclass
import dns.rdatatype
import dns.resolver

from launchtui.model.sprint import HostPort
from launchtui.net.errors import TIMEOUT, DnsError, NetError
from launchtui.net.lookup import Answer, Lookup

R = TypeVar("R", bound=dns.resolver.BaseResolver)


def configured(kind: type[R], nameservers: Sequence[HostPort], timeout: float) -> R:
    """A dnspython resolver (async or blocking) asking `nameservers` (none: the system's),
    each lookup within `timeout`, with no cache of its own."""
    if nameservers:
        made = kind(configure=False)
        made.nameservers = [dns.nameserver.Do53Nameserver(host, port) for host, port in nameservers]
    else:
        made = kind()
    made.lifetime = timeout
    made.timeout = min(2.0, timeout)  # per try, so a lost UDP packet is retried
    made.cache = None
    return made


def resolver(nameservers: tuple[HostPort, ...], timeout: float) -> dns.asyncresolver.Resolver:
    return configured(dns.asyncresolver.Resolver, nameservers, timeout)


def system_servers(made: dns.asyncresolver.Resolver) -> list[HostPort]:
    return [(str(server), 53) for server in made.nameservers]


async def query(
    resolver: dns.asyncresolver.Resolver,
    name: str,
    rdtype: str,
    *,
    label: str,
    timeout: float,
    servers: list[HostPort],
) -> Lookup:
    """One lookup, as data (found, NXDOMAIN, no data) or as DnsError/NetError."""
    qname = dns.name.from_text(name)
    try:
        answer = await resolver.resolve(qname, rdtype, search=False)
    except dns.resolver.NXDOMAIN as exc:
        responses = exc.kwargs.get("responses") or {}
        chain = _cname_chain(responses.get(qname))
        return Lookup(name, rdtype, Answer.NXDOMAIN, cnames=chain, server=label)
    except dns.resolver.NoAnswer:
        return Lookup(name, rdtype, Answer.NODATA, server=label)
    except dns.resolver.LifetimeTimeout:
        raise DnsError(
            f"DNS lookup of {name} {rdtype} timed out after {timeout:g} s ({label})",
            name,
            rdtype,
            dict.fromkeys(servers, TIMEOUT),
        ) from None
    except dns.resolver.NoNameservers as exc:
        answers = _answers(exc)
        reason = _describe(answers) or "no nameserver gave an answer (SERVFAIL)"
        raise DnsError(
            f"DNS lookup of {name} {rdtype} failed: {reason}", name, rdtype, answers
        ) from None
    except dns.exception.DNSException as exc:
        raise NetError(f"DNS lookup of {name} {rdtype} failed: {exc}") from None
    cnames = tuple(str(rrset[0].target).rstrip(".") for rrset in answer.chaining_result.cnames)
    records = tuple(_rdata_text(rdata) for rdata in answer)
    return Lookup(
        name,
        rdtype,
        Answer.FOUND,
        records=records,
        cnames=cnames,
        ttl=answer.rrset.ttl if answer.rrset is not None else None,
        server=label,
    )


def _cname_chain(response: dns.message.Message | None) -> tuple[str, ...]:
    """The CNAMEs a negative response followed before reaching the missing name."""
    if response is None or not response.question:
        return ()
    chain: list[str] = []
    name = response.question[0].name
    for _ in range(16):
        rrset = response.get_rrset(response.answer, name, dns.rdataclass.IN, dns.rdatatype.CNAME)
        if rrset is None:
            break
        name = rrset[0].target
        chain.append(str(name).rstrip("."))
    return tuple(chain)


def _rdata_text(rdata: object) -> str:
    text = rdata.to_text()  # type: ignore[attr-defined]
    return str(text).rstrip(".")


def _describe(answers: dict[HostPort, str]) -> str:
    """ "127.0.0.1:5390 answered SERVFAIL" rather than dnspython's long message."""
    return "; ".join(
        f"{host}:{port} " + ("did not answer in time" if what == TIMEOUT else f"answered {what}")
        for (host, port), what in answers.items()
    )


def _answers(exc: dns.resolver.NoNameservers) -> dict[HostPort, str]:
    """What each server answered ("SERVFAIL"), from dnspython's list of errors per try."""
    answers: dict[HostPort, str] = {}
    for server, _tcp, port, error, *_rest in exc.kwargs.get("errors") or []:
        address = str(server).removeprefix("Do53:").rsplit("@", 1)[0]  # "Do53:1.2.3.4@53"
        what = TIMEOUT if isinstance(error, dns.exception.Timeout) else str(error)
        answers.setdefault((address, int(port)), what)
    return answers
