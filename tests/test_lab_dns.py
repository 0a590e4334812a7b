"""The lab's authoritative DNS server over real UDP and TCP sockets."""

from __future__ import annotations

import asyncio
import socket
import time

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import pytest
from lab_fixtures import (
    BIG_TXT,
    DISAGREEING_RESOLVER,
    HOSTILE_TEXT,
    ZONE,
    dns_query,
)

from launchtui.lab import HostSpec, Lab, LabConfig
from launchtui.lab.demo_spf import DEMO_SPF
from launchtui.lab.dns_server import DnsServer, answer
from launchtui.lab.zone import build_zone

pytest_plugins = ["lab_fixtures"]


def answers(response: dns.message.Message) -> list[str]:
    return [
        f"{rrset.name} {dns.rdatatype.to_text(rrset.rdtype)} {rd}"
        for rrset in response.answer
        for rd in rrset
    ]


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
def test_address_records_are_authoritative(lab: Lab, tcp: bool) -> None:
    response = dns_query(lab.dns_address, f"app.{ZONE}", "A", tcp=tcp)
    assert response.rcode() == dns.rcode.NOERROR
    assert response.flags & dns.flags.AA
    assert answers(response) == [f"app.{ZONE}. A 127.0.0.1"]


def test_names_match_whatever_their_case(lab: Lab) -> None:
    response = dns_query(lab.dns_address, f"APP.{ZONE.upper()}", "A")
    assert [rd.to_text() for rd in response.answer[0]] == ["127.0.0.1"]


def test_a_and_aaaa_come_from_the_addresses(lab: Lab) -> None:
    assert answers(dns_query(lab.dns_address, f"dual.{ZONE}", "A")) == [f"dual.{ZONE}. A 127.0.0.1"]
    assert answers(dns_query(lab.dns_address, f"dual.{ZONE}", "AAAA")) == [f"dual.{ZONE}. AAAA ::1"]


def test_cname_chain_is_followed_inside_the_zone(lab: Lab) -> None:
    response = dns_query(lab.dns_address, f"chain.{ZONE}", "A")
    assert answers(response) == [
        f"chain.{ZONE}. CNAME www.{ZONE}.",
        f"www.{ZONE}. CNAME {ZONE}.",
        f"{ZONE}. A 127.0.0.1",
    ]
    cname_only = dns_query(lab.dns_address, f"www.{ZONE}", "CNAME")
    assert answers(cname_only) == [f"www.{ZONE}. CNAME {ZONE}."]


def test_cname_out_of_the_zone_is_left_to_the_client(lab: Lab) -> None:
    response = dns_query(lab.dns_address, f"dangling.{ZONE}", "A")
    assert response.rcode() == dns.rcode.NOERROR
    assert answers(response) == [f"dangling.{ZONE}. CNAME gone.example.net."]


def test_cname_to_a_missing_name_is_nxdomain_with_the_cname(lab: Lab) -> None:
    response = dns_query(lab.dns_address, f"broken.{ZONE}", "A")
    assert response.rcode() == dns.rcode.NXDOMAIN  # RFC 6604: the rcode of the chain's end
    assert answers(response) == [f"broken.{ZONE}. CNAME missing.{ZONE}."]


def test_txt_records_keep_hostile_text_byte_for_byte(lab: Lab) -> None:
    spf = dns_query(lab.dns_address, ZONE, "TXT")
    assert [b"".join(rd.strings).decode() for rd in spf.answer[0]] == [DEMO_SPF]
    hostile = dns_query(lab.dns_address, f"hostile.{ZONE}", "TXT")
    assert [b"".join(rd.strings).decode() for rd in hostile.answer[0]] == [HOSTILE_TEXT]


def test_mx_caa_ns_and_soa(lab: Lab) -> None:
    address = lab.dns_address
    assert answers(dns_query(address, ZONE, "MX")) == [f"{ZONE}. MX 10 mail.{ZONE}."]
    assert answers(dns_query(address, f"mail.{ZONE}", "A")) == [f"mail.{ZONE}. A 127.0.0.1"]
    assert answers(dns_query(address, ZONE, "CAA")) == [f'{ZONE}. CAA 0 issue "letsencrypt.org"']
    assert answers(dns_query(address, ZONE, "NS")) == [f"{ZONE}. NS ns1.{ZONE}."]
    assert answers(dns_query(address, f"ns1.{ZONE}", "A")) == [f"ns1.{ZONE}. A 127.0.0.1"]
    [soa] = dns_query(address, ZONE, "SOA").answer
    assert soa[0].mname.to_text() == f"ns1.{ZONE}."


def test_missing_name_is_nxdomain_with_the_soa(lab: Lab) -> None:
    response = dns_query(lab.dns_address, f"shop.{ZONE}", "A")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert response.flags & dns.flags.AA
    assert response.answer == []
    assert [rrset.rdtype for rrset in response.authority] == [dns.rdatatype.SOA]
    assert dns_query(lab.dns_address, f"_dmarc.{ZONE}", "TXT").rcode() == dns.rcode.NXDOMAIN


def test_existing_name_without_that_type_is_nodata(lab: Lab) -> None:
    response = dns_query(lab.dns_address, f"app.{ZONE}", "AAAA")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.answer == []
    assert [rrset.rdtype for rrset in response.authority] == [dns.rdatatype.SOA]


def test_names_outside_the_zone_are_refused(lab: Lab) -> None:
    response = dns_query(lab.dns_address, "example.com", "A")
    assert response.rcode() == dns.rcode.REFUSED
    assert not response.flags & dns.flags.AA


def test_dmarc_names_above_the_zones_do_not_exist(lab: Lab) -> None:
    """RFC 9989's tree walk climbs to the top-level domain: the lab answers for it."""
    above = dns_query(lab.dns_address, "_dmarc.test", "TXT")
    assert above.rcode() == dns.rcode.NXDOMAIN and not above.flags & dns.flags.AA
    assert dns_query(lab.dns_address, "_dmarc.elsewhere.test", "TXT").rcode() == (dns.rcode.REFUSED)
    assert dns_query(lab.dns_address, "test", "TXT").rcode() == dns.rcode.REFUSED


def test_servfail_fault(lab: Lab) -> None:
    response = dns_query(lab.dns_address, f"forum.{ZONE}", "A")
    assert response.rcode() == dns.rcode.SERVFAIL
    assert response.answer == []


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
def test_drop_fault_never_answers(lab: Lab, tcp: bool) -> None:
    with pytest.raises(dns.exception.Timeout):
        dns_query(lab.dns_address, f"drop.{ZONE}", "A", tcp=tcp, timeout=0.3)


def test_drop_missing_fault_answers_only_the_types_the_name_has() -> None:
    config = LabConfig(hosts=[HostSpec(f"app.{ZONE}")], txt={}, mx={}, caa={})
    zone = build_zone(config, config.hosts)
    zone.faults[dns.name.from_text(f"app.{ZONE}")] = "drop-missing"
    found = answer(zone, dns.message.make_query(f"app.{ZONE}", "A"))
    assert found is not None and found.answer
    assert answer(zone, dns.message.make_query(f"app.{ZONE}", "TXT")) is None


def test_udp_answer_too_big_is_truncated_and_complete_over_tcp(lab: Lab) -> None:
    name = f"big.{ZONE}"
    truncated = dns_query(lab.dns_address, name, "TXT", edns=False)
    assert truncated.flags & dns.flags.TC
    assert truncated.answer == []
    large_udp = dns_query(lab.dns_address, name, "TXT", edns=True)  # advertises 1232+ bytes
    assert not large_udp.flags & dns.flags.TC
    full = dns_query(lab.dns_address, name, "TXT", tcp=True, edns=False)
    assert sorted(b"".join(rd.strings).decode() for rd in full.answer[0]) == BIG_TXT


def test_garbage_is_ignored_and_the_server_keeps_answering(lab: Lab) -> None:
    host, port = lab.dns_address
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.settimeout(0.3)
        for junk in (b"", b"\x00", b"\xff" * 40, dns_query_bytes_with_qr()):
            udp.sendto(junk, (host, port))
        with pytest.raises(TimeoutError):
            udp.recv(512)
    with socket.create_connection((host, port), timeout=2) as tcp:
        tcp.sendall(b"\x00\x05hello")  # a framed garbage message, then a real one
        query = dns.message.make_query(f"app.{ZONE}", "A").to_wire()
        tcp.sendall(len(query).to_bytes(2, "big") + query)
        length = int.from_bytes(tcp.recv(2), "big")
        data = b""
        while len(data) < length:
            data += tcp.recv(length - len(data))
        assert answers(dns.message.from_wire(data)) == [f"app.{ZONE}. A 127.0.0.1"]
    assert dns_query(lab.dns_address, f"app.{ZONE}", "A").rcode() == dns.rcode.NOERROR


def dns_query_bytes_with_qr() -> bytes:
    """A well-formed message with QR set: a stray response, never answered (no loops)."""
    message = dns.message.make_query(f"app.{ZONE}", "A")
    message.flags |= dns.flags.QR
    return message.to_wire()


def test_public_resolvers_serve_the_zone_and_can_disagree(lab: Lab) -> None:
    assert len(lab.resolver_addresses) == 3
    for index, address in enumerate(lab.resolver_addresses):
        expected = "127.0.0.2" if index == DISAGREEING_RESOLVER else "127.0.0.1"
        assert answers(dns_query(address, f"app.{ZONE}", "A")) == [f"app.{ZONE}. A {expected}"]
        assert dns_query(address, f"shop.{ZONE}", "A").rcode() == dns.rcode.NXDOMAIN


def test_dns_delay_does_not_block_other_answers() -> None:
    config = LabConfig(hosts=[HostSpec(f"app.{ZONE}")], txt={}, mx={}, caa={})

    async def five_queries() -> tuple[list[dns.message.Message], float]:
        server = DnsServer(build_zone(config, config.hosts), delay=0.3)
        host, port = await server.start("127.0.0.1", 0)
        query = dns.message.make_query(f"app.{ZONE}", "A")
        started = time.monotonic()
        try:
            responses = await asyncio.gather(
                *(dns.asyncquery.udp(query, host, port=port, timeout=2) for _ in range(5))
            )
        finally:
            await server.stop()
        return list(responses), time.monotonic() - started

    responses, elapsed = asyncio.run(five_queries())
    assert all(r.rcode() == dns.rcode.NOERROR for r in responses)
    assert 0.3 <= elapsed < 1.5  # in parallel: one after another would take 1.5 s or more


def test_extra_records_in_the_lab_zone_and_an_external_zone() -> None:
    config = LabConfig(
        txt={},
        external_zones={"example.net": []},
        records=[
            (f"relay.{ZONE}", "A", "192.0.2.10"),
            (f"relay.{ZONE}", "a", "192.0.2.11"),
            ("mail.example.net", "AAAA", "2001:db8::25"),
            ("ptr.example.net", "PTR", f"relay.{ZONE}."),
        ],
    )
    zone = build_zone(config, config.hosts)
    relay = zone.records[dns.name.from_text(f"relay.{ZONE}")][dns.rdatatype.A]
    assert sorted(rd.to_text() for rd in relay) == ["192.0.2.10", "192.0.2.11"]
    mail = zone.records[dns.name.from_text("mail.example.net")][dns.rdatatype.AAAA]
    assert [rd.to_text() for rd in mail] == ["2001:db8::25"]
    ptr = zone.records[dns.name.from_text("ptr.example.net")][dns.rdatatype.PTR]
    assert [rd.to_text() for rd in ptr] == [f"relay.{ZONE}."]
