"""check_host() of RFC 7208: may this IP address send mail for this sender?

Evaluation follows section 4: the sender's domain's one SPF record is parsed whole, then its
mechanisms are tried left to right and the first match decides (qualifier -> result); with
none matching, redirect= hands over to another domain, else the result is neutral. DNS goes
through the project's resolver (DnsClient), so the lab or [network].nameservers answer.

Limits (4.6.4): include, a, mx, ptr, exists and redirect= each cost one of 10 DNS lookups
across the whole evaluation; more than 2 of those lookups may come back empty (NXDOMAIN or no
records: "void"); one mx term may name at most 10 mail exchangers, one ptr at most 10 names
(the rest ignored). Going over a limit is permerror; a timeout or SERVFAIL is temperror. The
whole evaluation also has a time budget (4.6.4 suggests at least 20 s).

Every record fetched, term tried and lookup made is recorded in the trace, for the CLI.
"""

from __future__ import annotations

import asyncio
import enum
import ipaddress
import time
from dataclasses import dataclass, field, replace
from typing import Any

from launchtui.email import spf_macros
from launchtui.email.spf_macros import MacroEnv, MacroError, Token
from launchtui.email.spf_terms import Mechanism, Record, SpfSyntaxError, is_spf, parse_record
from launchtui.email.txt import txt_value
from launchtui.net.dns import DnsClient, Lookup
from launchtui.net.errors import NetError

MAX_LOOKUPS = 10
MAX_VOIDS = 2
MAX_NAMES = 10  # MX exchangers per mx term, PTR names per ptr term
DEFAULT_BUDGET = 20.0

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class SpfResult(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SOFTFAIL = "softfail"
    NEUTRAL = "neutral"
    NONE = "none"
    PERMERROR = "permerror"
    TEMPERROR = "temperror"


@dataclass(frozen=True, slots=True)
class TraceStep:
    depth: int  # 0 for the sender's domain, +1 per include or redirect
    domain: str  # the domain whose record the step belongs to
    term: str  # the term, "record" or "exp", as written
    outcome: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "depth": self.depth,
            "domain": self.domain,
            "term": self.term,
            "outcome": self.outcome,
        }


@dataclass(slots=True)
class SpfOutcome:
    result: SpfResult
    reason: str  # why, in words: the deciding term, or the error
    ip: str
    sender: str  # as evaluated: postmaster@ added when it had no local part
    helo: str
    domain: str  # the domain check_host() started at
    explanation: str = ""  # from exp=, only with fail
    record: str = ""  # the domain's SPF record as published
    lookups: int = 0  # DNS-querying terms evaluated, out of MAX_LOOKUPS
    voids: int = 0  # of those, answers with no records, out of MAX_VOIDS
    trace: list[TraceStep] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "result": str(self.result),
            "reason": self.reason,
            "explanation": self.explanation,
            "ip": self.ip,
            "sender": self.sender,
            "helo": self.helo,
            "domain": self.domain,
            "record": self.record,
            "lookups": self.lookups,
            "lookup_limit": MAX_LOOKUPS,
            "voids": self.voids,
            "void_limit": MAX_VOIDS,
            "trace": [step.to_dict() for step in self.trace],
        }


class _Stop(Exception):
    """Ends the evaluation at once with permerror or temperror."""

    def __init__(self, result: SpfResult, reason: str) -> None:
        super().__init__(reason)
        self.result = result
        self.reason = reason


def parse_ip(text: str) -> IPAddress:
    """The client address; an IPv4-mapped IPv6 address is its IPv4 address. ValueError if bad."""
    ip = ipaddress.ip_address(text.strip())
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def identity(sender: str, helo: str) -> str:
    """The <sender> check_host() evaluates (RFC 7208 2.3, 2.4, 4.3): an empty MAIL FROM is
    checked as postmaster@HELO, and a sender without a local part gets "postmaster"."""
    sender = sender.strip().removeprefix("<").removesuffix(">")
    if not sender:
        sender = helo
    local, at, domain = sender.rpartition("@")
    if not at:
        return f"postmaster@{sender}"
    return f"{local or 'postmaster'}@{domain}"


def domain_problem(name: str) -> str:
    """Why `name` is no domain name check_host() can look up, in words; "" when it is one.

    4.3 calls a <domain> malformed for a label over 63 characters, a zero-length label not at
    the end, or a single label. Also refused: an address literal ("[192.0.2.1]"), over 253
    characters, and characters other than printable ASCII and the space (%_ expands to one,
    7.1), or a backslash, which DNS presentation format would read as an escape.
    """
    name = name.removesuffix(".")
    labels = name.split(".")
    if name.startswith("[") and name.endswith("]"):
        return "is an address literal, not a domain name"
    if len(labels) < 2:
        return "is not a multi-label domain name"
    if not all(labels):
        return "has a zero-length label"
    if any(len(label) > 63 for label in labels):
        return "has a label longer than 63 characters"
    if len(name) > spf_macros.MAX_DOMAIN:
        return f"is longer than {spf_macros.MAX_DOMAIN} characters"
    if not all(" " <= char <= "~" and char != "\\" for char in name):
        return "has a control, non-ASCII or backslash character"
    return ""


def valid_domain(name: str) -> bool:
    return not domain_problem(name)


def txt_strings(lookup: Lookup) -> list[str]:
    """Each TXT record of `lookup` as one string, its character-strings joined (3.3)."""
    return [txt_value(text, errors="replace") for text in lookup.records]


async def spf_records(client: DnsClient, domain: str) -> list[str]:
    """The SPF records among `domain`'s TXT records; NetError when DNS gives no answer."""
    lookup = await client.lookup(domain, "TXT")
    return [text for text in txt_strings(lookup) if is_spf(text)]


async def check_host(
    client: DnsClient,
    ip: str | IPAddress,
    sender: str,
    helo: str = "",
    *,
    receiver: str = "unknown",
    budget: float = DEFAULT_BUDGET,
) -> SpfOutcome:
    """Evaluate SPF for a client `ip` sending as `sender` (MAIL FROM; empty: the HELO name).

    ValueError when `ip` is not an IP address; every DNS answer is an SpfOutcome.
    """
    address = parse_ip(ip) if isinstance(ip, str) else ip
    evaluated = identity(sender, helo)
    domain = evaluated.rpartition("@")[2].removesuffix(".").lower()
    outcome = SpfOutcome(SpfResult.NONE, "", str(address), evaluated, helo, domain)
    env = MacroEnv(evaluated, domain, address, helo, receiver=receiver, timestamp=int(time.time()))
    evaluation = _Evaluation(client, env, outcome)
    try:
        async with asyncio.timeout(budget):
            result, explanation, reason = await evaluation.evaluate(domain, 0, explain=True)
    except _Stop as stop:
        result, explanation, reason = stop.result, "", stop.reason
    except TimeoutError:
        result, explanation = SpfResult.TEMPERROR, ""
        reason = f"the evaluation took longer than {budget:g} s"
    outcome.result, outcome.explanation, outcome.reason = result, explanation, reason
    return outcome


class _Evaluation:
    """The state of one check_host() call: lookups and voids counted across includes."""

    def __init__(self, client: DnsClient, env: MacroEnv, outcome: SpfOutcome) -> None:
        self.client = client
        self.env = env
        self.outcome = outcome
        self._validated: dict[str, str] = {}  # current domain -> %{p}

    def note(self, depth: int, domain: str, term: str, outcome: str) -> None:
        self.outcome.trace.append(TraceStep(depth, domain, term, outcome))

    async def evaluate(
        self, domain: str, depth: int, *, explain: bool
    ) -> tuple[SpfResult, str, str]:
        """(result, explanation, reason) for `domain`; _Stop for permerror and temperror."""
        problem = domain_problem(domain)
        if problem:  # 4.3: none at once, without a lookup
            self.note(depth, domain, "record", f"no SPF record: the domain {problem}")
            return SpfResult.NONE, "", f"{domain!r} {problem} (RFC 7208 4.3)"
        try:
            records = await spf_records(self.client, domain)
        except NetError as exc:
            self.note(depth, domain, "record", f"temperror: {exc}")
            raise _Stop(SpfResult.TEMPERROR, str(exc)) from None
        if depth == 0 and records:
            self.outcome.record = records[0]
        if not records:
            self.note(depth, domain, "record", "no SPF record")
            return SpfResult.NONE, "", f"{domain} publishes no SPF record"
        if len(records) > 1:
            self.note(depth, domain, "record", f"{len(records)} SPF records")
            raise _Stop(SpfResult.PERMERROR, f"{domain} publishes {len(records)} SPF records")
        self.note(depth, domain, "record", records[0])
        try:
            record = parse_record(records[0])
        except SpfSyntaxError as exc:
            self.note(depth, domain, exc.term, f"permerror: {exc.reason}")
            raise _Stop(SpfResult.PERMERROR, f"{domain}: {exc}") from None
        env = replace(self.env, domain=domain)
        for mechanism in record.mechanisms:
            if await self.matches(mechanism, env, depth):
                result = SpfResult(mechanism.result)
                explanation = ""
                if result is SpfResult.FAIL and explain:
                    explanation = await self.explanation(record, env, depth)
                return result, explanation, f"{domain}: {mechanism.text} matched"
        redirect = record.modifier("redirect")
        if redirect is None:
            return SpfResult.NEUTRAL, "", f"{domain}: no mechanism matched (default neutral)"
        self.count_lookup(depth, domain, redirect.text)
        target = await self.target(redirect.value, env)
        self.note(depth, domain, redirect.text, f"redirect to {target}")
        result, explanation, reason = await self.evaluate(target, depth + 1, explain=explain)
        if result is SpfResult.NONE:
            raise _Stop(
                SpfResult.PERMERROR, f"{domain}: {redirect.text}: {target} has no SPF record"
            )
        return result, explanation, reason

    def count_lookup(self, depth: int, domain: str, term: str) -> None:
        self.outcome.lookups += 1
        if self.outcome.lookups > MAX_LOOKUPS:
            self.note(depth, domain, term, f"permerror: lookup {self.outcome.lookups}")
            raise _Stop(
                SpfResult.PERMERROR,
                f"more than {MAX_LOOKUPS} DNS lookups (RFC 7208 4.6.4), the 11th at {domain}: "
                f"{term}",
            )

    def count_void(self, depth: int, domain: str, term: str) -> None:
        self.outcome.voids += 1
        if self.outcome.voids > MAX_VOIDS:
            self.note(depth, domain, term, f"permerror: void lookup {self.outcome.voids}")
            raise _Stop(
                SpfResult.PERMERROR,
                f"more than {MAX_VOIDS} void DNS lookups (RFC 7208 4.6.4), the 3rd at "
                f"{domain}: {term}",
            )

    async def lookup(self, name: str, rdtype: str, depth: int, domain: str, term: str) -> Lookup:
        try:
            return await self.client.lookup(name, rdtype)
        except NetError as exc:
            self.note(depth, domain, term, f"temperror: {exc}")
            raise _Stop(SpfResult.TEMPERROR, f"{domain}: {term}: {exc}") from None

    async def target(self, tokens: tuple[Token, ...] | None, env: MacroEnv) -> str:
        """The domain a term names (its expanded domain-spec, else the current domain), valid
        or not: the caller decides what a malformed one means."""
        if tokens is None:
            return env.domain
        if spf_macros.needs_p(tokens):
            env = replace(env, validated=await self.validated_domain(env))
        return spf_macros.truncate_domain(spf_macros.expand(tokens, env)).lower()

    async def matches(self, mechanism: Mechanism, env: MacroEnv, depth: int) -> bool:
        domain, term, ip = env.domain, mechanism.text, env.ip
        if mechanism.name == "all":
            self.note(depth, domain, term, f"match: {mechanism.result}")
            return True
        if mechanism.network is not None:
            matched = ip in mechanism.network
            self.note(depth, domain, term, f"match: {mechanism.result}" if matched else "no match")
            return matched
        self.count_lookup(depth, domain, term)
        target = await self.target(mechanism.domain, env)
        if mechanism.name == "include":
            self.note(depth, domain, term, f"include {target}")
            result, _, _ = await self.evaluate(target, depth + 1, explain=False)
            if result is SpfResult.NONE:
                raise _Stop(SpfResult.PERMERROR, f"{domain}: {term}: {target} has no SPF record")
            matched = result is SpfResult.PASS
            verdict = f"match: {mechanism.result}" if matched else f"no match ({result})"
            self.note(depth, domain, term, verdict)
            return matched
        problem = domain_problem(target)
        if problem:
            # 4.8 leaves a malformed <target-name> undefined (a macro can expand to anything).
            # As 4.3 and 5 do for a malformed or missing name: no records, so no match. No
            # query is sent, so it is no void lookup either.
            self.note(depth, domain, term, f"no match: {target!r} {problem}")
            return False
        if mechanism.name == "exists":
            found = await self.lookup(target, "A", depth, domain, term)
            if not found.records:
                self.count_void(depth, domain, term)
            matched = bool(found.records)
            outcome = f"match: {mechanism.result}" if matched else "no match (no A record)"
            self.note(depth, domain, term, f"{target} A: {outcome}")
            return matched
        if mechanism.name == "ptr":
            names = await self.validated_names(target, env, depth, term)
            matched = any(n == target or n.endswith("." + target) for n in names)
            shown = ", ".join(names) or "none"
            outcome = f"match: {mechanism.result}" if matched else "no match"
            self.note(depth, domain, term, f"validated names: {shown}: {outcome}")
            return matched
        prefix = mechanism.cidr4 if ip.version == 4 else mechanism.cidr6
        network = ipaddress.ip_network((ip, prefix), strict=False)
        rdtype = "A" if ip.version == 4 else "AAAA"
        if mechanism.name == "a":
            found = await self.lookup(target, rdtype, depth, domain, term)
            if not found.records:
                self.count_void(depth, domain, term)
            return self._address_verdict(found.records, network, mechanism, depth, domain)
        # mx: every exchanger's addresses, at most MAX_NAMES exchangers
        found = await self.lookup(target, "MX", depth, domain, term)
        if not found.records:
            self.count_void(depth, domain, term)
        hosts = [r.split()[-1].rstrip(".").lower() for r in found.records]
        hosts = [h for h in hosts if h]  # a null MX (".") names no host
        if len(hosts) > MAX_NAMES:
            self.note(depth, domain, term, f"permerror: {len(hosts)} MX hosts")
            raise _Stop(
                SpfResult.PERMERROR,
                f"{domain}: {term}: {target} has {len(hosts)} MX hosts, more than {MAX_NAMES}",
            )
        addresses: list[str] = []
        for host in hosts:
            addresses += (await self.lookup(host, rdtype, depth, domain, term)).records
        return self._address_verdict(addresses, network, mechanism, depth, domain)

    def _address_verdict(
        self,
        addresses: list[str] | tuple[str, ...],
        network: ipaddress.IPv4Network | ipaddress.IPv6Network,
        mechanism: Mechanism,
        depth: int,
        domain: str,
    ) -> bool:
        matched = any(_in(address, network) for address in addresses)
        shown = ", ".join(addresses[:MAX_NAMES]) or "no addresses"
        outcome = f"match: {mechanism.result}" if matched else "no match"
        self.note(depth, domain, mechanism.text, f"{shown}: {outcome}")
        return matched

    async def validated_names(
        self, target: str, env: MacroEnv, depth: int, term: str, *, counted: bool = True
    ) -> list[str]:
        """The client's PTR names whose addresses include it (5.5), at most MAX_NAMES tried.

        DNS errors here only make names unvalidated: ptr then does not match (5.5).
        """
        import dns.reversename  # here: dnspython loads when an evaluation needs it

        reverse = dns.reversename.from_address(str(env.ip)).to_text().rstrip(".")
        try:
            found = await self.client.lookup(reverse, "PTR")
        except NetError as exc:
            self.note(depth, env.domain, term, f"PTR lookup failed ({exc}): no match")
            return []
        if not found.records and counted:  # %{p}'s lookups are not the ptr mechanism's
            self.count_void(depth, env.domain, term)
        names = [r.rstrip(".").lower() for r in found.records][:MAX_NAMES]
        # Names inside the target domain first, so that they are the ones validated.
        names.sort(key=lambda n: not (n == target or n.endswith("." + target)))
        rdtype = "A" if env.ip.version == 4 else "AAAA"
        validated = []
        for name in names:
            try:
                addresses = (await self.client.lookup(name, rdtype)).records
            except NetError:
                continue
            if any(_in(a, ipaddress.ip_network(env.ip)) for a in addresses):
                validated.append(name)
        return validated

    async def validated_domain(self, env: MacroEnv) -> str:
        """%{p}: a validated name of the client, preferring the current domain (7.3)."""
        if env.domain not in self._validated:
            names = await self.validated_names(env.domain, env, 0, "%{p}", counted=False)
            self._validated[env.domain] = names[0] if names else "unknown"
        return self._validated[env.domain]

    async def explanation(self, record: Record, env: MacroEnv, depth: int) -> str:
        """The exp= text for a fail, or "" when there is none or it cannot be had (6.2)."""
        exp = record.modifier("exp")
        if exp is None:
            return ""
        domain = env.domain
        try:
            if spf_macros.needs_p(exp.value):
                env = replace(env, validated=await self.validated_domain(env))
            target = spf_macros.truncate_domain(spf_macros.expand(exp.value, env))
            if not valid_domain(target):
                raise MacroError(f"expands to {target!r}")
            texts = txt_strings(await self.client.lookup(target, "TXT"))
            if len(texts) != 1:
                raise MacroError(f"{target} has {len(texts)} TXT records, not one")
            tokens = spf_macros.parse(texts[0], explanation=True)
            if spf_macros.needs_p(tokens):
                env = replace(env, validated=await self.validated_domain(env))
            text = spf_macros.expand(tokens, env)
        except (MacroError, NetError) as exc:
            self.note(depth, domain, exp.text, f"ignored: {exc}")
            return ""
        self.note(depth, domain, exp.text, f"explanation: {text}")
        return text


def _in(address: str, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    try:
        return parse_ip(address) in network
    except ValueError:
        return False
