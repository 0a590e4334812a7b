"""The lab's web servers: platform endpoints over HTTPS, redirects over plain HTTP, delays."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable

import pytest
from lab_fixtures import ZONE, dns_query, exchange, http_request, https_request, tls_connect

from launchtui.lab import HostSpec, Lab, LabConfig, Route

pytest_plugins = ["lab_fixtures"]

APP = f"app.{ZONE}"


@pytest.mark.parametrize("path", ["/", "/login", "/join", "/invite/demo", "/checkout"])
def test_app_pages_are_html(lab: Lab, path: str) -> None:
    response = https_request(lab, APP, path)
    assert response.status == 200
    assert response.headers["server"] == "harborclub-lab"
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert int(response.headers["content-length"]) == len(response.body)
    assert b"Harbor Club" in response.body


def test_login_sets_a_secure_session_cookie_and_shows_a_form(lab: Lab) -> None:
    response = https_request(lab, APP, "/login")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("session=")
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= {part.strip() for part in cookie.split(";")}
    assert b'<form method="post" action="/login">' in response.body


def test_posts_are_private_json(lab: Lab) -> None:
    response = https_request(lab, APP, "/api/posts")
    assert response.status == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "private, no-store"
    posts = json.loads(response.body)
    assert isinstance(posts, list)
    assert posts


def test_health_is_ok(lab: Lab) -> None:
    response = https_request(lab, APP, "/api/health?probe=1")
    assert response.status == 200
    report = json.loads(response.body)  # launchtui's suggested shape (deploy.health)
    assert (report["status"], report["version"], report["commit"]) == ("ok", "2.4.1", "7c1e9a2")
    assert [w["name"] for w in report["workers"]] == ["mailer", "scheduler"]


def test_head_has_headers_but_no_body(lab: Lab) -> None:
    response = https_request(lab, APP, "/api/health", method="HEAD")
    assert response.status == 200
    assert response.body == b""
    assert int(response.headers["content-length"]) > 0


@pytest.mark.parametrize(
    ("host", "path", "status"),
    [
        (APP, "/nope", 404),
        (f"status.{ZONE}", "/", 200),  # every HTTPS host has a homepage...
        (ZONE, "/login", 404),  # ...but only app hosts serve the platform
        (f"status.{ZONE}", "/api/health", 404),
    ],
)
def test_routes_by_host_and_path(lab: Lab, host: str, path: str, status: int) -> None:
    assert https_request(lab, host, path).status == status


def test_other_methods_are_not_allowed(lab: Lab) -> None:
    response = https_request(lab, APP, "/login", method="DELETE")
    assert response.status == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_the_sni_decides_the_site_not_the_host_header(lab: Lab) -> None:
    with tls_connect(lab, APP) as tls:
        response = exchange(tls, ZONE, "/api/health")  # Host: the apex, which has no API
    assert response.status == 200


def test_unknown_sni_is_misdirected(lab: Lab) -> None:
    with tls_connect(lab, f"nowhere.{ZONE}", verify=False) as tls:
        assert exchange(tls, f"nowhere.{ZONE}", "/").status == 421


def test_keep_alive_serves_several_requests_on_one_connection(lab: Lab) -> None:
    with tls_connect(lab, APP) as tls:
        first = exchange(tls, APP, "/api/health", close=False)
        second = exchange(tls, APP, "/join", close=False)
        last = exchange(tls, APP, "/api/posts")
    assert [first.status, second.status, last.status] == [200, 200, 200]
    assert last.headers["connection"] == "close"


def test_plain_http_redirects_to_https_same_host_and_path(lab: Lab) -> None:
    response = http_request(lab, f"www.{ZONE}:80", "/join?ref=mail")
    assert response.status == 301
    assert response.headers["location"] == f"https://www.{ZONE}/join?ref=mail"
    assert response.headers["server"] == "harborclub-lab"


@pytest.mark.parametrize("host", [f"nowhere.{ZONE}", f"shop.{ZONE}"])
def test_plain_http_for_a_host_without_an_http_site_is_404(lab: Lab, host: str) -> None:
    assert http_request(lab, host).status == 404


def test_plain_http_only_host_has_no_https_site(lab: Lab) -> None:
    assert http_request(lab, f"plain.{ZONE}").status == 301
    with tls_connect(lab, f"plain.{ZONE}", verify=False) as tls:
        assert exchange(tls, f"plain.{ZONE}", "/").status == 421


def test_malformed_request_gets_400_and_the_server_lives_on(lab: Lab) -> None:
    with socket.create_connection(lab.http_address, timeout=3) as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 400 ")
    assert http_request(lab, APP).status == 301


def test_per_path_latency(lab: Lab) -> None:
    def timed(path: str) -> float:
        started = time.monotonic()
        assert https_request(lab, APP, path).status == 200
        return time.monotonic() - started

    assert timed("/login") >= 0.12
    assert timed("/api/posts") >= 0.08
    assert timed("/api/health") < 0.08


def test_injected_delays(start_lab: Callable[[LabConfig], Lab]) -> None:
    delay = 0.15
    config = LabConfig(
        hosts=[HostSpec(APP, app=True)],
        latency={},
        dns_delay=delay,
        tls_delay=delay,
        http_delay=delay,
    )
    lab = start_lab(config)

    started = time.monotonic()
    dns_query(lab.dns_address, APP)
    assert time.monotonic() - started >= delay

    started = time.monotonic()
    with tls_connect(lab, APP) as tls:
        handshake = time.monotonic() - started
        exchange(tls, APP, "/api/health")
        total = time.monotonic() - started
    assert handshake >= delay
    assert total >= 2 * delay

    started = time.monotonic()
    http_request(lab, APP)
    assert time.monotonic() - started >= delay


def test_routes_override_pages_and_host_headers_apply_to_every_response(
    start_lab: Callable[[LabConfig], Lab],
) -> None:
    host = HostSpec(
        f"routed.{ZONE}",
        headers={"Strict-Transport-Security": "max-age=60", "X-Extra": "1"},
        routes={
            "/old": Route(301, {"Location": f"https://routed.{ZONE}/new"}),
            "/page": Route(200, {"X-Extra": "2"}, "<p>fixed</p>"),
        },
        http_routes={"/insecure": Route(200, body="served over plain http")},
    )
    lab = start_lab(LabConfig(hosts=[host], txt={}, mx={}, caa={}))
    moved = https_request(lab, host.name, "/old")
    assert moved.status == 301 and moved.headers["location"] == f"https://routed.{ZONE}/new"
    assert moved.headers["strict-transport-security"] == "max-age=60"
    page = https_request(lab, host.name, "/page")
    assert page.body == b"<p>fixed</p>" and page.headers["x-extra"] == "2"
    home = https_request(lab, host.name, "/")
    assert home.status == 200 and home.headers["x-extra"] == "1"
    assert http_request(lab, host.name, "/insecure").body == b"served over plain http"
    assert http_request(lab, host.name, "/other").status == 301


def test_hosts_send_hardened_headers_by_default(lab: Lab) -> None:
    headers = https_request(lab, f"app.{ZONE}", "/login").headers
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert headers["x-content-type-options"] == "nosniff"
