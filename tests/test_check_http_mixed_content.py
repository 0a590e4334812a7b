"""http.mixed-content against the lab and hostile TLS servers: pass, warn, fail and error."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
import time

import pytest
from check_helpers import assert_could_not_check, https_site, lab_sprint, run_check
from lab_fixtures import ZONE
from servers import read_request

from launchtui.checks.registry import all_checks
from launchtui.model.results import Status
from launchtui.net.timeouts import Timeouts

pytest_plugins = ["lab_fixtures"]

CHECK = "http.mixed-content"
APP = f"https://app.{ZONE}"
HOSTILE_HOST = "page.example.test"


@pytest.fixture(scope="module")
def sprint(lab, tmp_path_factory):
    return lab_sprint(lab, tmp_path_factory.mktemp("mixed"))


@pytest.fixture
def hostile(sprint, tmp_path):
    """serve(route) -> a sprint whose https://page.example.test/ reaches that TLS server."""
    with https_site(sprint, tmp_path, HOSTILE_HOST) as serve_handler:

        def serve(route):
            async def handler(reader, writer):
                await read_request(reader)
                with contextlib.suppress(ConnectionError, OSError):  # the client hung up
                    await route(writer)
                writer.close()

            return serve_handler(handler)

        yield serve


def test_targets_are_the_key_flows_the_canonical_home_and_each_hostname(sprint):
    check = next(c for c in all_checks() if c.id == CHECK)
    targets = [t.text for t in check.targets(sprint)]
    assert targets[:5] == [
        f"{APP}/login",
        f"{APP}/join",
        f"{APP}/invite/demo",
        f"{APP}/checkout",
        f"{APP}/",
    ]
    assert f"https://{ZONE}/" in targets and f"https://signup.{ZONE}/" in targets
    assert len(targets) == len(set(targets))


@pytest.mark.parametrize("url", [f"{APP}/join", f"{APP}/", f"https://{ZONE}/"])
def test_healthy_pages_pass(sprint, url):
    result = run_check(CHECK, sprint, url)
    assert result.status is Status.PASS, result.summary
    assert result.evidence["active"] == [] and result.evidence["passive"] == []


def test_the_apex_is_judged_on_the_page_its_redirect_lands_on(sprint):
    result = run_check(CHECK, sprint, f"https://{ZONE}/")
    assert result.evidence["final_url"] == f"{APP}/"
    assert result.evidence["hops"][0] == f"301 https://{ZONE}/ -> {APP}/"
    assert result.evidence["resources_checked"] == 2  # app.css and app.js


def test_an_http_script_and_form_action_fail_with_each_tag_literally(sprint):
    result = run_check(CHECK, sprint, f"https://signup.{ZONE}/")
    assert result.status is Status.FAIL
    assert result.evidence["active"] == [
        f"<script src=http://cdn.{ZONE}/widget.js>",
        f"<form action=http://signup.{ZONE}/join>",
    ]
    assert "2 active resource(s)" in result.summary
    assert f"<form action=http://signup.{ZONE}/join>" in result.fix
    assert "upgrade-insecure-requests" in result.fix


def test_passive_mixed_content_only_warns(sprint):
    result = run_check(CHECK, sprint, f"https://passive.{ZONE}/")
    assert result.status is Status.WARN, result.summary
    assert result.evidence["passive"] == [
        f"<img src=http://cdn.{ZONE}/a.png>",
        "<video src=http://v>",
    ]
    assert result.evidence["active"] == []


def test_hostile_markup_in_a_url_is_kept_literally(sprint):
    result = run_check(CHECK, sprint, f"https://markup.{ZONE}/")
    assert result.status is Status.FAIL
    assert result.evidence["active"] == ["<script src=http://x.test/[bold]a[/bold]\x1b[31m.js>"]


def test_a_page_ending_on_plain_http_fails(sprint):
    result = run_check(CHECK, sprint, f"https://events.{ZONE}/")
    assert result.status is Status.FAIL
    assert f"plain-HTTP page: http://events.{ZONE}/calendar" in result.summary


def test_a_missing_page_is_an_error_not_a_pass(sprint):
    result = run_check(CHECK, sprint, f"{APP}/no-such-page")
    assert_could_not_check(result, "answered 404")


def test_a_refused_connection_is_an_error(sprint):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    network = dataclasses.replace(
        sprint.network, connect_to={(f"app.{ZONE}", 443): ("127.0.0.1", port)}
    )
    result = run_check(CHECK, dataclasses.replace(sprint, network=network), f"{APP}/join")
    assert_could_not_check(result, "cannot connect")
    assert result.summary.startswith(f"could not check: GET {APP}/join: cannot connect")


def test_a_server_that_never_answers_is_an_error_within_the_budget(hostile):
    async def route(writer):
        await asyncio.sleep(30)

    started = time.monotonic()
    result = run_check(CHECK, hostile(route), f"https://{HOSTILE_HOST}/", Timeouts.uniform(1.0))
    assert_could_not_check(result, "timed out (waiting for data)")
    assert time.monotonic() - started < 10


def test_a_1_gb_page_is_read_only_up_to_the_cap_and_the_truncation_is_noted(hostile):
    async def route(writer):
        gigabyte = 1 << 30
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {gigabyte}\r\n\r\n"
        writer.write(head.encode())
        writer.write(b'<script src="http://early.test/a.js"></script>')
        chunk = b"<div>" * 13_000
        for _ in range(gigabyte // len(chunk)):
            writer.write(chunk)
            await writer.drain()

    started = time.monotonic()
    result = run_check(CHECK, hostile(route), f"https://{HOSTILE_HOST}/")
    assert time.monotonic() - started < 30
    assert result.status is Status.FAIL, result.summary
    assert result.evidence["truncated"] is True
    assert result.evidence["body_bytes"] == 2 * 1024 * 1024
    assert "only the first 2097152 bytes" in result.evidence["note"]
    assert result.evidence["active"] == ["<script src=http://early.test/a.js>"]
