"""Following redirect chains against real loopback servers, hostile ones included."""

from __future__ import annotations

import asyncio

import pytest
from servers import read_request, response, server_thread

from launchtui.model.sprint import NetworkConfig
from launchtui.net.context import NetworkContext
from launchtui.net.redirects import End, follow, resolve_location


@pytest.fixture
def threads():
    with server_thread() as thread:
        yield thread


def redirecting_server(threads, route):
    """A plain-HTTP server answering route(host, path) -> (status, headers)."""

    async def handler(reader, writer):
        request = await read_request(reader)
        status, headers = route(request["host"].split(":")[0], request[":path"])
        writer.write(response(status, headers, b"page"))
        await writer.drain()
        writer.close()

    return threads.serve(handler)


def run_follow(port, hosts, url, **kw):
    config = NetworkConfig(connect_to={(h, 80): ("127.0.0.1", port) for h in hosts})

    async def go():
        async with NetworkContext.create(config) as ctx:
            return await follow(ctx.http, url, **kw)

    return asyncio.run(go())


def test_a_chain_is_recorded_hop_by_hop_to_the_final_page(threads):
    def route(host, path):
        if path == "/a":
            return "301 Moved Permanently", [("Location", "/b")]  # relative
        if path == "/b":
            return "302 Found", [("Location", "http://two.test/c")]
        return "200 OK", []

    port = redirecting_server(threads, route)
    chain = run_follow(port, ["one.test", "two.test"], "http://one.test/a")
    assert chain.end is End.FINAL
    assert [(h.url, h.status) for h in chain.hops] == [
        ("http://one.test/a", 301),
        ("http://one.test/b", 302),
        ("http://two.test/c", 200),
    ]
    assert chain.final_url == "http://two.test/c"


def test_a_50_hop_chain_stops_at_the_hop_limit(threads):
    def route(host, path):
        n = int(path.strip("/") or 0)
        return "301 Moved Permanently", [("Location", f"/{n + 1}")]

    port = redirecting_server(threads, route)
    chain = run_follow(port, ["one.test"], "http://one.test/0", max_hops=10)
    assert chain.end is End.TOO_MANY
    assert len(chain.hops) == 11


def test_a_loop_between_two_hosts_is_detected(threads):
    def route(host, path):
        other = "two.test" if host == "one.test" else "one.test"
        return "302 Found", [("Location", f"http://{other}/")]

    port = redirecting_server(threads, route)
    chain = run_follow(port, ["one.test", "two.test"], "http://one.test/")
    assert chain.end is End.LOOP
    assert [h.url for h in chain.hops] == ["http://one.test/", "http://two.test/"]
    assert "stopped: redirect loop" in chain.evidence()[-1]


@pytest.mark.parametrize(
    "location", ["", "http://[::1", "javascript:alert(1)", "ftp://files.test/x"]
)
def test_an_unusable_location_ends_the_chain(threads, location):
    port = redirecting_server(
        threads, lambda h, p: ("301 Moved Permanently", [("Location", location)])
    )
    chain = run_follow(port, ["one.test"], "http://one.test/")
    assert chain.end is End.BAD_LOCATION


def test_a_network_error_mid_chain_keeps_the_hops_so_far(threads):
    port = redirecting_server(
        threads, lambda h, p: ("301 Moved Permanently", [("Location", "http://nowhere.test/")])
    )
    chain = run_follow(port, ["one.test"], "http://one.test/")  # nowhere.test has no mapping
    assert chain.end is End.ERROR
    assert len(chain.hops) == 1


def test_resolve_location():
    assert resolve_location("https://a.test/x/y", "../z") == "https://a.test/z"
    assert resolve_location("https://a.test/", "//b.test/p") == "https://b.test/p"
    assert resolve_location("https://a.test/", "https://a.test:99999/") is None
    assert resolve_location("https://a.test/", "/p\r\nX: y") is None
