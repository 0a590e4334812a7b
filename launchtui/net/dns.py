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
import enum
from dataclasses import dataclass, field, replace

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

IN_FLIGHT = 64  # queries waiting on one client's nameservers at once


class Answer(enum.StrEnum):
    FOUND = "found"
    NXDOMAIN = "nxdomain"  # the name does not exist
    NODATA = "nodata"  # the name exists, but has no record of this type


@dataclass(frozen=True, slots=True)
class Lookup:
    name: str
    rdtype: str
    answer: Answer
    records: tuple[str, ...] = ()
    cnames: tuple[str, ...] = ()  # the CNAME chain followed, in order
    ttl: int | None = None
    server: str = ""


@dataclass(slots=True)
class DnsClient:
    nameservers: tuple[HostPort, ...] = ()
    timeout: float = 5.0
    _resolver: dns.asyncresolver.Resolver = field(init=False, repr=False)
    _asked: dict[tuple[str, str], asyncio.Future[Lookup]] = field(init=False, repr=False)
    _loop: asyncio.AbstractEventLoop | None = field(init=False, repr=False, default=None)
    _gate: asyncio.Semaphore = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.nameservers:
            resolver = dns.asyncresolver.Resolver(configure=False)
            resolver.nameservers = [
                dns.nameserver.Do53Nameserver(host, port) for host, port in self.nameservers
            ]
        else:
            resolver = dns.asyncresolver.Resolver()
        resolver.lifetime = self.timeout
        resolver.timeout = min(2.0, self.timeout)  # per try, so a lost UDP packet is retried
        resolver.cache = None
        self._resolver = resolver
        self._asked = {}

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

    def _servers(self) -> list[HostPort]:
        if self.nameservers:
            return list(self.nameservers)
        return [(str(server), 53) for server in self._resolver.nameservers]

    @property
    def label(self) -> str:
        if not self.nameservers:
            return "system resolver"
        return ", ".join(f"{host}:{port}" for host, port in self.nameservers)

    async def _query(self, name: str, rdtype: str) -> Lookup:
        qname = dns.name.from_text(name)
        try:
            answer = await self._resolver.resolve(qname, rdtype, search=False)
        except dns.resolver.NXDOMAIN as exc:
            responses = exc.kwargs.get("responses") or {}
            chain = _cname_chain(responses.get(qname))
            return Lookup(name, rdtype, Answer.NXDOMAIN, cnames=chain, server=self.label)
        except dns.resolver.NoAnswer:
            return Lookup(name, rdtype, Answer.NODATA, server=self.label)
        except dns.resolver.LifetimeTimeout:
            raise DnsError(
                f"DNS lookup of {name} {rdtype} timed out after {self.timeout:g} s ({self.label})",
                name,
                rdtype,
                dict.fromkeys(self._servers(), TIMEOUT),
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
            server=self.label,
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
