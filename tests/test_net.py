"""The network layer against real loopback servers, hostile ones included."""

from __future__ import annotations

import asyncio
import gzip
import ssl
import time
from pathlib import Path

import pytest
import trustme
from servers import ServerThread, read_request, response, server_thread

from launchtui.model.sprint import NetworkConfig
from launchtui.net.certificate import dns_names
from launchtui.net.context import NetworkContext
from launchtui.net.errors import DnsError, NetError, NetTimeout, Refused, TlsVerificationError
from launchtui.net.http import Fetched
from launchtui.net.timeouts import Timeouts
from launchtui.net.tls import probe_tls

HOST = "app.example.test"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def threads():
    with server_thread() as thread:
        yield thread


def tls_context(ca: trustme.CA, seen_sni: list[str] | None = None) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(HOST).configure_cert(context)
    if seen_sni is not None:
        context.sni_callback = lambda _sock, name, _ctx: seen_sni.append(name)  # type: ignore[assignment,return-value]
    return context


def fetch(config: NetworkConfig, url: str, timeouts: Timeouts | None = None, **kw) -> Fetched:
    async def go() -> Fetched:
        async with NetworkContext.create(config, timeouts) as ctx:
            return await ctx.http.fetch(url, **kw)

    return asyncio.run(go())


def mapped(port: int, ca_file: Path | None = None, scheme_port: int = 443) -> NetworkConfig:
    return NetworkConfig(ca_bundle=ca_file, connect_to={(HOST, scheme_port): ("127.0.0.1", port)})


def test_connect_to_keeps_host_header_and_tls_server_name(threads, ca, ca_file):
    seen_sni: list[str] = []
    seen_host: list[str] = []

    async def handler(reader, writer):
        request = await read_request(reader)
        seen_host.append(request["host"])
        writer.write(response("200 OK", [("Content-Type", "text/plain")], b"hello"))
        await writer.drain()
        writer.close()

    port = threads.serve(handler, tls_context(ca, seen_sni))
    fetched = fetch(mapped(port, ca_file), f"https://{HOST}/login")
    assert fetched.status == 200
    assert fetched.body == b"hello"
    assert seen_sni == [HOST]
    assert seen_host == [HOST]


def test_redirects_are_never_followed(threads):
    async def handler(reader, writer):
        await read_request(reader)
        writer.write(response("301 Moved Permanently", [("Location", f"http://{HOST}/next")]))
        await writer.drain()
        writer.close()

    port = threads.serve(handler)
    fetched = fetch(mapped(port, scheme_port=80), f"http://{HOST}/old")
    assert fetched.status == 301
    assert fetched.header("location") == f"http://{HOST}/next"


def test_a_100_mb_body_is_read_only_up_to_the_cap(threads):
    sent = [0]

    async def handler(reader, writer):
        await read_request(reader)
        total = 100 * 1024 * 1024
        writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {total}\r\n\r\n".encode())
        chunk = b"x" * 65536
        try:
            while sent[0] < total:
                writer.write(chunk)
                await writer.drain()
                sent[0] += len(chunk)
        except (ConnectionError, OSError):
            pass
        writer.close()

    port = threads.serve(handler)
    fetched = fetch(mapped(port, scheme_port=80), f"http://{HOST}/big", max_body=1024 * 1024)
    assert fetched.truncated
    assert len(fetched.body) == 1024 * 1024
    time.sleep(0.2)
    assert sent[0] < 50 * 1024 * 1024  # the client hung up long before the end


def test_a_compression_bomb_inflates_only_up_to_the_cap(threads):
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024))

    async def handler(reader, writer):
        await read_request(reader)
        writer.write(response("200 OK", [("Content-Encoding", "gzip")], bomb))
        await writer.drain()
        writer.close()

    port = threads.serve(handler)
    fetched = fetch(mapped(port, scheme_port=80), f"http://{HOST}/", max_body=256 * 1024)
    assert fetched.truncated
    assert len(fetched.body) <= 256 * 1024


def test_headers_trickling_one_byte_a_second_end_in_an_error_within_budget(threads):
    async def handler(reader, writer):
        await read_request(reader)
        try:
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.25)
        except (ConnectionError, OSError):
            pass

    port = threads.serve(handler)
    started = time.monotonic()
    with pytest.raises(NetError, match=r"no complete response within 2 s"):
        fetch(mapped(port, scheme_port=80), f"http://{HOST}/", Timeouts.uniform(1.0))
    assert time.monotonic() - started < 10  # bounded by the 2 s request limit, not hung


def test_refused_connection_is_a_net_error():
    config = NetworkConfig(connect_to={(HOST, 80): ("127.0.0.1", 9)})
    with pytest.raises(NetError, match="cannot connect"):
        fetch(config, f"http://{HOST}/")


def test_header_text_comes_back_literally(threads):
    hostile = "[bold red]pwned[/] \x1b]0;title\x07 \x1b[2J"

    async def handler(reader, writer):
        await read_request(reader)
        writer.write(response("200 OK", [("X-Note", hostile)]))
        await writer.drain()
        writer.close()

    port = threads.serve(handler)
    fetched = fetch(mapped(port, scheme_port=80), f"http://{HOST}/")
    assert fetched.header("x-note") == hostile


def stall_server(threads: ServerThread) -> int:
    async def handler(reader, writer):
        await asyncio.sleep(3600)  # accept TCP, never answer the ClientHello

    return threads.serve(handler)


def test_stalled_tls_handshake_is_a_net_error_within_the_timeout(threads, ca_file):
    port = stall_server(threads)

    async def go():
        async with NetworkContext.create(mapped(port, ca_file)) as ctx:
            return await probe_tls(ctx.connector, HOST, 443, ctx.trust, 0.5)

    started = time.monotonic()
    with pytest.raises(NetError, match=r"did not complete within 0\.5 s"):
        asyncio.run(go())
    assert time.monotonic() - started < 10  # bounded, not hung: the server waits an hour


def test_tls_probe_reads_verified_certificate_and_protocol(threads, ca, ca_file):
    async def handler(reader, writer):
        await asyncio.sleep(1)
        writer.close()

    port = threads.serve(handler, tls_context(ca))

    async def go():
        async with NetworkContext.create(mapped(port, ca_file)) as ctx:
            return await probe_tls(ctx.connector, HOST, 443, ctx.trust, 2)

    probe = asyncio.run(go())
    assert probe.verified
    assert probe.protocol.startswith("TLSv1.")
    assert probe.peer == f"127.0.0.1:{port}"


def test_tls_probe_without_the_ca_reads_the_cert_but_marks_it_untrusted(threads, ca):
    async def handler(reader, writer):
        await asyncio.sleep(1)
        writer.close()

    port = threads.serve(handler, tls_context(ca))

    async def go():
        async with NetworkContext.create(mapped(port)) as ctx:
            return await probe_tls(ctx.connector, HOST, 443, ctx.trust, 2)

    probe = asyncio.run(go())
    assert not probe.verified
    assert probe.verify_code == 20  # unable to get local issuer certificate
    assert dns_names(probe.certificate) == [HOST]


# The kinds of NetError (net/errors.py), each made where the library raised it


def test_a_refused_connection_is_refused():
    config = NetworkConfig(connect_to={(HOST, 80): ("127.0.0.1", 9)})
    with pytest.raises(Refused, match=r"cannot connect: .*127\.0\.0\.1"):
        fetch(config, f"http://{HOST}/")

    async def probe() -> None:
        async with NetworkContext.create(config) as ctx, ctx.connector.stream(HOST, 80):
            pass

    with pytest.raises(Refused, match=r"connection refused by 127\.0\.0\.1:9"):
        asyncio.run(probe())


def test_an_http_answer_that_never_comes_is_a_timeout(threads):
    async def handler(reader, writer):
        await read_request(reader)
        await asyncio.sleep(3600)

    port = threads.serve(handler)
    with pytest.raises(NetTimeout, match=r"timed out|no complete response"):
        fetch(mapped(port, scheme_port=80), f"http://{HOST}/", Timeouts.uniform(0.5))


def test_a_stalled_tls_handshake_is_a_timeout(threads, ca_file):
    port = stall_server(threads)

    async def go():
        async with NetworkContext.create(mapped(port, ca_file)) as ctx:
            return await probe_tls(ctx.connector, HOST, 443, ctx.trust, 0.5)

    with pytest.raises(NetTimeout):
        asyncio.run(go())


def test_an_untrusted_certificate_over_https_is_a_verification_error(threads, ca):
    async def handler(reader, writer):
        await read_request(reader)
        writer.write(response("200 OK", [], b"hello"))
        await writer.drain()
        writer.close()

    port = threads.serve(handler, tls_context(ca))
    with pytest.raises(TlsVerificationError, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
        fetch(mapped(port), f"https://{HOST}/")  # no ca_bundle: the throwaway CA is unknown


def test_kinds_are_net_errors_and_apart():
    kinds = (NetTimeout, Refused, TlsVerificationError, DnsError)
    assert all(issubclass(kind, NetError) for kind in kinds)
    assert all(not issubclass(a, b) for a in kinds for b in kinds if a is not b)
