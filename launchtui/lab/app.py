"""What each lab site answers: the Harbor Club pages and API, and the HTTP-to-HTTPS redirect.

Pure functions from (site, method, target) to a Reply; web.py does the sockets and timing.
"""

from __future__ import annotations

import html
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from launchtui.lab.config import (
    THIRD_PARTY_HOST,
    WIDGET_PATH,
    HealthSpec,
    HostSpec,
    LabConfig,
    Route,
)

COMMUNITY = "Harbor Club"
HTML = "text/html; charset=utf-8"
JSON = "application/json"
READ_METHODS = ("GET", "HEAD")
HEALTH_PATH = "/api/health"

POSTS = [
    {"id": 1, "title": "Welcome aboard: start here", "author": "Mara", "replies": 14},
    {"id": 2, "title": "Tuesday sail-in: who is coming?", "author": "Jonas", "replies": 6},
    {"id": 3, "title": "Members-only: the spring regatta route", "author": "Ines", "replies": 3},
]


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = HTML
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0  # extra seconds before this reply is sent


def _page(site: HostSpec, title: str, body: str) -> bytes:
    return page(site.name, title, body)


def page(site_name: str, title: str, body: str) -> bytes:
    """A Harbor Club HTML page served by the host `site_name`."""
    return (
        "<!doctype html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{title} · {COMMUNITY}</title></head>\n'
        f"<body><header>{COMMUNITY} · {html.escape(site_name)}</header>\n<main>{body}</main></body>"
        "</html>\n"
    ).encode()


def _login(site: HostSpec) -> Reply:
    form = (
        "<h1>Sign in</h1>"
        '<form method="post" action="/login">'
        '<label>Email <input type="email" name="email" autocomplete="username"></label>'
        '<label>Password <input type="password" name="password"></label>'
        '<button type="submit">Sign in</button></form>'
    )
    cookie = f"session={secrets.token_hex(16)}; Path=/; Secure; HttpOnly; SameSite=Lax"
    return Reply(200, _page(site, "Sign in", form), headers=[("Set-Cookie", cookie)])


JOIN_SCRIPT = "/assets/join.js"
# The join page's own script asks for the same posts three times, one after the other (three
# widgets each fetching what they show): perf.page finds the repeated call.
_JOIN_JS = (
    b"(async function(){for(var i=0;i<3;i++){var r=await fetch('/api/posts',"
    b"{credentials:'same-origin'});await r.json();}window.joinReady=true;})();\n"
)


def _join(site: HostSpec) -> Reply:
    """The join page: a third party's widget script in <head> without async or defer
    (render-blocking), and its own deferred script fetching /api/posts three times."""
    head = (
        f'<script src="https://{THIRD_PARTY_HOST}{WIDGET_PATH}"></script>'
        f'<script src="{JOIN_SCRIPT}" defer></script>'
    )
    body = "<h1>Join Harbor Club</h1><p>$12 a month.</p>"
    page = (
        "<!doctype html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>Join · {COMMUNITY}</title>{head}'
        f"</head>\n<body><header>{COMMUNITY} · {html.escape(site.name)}</header>\n"
        f"<main>{body}</main></body></html>\n"
    ).encode()
    csp = (
        f"default-src 'self'; script-src 'self' https://{THIRD_PARTY_HOST}; frame-ancestors 'none'"
    )
    return Reply(200, page, headers=[("Content-Security-Policy", csp)])


def _json(value: object, cache_control: str) -> Reply:
    body = json.dumps(value).encode()
    return Reply(200, body, JSON, headers=[("Cache-Control", cache_control)])


def _app_route(site: HostSpec, path: str) -> Reply | None:
    if path == "/login":
        return _login(site)
    if path == "/join":
        return _join(site)
    if path == JOIN_SCRIPT:
        return Reply(200, _JOIN_JS, "text/javascript", [("Cache-Control", "no-cache")])
    if path == "/invite/demo":
        invite = "<h1>You are invited</h1><p>Mara invited you to Harbor Club.</p>"
        return Reply(200, _page(site, "Invitation", invite))
    if path == "/checkout":
        return Reply(200, _page(site, "Checkout", "<h1>Checkout</h1><p>Membership: $12.</p>"))
    if path == "/api/posts":
        return _json(POSTS, "private, no-store")  # member-only: never in a shared cache
    if path == HEALTH_PATH:
        return _json({"status": "ok"}, "no-store")
    return None


def health_report(health: HealthSpec, now: datetime | None = None) -> dict[str, object]:
    """launchtui's suggested health shape, heartbeats counted back from `now`."""
    now = now or datetime.now(UTC)
    report: dict[str, object] = {"status": health.status}
    if health.version:
        report["version"] = health.version
    if health.commit:
        report["commit"] = health.commit
    if health.checks:
        report["checks"] = {name: {"status": status} for name, status in health.checks.items()}
    if health.workers:
        report["workers"] = [
            {
                "name": name,
                "last_heartbeat": (now - timedelta(seconds=age)).isoformat(timespec="seconds"),
            }
            for name, age in health.workers.items()
        ]
    return report


def _home(site: HostSpec) -> Reply:
    body = f"<h1>{COMMUNITY}</h1><p>The community for people who love the water.</p>"
    return Reply(200, _page(site, "Home", body))


def _text(status: int, message: str) -> Reply:
    return Reply(status, (message + "\n").encode(), "text/plain; charset=utf-8")


def site_reply(site: HostSpec | None, config: LabConfig, method: str, target: str) -> Reply:
    """The HTTPS answer of `site` (None: the TLS name matched no site) to one request."""
    if site is None:
        return _text(421, "Misdirected request: this server has no site for that name.")
    if method not in READ_METHODS:
        reply = _text(405, "Method not allowed.")
        reply.headers.append(("Allow", ", ".join(READ_METHODS)))
        return reply
    path = target.split("?", 1)[0]
    if path in site.routes:
        reply = _fixed(site.routes[path])
    elif path == HEALTH_PATH and site.health is not None:
        reply = _json(health_report(site.health), "no-store")
    else:
        routed = _home(site) if path == "/" else _app_route(site, path) if site.app else None
        reply = routed or _text(404, "Not found.")
    return dressed(site, config, path, reply)


def dressed(site: HostSpec, config: LabConfig, path: str, reply: Reply) -> Reply:
    """`reply` with the host's headers and the path's configured latency."""
    reply.headers = _merged(site.headers, reply.headers)
    reply.delay = config.latency.get(path, 0.0)
    profile = config.latency_profiles.get(path)
    if profile is not None:
        reply.delay += profile.next()
    return reply


def _fixed(route: Route) -> Reply:
    return Reply(route.status, route.body.encode(), route.content_type, list(route.headers.items()))


def _merged(host: dict[str, str], own: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The host's headers, except those the reply sets itself, then the reply's."""
    overridden = {name.lower() for name, _ in own}
    return [(k, v) for k, v in host.items() if k.lower() not in overridden] + own


def redirect_reply(site: HostSpec | None, target: str) -> Reply:
    """The plain-HTTP answer: a permanent redirect to the same URL over HTTPS."""
    if site is None or not site.http:
        return _text(404, "No site for this host.")
    path = target if target.startswith("/") else "/"  # absolute-form or "*" targets
    route = site.http_routes.get(path.split("?", 1)[0])
    if route is not None:
        return _fixed(route)
    location = f"https://{site.name}{path}"
    return Reply(301, b"", headers=[("Location", location)])
