"""http.redirects: the demo's declared old URLs, and hostile redirect servers on loopback."""

from __future__ import annotations

import dataclasses
import socket
import time

import pytest
from check_helpers import assert_could_not_check, lab_sprint, run_check
from lab_fixtures import ZONE
from servers import read_request, response, server_thread

from launchtui.checks.registry import all_checks
from launchtui.model.results import Status
from launchtui.model.sprint import Site

pytest_plugins = ["lab_fixtures"]
CHECK = "http.redirects"
APP = f"https://app.{ZONE}"


@pytest.fixture(scope="module")
def sprint(lab, tmp_path_factory):
    return lab_sprint(lab, tmp_path_factory.mktemp("redirects"))


@pytest.fixture
def hostile(sprint):
    """serve(route) -> a sprint whose one.test and two.test (port 80) reach that server."""
    with server_thread() as thread:

        def serve(route):
            async def handler(reader, writer):
                request = await read_request(reader)
                await route(request["host"].split(":")[0], request[":path"], writer)
                writer.close()

            port = thread.serve(handler)
            connect_to = {(h, 80): ("127.0.0.1", port) for h in ("one.test", "two.test")}
            network = dataclasses.replace(sprint.network, connect_to=connect_to)
            return dataclasses.replace(sprint, network=network)

        yield serve


def redirect(status, location):
    async def route(host, path, writer):
        writer.write(response(status, [("Location", location(host, path))]))

    return route


def test_the_demo_sprint_declares_the_seeded_old_urls(sprint):
    check = next(c for c in all_checks() if c.id == CHECK)
    assert [t.text for t in check.targets(sprint)] == [
        f"http://{ZONE}/join -> {APP}/join",
        f"https://{ZONE}/signup -> {APP}/join",
        f"https://{ZONE}/old-pricing -> {APP}/pricing",
    ]


def test_an_old_url_reaching_its_target_permanently_passes(sprint):
    result = run_check(CHECK, sprint, f"http://{ZONE}/join -> {APP}/join")
    assert result.status is Status.PASS, result.summary
    assert result.summary == f"http://{ZONE}/join reaches {APP}/join in 2 permanent redirects"
    assert result.evidence["hops"] == [
        f"301 http://{ZONE}/join -> https://{ZONE}/join",
        f"301 https://{ZONE}/join -> {APP}/join",
        f"200 {APP}/join",
    ]
    assert result.evidence["final_url"] == f"{APP}/join"


def test_a_temporary_redirect_where_a_permanent_one_is_meant_warns(sprint):
    result = run_check(CHECK, sprint, f"https://{ZONE}/signup -> {APP}/join")
    assert result.status is Status.WARN
    assert "through a temporary redirect (302)" in result.summary
    assert result.evidence["hops"][0] == f"302 https://{ZONE}/signup -> {APP}/join"
    assert "301 Moved Permanently" in result.fix


def test_a_loop_between_apex_and_www_fails_with_every_hop(sprint):
    result = run_check(CHECK, sprint, f"https://{ZONE}/old-pricing -> {APP}/pricing")
    assert result.status is Status.FAIL
    assert "redirect loop" in result.summary
    assert result.evidence["hops"] == [
        f"301 https://{ZONE}/old-pricing -> https://www.{ZONE}/old-pricing",
        f"301 https://www.{ZONE}/old-pricing -> https://{ZONE}/old-pricing",
        f"stopped: redirect loop: https://{ZONE}/old-pricing was already visited",
    ]


def test_a_redirect_to_a_missing_page_fails(sprint):
    result = run_check(CHECK, sprint, f"https://away.{ZONE}/ -> {APP}/nowhere")
    assert result.status is Status.FAIL
    assert f"reaches {APP}/nowhere, which answers 404" in result.summary


def test_an_old_url_landing_elsewhere_fails(sprint):
    result = run_check(CHECK, sprint, f"http://{ZONE}/join -> {APP}/welcome")
    assert result.status is Status.FAIL
    assert f"ends at {APP}/join (200), not at {APP}/welcome" in result.summary


def test_no_declared_redirects_is_a_skip_saying_so(sprint):
    bare = dataclasses.replace(sprint, site=Site(apex=ZONE))
    check = next(c for c in all_checks() if c.id == CHECK)
    [target] = check.targets(bare)
    result = run_check(CHECK, bare, target)
    assert result.status is Status.SKIP
    assert result.summary == "no old URLs declared in [site].redirects: nothing to check"


def test_an_unreachable_old_url_is_an_error(hostile):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sprint = hostile(redirect("200 OK", lambda h, p: "/"))
    closed = dict(sprint.network.connect_to)
    closed[("one.test", 80)] = ("127.0.0.1", port)
    unreachable = dataclasses.replace(
        sprint, network=dataclasses.replace(sprint.network, connect_to=closed)
    )
    result = run_check(CHECK, unreachable, "http://one.test/a -> http://one.test/b")
    assert_could_not_check(result, "cannot connect")


def test_more_than_three_hops_warns(hostile):
    def location(host, path):
        n = int(path.strip("/"))
        return f"/{n + 1}"

    async def route(host, path, writer):
        if path == "/4":
            writer.write(response("200 OK", [], b"page"))
        else:
            writer.write(response("301 Moved Permanently", [("Location", location(host, path))]))

    result = run_check(CHECK, hostile(route), "http://one.test/0 -> http://one.test/4")
    assert result.status is Status.WARN
    assert "in 4 redirects (more than 3)" in result.summary
    assert len(result.evidence["hops"]) == 5


def test_a_50_hop_chain_stops_at_the_hop_limit(hostile):
    def location(host, path):
        return f"/{int(path.strip('/')) + 1}"

    sprint = hostile(redirect("301 Moved Permanently", location))
    started = time.monotonic()
    result = run_check(CHECK, sprint, "http://one.test/0 -> http://one.test/50")
    assert result.status is Status.FAIL
    assert "more than 10 redirects" in result.summary
    assert len(result.evidence["hops"]) == 12  # 11 hops, then why it stopped
    assert time.monotonic() - started < 10


def test_a_loop_between_two_hosts_fails(hostile):
    def location(host, path):
        return "http://two.test/" if host == "one.test" else "http://one.test/"

    sprint = hostile(redirect("308 Permanent Redirect", location))
    result = run_check(CHECK, sprint, "http://one.test/ -> http://three.test/")
    assert result.status is Status.FAIL
    assert "redirect loop: http://one.test/ was already visited" in result.summary


def test_a_relative_location_is_followed(hostile):
    async def route(host, path, writer):
        if path == "/old/page":
            writer.write(response("301 Moved Permanently", [("Location", "../new")]))
        else:
            writer.write(response("200 OK", [], b"page"))

    result = run_check(CHECK, hostile(route), "http://one.test/old/page -> http://one.test/new")
    assert result.status is Status.PASS, result.summary
    assert result.evidence["hops"][0] == "301 http://one.test/old/page -> ../new"


def test_a_malformed_location_fails(hostile):
    sprint = hostile(redirect("301 Moved Permanently", lambda h, p: "http://[::1"))
    result = run_check(CHECK, sprint, "http://one.test/ -> http://one.test/new")
    assert result.status is Status.FAIL
    assert "unusable Location 'http://[::1'" in result.summary


def test_a_1_gb_page_is_read_only_up_to_the_cap(hostile):
    async def route(host, path, writer):
        gigabyte = 1 << 30
        writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {gigabyte}\r\n\r\n".encode())
        chunk = b"x" * 65536
        for _ in range(gigabyte // len(chunk)):
            writer.write(chunk)
            await writer.drain()  # raises once the client has hung up

    started = time.monotonic()
    result = run_check(CHECK, hostile(route), "http://one.test/big -> http://one.test/big")
    assert result.status is Status.PASS, result.summary
    assert time.monotonic() - started < 30  # a gigabyte would take far longer to read
