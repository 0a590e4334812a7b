"""The fix of an `error` result: what to look at, by what kept the check from running.

A DNS failure names the servers asked and what they said, because the causes differ: SERVFAIL
is the resolver failing to get a valid answer (DNSSEC validation, authoritative servers down or
lame), REFUSED is a server that will not answer this client or this zone, and a timeout is
something dropping the queries or a server that is gone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from launchtui.model.sprint import HostPort
from launchtui.net.errors import TIMEOUT, DnsError, NetError

if TYPE_CHECKING:  # the commands come from a check's context, built when checks run
    from launchtui.net.commands import Commands

GENERIC = (
    "Nothing was verified. Make the target reachable from where launchtui runs (DNS, "
    "firewall, [network] settings), then run the check again."
)


def error_fix(exc: NetError, commands: Commands, apex: str = "") -> str:
    """The fix for a check stopped by `exc`; `apex`, the sprint's domain, names the zone."""
    if not isinstance(exc, DnsError) or not exc.answers:
        return GENERIC
    said = set(exc.answers.values())
    if "SERVFAIL" in said:
        return _servfail(exc, commands, _zone(exc.name, apex))
    if "REFUSED" in said:
        return _refused(exc, commands, _zone(exc.name, apex))
    if said == {TIMEOUT}:
        return _timeout(exc, commands, _zone(exc.name, apex))
    return _unreachable(exc, commands)


def _zone(name: str, apex: str) -> str:
    apex = apex.lower().rstrip(".")
    inside = apex and (name.lower() == apex or name.lower().endswith("." + apex))
    return apex if inside else "<its zone>"


def _who(exc: DnsError, answer: str | None = None) -> str:
    servers = [s for s, said in exc.answers.items() if answer is None or said == answer]
    return " and ".join(f"{host}:{port}" for host, port in servers)


def _first(exc: DnsError, answer: str) -> HostPort:
    return next(s for s, said in exc.answers.items() if said == answer)


def _verify(exc: DnsError, commands: Commands, server: HostPort) -> str:
    return commands.dig(exc.name, exc.rdtype, short=False, server=server)


def _authoritative_step(exc: DnsError, commands: Commands, zone: str) -> str:
    return (
        f"`{commands.dig(zone, 'NS')}`, then ask each nameserver it lists directly: "
        f"`dig @<nameserver> {exc.name} {exc.rdtype} +norecurse` must answer with the aa "
        "flag. Fix or remove the ones that do not (NS records at your registrar and DNS "
        "provider)"
    )


def _servfail(exc: DnsError, commands: Commands, zone: str) -> str:
    server = _first(exc, "SERVFAIL")
    checking_off = commands.dig(exc.name, exc.rdtype, short=False, server=server, options="+cd")
    return (
        f"Nothing was verified: {_who(exc, 'SERVFAIL')} answered SERVFAIL for {exc.name} "
        f"{exc.rdtype}: the resolver could not get a valid answer for it, and visitors whose "
        "resolvers fail the same way get a DNS error. The usual causes:\n"
        "1. DNSSEC validation fails (expired signatures, or a DS record at the registrar that "
        "matches no key of the zone, typical after moving DNS providers). Ask with "
        f"validation off: if `{checking_off}` shows status: NOERROR, re-sign the zone at your "
        "DNS provider, or update or remove the DS record at your registrar.\n"
        "2. The zone's authoritative servers are down or lame (listed in NS but not serving "
        f"the zone): {_authoritative_step(exc, commands, zone)}.\n"
        f"3. If {_who(exc, 'SERVFAIL')} is a server of your own ([network].nameservers), its "
        "log says which it is.\n"
        f"4. Verify: `{_verify(exc, commands, server)}` shows status: NOERROR, then run the "
        "check again."
    )


def _refused(exc: DnsError, commands: Commands, zone: str) -> str:
    who = _who(exc, "REFUSED")
    return (
        f"Nothing was verified: {who} refused to answer for {exc.name} {exc.rdtype}. A "
        "resolver refuses clients its access list does not allow; an authoritative server "
        "refuses names outside the zones it serves.\n"
        f"1. If {who} is meant to resolve for launchtui ([network].nameservers), allow "
        "queries from this machine there, or name a resolver that answers (without "
        "[network].nameservers, the system's resolvers are used).\n"
        f"2. If it is an authoritative server of {zone}, it does not serve that zone: add "
        "the zone there, or list only the servers that serve it in the NS records at your "
        "registrar.\n"
        f"3. Verify: `{_verify(exc, commands, _first(exc, 'REFUSED'))}` shows status: NOERROR, "
        "then run the check again."
    )


def _timeout(exc: DnsError, commands: Commands, zone: str) -> str:
    who = _who(exc)
    ports = ", ".join(dict.fromkeys(str(port) for _host, port in exc.answers))
    return (
        f"Nothing was verified: {who} did not answer for {exc.name} {exc.rdtype} within the "
        "time limit.\n"
        f"1. Something between here and {who} may drop DNS: firewalls and security groups "
        f"must let UDP and TCP to port {ports} through.\n"
        "2. The server may be down or overloaded: check it, or its provider's status page.\n"
        "3. A resolver also times out waiting on authoritative servers that never answer: "
        f"{_authoritative_step(exc, commands, zone)}.\n"
        f"4. Verify: `{_verify(exc, commands, next(iter(exc.answers)))}` answers within a "
        "second, then run the check again (--timeout raises the limit on a slow network)."
    )


def _unreachable(exc: DnsError, commands: Commands) -> str:
    return (
        f"Nothing was verified: {exc}. Make {_who(exc)} reachable from where launchtui runs "
        "(firewall, the address and port in [network].nameservers), or name a resolver that "
        f"answers; verify with `{_verify(exc, commands, next(iter(exc.answers)))}`, then run "
        "the check again."
    )
