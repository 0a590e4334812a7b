"""The lab app's state: two demo members with sessions, per-endpoint rate limits, a shared
cache in front of the app, and a count of the requests each path got (for the tests).

Members sign in with a session cookie the lab issues at every start (`session=<random>`),
handed to the demo sprint's credentials through the environment like the mail passwords.

Seeded for perf.private-cache (paths on app hosts):
- /account: the member's own page, `private, no-store` (correct), exact path only;
- /profile: the member's page sent with `public, max-age=600` (the fail case);
- /settings: `private, no-store`, but the app answers it for /settings/anything,
  /settings;anything and /settings%2Fanything too (open to web cache deception);
without a session each redirects to /login.

The shared cache (a host's `shared_cache`) plays a misconfigured CDN: it stores every 200 to a
path ending in a static file extension whatever its Cache-Control, and responses marked
public or s-maxage; keyed by host and target only (never the cookie), answering later
requests with `Age` and `X-Cache: HIT`.

Seeded for perf.rate-limit (POST): /login is never limited (the fail case); /join allows 5 a
minute and then answers 429 without saying when to retry (warn); /invite/... allows 5 a minute
and answers 429 with Retry-After, RateLimit-Policy and RateLimit (draft-ietf-httpapi-
ratelimit-headers-10; pass).
"""

from __future__ import annotations

import dataclasses
import html
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from launchtui.lab.app import HTML, Reply, page

MEMBERS = ("Mara", "Jonas")
CREDENTIALS = ("member_a_session", "member_b_session")  # the demo sprint's identities
CACHED_EXTENSIONS = (".css", ".js", ".png", ".jpg", ".gif", ".svg", ".ico", ".woff2", ".txt")
EXTENSION_TTL = 300  # seconds the cache keeps a by-extension entry
WINDOW = 60.0  # seconds of a rate-limit window
LIMIT = 5  # requests a window on /join and /invite/...
PRIVATE = "private, no-store"
DECEPTION_OPEN = "/settings"


@dataclass
class _Entry:
    stored: float
    ttl: float
    reply: Reply


@dataclass
class AppState:
    """One lab's members, limits, cache and counts; shared by its connections."""

    sessions: dict[str, str] = field(
        default_factory=lambda: {secrets.token_hex(16): name for name in MEMBERS}
    )
    requests: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    _cache: dict[tuple[str, str], _Entry] = field(default_factory=dict)
    _windows: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    _health_down: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cookies(self) -> dict[str, str]:
        """credential name -> its value (`session=...`), one per demo member."""
        tokens = list(self.sessions)
        return {name: f"session={token}" for name, token in zip(CREDENTIALS, tokens, strict=True)}

    def count(self, host: str, method: str, path: str) -> int:
        with self._lock:
            return self.requests[(host, method, path)]

    def member(self, cookie: str) -> str | None:
        for part in cookie.split(";"):
            name, _, value = part.strip().partition("=")
            if name == "session" and value in self.sessions:
                return self.sessions[value]
        return None

    # An outage at will: tests (and the monitoring end-to-end test) make a host's health
    # endpoint fail and recover while the lab runs.

    def set_health_down(self, host: str, down: bool) -> None:
        with self._lock:
            (self._health_down.add if down else self._health_down.discard)(host.lower())

    def health_down(self, host: str) -> bool:
        with self._lock:
            return host.lower() in self._health_down

    def note(self, host: str, method: str, target: str) -> None:
        with self._lock:
            self.requests[(host, method, target.split("?", 1)[0])] += 1

    # Member pages

    def member_page(self, site_name: str, path: str, cookie: str) -> Reply | None:
        """/account, /profile and /settings (and what /settings is open to), else None."""
        lowered = path.lower()
        if path == "/account":
            cache = PRIVATE
        elif path == "/profile":
            cache = "public, max-age=600"
        elif lowered == DECEPTION_OPEN or lowered.startswith(
            (f"{DECEPTION_OPEN}/", f"{DECEPTION_OPEN};", f"{DECEPTION_OPEN}%2f")
        ):
            cache = PRIVATE
        else:
            return None
        name = self.member(cookie)
        if name is None:
            return Reply(302, b"", headers=[("Location", "/login"), ("Cache-Control", PRIVATE)])
        body = (
            f"<h1>Your account</h1><p>Signed in as {html.escape(name)}.</p>"
            f"<p>Membership of {html.escape(name)}: active until 2027-03-01.</p>"
        )
        title = path.strip("/").split("/")[0].split(";")[0] or "Account"
        return Reply(
            200,
            page(site_name, title.title(), body),
            HTML,
            headers=[("Cache-Control", cache), ("Vary", "Cookie")],
        )

    # Rate limits

    def post(self, path: str, host: str) -> Reply | None:
        """The answer to a POST of a form on an app host, else None (405 then)."""
        if path == "/login":
            return Reply(401, b"Wrong email or password.\n", "text/plain; charset=utf-8")
        if path == "/join":
            if self._over(host, path):
                return Reply(429, b"Too many requests.\n", "text/plain; charset=utf-8")
            return Reply(202, b"Check your inbox to confirm.\n", "text/plain; charset=utf-8")
        if path.startswith("/invite/"):
            left, reset = self._window(host, "/invite/")
            fields = [
                ("RateLimit-Policy", f'"invite";q={LIMIT};w={int(WINDOW)}'),
                ("RateLimit", f'"invite";r={max(0, left)};t={reset}'),
            ]
            if left < 0:
                return Reply(
                    429,
                    b"Too many invitation attempts.\n",
                    "text/plain; charset=utf-8",
                    [("Retry-After", str(reset)), *fields],
                )
            body = b"Check your inbox to accept the invitation.\n"
            return Reply(202, body, "text/plain; charset=utf-8", fields)
        return None

    def _over(self, host: str, path: str) -> bool:
        return self._window(host, path)[0] < 0

    def _window(self, host: str, path: str) -> tuple[int, int]:
        """(requests left after this one, seconds to the window's end); < 0: over."""
        now = time.monotonic()
        with self._lock:
            times = [t for t in self._windows.get((host, path), []) if now - t < WINDOW]
            times.append(now)
            self._windows[(host, path)] = times
            reset = max(1, int(WINDOW - (now - times[0]) + 0.999))
            return LIMIT - len(times), reset

    # The shared cache

    def cached(self, host: str, target: str) -> Reply | None:
        now = time.monotonic()
        with self._lock:
            entry = self._cache.get((host, target))
            if entry is None or now - entry.stored >= entry.ttl:
                return None
        reply = dataclasses.replace(entry.reply, headers=list(entry.reply.headers), delay=0.0)
        reply.headers = [(k, v) for k, v in reply.headers if k.lower() != "x-cache"]
        reply.headers += [("Age", str(int(now - entry.stored))), ("X-Cache", "HIT")]
        return reply

    def store(self, host: str, target: str, reply: Reply) -> Reply:
        """Keep `reply` when the misconfigured CDN would; the reply as sent."""
        if reply.status != 200:
            return reply
        path = target.split("?", 1)[0].lower()
        cache_control = next((v for k, v in reply.headers if k.lower() == "cache-control"), "")
        directives = [d.strip().lower() for d in cache_control.split(",")]
        ttl: float | None = None
        if path.endswith(CACHED_EXTENSIONS):
            ttl = EXTENSION_TTL  # by extension, whatever the app said
        elif "public" in directives or any(d.startswith("s-maxage=") for d in directives):
            ages = [
                d.split("=", 1)[1] for d in directives if d.startswith(("s-maxage=", "max-age="))
            ]
            ttl = float(next((a for a in ages if a.isdigit()), EXTENSION_TTL))
        if not ttl:
            return reply
        reply.headers.append(("X-Cache", "MISS"))
        with self._lock:
            self._cache[(host, target)] = _Entry(time.monotonic(), ttl, reply)
        return reply
