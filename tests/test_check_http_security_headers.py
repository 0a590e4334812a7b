"""http.security-headers against the lab and a hostile TLS server: pass, warn, fail, error."""

from __future__ import annotations

import contextlib
import dataclasses
import socket

import pytest
from check_helpers import https_site, lab_sprint, run_check
from lab_fixtures import ZONE
from servers import read_request

from launchtui.checks.http_security_headers import parse_set_cookie
from launchtui.checks.model import Status
from launchtui.checks.registry import all_checks

pytest_plugins = ["lab_fixtures"]

CHECK = "http.security-headers"
APP = f"https://app.{ZONE}"
HOSTILE_HOST = "headers.example.test"


@pytest.fixture(scope="module")
def sprint(lab, tmp_path_factory):
    return lab_sprint(lab, tmp_path_factory.mktemp("headers"))


@pytest.fixture
def raw_server(sprint, tmp_path):
    """serve(head) -> a sprint whose https://headers.example.test/ answers `head` verbatim."""
    with https_site(sprint, tmp_path, HOSTILE_HOST) as serve_handler:

        def serve(head: bytes):
            async def handler(reader, writer):
                await read_request(reader)
                with contextlib.suppress(ConnectionError, OSError):
                    writer.write(head + b"Content-Length: 2\r\nConnection: close\r\n\r\nok")
                    await writer.drain()
                writer.close()

            return serve_handler(handler)

        yield serve


def test_targets_are_the_canonical_home_the_login_flow_and_each_hostname(sprint):
    check = next(c for c in all_checks() if c.id == CHECK)
    targets = check.targets(sprint)
    assert targets[:2] == [f"{APP}/login", f"{APP}/"]
    assert f"https://bare.{ZONE}/" in targets
    assert len(targets) == len(set(targets))


def test_the_login_page_with_hardened_headers_and_flagged_cookie_passes(sprint):
    result = run_check(CHECK, sprint, f"{APP}/login")
    assert result.status is Status.PASS, result.summary
    headers = result.evidence["headers"]
    assert headers["x-frame-options"] == ["DENY"]
    assert headers["content-security-policy"] == ["default-src 'self'; frame-ancestors 'none'"]
    [cookie] = result.evidence["cookies"]
    assert cookie == "session=<32 chars>; Path=/; Secure; HttpOnly; SameSite=Lax"
    assert result.fix == ""


def test_csp_frame_ancestors_is_frame_protection_enough(sprint):
    result = run_check(CHECK, sprint, f"https://csp-only.{ZONE}/")
    assert result.status is Status.PASS, result.summary


def test_no_security_headers_at_all_fails(sprint):
    result = run_check(CHECK, sprint, f"https://bare.{ZONE}/")
    assert result.status is Status.FAIL
    assert result.evidence["headers"] == {}
    assert result.evidence["problems"] == [
        "no frame protection (X-Frame-Options or CSP frame-ancestors)",
        "X-Content-Type-Options is not nosniff",
        "no Content-Security-Policy",
        "no Referrer-Policy",
    ]
    assert "X-Frame-Options: DENY" in result.fix
    assert f"curl -sI --connect-to bare.{ZONE}:443:127.0.0.1:" in result.fix


def test_a_session_cookie_without_secure_and_httponly_fails(sprint):
    result = run_check(CHECK, sprint, f"https://portal.{ZONE}/")
    assert result.status is Status.FAIL
    assert result.summary.endswith("cookie session lacks Secure, HttpOnly, SameSite")
    assert result.evidence["cookies"] == ["session=<6 chars>; Path=/"]
    assert "0f3a9c" not in str(result.to_dict())  # the cookie value is a session token


def test_missing_csp_and_referrer_policy_only_warn(sprint):
    result = run_check(CHECK, sprint, f"https://nocsp.{ZONE}/")
    assert result.status is Status.WARN, result.summary
    assert result.evidence["problems"] == ["no Content-Security-Policy", "no Referrer-Policy"]


def test_hostile_header_values_are_kept_literally(raw_server):
    head = (
        b"HTTP/1.1 200 OK\r\n"
        b"X-Frame-Options: [bold]DENY[/bold]\r\n"
        b"Content-Security-Policy: default-src \xff[link=x]\r\n"
        b"Referrer-Policy: unsafe-url\r\n"
        b"Set-Cookie: id=1; [red]HttpOnly\r\n"
    )
    result = run_check(CHECK, raw_server(head), f"https://{HOSTILE_HOST}/")
    assert result.status is Status.FAIL
    headers = result.evidence["headers"]
    assert headers["x-frame-options"] == ["[bold]DENY[/bold]"]
    assert headers["content-security-policy"] == ["default-src \xff[link=x]"]
    assert result.evidence["cookies"] == ["id=<1 chars>; [red]HttpOnly"]
    assert "Referrer-Policy unsafe-url leaks full URLs to other sites" in result.summary


def test_a_missing_page_is_an_error(sprint):
    result = run_check(CHECK, sprint, f"{APP}/nothing-here")
    assert result.status is Status.ERROR
    assert "answered 404" in result.summary


def test_a_refused_connection_is_an_error(sprint):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    network = dataclasses.replace(
        sprint.network, connect_to={(f"app.{ZONE}", 443): ("127.0.0.1", port)}
    )
    result = run_check(CHECK, dataclasses.replace(sprint, network=network), f"{APP}/login")
    assert result.status is Status.ERROR
    assert "cannot connect" in result.summary


@pytest.mark.parametrize(
    ("header", "name", "attributes", "missing"),
    [
        ("a=b; Secure; HttpOnly; SameSite=Strict", "a", {"secure", "httponly", "samesite"}, []),
        ("a=b;secure;HTTPONLY", "a", {"secure", "httponly"}, ["SameSite"]),
        ('a="b;c"; Path=/', "a", {'c"', "path"}, ["Secure", "HttpOnly", "SameSite"]),
        ("=novalue", "", set(), ["Secure", "HttpOnly", "SameSite"]),
        (
            "a=b; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Secure",
            "a",
            {"expires", "secure"},
            ["HttpOnly", "SameSite"],
        ),
    ],
)
def test_set_cookie_is_split_by_hand(header, name, attributes, missing):
    cookie = parse_set_cookie(header)
    assert cookie.name == name
    assert set(cookie.attributes) == attributes
    assert cookie.missing() == missing


def test_an_escape_sequence_in_a_header_is_kept_and_is_no_protection(raw_server):
    head = b"HTTP/1.1 200 OK\r\nX-Frame-Options: \x1b[31mDENY\r\n"
    result = run_check(CHECK, raw_server(head), f"https://{HOSTILE_HOST}/")
    assert result.status is Status.FAIL
    assert result.evidence["headers"]["x-frame-options"] == ["\x1b[31mDENY"]
    assert "no frame protection" in result.summary
