"""An authoritative DNS server for the lab zone, over UDP and TCP, with injectable faults.

`answer()` is the whole DNS logic (a pure function of zone and query); `DnsServer` only moves
bytes, adds the configured delay, and never lets a garbage packet take it down.
"""

from __future__ import annotations

import asyncio
import errno
import logging
from typing import cast

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.CNAME

from launchtui.lab.ports import Address, bind_error
from launchtui.lab.tasks import ServerTasks
from launchtui.lab.zone import RdataType, Zone

log = logging.getLogger(__name__)

MAX_CNAME_CHAIN = 8
UDP_DEFAULT_SIZE = 512  # RFC 1035 limit without EDNS
TCP_IDLE_TIMEOUT = 30.0
EPHEMERAL_ATTEMPTS = 20  # the UDP port the OS picked may be taken for TCP: try another


def answer(zone: Zone, query: dns.message.Message) -> dns.message.Message | None:
    """The authoritative response to `query`, or None when a "drop" fault says never answer."""
    response = dns.message.make_response(query)
    if query.opcode() != dns.opcode.QUERY:
        response.set_rcode(dns.rcode.NOTIMP)
        return response
    if len(query.question) != 1:
        response.set_rcode(dns.rcode.FORMERR)
        return response
    question = query.question[0]
    if question.rdclass != dns.rdataclass.IN:
        response.set_rcode(dns.rcode.REFUSED)
        return response
    if not zone.contains(question.name):
        # DMARC's tree walk (RFC 9989 4.10) climbs from a zone up to its top-level domain; the
        # lab answers for the DNS above its zones, which holds no DMARC record there.
        response.set_rcode(
            dns.rcode.NXDOMAIN if zone.dmarc_above(question.name) else dns.rcode.REFUSED
        )
        return response
    response.flags |= dns.flags.AA
    name, rdtype = question.name, question.rdtype
    # Follow CNAMEs inside the zone in the same answer, as real authoritative servers do.
    for _ in range(MAX_CNAME_CHAIN):
        fault = zone.faults.get(name)
        records = zone.records.get(name, {})
        if fault == "drop" or (fault == "drop-missing" and rdtype not in records):
            return None
        if fault == "servfail" or (fault == "servfail-aaaa" and rdtype == RdataType.AAAA):
            failed = dns.message.make_response(query)
            failed.set_rcode(dns.rcode.SERVFAIL)
            return failed
        if rdtype == RdataType.ANY and records:
            response.answer.extend(records.values())
            return response
        if rdtype in records:
            response.answer.append(records[rdtype])
            return response
        cname = records.get(RdataType.CNAME)
        if cname is None:
            break
        response.answer.append(cname)
        target = cname[0]
        assert isinstance(target, dns.rdtypes.ANY.CNAME.CNAME)
        name = target.target
        if not zone.contains(name):
            return response  # the rest of the chain is another server's to answer
    if not zone.exists(name):
        response.set_rcode(dns.rcode.NXDOMAIN)
    response.authority.append(zone.soa_for(name))  # negative answers carry the SOA (RFC 2308)
    return response


def parse_query(data: bytes) -> dns.message.Message | None:
    """The query in `data`, or None for garbage and stray responses (both ignored)."""
    try:
        message = dns.message.from_wire(data)
    except Exception:  # any malformed packet: a server on a socket must never fall over
        return None
    return None if message.flags & dns.flags.QR else message


def udp_wire(response: dns.message.Message, query: dns.message.Message) -> bytes:
    """Wire form that fits the requester's UDP size, truncated with TC set if it does not."""
    limit = max(UDP_DEFAULT_SIZE, query.payload) if query.edns >= 0 else UDP_DEFAULT_SIZE
    return response.to_wire(max_size=limit, prefer_truncation=True)


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: DnsServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # asyncio's datagram transports do not subclass DatagramTransport.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.server.tasks.spawn(self.reply(data, addr))

    async def reply(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        query = parse_query(data)
        if query is None:
            return
        response = await self.server.respond(query)
        if response is None or self.transport is None:
            return
        try:
            self.transport.sendto(udp_wire(response, query), addr)
        except dns.exception.DNSException as exc:
            log.warning("lab DNS: could not answer over UDP: %s", exc)


class DnsServer:
    """Serves one Zone on one port, UDP and TCP."""

    def __init__(self, zone: Zone, delay: float = 0.0) -> None:
        self.zone = zone
        self.delay = delay
        self.tasks = ServerTasks()
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None

    async def respond(self, query: dns.message.Message) -> dns.message.Message | None:
        if self.delay:
            await asyncio.sleep(self.delay)
        return answer(self.zone, query)

    async def start(self, host: str, port: int) -> Address:
        """Bind UDP and TCP on the same port (0: one the OS picks); returns the address."""
        loop = asyncio.get_running_loop()
        for _ in range(EPHEMERAL_ATTEMPTS if port == 0 else 1):
            try:
                udp, _protocol = await loop.create_datagram_endpoint(
                    lambda: _UdpProtocol(self), local_addr=(host, port)
                )
            except OSError as exc:
                raise bind_error(exc, host, port) from exc
            bound = int(udp.get_extra_info("sockname")[1])
            try:
                self._tcp = await asyncio.start_server(
                    self.tasks.connection_handler(self._serve_tcp), host, bound
                )
            except OSError as exc:
                udp.close()
                if port == 0 and exc.errno == errno.EADDRINUSE:
                    continue
                raise bind_error(exc, host, bound) from exc
            self._udp = udp
            return host, bound
        raise bind_error(OSError(errno.EADDRINUSE, "in use"), host, port)

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
        await self.tasks.cancel_all()
        if self._tcp is not None:
            await self._tcp.wait_closed()

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                async with asyncio.timeout(TCP_IDLE_TIMEOUT):
                    length = int.from_bytes(await reader.readexactly(2), "big")
                    data = await reader.readexactly(length)
            except asyncio.IncompleteReadError:
                return  # the client closed the connection
            query = parse_query(data)
            if query is None:
                continue
            response = await self.respond(query)
            if response is None:
                continue
            try:
                wire = response.to_wire(max_size=65535, prefer_truncation=True)
            except dns.exception.DNSException as exc:
                log.warning("lab DNS: could not answer over TCP: %s", exc)
                continue
            writer.write(len(wire).to_bytes(2, "big") + wire)
            await writer.drain()
