"""Stage 6's monitors as data: what is watched, and how a monitor judges it.

One definition serves every view of a monitor: the Prometheus and Gatus exports, the
monitoring checks (which judge exactly as the exported monitors will), `monitor --once` and
the dashboard. The sprint declares no monitors of its own: they follow from [site] and
[flows], so a flow added for stage 4 is watched in stage 6 too.

    [monitoring]
    alert_email = "oncall@acme.community"   # where alerts are emailed (through [email].smtp)
    slack_webhook = "slack_webhook"         # a [credentials] name: the incoming-webhook URL
    error_dsn = "sentry_dsn"                # a [credentials] name: Sentry or GlitchTip DSN
    alertmanager = "http://127.0.0.1:9093"  # optional: `monitor prove` alerts through it
    existing = ["ops/prometheus.yml"]       # the team's monitors (monitoring.coverage)
    watch_interval = 60                     # seconds between the dashboard's passes
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

# The core flows every launch watches (the roadmap's "homepage, login page, API health
# endpoint, and checkout path"), in this order; homepage is [site].canonical.
CORE_MONITORS = ("homepage", "login", "health", "checkout")
# The alert thresholds of the exported rules and of the checks that judge as they do.
DOWN_FOR = "2m"  # a monitor failing this long pages
SLOW_MS = 500  # a core flow slower than this ...
SLOW_FOR = "10m"  # ... for this long warns
CERT_WARN_DAYS = 14
CERT_CRITICAL_DAYS = 3
PROBE_TIMEOUT_S = 10  # one probe's whole exchange, in the exports and the checks alike
# The health endpoint must say it is up (the words deploy.health counts as up): a 200 whose
# body reports "down" is an outage the status code hides.
HEALTH_BODY_REGEX = r'"status"\s*:\s*"(ok|pass|passed|up|healthy|green|success)"'
# The dashboard's watch mode: never more often than every 10 s (it is the user's production),
# never less than hourly.
MIN_WATCH_INTERVAL = 10.0
MAX_WATCH_INTERVAL = 3600.0
DEFAULT_WATCH_INTERVAL = 60.0
# What a watch pass (and `monitor --once`) re-runs: the probes of the monitors themselves.
# Never the coverage or error-reporting checks: the canary event must not go out every pass.
WATCH_CHECKS = ("monitoring.synthetic", "monitoring.cert-expiry")


@dataclass(frozen=True, slots=True)
class Monitor:
    """One HTTP(S) uptime monitor: a GET of `url` that must answer 2xx (following no
    redirect: a login page that redirects elsewhere is not the login page), within
    PROBE_TIMEOUT_S, with a body matching `body_regex` when it is set."""

    name: str  # "homepage", "login", "health", "checkout"
    url: str
    body_regex: str = ""

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()


@dataclass(frozen=True, slots=True)
class MonitoringConfig:
    alert_email: str = ""
    slack_webhook: str = ""  # credential name
    error_dsn: str = ""  # credential name
    alertmanager: str = ""  # URL of the team's Alertmanager, "" for none
    existing: tuple[Path, ...] = ()  # absolute, resolved against the sprint file's folder
    watch_interval: float = DEFAULT_WATCH_INTERVAL


@dataclass(frozen=True, slots=True)
class Monitors:
    http: tuple[Monitor, ...] = ()
    certificates: tuple[str, ...] = ()  # every public hostname, apex first
    missing: tuple[str, ...] = field(default=())  # core flows the sprint does not declare


def monitors_for(
    canonical: str, apex: str, hostnames: tuple[str, ...], flows: dict[str, str]
) -> Monitors:
    """The monitors of a sprint's site ([site].canonical, apex and hostnames) and [flows]."""
    urls = {"homepage": canonical or (f"https://{apex}/" if apex else "")}
    urls |= {name: flows.get(name, "") for name in CORE_MONITORS[1:]}
    http = tuple(
        Monitor(name, url, HEALTH_BODY_REGEX if name == "health" else "")
        for name, url in urls.items()
        if url
    )
    missing = tuple(name for name, url in urls.items() if not url)
    return Monitors(http, hostnames, missing)


@dataclass(frozen=True, slots=True)
class AlertProof:
    """One test alert through one alert route (`monitor prove`), as recorded in the run
    history: `detail` says what happened in words and never holds a secret."""

    route: str  # "email" or "slack"
    via: str  # "direct" (the route itself) or "alertmanager"
    ok: bool  # it arrived (email: in the inbox) or was accepted (webhook: 200 "ok")
    duration_ms: int
    detail: str
    at: str  # ISO 8601 UTC, when the test alert was sent
