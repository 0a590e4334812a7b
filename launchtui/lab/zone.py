"""The lab zone as DNS data: owner name -> record sets, plus the per-name faults.

Built once per DNS server from a LabConfig (each public resolver may get different hosts).
Besides its own zone, the lab answers for the config's external zones (a hosting provider's,
say), so that a CNAME into one resolves or is NXDOMAIN there instead of being REFUSED.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.MX
import dns.rdtypes.ANY.TXT
import dns.reversename
import dns.rrset

from launchtui.lab.config import HostSpec, LabConfig

TTL = 300
NEGATIVE_TTL = 300  # the SOA minimum: how long resolvers may cache NXDOMAIN / NODATA
TXT_CHUNK = 255  # a TXT character-string holds at most 255 bytes
NAMESERVER = "ns1"  # the zone's NS host, relative to the zone
# sending_rdns="mismatch": the relay's address has a PTR to a name in an ISP's zone whose
# forward lookup gives another address (TEST-NET-1), as a home connection's generic name does.
ISP_ZONE = "isp.test"
MISMATCH_ADDRESS = "192.0.2.77"

RdataType = dns.rdatatype.RdataType


@dataclass
class Zone:
    origin: dns.name.Name
    records: dict[dns.name.Name, dict[RdataType, dns.rrset.RRset]] = field(default_factory=dict)
    # A HostSpec.dns fault, or "drop-missing": never answer a query for a type the name has
    # no records of (a server that times out on those, as in the RFC 7208 test suite).
    faults: dict[dns.name.Name, str] = field(default_factory=dict)
    external: list[dns.name.Name] = field(default_factory=list)  # other zones served too

    def soa_for(self, name: dns.name.Name) -> dns.rrset.RRset:
        """The SOA of the zone (own or external) that `name` is in."""
        origin = next((o for o in self.external if name.is_subdomain(o)), self.origin)
        return self.records[origin][RdataType.SOA]

    def contains(self, name: dns.name.Name) -> bool:
        return any(name.is_subdomain(origin) for origin in [self.origin, *self.external])

    def dmarc_above(self, name: dns.name.Name) -> bool:
        """`name` is _dmarc.<a parent of one of the zones> (_dmarc.test above harborclub.test)."""
        parent = name.parent() if name.labels[:1] == (b"_dmarc",) else None
        apexes = [self.origin, *self.external]
        return parent is not None and any(apex.is_subdomain(parent) for apex in apexes)

    def exists(self, name: dns.name.Name) -> bool:
        """True when the name owns records or is an empty non-terminal above one that does."""
        return any(owner.is_subdomain(name) for owner in self.records)

    def add(self, owner: dns.name.Name, rdtype: RdataType, rdatas: list[dns.rdata.Rdata]) -> None:
        if rdatas:
            self.records.setdefault(owner, {})[rdtype] = dns.rrset.from_rdata_list(
                owner, TTL, rdatas
            )

    def add_text(self, owner: dns.name.Name, rdtype: RdataType, texts: list[str]) -> None:
        rdatas = [
            dns.rdata.from_text("IN", rdtype, text, origin=self.origin, relativize=False)
            for text in texts
        ]
        self.add(owner, rdtype, rdatas)


def txt_rdata(value: str) -> dns.rdata.Rdata:
    """A TXT record for any text, built from bytes so quotes, backslashes and markup survive."""
    raw = value.encode()
    chunks = [raw[i : i + TXT_CHUNK] for i in range(0, len(raw), TXT_CHUNK)] or [b""]
    return dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, RdataType.TXT, chunks)


def _address_rdatas(host: HostSpec) -> dict[RdataType, list[dns.rdata.Rdata]]:
    by_type: dict[RdataType, list[dns.rdata.Rdata]] = {RdataType.A: [], RdataType.AAAA: []}
    for address in host.addresses:
        rdtype = RdataType.A if ipaddress.ip_address(address).version == 4 else RdataType.AAAA
        by_type[rdtype].append(dns.rdata.from_text("IN", rdtype, address))
    return by_type


def reverse_apex(address: str) -> dns.name.Name:
    """The reverse zone the lab serves for a (loopback) sending address: 127.in-addr.arpa,
    or the ::/64 of ip6.arpa for ::1."""
    name = dns.reversename.from_address(address)
    keep = 4 if ipaddress.ip_address(address).version == 4 else 19  # labels, root included
    return dns.name.Name(name.labels[-keep:])


def mismatch_ptr_name(address: str) -> dns.name.Name:
    """host-127-0-0-1.dsl.isp.test.: the generic name an ISP gives an address."""
    ip = ipaddress.ip_address(address)
    text = str(ip) if ip.version == 4 else ip.exploded
    return dns.name.from_text(f"host-{text.replace('.', '-').replace(':', '-')}.dsl.{ISP_ZONE}")


def _add_sending_rdns(zone: Zone, config: LabConfig, listen_type: RdataType) -> None:
    """The relay's sending address (`listen`) in reverse DNS, per config.sending_rdns: the
    reverse zone (and isp.test) are served with their SOA whatever the mode, so a reverse name
    without a PTR is NXDOMAIN, never REFUSED."""
    apex = reverse_apex(config.listen)
    isp = dns.name.from_text(ISP_ZONE)
    soa_host = dns.name.from_text(NAMESERVER, zone.origin)
    for extra in (apex, isp):
        if extra in zone.external or extra == zone.origin:
            continue
        soa = f"{soa_host} hostmaster.{zone.origin} 2026010101 3600 600 86400 {NEGATIVE_TTL}"
        zone.add_text(extra, RdataType.SOA, [soa])
        zone.add_text(extra, RdataType.NS, [str(soa_host)])
        zone.external.append(extra)
    reverse = dns.reversename.from_address(config.listen)
    if config.sending_rdns == "match":
        mail = dns.name.from_text(f"mail.{config.zone}")
        zone.add_text(reverse, RdataType.PTR, [str(mail)])
        current = zone.records.get(mail, {}).get(listen_type)
        values = [rdata.to_text() for rdata in current] if current is not None else []
        if config.listen not in values:
            zone.add_text(mail, listen_type, [*values, config.listen])
    elif config.sending_rdns == "mismatch":
        generic = mismatch_ptr_name(config.listen)
        zone.add_text(reverse, RdataType.PTR, [str(generic)])
        zone.add_text(generic, RdataType.A, [MISMATCH_ADDRESS])


def build_zone(config: LabConfig, hosts: list[HostSpec]) -> Zone:
    origin = dns.name.from_text(config.zone)
    zone = Zone(origin)
    nameserver = dns.name.from_text(NAMESERVER, origin)
    listen_type = (
        RdataType.A if ipaddress.ip_address(config.listen).version == 4 else RdataType.AAAA
    )
    for apex in [origin, *map(dns.name.from_text, config.external_zones)]:
        soa = f"{nameserver} hostmaster.{origin} 2026010101 3600 600 86400 {NEGATIVE_TTL}"
        zone.add_text(apex, RdataType.SOA, [soa])
        zone.add_text(apex, RdataType.NS, [str(nameserver)])
        if apex != origin:
            zone.external.append(apex)
    for names in config.external_zones.values():
        for name in names:
            zone.add_text(dns.name.from_text(name), listen_type, [config.listen])
    for host in hosts:
        owner = dns.name.from_text(host.name)
        if host.dns in ("servfail", "servfail-aaaa", "drop"):
            zone.faults[owner] = host.dns
        if host.dns == "nxdomain":
            continue
        if host.cname:
            zone.add_text(owner, RdataType.CNAME, [host.cname.rstrip(".") + "."])
            continue
        for rdtype, rdatas in _address_rdatas(host).items():
            zone.add(owner, rdtype, rdatas)
    for owner_text, values in config.txt.items():
        owner = dns.name.from_text(owner_text)
        zone.add(owner, RdataType.TXT, [txt_rdata(value) for value in values])
    for rdtype, extra in ((RdataType.MX, config.mx), (RdataType.CAA, config.caa)):
        for owner_text, texts in extra.items():
            zone.add_text(dns.name.from_text(owner_text), rdtype, texts)
    by_owner_type: dict[tuple[str, str], list[str]] = {}
    for owner_text, type_text, value in config.records:
        by_owner_type.setdefault((owner_text, type_text.upper()), []).append(value)
    for (owner_text, type_text), texts in by_owner_type.items():
        zone.add_text(dns.name.from_text(owner_text), RdataType.make(type_text), texts)
    if config.mailboxes:  # the lab relays mail: its sending address's reverse DNS
        _add_sending_rdns(zone, config, listen_type)
    # The nameserver and in-zone mail exchangers must resolve, or the NS/MX records dangle.
    targets = [nameserver]
    for by_type in list(zone.records.values()):
        for rdata in by_type.get(RdataType.MX, []):
            if isinstance(rdata, dns.rdtypes.ANY.MX.MX):
                targets.append(rdata.exchange)
    for target in targets:
        if zone.contains(target) and target not in zone.records:
            zone.add_text(target, listen_type, [config.listen])
    return zone
