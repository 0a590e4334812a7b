"""One run asks each DNS name and fetches each URL once, and never opens more than its per-host
share of connections: against real loopback servers that count what reaches them."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import threading

import dns.message
import dns.rrset
import pytest
import trustme
from servers import read_request, response, server_thread

from launchtui.model.sprint import NetworkConfig
from launchtui.net.connect import Connector
from launchtui.net.context import NetworkContext
from launchtui.net.dns import DnsClient
from launchtui.net.errors import NetError

HOST = "app.example.test"


class CountingDns:
    """A UDP DNS server that answers every A query with 192.0.2.1 after `delay`, and counts
    the queries per name."""

    def __init__(self, delay: float = 0.1) -> None:
        self.delay = delay
        self.asked: dict[str, int] = {}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, addr = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            query = dns.message.from_wire(data)
            name = query.question[0].name.to_text().rstrip(".").lower()
            self.asked[name] = self.asked.get(name, 0) + 1
            reply = dns.message.make_response(query)
            reply.answer.append(
                dns.rrset.from_text(query.question[0].name, 60, "IN", "A", "192.0.2.1")
            )
            threading.Timer(self.delay, self._send, (reply.to_wire(), addr)).start()

    def _send(self, data: bytes, addr: tuple[str, int]) -> None:
        with contextlib.suppress(OSError):  # the test may be over and the socket closed
            self.sock.sendto(data, addr)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def counting_dns():
    server = CountingDns()
    yield server
    server.close()


def test_a_name_many_checks_ask_at_once_is_queried_once(counting_dns):
    async def go() -> list[str]:
        client = DnsClient((("127.0.0.1", counting_dns.port),), timeout=2)
        names = ["a.example.test", "A.Example.Test.", "a.example.test"] * 5
        first = await asyncio.gather(*(client.lookup(name, "A") for name in names))
        again = await client.lookup("a.example.test", "a")  # after: from the same answer
        other = await client.lookup("b.example.test", "A")
        assert [r.name for r in first] == names  # each caller sees the name it asked
        return [*first[0].records, *again.records, *other.records]

    assert asyncio.run(go()) == ["192.0.2.1"] * 3
    assert counting_dns.asked == {"a.example.test": 1, "b.example.test": 1}


def test_a_failed_lookup_is_shared_too_and_a_new_run_asks_again(counting_dns):
    counting_dns.delay = 5  # longer than the client waits: a timeout, for every caller

    async def go() -> list[BaseException | object]:
        client = DnsClient((("127.0.0.1", counting_dns.port),), timeout=0.3)
        return await asyncio.gather(
            *(client.lookup("slow.example.test", "A") for _ in range(4)), return_exceptions=True
        )

    outcomes = asyncio.run(go())
    assert all(isinstance(o, NetError) and "timed out" in str(o) for o in outcomes)
    first = counting_dns.asked["slow.example.test"]
    assert first <= 2  # one lookup, which dnspython may retry once within its lifetime
    asyncio.run(go())  # another run (another event loop) asks afresh
    assert counting_dns.asked["slow.example.test"] > first


def test_a_check_cancelled_mid_lookup_does_not_cancel_the_others(counting_dns):
    counting_dns.delay = 0.3

    async def go() -> str:
        client = DnsClient((("127.0.0.1", counting_dns.port),), timeout=2)
        impatient = asyncio.ensure_future(client.lookup("c.example.test", "A"))
        patient = asyncio.ensure_future(client.lookup("c.example.test", "A"))
        await asyncio.sleep(0.05)
        impatient.cancel()  # as the engine does when a check's budget runs out
        return (await patient).records[0]

    assert asyncio.run(go()) == "192.0.2.1"
    assert counting_dns.asked == {"c.example.test": 1}


@pytest.fixture
def threads():
    with server_thread() as thread:
        yield thread


def mapped(port: int) -> NetworkConfig:
    return NetworkConfig(connect_to={(HOST, 80): ("127.0.0.1", port)})


def test_one_get_per_url_however_many_checks_fetch_it(threads):
    seen: list[str] = []

    async def handler(reader, writer):
        request = await read_request(reader)
        seen.append(f"{request[':method']} {request[':path']}")
        await asyncio.sleep(0.1)
        writer.write(response("200 OK", [("Content-Type", "text/html")], b"x" * 5000))
        await writer.drain()
        writer.close()

    port = threads.serve(handler)

    async def go() -> list[tuple[int, bool]]:
        async with NetworkContext.create(mapped(port)) as ctx:
            caps = [None, 0, 1024, None, 64 * 1024]
            fetched = await asyncio.gather(
                *(ctx.http.fetch(f"http://{HOST}/", max_body=cap) for cap in caps)
            )
            await ctx.http.fetch(f"http://{HOST}/", headers={"Cookie": "a=1"})  # other headers
            await ctx.http.fetch(f"http://{HOST}/", method="HEAD")  # only GETs are shared
            return [(len(f.body), f.truncated) for f in fetched]

    expected = [(5000, False), (0, True), (1024, True), (5000, False), (5000, False)]
    assert asyncio.run(go()) == expected
    assert sorted(seen) == ["GET /", "GET /", "HEAD /"]


def test_a_failed_get_is_one_error_for_every_caller(threads):
    hits = [0]

    async def handler(reader, writer):
        await read_request(reader)
        hits[0] += 1
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        await writer.drain()
        writer.close()

    port = threads.serve(handler)

    async def go() -> list[BaseException | object]:
        async with NetworkContext.create(mapped(port)) as ctx:
            return await asyncio.gather(
                *(ctx.http.fetch(f"http://{HOST}/") for _ in range(3)), return_exceptions=True
            )

    outcomes = asyncio.run(go())
    assert all(isinstance(o, NetError) and "malformed HTTP response" in str(o) for o in outcomes)
    assert hits == [1]


def test_connections_to_one_host_stay_within_its_share(threads):
    open_now, peak = [0], [0]

    async def handler(reader, writer):
        open_now[0] += 1
        peak[0] = max(peak[0], open_now[0])
        try:
            request = await read_request(reader)
            await asyncio.sleep(0.1)
            writer.write(response("200 OK", [], request[":path"].encode()))
            await writer.drain()
        finally:
            open_now[0] -= 1
            writer.close()

    port = threads.serve(handler)

    async def go() -> list[bytes]:
        async with NetworkContext.create(mapped(port)) as ctx:
            ctx.connector.per_host = 2
            urls = [f"http://{HOST}/{n}" for n in range(7)]
            return [f.body for f in await asyncio.gather(*(ctx.http.fetch(u) for u in urls))]

    assert asyncio.run(go()) == [str(f"/{n}").encode() for n in range(7)]
    assert peak == [2]


def test_tls_probes_to_one_host_stay_within_its_share(threads):
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(HOST).configure_cert(context)
    open_now, peak = [0], [0]

    async def handler(reader, writer):
        open_now[0] += 1
        peak[0] = max(peak[0], open_now[0])
        try:
            await reader.read(1)  # held open until the client hangs up
        finally:
            open_now[0] -= 1
            writer.close()

    port = threads.serve(handler, context)
    trust = ssl.create_default_context()
    ca.configure_trust(trust)

    async def go() -> None:
        connector = Connector(DnsClient(), {(HOST, 443): ("127.0.0.1", port)}, per_host=3)

        async def probe() -> None:
            async with connector.stream(HOST, 443, tls=trust):
                await asyncio.sleep(0.1)

        await asyncio.gather(*(probe() for _ in range(8)))

    asyncio.run(go())
    assert peak == [3]
