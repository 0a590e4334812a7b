"""A week of the demo app's logs, with seeded incidents at known times (issue 15's lab).

The lab writes them into the demo app repository (sprints/harborclub-app/logs/) at each start,
so that the week always ends at that start: the logs are the lab's, like its certificates, and
a risk note read from them always has "yesterday" and six earlier days behind it. Only the
files named here are written; anything else in that folder is left alone.

Two logs, rotated daily at midnight UTC as logrotate does with `rotate 7`, `compress` and
`delaycompress`: today's file, yesterday's uncompressed, the five days before gzipped.

- access.log, access.log.1, access.log.2.gz ... access.log.7.gz: nginx's combined format for
  app.<zone> (client addresses only from the documentation ranges 192.0.2.0/24, 198.51.100.0/24
  and 203.0.113.0/24; every time in UTC, +0000)
- app.log, app.log.1, app.log.2.gz ... app.log.7.gz: the app's JSON lines (time, level,
  message and, for a request, path, status and ip)

Day 0 is the calendar day (UTC) of the end time, day 1 yesterday, up to day 7: seven full days
before today and today up to the end. Each day's traffic comes from its own generator, seeded
with SEED and the date, so the same end time gives the same bytes, and a day without incidents
reads the same whatever day it is seen from (the incidents are placed relative to the end;
today's file is cut at the end time).

The seeded incidents (`incidents(end)` gives their times):
- an auth spike: yesterday from AUTH_SPIKE_HOUR:00 to :59, a credential-stuffing burst on
  POST /login from AUTH_SPIKE_ADDRESSES, 401 until the rate limiter answers 429 ("login failed
  for <email>" in the app log), far over that hour's usual one or two failed logins;
- webhook signature failures from a deploy: yesterday at DEPLOY_TIME the app logs "deployed
  release 2.4.1 (7c1e9a2)" (the lab's DEMO_RELEASE); from then on every POST /webhooks/stripe
  answers 400 (or 500, now and then), with Stripe's SIGNATURE_ERROR in the app log; none
  before (the earlier deploy, of DEMO_OLD_RELEASE five days ago, changed nothing);
- a recurring payment error: every day a few POST /checkout answer 402 with "Stripe charge
  failed for customer cus_...: card_declined" in the app log, each with another customer id.
Plus the ordinary noise: failed logins now and then, expired invites (404), scanners probing
/.env and /wp-login.php (404), a rare 500 from the posts feed, two 502s while a deploy restarts.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from launchtui.lab.config import DEMO_OLD_RELEASE, DEMO_RELEASE, DEMO_ZONE
from launchtui.sprint import store

SEED = 15
DAYS = 7  # full days before today; today (day 0) runs up to the end time
FOLDER = "logs"  # inside the demo app repository
ACCESS_LOG, APP_LOG = "access.log", "app.log"
DAILY_VISITS = 1400  # a members' community of a few hundred people, on an average day
HEALTH_EVERY = timedelta(minutes=5)  # the load balancer's health check

AUTH_SPIKE_DAYS_AGO = 1  # yesterday
AUTH_SPIKE_HOUR = 3  # 03:00-03:59 UTC
AUTH_SPIKE_ADDRESSES = ("203.0.113.66", "203.0.113.67", "198.51.100.23")
AUTH_SPIKE_ATTEMPTS = 80  # from each address
RATE_LIMIT = 10  # failed logins an address may make in a quarter hour before 429s

DEPLOY_DAYS_AGO = 1  # yesterday
DEPLOY_TIME = time(16, 20, 5)
DEPLOY_RELEASE = DEMO_RELEASE  # ("2.4.1", "7c1e9a2")
EARLIER_DEPLOY_DAYS_AGO = 5
EARLIER_DEPLOY_TIME = time(10, 5, 41)
EARLIER_RELEASE = DEMO_OLD_RELEASE
SIGNATURE_ERROR = "No signatures found matching the expected signature for payload"

PAYMENT_ERROR = "card_declined"
PAYMENT_FAILURES_PER_DAY = (3, 6)  # at least, at most


def deploy_message(release: tuple[str, str]) -> str:
    return f"deployed release {release[0]} ({release[1]})"


@dataclass(frozen=True, slots=True)
class Incidents:
    """When the seeded incidents happen, for logs ending at `end` (all aware, UTC)."""

    start: datetime  # the first moment the logs cover: midnight, DAYS days before today
    end: datetime
    auth_spike: datetime  # the start of the spike's hour
    deploy: datetime  # release DEPLOY_RELEASE; signature failures from then on
    earlier_deploy: datetime  # release EARLIER_RELEASE, harmless


def incidents(end: datetime) -> Incidents:
    end = _utc(end)
    today = datetime.combine(end.date(), time(), UTC)

    def at(days_ago: int, when: time) -> datetime:
        return datetime.combine(today.date() - timedelta(days=days_ago), when, UTC)

    return Incidents(
        start=today - timedelta(days=DAYS),
        end=end,
        auth_spike=at(AUTH_SPIKE_DAYS_AGO, time(AUTH_SPIKE_HOUR)),
        deploy=at(DEPLOY_DAYS_AGO, DEPLOY_TIME),
        earlier_deploy=at(EARLIER_DEPLOY_DAYS_AGO, EARLIER_DEPLOY_TIME),
    )


def file_names(base: str) -> list[str]:
    """A log's rotated files, oldest first: base.7.gz ... base.2.gz, base.1, base."""
    return [f"{base}.{n}.gz" for n in range(DAYS, 1, -1)] + [f"{base}.1", base]


def sprint_patterns(repo: str) -> list[str]:
    """The [logs].files patterns naming these logs, relative to the sprint file's folder."""
    return [f"{repo}/{FOLDER}/{ACCESS_LOG}*", f"{repo}/{FOLDER}/{APP_LOG}*"]


# What the traffic is made of

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Each UTC hour's share of a day's visits (relative): a European community, busiest in the
# evening.
# fmt: off
_HOURLY = (
    12, 8, 5, 4, 4, 6, 15, 30, 45, 50, 52, 54, 58, 56, 52, 50, 53, 59, 68, 76, 78, 66, 42, 22,
)
# fmt: on
_BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
)
_HEALTH_AGENT = "ELB-HealthChecker/2.0"
_HEALTH_CLIENT = "198.51.100.10"
_STRIPE_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"
_STRIPE_CLIENTS = ("203.0.113.20", "203.0.113.21", "203.0.113.22")
_STUFFING_AGENTS = (
    "python-requests/2.32.3",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
)
_SCANNERS = (
    ("203.0.113.150", "Mozilla/5.0 zgrab/0.x"),
    ("203.0.113.151", "curl/8.5.0"),
    ("198.51.100.201", "Go-http-client/1.1"),
)
_PROBES = ("/.env", "/wp-login.php", "/xmlrpc.php", "/.git/config", "/phpmyadmin/")
_WEBHOOK_EVENTS = (
    "invoice.paid",
    "invoice.paid",
    "customer.subscription.updated",
    "checkout.session.completed",
    "payment_intent.succeeded",
)
_FIRST = ("ana", "ben", "chloe", "dev", "elin", "femi", "greta", "hugo", "ines", "jon", "kai")
_LAST = ("berg", "costa", "diaz", "evans", "fischer", "holm", "ito", "jansen", "kowal", "lund")
_DOMAINS = ("example.com", "example.org", "example.net")
_ID = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_INVITE_WORDS = ("harbor", "sailing", "regatta", "mooring", "tide", "keel")


@dataclass(frozen=True, slots=True)
class _Line:
    at: datetime
    access: str  # one combined-format line, or "" for an app-log line alone
    app: str  # one JSON line, or ""


class _Day:
    """One day's lines, from a generator seeded with SEED and the date."""

    def __init__(self, day: date, marks: Incidents, zone: str, seed: int) -> None:
        self.day = day
        self.midnight = datetime.combine(day, time(), UTC)
        self.marks = marks
        self.app_url = f"https://app.{zone}/"
        self.rng = random.Random(f"{seed}:{day.isoformat()}")
        population = random.Random(f"{seed}:members")  # the same members every day
        taken = {*AUTH_SPIKE_ADDRESSES, _HEALTH_CLIENT, *_STRIPE_CLIENTS}
        taken |= {address for address, _ in _SCANNERS}
        self.members = [
            (address, population.choice(_BROWSERS), _email(population))
            for address in _member_addresses(population, taken)
        ]
        self.lines: list[_Line] = []

    # Writing lines

    def request(
        self,
        at: datetime,
        client: str,
        method: str,
        path: str,
        status: int,
        size: int,
        agent: str,
        *,
        referer: str = "-",
        protocol: str = "HTTP/2.0",
        level: str = "",
        message: str = "",
    ) -> None:
        stamp = (
            f"{at.day:02d}/{_MONTHS[at.month - 1]}/{at.year}:"
            f"{at.hour:02d}:{at.minute:02d}:{at.second:02d} +0000"
        )
        access = (
            f'{client} - - [{stamp}] "{method} {path} {protocol}" {status} {size} '
            f'"{referer}" "{agent}"'
        )
        app = ""
        if message:
            fields = {"path": path.split("?", 1)[0], "status": status, "ip": client}
            app = _app_line(at, level, message, fields)
        self.lines.append(_Line(at, access, app))

    def event(self, at: datetime, level: str, message: str) -> None:
        self.lines.append(_Line(at, "", _app_line(at, level, message, {})))

    def moment(self, hour: int) -> datetime:
        return self.midnight + timedelta(hours=hour, seconds=self.rng.uniform(0, 3600))

    # The day's traffic

    def build(self) -> list[_Line]:
        rng = self.rng
        weekend = 1.15 if self.day.weekday() >= 5 else 1.0
        total = sum(_HOURLY)
        for hour, share in enumerate(_HOURLY):
            expected = DAILY_VISITS * weekend * share / total
            visits = max(0, round(rng.gauss(expected, math.sqrt(expected))))
            for _ in range(visits):
                self.visit(self.moment(hour))
        at = self.midnight
        while at < self.midnight + timedelta(days=1):
            self.request(
                at,
                _HEALTH_CLIENT,
                "GET",
                "/api/health",
                200,
                112,
                _HEALTH_AGENT,
                protocol="HTTP/1.1",
            )
            at += HEALTH_EVERY
        self.noise()
        self.payment_failures()
        self.deploys()
        if self.day == self.marks.auth_spike.date():
            self.auth_spike()
        self.lines.sort(key=lambda line: line.at)
        return self.lines

    def visit(self, at: datetime) -> None:
        """One member's visit: a page or two, its assets, maybe a login or a checkout."""
        rng = self.rng
        client, agent, email = rng.choice(self.members)
        kind = rng.choices(
            ("home", "feed", "login", "join", "invite", "checkout", "webhook", "scan"),
            weights=(30, 34, 14, 4, 4, 4, 8, 2),
        )[0]
        if kind == "scan":
            address, scanner = rng.choice(_SCANNERS)
            path = rng.choice(_PROBES)
            self.request(at, address, "GET", path, 404, 153, scanner, protocol="HTTP/1.1")
            return
        if kind == "webhook":
            self.webhook(at, rng.choice(_WEBHOOK_EVENTS))
            return
        referer = self.app_url if rng.random() < 0.6 else "-"
        if kind in ("home", "login", "join"):
            page = {"home": "/", "login": "/login", "join": "/join"}[kind]
            self.page(at, client, agent, page, referer)
        if kind == "feed":
            cached = rng.random() < 0.25
            status, size = (304, 0) if cached else (200, rng.randint(2400, 9800))
            self.request(at, client, "GET", "/api/posts", status, size, agent, referer=self.app_url)
            for _ in range(rng.choice((0, 0, 1, 2))):
                at += timedelta(seconds=rng.uniform(5, 120))
                page = f"/api/posts?page={rng.randint(2, 6)}"
                self.request(
                    at,
                    client,
                    "GET",
                    page,
                    200,
                    rng.randint(2400, 9800),
                    agent,
                    referer=self.app_url,
                )
            if rng.random() < 0.003:
                at += timedelta(seconds=rng.uniform(1, 30))
                self.request(
                    at,
                    client,
                    "GET",
                    "/api/posts",
                    500,
                    71,
                    agent,
                    referer=self.app_url,
                    level="error",
                    message="posts feed query timed out after 5000 ms",
                )
        elif kind == "login":
            at += timedelta(seconds=rng.uniform(4, 40))
            if rng.random() < 0.04:  # a typo, now and then
                self.request(
                    at,
                    client,
                    "POST",
                    "/login",
                    401,
                    1391,
                    agent,
                    referer=f"{self.app_url}login",
                    level="warn",
                    message=f"login failed for {email}",
                )
                at += timedelta(seconds=rng.uniform(5, 30))
            self.request(
                at,
                client,
                "POST",
                "/login",
                302,
                0,
                agent,
                referer=f"{self.app_url}login",
                level="info",
                message=f"login succeeded for {email}",
            )
        elif kind == "join":
            if rng.random() < 0.5:
                at += timedelta(seconds=rng.uniform(20, 180))
                self.request(
                    at,
                    client,
                    "POST",
                    "/join",
                    302,
                    0,
                    agent,
                    referer=f"{self.app_url}join",
                    level="info",
                    message=f"new member joined: {_email(rng)}",
                )
        elif kind == "invite":
            code = f"{rng.choice(_INVITE_WORDS)}-{rng.randint(1000, 9999)}"
            expired = rng.random() < 0.12
            self.request(
                at,
                client,
                "GET",
                f"/invite/{code}",
                404 if expired else 200,
                1180 if expired else 5210,
                agent,
                level="info" if expired else "",
                message="invite not found or expired" if expired else "",
            )
        elif kind == "checkout":
            self.page(at, client, agent, "/checkout", self.app_url)
            if rng.random() < 0.6:
                at += timedelta(seconds=rng.uniform(30, 240))
                customer = _customer(rng)
                self.request(
                    at,
                    client,
                    "POST",
                    "/checkout",
                    303,
                    0,
                    agent,
                    referer=f"{self.app_url}checkout",
                    level="info",
                    message=f"checkout completed for customer {customer}",
                )
                self.webhook(
                    at + timedelta(seconds=rng.uniform(1, 4)), "checkout.session.completed"
                )

    def page(self, at: datetime, client: str, agent: str, path: str, referer: str) -> None:
        """A page and its two assets (revalidated when the browser has them)."""
        rng = self.rng
        size = {"/": 6120, "/login": 3874, "/join": 5630, "/checkout": 4410}[path]
        self.request(
            at, client, "GET", path, 200, size + rng.randint(0, 60), agent, referer=referer
        )
        cached = rng.random() < 0.7
        for asset, asset_size in (("/static/app.css", 18324), ("/static/app.js", 48771)):
            at += timedelta(milliseconds=rng.randint(30, 400))
            status, sent = (304, 0) if cached else (200, asset_size)
            self.request(
                at,
                client,
                "GET",
                asset,
                status,
                sent,
                agent,
                referer=f"{self.app_url}{path.lstrip('/')}",
            )

    def webhook(self, at: datetime, event: str, attempt: int = 1) -> None:
        """Stripe delivering an event; after the deploy it fails its signature check, and
        Stripe tries again (up to three times here) a while later."""
        rng = self.rng
        client = rng.choice(_STRIPE_CLIENTS)
        path = "/webhooks/stripe"
        if at < self.marks.deploy:
            self.request(
                at,
                client,
                "POST",
                path,
                200,
                16,
                _STRIPE_AGENT,
                protocol="HTTP/1.1",
                level="info",
                message=f"stripe webhook received: {event}",
            )
            return
        if rng.random() < 0.15:
            status, message = 500, "webhook handler error: StripeSignatureVerificationError: "
        else:
            status, message = 400, "webhook signature verification failed: "
        message += (
            f"{SIGNATURE_ERROR}. Are you passing the raw request body you received from Stripe?"
        )
        self.request(
            at,
            client,
            "POST",
            path,
            status,
            64,
            _STRIPE_AGENT,
            protocol="HTTP/1.1",
            level="error",
            message=message,
        )
        retry = at + timedelta(minutes=rng.uniform(5, 70) * attempt)
        if attempt < 3 and retry.date() == self.day:
            self.webhook(retry, event, attempt + 1)

    def noise(self) -> None:
        """A slow request or two, logged by the app alone."""
        rng = self.rng
        for _ in range(rng.randint(1, 3)):
            at = self.moment(rng.randint(8, 21))
            millis = rng.randint(1200, 4800)
            self.event(at, "warn", f"slow request: GET /api/posts took {millis} ms")

    def payment_failures(self) -> None:
        rng = self.rng
        for _ in range(rng.randint(*PAYMENT_FAILURES_PER_DAY)):
            at = self.moment(rng.randint(7, 22))
            client, agent, _ = rng.choice(self.members)
            self.page(at, client, agent, "/checkout", self.app_url)
            at += timedelta(seconds=rng.uniform(30, 200))
            self.request(
                at,
                client,
                "POST",
                "/checkout",
                402,
                1702,
                agent,
                referer=f"{self.app_url}checkout",
                level="error",
                message=f"Stripe charge failed for customer {_customer(rng)}: {PAYMENT_ERROR}",
            )

    def deploys(self) -> None:
        for at, release in (
            (self.marks.earlier_deploy, EARLIER_RELEASE),
            (self.marks.deploy, DEPLOY_RELEASE),
        ):
            if at.date() != self.day:
                continue
            self.event(at, "info", deploy_message(release))
            for seconds in (2, 3):  # the web process restarting
                client, agent, _ = self.rng.choice(self.members)
                self.request(
                    at + timedelta(seconds=seconds),
                    client,
                    "GET",
                    "/api/posts",
                    502,
                    157,
                    agent,
                    referer=self.app_url,
                )
            self.event(at + timedelta(seconds=6), "info", "server listening on port 3000")

    def auth_spike(self) -> None:
        """Credential stuffing: each address tries AUTH_SPIKE_ATTEMPTS stolen logins in the
        hour; the rate limiter answers 429 after RATE_LIMIT failures in a quarter hour."""
        rng = self.rng
        start = self.marks.auth_spike
        for number, address in enumerate(AUTH_SPIKE_ADDRESSES):
            agent = _STUFFING_AGENTS[number % len(_STUFFING_AGENTS)]
            times = sorted(rng.uniform(0, 3599) for _ in range(AUTH_SPIKE_ATTEMPTS))
            failures: dict[int, int] = {}
            for offset in times:
                at = start + timedelta(seconds=offset)
                quarter = int(offset // 900)
                failures[quarter] = failures.get(quarter, 0) + 1
                if failures[quarter] <= RATE_LIMIT:
                    self.request(
                        at,
                        address,
                        "POST",
                        "/login",
                        401,
                        1391,
                        agent,
                        protocol="HTTP/1.1",
                        level="warn",
                        message=f"login failed for {_email(rng)}",
                    )
                else:
                    self.request(
                        at,
                        address,
                        "POST",
                        "/login",
                        429,
                        169,
                        agent,
                        protocol="HTTP/1.1",
                        level="warn",
                        message="too many login attempts: rate limited",
                    )


def _app_line(at: datetime, level: str, message: str, fields: dict[str, object]) -> str:
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
    return json.dumps({"time": stamp, "level": level, "message": message, **fields})


def _member_addresses(rng: random.Random, taken: set[str]) -> list[str]:
    pool = [f"{net}.{host}" for net in ("192.0.2", "198.51.100") for host in range(2, 255)]
    return rng.sample([address for address in pool if address not in taken], 180)


def _email(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)}.{rng.choice(_LAST)}{rng.randint(1, 99)}@{rng.choice(_DOMAINS)}"


def _customer(rng: random.Random) -> str:
    return "cus_" + "".join(rng.choice(_ID) for _ in range(14))


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("the logs' end time must be aware (a time zone)")
    return moment.astimezone(UTC)


# The files


def generate(
    end: datetime, *, zone: str = DEMO_ZONE, seed: int = SEED
) -> dict[str, tuple[bytes, datetime]]:
    """Each file's name -> (its bytes, its modification time), for logs ending at `end`."""
    marks = incidents(end)
    files: dict[str, tuple[bytes, datetime]] = {}
    today = marks.end.date()
    for days_ago in range(DAYS, -1, -1):
        day = today - timedelta(days=days_ago)
        lines = [line for line in _Day(day, marks, zone, seed).build() if line.at <= marks.end]
        rotated = min(marks.end, datetime.combine(day + timedelta(days=1), time(), UTC))
        for base, text in (
            (ACCESS_LOG, [line.access for line in lines if line.access]),
            (APP_LOG, [line.app for line in lines if line.app]),
        ):
            data = "".join(f"{line}\n" for line in text).encode("utf-8")
            name = base if days_ago == 0 else f"{base}.{days_ago}"
            if days_ago >= 2:
                data = gzip.compress(data, mtime=int(rotated.timestamp()))
                name += ".gz"
            files[name] = (data, rotated)
    return files


def write_demo_logs(
    folder: Path, end: datetime | None = None, *, zone: str = DEMO_ZONE, seed: int = SEED
) -> list[Path]:
    """Write the week's logs ending at `end` (now) into `folder`, replacing the files of the
    same names, each stamped with the time of its rotation. OSError when they cannot be."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (data, modified) in generate(end or datetime.now(UTC), zone=zone, seed=seed).items():
        path = folder / name
        store.write_atomic(path, data)
        stamp = modified.timestamp()
        os.utime(path, (stamp, stamp))
        written.append(path)
    return written


def lines_of(data: bytes) -> Iterator[str]:
    """The lines of a generated file, gunzipped if need be (for tests and the demo)."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    yield from data.decode("utf-8").splitlines()
