"""Lab fixtures and clients for tests: labs on ephemeral loopback ports in tmp dirs.

Use from a test module with `pytest_plugins = ["lab_fixtures"]`:
- `lab`: one session-wide lab serving the demo plus a host for every fault (read-only: never
  change it); `start_lab(config)`: a lab of your own, stopped after the test.
- `dns_query`, `tls_connect`, `https_request`, `http_request`: small real clients.

PYTEST_DONT_REWRITE: test modules import these helpers before pytest loads this module as a
plugin, and it has no asserts to rewrite.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dns.message
import dns.query
import h11
import pytest

from launchtui.lab import HostSpec, Lab, LabConfig, LabThread, demo_config
from launchtui.lab.config import Route, demo_hosts
from launchtui.lab.demo_spf import demo_txt

ZONE = "harborclub.test"
HOSTILE_TEXT = '[bold red]pwned[/] \x1b[31mred\x1b[0m "quoted" \\back\\slash ünïcode'
HOSTILE_ORG = "[link=https://evil.test]Harbor[/link] \\[escaped] \x1b]8;;x\x07"
BIG_TXT = [f"record-{n:02d}-" + "x" * 120 for n in range(8)]  # > 512 bytes in all
DISAGREEING_RESOLVER = 1  # its app.harborclub.test answers 127.0.0.2


HSTS = "Strict-Transport-Security"


def _moved(location: str, status: int = 301) -> Route:
    return Route(status, {"Location": location})


def fault_config(**overrides: Any) -> LabConfig:
    """The demo plus one host per fault the lab can play, on ephemeral ports."""
    hosts = [
        *demo_hosts(),
        HostSpec(f"drop.{ZONE}", dns="drop"),
        HostSpec(f"self.{ZONE}", cert="self-signed"),
        HostSpec(f"future.{ZONE}", cert="not-yet-valid"),
        HostSpec(f"slow.{ZONE}", tls="stall"),
        HostSpec(f"dual.{ZONE}", addresses=["127.0.0.1", "::1"], cert_organization=HOSTILE_ORG),
        HostSpec(f"chain.{ZONE}", cname=f"www.{ZONE}"),
        HostSpec(f"dangling.{ZONE}", cname="gone.example.net"),
        HostSpec(f"broken.{ZONE}", cname=f"missing.{ZONE}"),
        HostSpec(f"plain.{ZONE}", https=False),
        HostSpec(f"half.{ZONE}", dns="servfail-aaaa"),
        HostSpec(f"soon.{ZONE}", cert="expiring:3"),
        HostSpec(f"month.{ZONE}", cert="expiring:20"),
        HostSpec(f"evil.{ZONE}", cert="expired", cert_organization=HOSTILE_ORG),
        # Redirect and HSTS variants (http.https-redirect, http.canonical, http.hsts).
        HostSpec(
            f"temporary.{ZONE}",
            http_routes={"/": _moved(f"https://temporary.{ZONE}/", 302)},
            routes={"/": _moved(f"https://app.{ZONE}/", 302)},
        ),
        HostSpec(
            f"away.{ZONE}",
            http_routes={"/": _moved(f"https://app.{ZONE}/")},
            routes={"/": _moved(f"https://app.{ZONE}/nowhere")},
        ),
        HostSpec(
            f"stays.{ZONE}",
            http_routes={"/": _moved(f"http://app.{ZONE}/")},
            routes={"/": Route(404, body="Not found.")},
        ),
        HostSpec(f"hsts-twice.{ZONE}", headers={HSTS: "max-age=31536000; max-age=1"}),
        HostSpec(f"hsts-off.{ZONE}", headers={HSTS: "max-age=0"}),
        HostSpec(f"preload.{ZONE}", headers={HSTS: "max-age=63072000; includeSubDomains; preload"}),
        # Page content and cache variants (http.mixed-content, http.security-headers,
        # edge.static-cache).
        HostSpec(
            f"passive.{ZONE}",
            routes={"/": Route(body=f'<img src="http://cdn.{ZONE}/a.png"><video src=http://v>')},
        ),
        HostSpec(
            f"markup.{ZONE}",
            routes={"/": Route(body='<script src="http://x.test/[bold]a[/bold]\x1b[31m.js">')},
        ),
        HostSpec(
            f"nocsp.{ZONE}",
            headers={"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"},
        ),
        HostSpec(
            f"csp-only.{ZONE}",
            headers={
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'self'; frame-ancestors 'self'",
                "Referrer-Policy": "no-referrer",
            },
        ),
        HostSpec(
            f"caching.{ZONE}",
            routes={
                "/": Route(
                    body='<link rel=stylesheet href="/static/app.css"><img src="/gone.png">'
                ),
                "/static/app.css": Route(headers={"Cache-Control": "max-age=60"}),
                "/public": Route(headers={"Cache-Control": "public, max-age=600"}),
                "/max-age": Route(headers={"Cache-Control": "max-age=600"}),
                "/bare": Route(),
                "/no-cache": Route(headers={"Cache-Control": "no-cache"}),
            },
        ),
    ]
    settings: dict[str, Any] = {
        "base_port": 0,
        "hosts": hosts,
        "txt": {
            **demo_txt(),
            f"hostile.{ZONE}": [HOSTILE_TEXT],
            f"big.{ZONE}": BIG_TXT,
        },
        "ca_name": "[b]Harbor Club[/b] Lab CA",
        # Only Let's Encrypt: the lab CA (with this name, unknown to dns.caa) is not allowed.
        "caa": {ZONE: ['0 issue "letsencrypt.org"']},
        "resolver_overrides": {
            DISAGREEING_RESOLVER: [HostSpec(f"app.{ZONE}", addresses=["127.0.0.2"], app=True)]
        },
    }
    return demo_config(**{**settings, **overrides})


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with LabThread(fault_config(), tmp_path_factory.mktemp("lab")) as started:
        yield started


@pytest.fixture
def start_lab(tmp_path: Path) -> Iterator[Callable[[LabConfig], Lab]]:
    """Start a lab from a config (ports are made ephemeral); stopped after the test."""
    numbers = itertools.count()
    with contextlib.ExitStack() as stack:

        def start(config: LabConfig) -> Lab:
            config = dataclasses.replace(
                config, dns_port=0, https_port=0, http_port=0, smtp_port=0, imap_port=0
            )
            workdir = tmp_path / f"lab{next(numbers)}"
            return stack.enter_context(LabThread(config, workdir))

        yield start


def dns_query(
    address: tuple[str, int],
    name: str,
    rdtype: str = "A",
    *,
    tcp: bool = False,
    edns: bool = True,
    timeout: float = 2.0,
) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype, use_edns=0 if edns else False)
    host, port = address
    if tcp:
        return dns.query.tcp(query, host, port=port, timeout=timeout)
    return dns.query.udp(query, host, port=port, timeout=timeout)


def client_context(lab: Lab) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(lab.ca_path))


@contextlib.contextmanager
def tls_connect(
    lab: Lab, server_name: str | None, *, verify: bool = True, timeout: float = 3.0
) -> Iterator[ssl.SSLSocket]:
    """A TLS connection to the lab's HTTPS port with this SNI (None: no SNI)."""
    context = client_context(lab)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection(lab.https_address, timeout=timeout) as raw,
        context.wrap_socket(raw, server_hostname=server_name) as tls,
    ):
        yield tls


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names; repeats joined
    body: bytes = b""


def exchange(
    sock: socket.socket,
    host: str,
    path: str,
    method: str = "GET",
    *,
    close: bool = True,
    body: bytes | None = None,
) -> HttpResponse:
    """Send one request on `sock` (with a JSON `body` when given) and read its response
    with h11."""
    conn = h11.Connection(h11.CLIENT)
    headers = [("Host", host), ("Connection", "close" if close else "keep-alive")]
    if body is not None:
        headers += [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    data = conn.send(h11.Request(method=method, target=path, headers=headers)) or b""
    if body is not None:
        data += conn.send(h11.Data(data=body)) or b""
    sock.sendall(data + (conn.send(h11.EndOfMessage()) or b""))
    response = HttpResponse(0)
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(sock.recv(65536))
        elif isinstance(event, h11.Response):
            response.status = event.status_code
            for name, value in event.headers:
                key = name.decode()
                joined = response.headers.get(key)
                text = value.decode("latin-1")
                response.headers[key] = f"{joined}, {text}" if joined else text
        elif isinstance(event, h11.Data):
            response.body += event.data
        elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
            return response


def https_request(lab: Lab, host: str, path: str = "/", method: str = "GET") -> HttpResponse:
    with tls_connect(lab, host) as tls:
        return exchange(tls, host, path, method)


def http_request(lab: Lab, host: str, path: str = "/", method: str = "GET") -> HttpResponse:
    with socket.create_connection(lab.http_address, timeout=3.0) as sock:
        return exchange(sock, host, path, method)
