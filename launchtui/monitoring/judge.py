"""How an exported monitor judges one answer, for the checks and `monitor --once` that must
agree with it (launchtui.model.monitoring holds the monitors and thresholds).

The exported blackbox_exporter module fails a probe on the same answers `down_reason` names:
prober http, GET, `follow_redirects: false`, `valid_status_codes` left at its default (2xx),
`fail_if_body_not_matches_regexp` for the health endpoint, `timeout` PROBE_TIMEOUT_S
(blackbox_exporter's CONFIGURATION.md, 0.23 as Debian ships it). Prometheus' slow rule fires on
the same SLOW_MS, but only after SLOW_FOR of slow probes, where a check sees one.
"""

from __future__ import annotations

import re

from launchtui.model.monitoring import CERT_CRITICAL_DAYS, CERT_WARN_DAYS, SLOW_MS, Monitor

EXCERPT = 200  # characters of a body shown when it does not say "up"


def down_reason(
    monitor: Monitor, status: int, body: bytes, location: str | None = None
) -> str | None:
    """Why the exported probe of `monitor` fails on this answer; None when it succeeds."""
    if 300 <= status < 400:
        where = f" to {location}" if location else ""
        return f"answers {status}, a redirect{where} (the monitor follows none)"
    if not 200 <= status < 300:
        return f"answers {status}, not 2xx"
    if monitor.body_regex and not body_matches(monitor, body):
        text = body[:EXCERPT].decode("utf-8", errors="replace")
        more = "…" if len(body) > EXCERPT else ""
        return f"answers {status} but its body does not say it is up: {text}{more}"
    return None


def body_matches(monitor: Monitor, body: bytes) -> bool:
    """The body matches the monitor's regex (blackbox_exporter matches RE2 on the raw body;
    the regexes written here mean the same in Python's re)."""
    return re.search(monitor.body_regex, body.decode("utf-8", errors="replace")) is not None


def slow(elapsed_ms: int) -> bool:
    return elapsed_ms > SLOW_MS


def certificate_level(days_left: float) -> str:
    """ "critical" under CERT_CRITICAL_DAYS (expired included), "warning" under
    CERT_WARN_DAYS, else "" : the exported certificate alerts' two severities."""
    if days_left < CERT_CRITICAL_DAYS:
        return "critical"
    if days_left < CERT_WARN_DAYS:
        return "warning"
    return ""
