"""http.https-redirect against the lab and hostile servers: pass, warn, fail and error."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import time

import pytest
from check_helpers import assert_could_not_check, lab_sprint, run_check
from lab_fixtures import ZONE
from servers import read_request, server_thread

from launchtui.model.results import Status
from launchtui.net.timeouts import Timeouts

pytest_plugins = ["lab_fixtures"]
CHECK = "http.https-redirect"


@pytest.fixture(scope="module")
def sprint(lab, tmp_path_factory):
    return lab_sprint(lab, tmp_path_factory.mktemp("https-redirect"))


def on_port(sprint, host, port):
    connect_to = dict(sprint.network.connect_to)
    connect_to[(host, 80)] = ("127.0.0.1", port)
    return dataclasses.replace(
        sprint, network=dataclasses.replace(sprint.network, connect_to=connect_to)
    )


def test_a_permanent_first_hop_to_https_on_the_same_host_passes(sprint):
    result = run_check(CHECK, sprint, f"app.{ZONE}")
    assert result.status is Status.PASS, result.summary
    assert (
        result.summary == f"http://app.{ZONE}/ redirects permanently (301) to https://app.{ZONE}/"
    )
    assert result.evidence["hops"] == [
        f"301 http://app.{ZONE}/ -> https://app.{ZONE}/",
        f"200 https://app.{ZONE}/",
    ]
    assert result.evidence["final_url"] == f"https://app.{ZONE}/"


def test_the_apex_passes_although_https_then_moves_to_the_canonical_host(sprint):
    result = run_check(CHECK, sprint, ZONE)
    assert result.status is Status.PASS
    assert len(result.evidence["hops"]) == 3


def test_serving_the_page_over_plain_http_fails(sprint):
    result = run_check(CHECK, sprint, f"news.{ZONE}")
    assert result.status is Status.FAIL
    assert "answers 200 over plain HTTP" in result.summary
    assert result.evidence["hops"] == [f"200 http://news.{ZONE}/"]
    assert "return 301 https://$host$request_uri;" in result.fix


def test_a_chain_that_drops_back_to_http_fails(sprint):
    result = run_check(CHECK, sprint, f"events.{ZONE}")
    assert result.status is Status.FAIL
    assert f"drops back to http://events.{ZONE}/calendar" in result.summary
    assert len(result.evidence["hops"]) == 3


def test_a_first_hop_that_stays_on_http_fails(sprint):
    result = run_check(CHECK, sprint, f"stays.{ZONE}")
    assert result.status is Status.FAIL
    assert f"redirects to http://app.{ZONE}/: still plain HTTP" in result.summary


def test_a_temporary_redirect_warns(sprint):
    result = run_check(CHECK, sprint, f"temporary.{ZONE}")
    assert result.status is Status.WARN
    assert "temporary 302" in result.summary


def test_a_first_hop_to_https_on_another_host_warns(sprint):
    result = run_check(CHECK, sprint, f"away.{ZONE}")
    assert result.status is Status.WARN
    assert f"straight to another host (https://app.{ZONE}/)" in result.summary
    assert "HSTS" in result.fix


def test_a_broken_https_side_is_an_error_not_a_pass(sprint):
    result = run_check(CHECK, sprint, f"community.{ZONE}")
    assert_could_not_check(result, "certificate has expired")
    assert result.evidence["hops"][0].startswith("301 ")


def test_a_refused_http_port_is_an_error(sprint):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_check(CHECK, on_port(sprint, f"app.{ZONE}", port), f"app.{ZONE}")
    assert_could_not_check(result, "cannot connect")


def test_headers_sent_one_byte_a_second_end_in_an_error_within_the_budget(sprint):
    async def trickle(reader, writer):
        await read_request(reader)
        for byte in b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://app.harborclub.test/":
            writer.write(bytes([byte]))
            await writer.drain()
            # Under the 1 s read timeout, so only the whole-exchange limit can end it.
            await asyncio.sleep(0.4)

    with server_thread() as thread:
        port = thread.serve(trickle)
        started = time.monotonic()
        result = run_check(
            CHECK, on_port(sprint, f"app.{ZONE}", port), f"app.{ZONE}", Timeouts.uniform(1.0)
        )
    assert_could_not_check(result, "no complete response within 2 s")
    assert result.summary.endswith(f"GET http://app.{ZONE}/: no complete response within 2 s")
    assert time.monotonic() - started < 15  # bounded by the 2 s limit, not by the trickle
