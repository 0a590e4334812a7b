"""What the lab serves: hostnames, their faults, extra records, delays and ports.

`LabConfig()` is the seeded Harbor Club demo's web and DNS world; `demo_config()` adds its mail
(seed mailboxes, relay and IMAP ports). Tests and the benchmark build their own configs (other
zones, ephemeral ports, injected delays, hostile text), with mail only when they ask for it.
Every address the lab hands out must be loopback, so a config can never send a client off the
machine.
"""

from __future__ import annotations

import ipaddress
import math
import random
import re
from dataclasses import dataclass, field
from typing import Any

from launchtui.lab import demo_spf

DNS_FAULTS = ("ok", "nxdomain", "servfail", "servfail-aaaa", "drop")
CERT_KINDS = ("valid", "expired", "not-yet-valid", "wrong-name", "self-signed")
TLS_FAULTS = ("ok", "stall")
TLS_MIN_VERSIONS = ("1.0", "1.1", "1.2", "1.3")

DEMO_ZONE = "harborclub.test"
# The CAA domain of the lab CA, as a real CA has one (letsencrypt.org): the demo zone's CAA
# lists it and the lab's sprint names it in [network].caa_domain.
LAB_CAA_DOMAIN = f"lab.{DEMO_ZONE}"
BASE_PORT_SPAN = 21  # --base-port N uses N..N+21
DEMO_SMTP_PORT, DEMO_IMAP_PORT = 9025, 9143  # the demo's mail ports without --base-port
MAIL_POLICIES = ("lenient", "strict")
RELAY_UNSUBSCRIBE = ("keep", "strip", "unsigned")
SENDING_RDNS = ("match", "mismatch", "none")
_MAILBOX_ADDRESS = re.compile(r"[a-z0-9._+-]+@[a-z0-9.-]+")


def _require_loopback(address: str, what: str) -> None:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise ValueError(f"{what}: {address!r} is not an IP address") from None
    if not ip.is_loopback:
        raise ValueError(f"{what}: {address} is not a loopback address (127.0.0.0/8 or ::1)")


def _in_zone(name: str, zone: str) -> bool:
    name = name.rstrip(".").lower()
    return name == zone or name.endswith("." + zone)


_EXPIRING = re.compile(r"expiring:(\d+)(?:/(\d+))?")
DEFAULT_LIFETIME = 90  # days, like the ACME CAs real communities use


def expiring(cert: str) -> tuple[int, int] | None:
    """(days left, lifetime in days) of an "expiring:<days>[/<lifetime>]" cert kind, else
    None; the lifetime is 90 days unless given."""
    match = _EXPIRING.fullmatch(cert)
    if match is None:
        return None
    return int(match[1]), int(match[2] or DEFAULT_LIFETIME)


# What a well-configured host sends on every HTTPS response; seeded faults take some away.
HARDENED_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
}


@dataclass
class Route:
    """A fixed answer for one path of a host, in place of what the lab would serve there."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)  # over the host's own headers
    body: str = ""
    content_type: str = "text/html; charset=utf-8"


@dataclass
class HealthSpec:
    """What a host's /api/health reports, in launchtui's suggested shape (deploy.health).

    Worker heartbeats are ages, so every answer is relative to the moment it is asked: the
    demo's stale worker stays stale however long the lab has been running."""

    version: str = ""
    commit: str = ""
    status: str = "ok"
    checks: dict[str, str] = field(default_factory=dict)  # dependency -> status
    workers: dict[str, float] = field(default_factory=dict)  # name -> seconds since heartbeat


# The demo's release: app. runs it, eu. still runs the one before (a deploy that stopped half
# way); the mailer worker has not beaten for two hours.
DEMO_RELEASE = ("2.4.1", "7c1e9a2")
DEMO_OLD_RELEASE = ("2.4.0", "3f9b0d4")
DEMO_CHECKS = {"database": "ok", "queue": "ok", "cache": "ok"}


@dataclass
class HostSpec:
    """One hostname of the lab zone and how it behaves (or misbehaves)."""

    name: str
    addresses: list[str] = field(default_factory=lambda: ["127.0.0.1"])
    cname: str | None = None  # answer with a CNAME to this name instead of addresses
    # What the last public resolver still answers: an old record it has cached.
    stale_addresses: list[str] = field(default_factory=list)
    dns: str = "ok"  # "ok" | "nxdomain" | "servfail" | "servfail-aaaa" (AAAA only) | "drop"
    cert: str = "valid"  # a CERT_KINDS value or "expiring:<days left>[/<lifetime days>]"
    https: bool = True
    http: bool = True  # plain-HTTP vhost that redirects to https://same-host/same-path
    tls: str = "ok"  # "ok" | "stall" (TCP accepted, TLS handshake never started)
    tls_min_version: str = "1.2"  # oldest TLS accepted: "1.0" or "1.1" is a seeded fault
    cert_organization: str | None = None
    app: bool = False  # serves the platform endpoints (/login, /api/posts...)
    headers: dict[str, str] = field(default_factory=lambda: dict(HARDENED_HEADERS))  # on HTTPS
    routes: dict[str, Route] = field(default_factory=dict)  # HTTPS path -> fixed answer
    http_routes: dict[str, Route] = field(default_factory=dict)  # plain-HTTP path -> answer
    note: str = ""  # the seeded problem in words, for faults its other fields do not name
    renew_early: bool = False  # the lab CA asks for its renewal now (ARI, see lab.acme)
    health: HealthSpec | None = None  # what /api/health reports, in place of {"status": "ok"}
    # A shared cache in front of it, caching by file extension like a misconfigured CDN
    # (lab.members): what perf.private-cache's web cache deception variants find
    shared_cache: bool = False
    # A third-party service played by the lab (lab.receivers): this host's HTTPS requests go
    # to the receiver of that kind instead of the site; "" serves the site
    receiver: str = ""

    def __post_init__(self) -> None:
        self.name = self.name.rstrip(".").lower()
        for address in [*self.addresses, *self.stale_addresses]:
            _require_loopback(address, f"host {self.name}")
        if self.dns not in DNS_FAULTS:
            raise ValueError(f"host {self.name}: dns must be one of {DNS_FAULTS}, not {self.dns!r}")
        if self.tls not in TLS_FAULTS:
            raise ValueError(f"host {self.name}: tls must be one of {TLS_FAULTS}, not {self.tls!r}")
        if self.tls_min_version not in TLS_MIN_VERSIONS:
            raise ValueError(
                f"host {self.name}: tls_min_version must be one of {TLS_MIN_VERSIONS}, "
                f"not {self.tls_min_version!r}"
            )
        left, lifetime = expiring(self.cert) or (0, 1)
        if (self.cert not in CERT_KINDS and expiring(self.cert) is None) or left >= lifetime:
            raise ValueError(
                f"host {self.name}: cert must be one of {CERT_KINDS} or "
                f"'expiring:<days left>[/<lifetime days>]' with fewer days left than the "
                f"lifetime, not {self.cert!r}"
            )


def _moved(location: str, status: int = 301) -> Route:
    return Route(status, {"Location": location}, content_type="text/plain; charset=utf-8")


# edge.cloudflare reads proxying from these headers in the lab (its addresses are loopback).
# No "Server: cloudflare": the lab always sends its own Server header.
_CLOUDFLARE = {"CF-RAY": "8e1f2a3b4c5d6e7f-AMS", "CF-Cache-Status": "DYNAMIC"}


def _static_site(title: str, page_cache: str | None, asset_cache: str) -> dict[str, Route]:
    """A home page linking /static/app.css and /static/app.js, and those two assets."""
    page = (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        '<link rel="stylesheet" href="/static/app.css"><script src="/static/app.js" defer>'
        f"</script></head>\n<body><h1>{title}</h1></body></html>\n"
    )
    cache = {"Cache-Control": asset_cache}
    return {
        "/": Route(headers={"Cache-Control": page_cache} if page_cache else {}, body=page),
        "/static/app.css": Route(headers=cache, body="body{margin:0}\n", content_type="text/css"),
        "/static/app.js": Route(headers=cache, body="void 0;\n", content_type="text/javascript"),
    }


def demo_hosts(zone: str = DEMO_ZONE) -> list[HostSpec]:
    """The seeded demo: a healthy apex, www and app, and one launch problem per other host."""
    app, www = f"https://app.{zone}", f"https://www.{zone}"
    return [
        # The apex and www converge on the canonical app host; old URLs are declared in the
        # demo sprint's [site].redirects: /join is healthy, /signup is temporary, and
        # /old-pricing loops between the apex and www.
        HostSpec(
            zone,
            headers=HARDENED_HEADERS | _CLOUDFLARE,
            routes={
                "/": _moved(f"{app}/"),
                "/join": _moved(f"{app}/join"),
                "/signup": _moved(f"{app}/join", 302),
                "/old-pricing": _moved(f"{www}/old-pricing"),
            },
            note="old URL /old-pricing loops via www; /signup moved with a temporary 302",
        ),
        HostSpec(
            f"www.{zone}",
            cname=zone,
            headers=HARDENED_HEADERS | _CLOUDFLARE,
            routes={"/": _moved(f"{app}/"), "/old-pricing": _moved(f"https://{zone}/old-pricing")},
        ),
        HostSpec(
            f"app.{zone}",
            app=True,
            shared_cache=True,
            headers=HARDENED_HEADERS | _CLOUDFLARE,
            routes=_static_site("Harbor Club", None, "public, max-age=31536000, immutable"),
            health=HealthSpec(
                *DEMO_RELEASE,
                checks=DEMO_CHECKS,
                workers={"mailer": 2 * 3600 + 7 * 60, "scheduler": 40},
            ),
            note="its /api/health: the mailer worker's last heartbeat is two hours old",
        ),
        # A second region serving the same app, which the last deploy did not reach.
        HostSpec(
            f"eu.{zone}",
            app=True,
            headers=HARDENED_HEADERS | _CLOUDFLARE,
            routes=_static_site("Harbor Club", None, "public, max-age=31536000, immutable"),
            health=HealthSpec(*DEMO_OLD_RELEASE, checks=DEMO_CHECKS),
            note=f"still on release {DEMO_OLD_RELEASE[0]} ({DEMO_OLD_RELEASE[1]}): the last "
            "deploy did not reach it",
        ),
        HostSpec(f"community.{zone}", cert="expired", stale_addresses=["127.0.0.9"]),
        HostSpec(f"members.{zone}", cert="wrong-name"),
        HostSpec(f"status.{zone}", cert="expiring:12", note="its CAA allows only letsencrypt.org"),
        # Short-lived certificates, judged by their own lifetime: six-day ones (Let's Encrypt's
        # "shortlived" profile) renew at half their lifetime, 45-day ones at a third.
        HostSpec(f"live.{zone}", cert="expiring:4/6"),
        HostSpec(f"chat.{zone}", cert="expiring:2/6"),
        HostSpec(f"courses.{zone}", cert="expiring:25/45"),
        HostSpec(f"tickets.{zone}", cert="expiring:10/45"),
        # Most of its 90 days left, but the lab CA asks for an early renewal (RFC 9773 ARI,
        # served by acme.<zone>, the lab CA's ACME directory).
        HostSpec(f"billing.{zone}", renew_early=True),
        HostSpec(f"acme.{zone}"),
        # Listed in the sprint but never given a record; nothing serves it either.
        HostSpec(f"shop.{zone}", dns="nxdomain", https=False, http=False),
        HostSpec(f"forum.{zone}", dns="servfail"),
        # The old blog still points at a deleted Heroku app: anyone can claim that name.
        HostSpec(f"blog.{zone}", cname="harborclub-old.herokuapp.com", https=False, http=False),
        # Edge routing and TLS protocol faults.
        HostSpec(
            f"news.{zone}",
            http_routes={"/": Route(body="<h1>News</h1>")},
            note="http:// serves the page instead of redirecting to HTTPS",
        ),
        HostSpec(
            f"events.{zone}",
            routes={"/": _moved(f"http://events.{zone}/calendar")},
            http_routes={"/calendar": Route(body="<h1>Events</h1>")},
            note="its HTTPS home page redirects back to plain http://",
        ),
        HostSpec(
            f"help.{zone}",
            headers={k: v for k, v in HARDENED_HEADERS.items() if k != "Strict-Transport-Security"},
            note="no HSTS header",
        ),
        HostSpec(
            f"docs.{zone}",
            headers=HARDENED_HEADERS | {"Strict-Transport-Security": "max-age=86400"},
            note="HSTS max-age of one day",
        ),
        HostSpec(f"legacy.{zone}", tls_min_version="1.0", note="still accepts TLS 1.0 and 1.1"),
        # Page content and cache faults: an http:// script and form action on the signup
        # page, a session cookie without Secure/HttpOnly, no security headers at all, and
        # public HTML with uncacheable assets.
        HostSpec(
            f"signup.{zone}",
            routes={
                "/": Route(
                    body=f'<h1>Join</h1><script src="http://cdn.{zone}/widget.js"></script>'
                    f'<form method="post" action="http://signup.{zone}/join">'
                    '<input type="password" name="password"></form>'
                )
            },
            note="an http:// script and a form posting to http:// (mixed content)",
        ),
        HostSpec(
            f"portal.{zone}",
            routes={"/": Route(headers={"Set-Cookie": "session=0f3a9c; Path=/"}, body="Sign in")},
            note="session cookie without Secure, HttpOnly or SameSite",
        ),
        HostSpec(f"bare.{zone}", headers={}, note="no security headers at all"),
        HostSpec(
            f"media.{zone}",
            routes=_static_site("Media", "public, max-age=3600", "no-store"),
            note="HTML publicly cacheable for an hour, assets sent with no-store",
        ),
        mta_sts_host(zone),
    ]


THIRD_PARTY_ZONE = "thirdparty.test"
THIRD_PARTY_HOST = f"cdn.{THIRD_PARTY_ZONE}"
WIDGET_PATH = "/widget.js"
WIDGET_DELAY = 0.25  # seconds before the widget arrives: what its blocking costs
WIDGET_BUSY_MS = 60  # main-thread time it spends when run


def third_party_host() -> HostSpec:
    """cdn.thirdparty.test serving /widget.js: about 40 KB (padding) that keeps the main
    thread busy for WIDGET_BUSY_MS."""
    padding = "/* " + "third-party widget padding " * 1500 + "*/\n"
    widget = (
        f"(function(){{var t=performance.now();while(performance.now()-t<{WIDGET_BUSY_MS}){{}}"
        "window.thirdPartyWidget=true;})();\n" + padding
    )
    route = Route(
        body=widget,
        content_type="text/javascript",
        headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"},
    )
    return HostSpec(THIRD_PARTY_HOST, routes={WIDGET_PATH: route})


# The chat service's incoming webhooks (lab.chat_webhook), in a zone of their own like Slack's
# hooks.slack.com: alert routes post there.
CHAT_ZONE = "chat.test"
CHAT_HOST = f"hooks.{CHAT_ZONE}"


def chat_webhook_host() -> HostSpec:
    return HostSpec(CHAT_HOST, http=False, receiver="slack")


# The error tracker the demo's app reports to (lab.error_ingest), a SaaS in a zone of its own
ERROR_TRACKER_ZONE = "errortracker.test"
ERROR_INGEST_HOST = f"ingest.{ERROR_TRACKER_ZONE}"


def error_ingest_host(name: str = ERROR_INGEST_HOST) -> HostSpec:
    """A Sentry-shaped ingest: every HTTPS request answered by the lab's "sentry" receiver."""
    return HostSpec(name, http=False, receiver="sentry")


# The demo's old DKIM selector "legacy2019": a 1024-bit RSA public key (only the public half
# exists; nothing signs with it), which email.dkim warns about.
LEGACY_DKIM_KEY = (
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCXHgL2gwxEFo2f+7g8WMlhhVcLIbDN5WwwlNZ6B274nWgXlyias"
    "jieBTAZJsp1CRmmh0qGXv2DEEF/G6PO0VduzZIuVlbGg1FEzukO4hZWvt7y6IjVxjlcrQ7Gb0Qz0ujnjg2i0YfGb"
    "6uYH90jmrRF+AndGMoacm1ZSteGew2yMQIDAQAB"
)


def mta_sts_txt(zone: str) -> dict[str, list[str]]:
    """A healthy MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) record pair for `zone`."""
    return {
        f"_mta-sts.{zone}": ["v=STSv1; id=20260101T000000"],
        f"_smtp._tls.{zone}": [f"v=TLSRPTv1; rua=mailto:tls-reports@{zone}"],
    }


def mta_sts_host(zone: str, policy: str | None = None) -> HostSpec:
    """mta-sts.<zone> serving the MTA-STS policy; by default one that enforces TLS to the
    zone's MX host, mail.<zone>."""
    if policy is None:
        policy = f"version: STSv1\r\nmode: enforce\r\nmx: mail.{zone}\r\nmax_age: 604800\r\n"
    route = Route(body=policy, content_type="text/plain; charset=utf-8")
    return HostSpec(f"mta-sts.{zone}", routes={"/.well-known/mta-sts.txt": route})


@dataclass
class Mailbox:
    """A seed mailbox: the lab relay delivers to it, Dovecot serves it over IMAP.

    Where a message lands follows the mailbox's filter policy, computed from the lab's own
    Authentication-Results: "lenient" files it in Junk only when neither SPF nor DKIM passes
    (most mailbox providers), "strict" unless DMARC passes (providers that demand DMARC of
    bulk senders).
    """

    address: str  # also the IMAP username
    policy: str = "lenient"
    password: str = ""  # "" = a new random password at every lab start

    def __post_init__(self) -> None:
        self.address = self.address.lower()
        if not _MAILBOX_ADDRESS.fullmatch(self.address):
            raise ValueError(f"mailbox {self.address!r}: expected an address like ana@example.test")
        if self.policy not in MAIL_POLICIES:
            raise ValueError(f"mailbox {self.address}: policy must be one of {MAIL_POLICIES}")
        if any(c in self.password for c in ":\r\n") or self.password != self.password.strip():
            raise ValueError(f"mailbox {self.address}: a password cannot hold ':' or spaces")


def demo_mailboxes() -> list[Mailbox]:
    """The demo's seed inboxes: one lenient, one strict (the demo has no DMARC record, so the
    strict one files the test messages in Junk)."""
    return [Mailbox("ana@seedmail.test"), Mailbox("ben@strictmail.test", policy="strict")]


class LatencyProfile:
    """A known latency distribution for one app path, seeded so that a test sees the same
    sequence every time: the n-th request to the path waits `median * exp(sigma * z_n)` seconds
    (lognormal, z_n from random.Random(seed)), plus `stall` seconds on every `stall_every`-th
    request (a periodic stall: a cron job, a garbage collection).

    Lognormal percentiles: p = median * exp(sigma * z_p), z_95 = 1.645, z_99 = 2.326.
    """

    def __init__(
        self,
        median: float,
        sigma: float = 0.0,
        *,
        stall_every: int = 0,
        stall: float = 0.0,
        seed: int = 13,
    ) -> None:
        if median < 0 or sigma < 0 or stall < 0 or stall_every < 0:
            raise ValueError("latency profile: values cannot be negative")
        self.median = median
        self.sigma = sigma
        self.stall_every = stall_every
        self.stall = stall
        self.seed = seed
        self._random = random.Random(seed)
        self._count = 0

    def quantile(self, p: float) -> float:
        """The lognormal part's value at quantile p (0..1), without stalls, in seconds."""
        from statistics import NormalDist

        return self.median * math.exp(self.sigma * NormalDist().inv_cdf(p))

    def next(self) -> float:
        """The next request's delay in seconds."""
        self._count += 1
        delay = self.median * math.exp(self.sigma * self._random.gauss(0.0, 1.0))
        if self.stall_every and self._count % self.stall_every == 0:
            delay += self.stall
        return delay

    def _key(self) -> tuple[float, float, int, float, int]:
        return (self.median, self.sigma, self.stall_every, self.stall, self.seed)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LatencyProfile) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"LatencyProfile({self.median}, {self.sigma}, stall_every={self.stall_every}, "
            f"stall={self.stall}, seed={self.seed})"
        )


def demo_latency() -> dict[str, LatencyProfile]:
    """The demo's flows, on top of LabConfig.latency's fixed delays (login 120 ms, posts 80 ms):
    login slow (p95 about 650 ms: 120 ms + median 320 ms, sigma 0.3), posts stalling a second
    on every 10th request, join fast (median 20 ms)."""
    return {
        "/login": LatencyProfile(0.32, 0.30, seed=1),
        "/api/posts": LatencyProfile(0.0, stall_every=10, stall=1.0, seed=2),
        "/join": LatencyProfile(0.02, 0.20, seed=3),
    }


@dataclass
class LabConfig:
    """Everything the lab serves. The defaults are the seeded Harbor Club demo."""

    zone: str = DEMO_ZONE
    hosts: list[HostSpec] = field(default_factory=demo_hosts)
    # Extra records, owner name (FQDN inside the zone) -> values.
    txt: dict[str, list[str]] = field(
        default_factory=lambda: {
            **demo_spf.demo_txt(),
            f"legacy2019._domainkey.{DEMO_ZONE}": [f"v=DKIM1; k=rsa; p={LEGACY_DKIM_KEY}"],
            **mta_sts_txt(DEMO_ZONE),
        }
    )
    mx: dict[str, list[str]] = field(default_factory=lambda: {DEMO_ZONE: [f"10 mail.{DEMO_ZONE}."]})
    caa: dict[str, list[str]] = field(
        default_factory=lambda: {
            # The lab CA's CAA domain: the lab's sprint names it in [network].caa_domain.
            DEMO_ZONE: [
                f'0 issue "{LAB_CAA_DOMAIN}"',
                '0 issue "letsencrypt.org"',
                f'0 iodef "mailto:security@{DEMO_ZONE}"',
            ],
            # The status page renews with Let's Encrypt only: the lab CA may not issue.
            f"status.{DEMO_ZONE}": ['0 issue "letsencrypt.org"'],
        }
    )
    # Any other records, as (owner, type, presentation text): addresses, PTR or CNAME records
    # that a test or a seeded fault needs, in the lab zone or an external zone.
    records: list[tuple[str, str, str]] = field(default_factory=list)
    # Zones outside the lab zone that the lab answers for too, zone -> the names that exist
    # there (at the listen address): a CNAME into one resolves or is NXDOMAIN, not REFUSED.
    external_zones: dict[str, list[str]] = field(
        default_factory=lambda: {"herokuapp.com": [], **{z: [] for z in demo_spf.ZONES}}
    )
    dns_delay: float = 0.0  # seconds added before every DNS answer
    tls_delay: float = 0.0  # seconds before each TLS handshake starts
    http_delay: float = 0.0  # seconds before every HTTP response
    latency: dict[str, float] = field(
        default_factory=lambda: {"/login": 0.12, "/api/posts": 0.08}
    )  # extra latency per app path
    # Seeded latency distributions per app path, added to `latency` (the demo's: DEMO_LATENCY)
    latency_profiles: dict[str, LatencyProfile] = field(default_factory=dict)
    ca_name: str = "Harbor Club Lab CA"
    listen: str = "127.0.0.1"
    dns_port: int = 5390  # 0 everywhere = ephemeral ports
    https_port: int = 9443
    http_port: int = 9080
    resolver_count: int = 3  # "public resolvers" on the ports right after dns_port
    # Resolver index (0-based) -> host specs it serves instead of the same-named ones, so
    # that the public resolvers can disagree with the authoritative server.
    resolver_overrides: dict[int, list[HostSpec]] = field(default_factory=dict)
    # Mail (the demo's, see demo_config): the SMTP relay on smtp_port delivers to these seed
    # mailboxes, which Dovecot serves on imap_port when installed (and `imap` is on). No
    # mailboxes: no mail services at all.
    mailboxes: list[Mailbox] = field(default_factory=list)
    # The demo app repository written next to the sprint (lab.app_repo); "" for none.
    app_repo: str = "harborclub-app"
    smtp_port: int = 0
    imap_port: int = 0
    imap: bool = True
    # What the relay does to what it delivers (the big mailbox providers' sender rules):
    # sign with DKIM or not; keep the sender's List-Unsubscribe and List-Unsubscribe-Post
    # under the signature ("keep"), remove them ("strip") or keep them unsigned ("unsigned");
    # record the delivery hop as TLS (ESMTPS) or not (ESMTP); and the reverse DNS of its
    # sending address (`listen`): a PTR to mail.<zone> ("match"), to an ISP name whose
    # forward lookup is another address ("mismatch"), or none at all ("none").
    relay_dkim: bool = True
    relay_unsubscribe: str = "keep"
    relay_tls: bool = True
    sending_rdns: str = "match"

    def __post_init__(self) -> None:
        self.zone = self.zone.rstrip(".").lower()
        _require_loopback(self.listen, "listen")
        if self.relay_unsubscribe not in RELAY_UNSUBSCRIBE:
            raise ValueError(
                f"relay_unsubscribe must be one of {RELAY_UNSUBSCRIBE}, "
                f"not {self.relay_unsubscribe!r}"
            )
        if self.sending_rdns not in SENDING_RDNS:
            raise ValueError(
                f"sending_rdns must be one of {SENDING_RDNS}, not {self.sending_rdns!r}"
            )
        for name, flag in (("relay_dkim", self.relay_dkim), ("relay_tls", self.relay_tls)):
            if not isinstance(flag, bool):
                raise ValueError(f"{name} must be true or false, not {flag!r}")
        names = [host.name for host in self.hosts]
        if len(set(names)) != len(names):
            raise ValueError("hosts: each hostname may appear only once")
        overriding = [h for hosts in self.resolver_overrides.values() for h in hosts]
        for host in [*self.hosts, *overriding]:
            # A host may also live in an external zone the lab serves (a third party's CDN).
            if not any(_in_zone(host.name, zone) for zone in [self.zone, *self.external_zones]):
                raise ValueError(f"host {host.name} is outside the lab zone {self.zone}")
        served = [self.zone, *self.external_zones]
        owners = [
            *(
                (kind, owner)
                for kind, by_owner in (("txt", self.txt), ("mx", self.mx), ("caa", self.caa))
                for owner in by_owner
            ),
            *(("records", owner) for owner, _, _ in self.records),
        ]
        for kind, owner in owners:
            if not any(_in_zone(owner, zone) for zone in served):
                raise ValueError(f"{kind}: {owner} is outside the zones the lab serves")
        for external, external_names in self.external_zones.items():
            external = external.rstrip(".").lower()
            if _in_zone(external, self.zone) or _in_zone(self.zone, external):
                raise ValueError(f"external_zones: {external} overlaps the lab zone")
            for name in external_names:
                if not _in_zone(name, external):
                    raise ValueError(f"external_zones: {name} is outside {external}")
        for index in self.resolver_overrides:
            if not 0 <= index < self.resolver_count:
                raise ValueError(f"resolver_overrides: no resolver number {index}")
        for name, delay in (
            ("dns_delay", self.dns_delay),
            ("tls_delay", self.tls_delay),
            ("http_delay", self.http_delay),
            *self.latency.items(),
        ):
            if delay < 0:
                raise ValueError(f"{name}: a delay cannot be negative")
        if self.resolver_count < 0:
            raise ValueError("resolver_count cannot be negative")
        dns_ports = range(self.dns_port, self.dns_port + self.resolver_count + 1)
        for name, port in (
            ("dns_port", dns_ports[-1]),
            ("https_port", self.https_port),
            ("http_port", self.http_port),
            ("smtp_port", self.smtp_port),
            ("imap_port", self.imap_port),
        ):
            if not 0 <= port <= 65535:
                raise ValueError(f"{name}: ports run from 0 (ephemeral) to 65535")
        # Fixed ports must not collide with each other (0 is always a fresh ephemeral port).
        tcp_ports = [*(dns_ports if self.dns_port else []), self.https_port, self.http_port]
        tcp_ports += [self.smtp_port, self.imap_port] if self.mailboxes else []
        fixed = [port for port in tcp_ports if port]
        if len(set(fixed)) != len(fixed):
            raise ValueError(
                f"the DNS ports {self.dns_port}..{dns_ports[-1]}, https_port, http_port, "
                "smtp_port and imap_port must all differ"
            )
        addresses = [mailbox.address for mailbox in self.mailboxes]
        if len(set(addresses)) != len(addresses):
            raise ValueError("mailboxes: each address may appear only once")

    def resolver_hosts(self, index: int) -> list[HostSpec]:
        """The hosts public resolver `index` serves: the config's, with its overrides applied."""
        overrides = {host.name: host for host in self.resolver_overrides.get(index, [])}
        hosts = [overrides.pop(host.name, host) for host in self.hosts]
        if index == self.resolver_count - 1:  # the one with old records cached
            hosts = [
                HostSpec(host.name, addresses=host.stale_addresses)
                if host.stale_addresses
                else host
                for host in hosts
            ]
        return [*hosts, *overrides.values()]


def base_ports(base: int) -> dict[str, int]:
    """The port fields for `--base-port N`: DNS on N, public resolvers N+1..N+3, HTTPS N+10,
    HTTP N+11, SMTP relay N+20, IMAP N+21; 0 makes every port ephemeral."""
    if base == 0:
        return {"dns_port": 0, "https_port": 0, "http_port": 0, "smtp_port": 0, "imap_port": 0}
    if not 1 <= base <= 65535 - BASE_PORT_SPAN:
        raise ValueError(f"a base port runs from 1 to {65535 - BASE_PORT_SPAN} (or 0: ephemeral)")
    return {
        "dns_port": base,
        "https_port": base + 10,
        "http_port": base + 11,
        "smtp_port": base + 20,
        "imap_port": base + 21,
    }


def demo_config(*, base_port: int | None = None, **overrides: Any) -> LabConfig:
    """The seeded Harbor Club demo, on `base_port`'s ports if given, with any LabConfig field
    overridden."""
    ports: dict[str, Any] = {"smtp_port": DEMO_SMTP_PORT, "imap_port": DEMO_IMAP_PORT}
    if base_port is not None:
        ports = base_ports(base_port)
    settings = {"mailboxes": demo_mailboxes(), "latency_profiles": demo_latency()}
    return LabConfig(**{**settings, **with_third_party(), **ports, **overrides})


def with_third_party(zone: str = DEMO_ZONE) -> dict[str, Any]:
    """The LabConfig fields of the demo with a third party's CDN in a zone of its own: app.'s
    /join loads its widget, a render-blocking script in <head>, slow to arrive (WIDGET_DELAY)
    and busy once run (perf.page finds it); the chat service's webhooks and the error
    tracker's ingest in others."""
    defaults = LabConfig(zone=zone, hosts=[], txt={}, mx={}, caa={})
    return {
        "hosts": [
            *demo_hosts(zone),
            third_party_host(),
            chat_webhook_host(),
            error_ingest_host(),
        ],
        "external_zones": {
            **defaults.external_zones,
            THIRD_PARTY_ZONE: [],
            CHAT_ZONE: [],
            ERROR_TRACKER_ZONE: [],
        },
        "latency": {**defaults.latency, WIDGET_PATH: WIDGET_DELAY},
    }


def bench_config(count: int, delay: float) -> LabConfig:
    """`count` healthy hostnames (the apex bench.test, then h01..) on ephemeral ports, every
    DNS answer, TLS handshake and HTTP response delayed by `delay` seconds."""
    zone = "bench.test"
    width = max(2, len(str(count)))
    hosts = [HostSpec(zone, app=True)]
    hosts += [HostSpec(f"h{n:0{width}d}.{zone}", app=True) for n in range(1, count)]
    return LabConfig(
        zone=zone,
        hosts=hosts,
        txt={},
        mx={},
        caa={},
        latency={},
        app_repo="",
        dns_delay=delay,
        tls_delay=delay,
        http_delay=delay,
        ca_name="Bench Lab CA",
        dns_port=0,
        https_port=0,
        http_port=0,
    )
