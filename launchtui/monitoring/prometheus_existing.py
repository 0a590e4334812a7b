"""The Prometheus family read back: a Prometheus configuration, its rule files, an
Alertmanager configuration and a blackbox_exporter configuration.

Shapes, as documented (prometheus.io/docs/prometheus/latest/configuration/configuration/,
.../alerting/latest/configuration/, github.com/prometheus/blackbox_exporter CONFIGURATION.md):
- a blackbox job scrapes `metrics_path: /probe` and relabels `__address__` into
  `__param_target`, so each of its `static_configs[].targets` is a probed URL, with the
  module in `params.module`;
- `rule_files` (and `file_sd_configs[].files`, target groups `[{targets: [...]}]`) are
  globs, relative to the configuration file; an alerting rule is
  `groups[].rules[]` with `alert` and `expr`; a certificate alert reads the blackbox metric
  `probe_ssl_earliest_cert_expiry`;
- Alertmanager's `route` (with nested `routes`) names receivers; `receivers[]` hold
  `email_configs`, `slack_configs`, `webhook_configs`...
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

from launchtui.monitoring.watched import (
    Watched,
    https_host,
    items,
    normalise_url,
    parse_document,
    read_text,
    strings,
)

CERT_METRIC = "probe_ssl_earliest_cert_expiry"
MAX_FILES = 50  # rule or target files a configuration's globs may match: more are not read


def is_prometheus(document: dict[str, Any]) -> bool:
    return "scrape_configs" in document or "rule_files" in document


def is_rules(document: dict[str, Any]) -> bool:
    return isinstance(document.get("groups"), list)


def is_alertmanager(document: dict[str, Any]) -> bool:
    return "receivers" in document and "route" in document


def is_blackbox(document: dict[str, Any]) -> bool:
    return isinstance(document.get("modules"), dict)


def prometheus(path: Path, document: dict[str, Any]) -> Watched:
    urls: set[str] = set()
    certificates: set[str] = set()
    notes: list[str] = []
    for job in items(document.get("scrape_configs")):
        if not _probes(job):
            continue  # a job scraping exporters' metrics watches no URL of the site
        name = str(job.get("job_name", "?"))
        if any(key.endswith("_sd_configs") and key != "file_sd_configs" for key in job):
            notes.append(f"job {name}: targets from service discovery are not read")
        groups = items(job.get("static_configs"))
        for sd in items(job.get("file_sd_configs")):
            sd_paths, sd_notes = _globbed(path, sd.get("files"), f"job {name}: file_sd_configs")
            notes += sd_notes
            for sd_path in sd_paths:
                groups += items(parse_document(sd_path, read_text(sd_path)))
        for group in groups:
            for target in strings(group.get("targets")):
                normal = normalise_url(target)
                if normal is not None:
                    urls.add(normal)
                host = https_host(target) or _tls_host(target, job)
                if host:
                    certificates.add(host)
    cert_alert = False
    rule_paths, rule_notes = _globbed(path, document.get("rule_files"), "rule_files")
    notes += rule_notes
    for rule_path in rule_paths:
        cert_alert |= rules_alert_on_certificates(parse_document(rule_path, read_text(rule_path)))
    return Watched(
        str(path),
        "Prometheus",
        frozenset(urls),
        frozenset(certificates),
        cert_alert,
        alertmanager_routes=_alertmanagers(document),
        notes=tuple(notes),
    )


def rules(path: Path, document: dict[str, Any]) -> Watched:
    return Watched(str(path), "Prometheus rules", cert_alert=rules_alert_on_certificates(document))


def rules_alert_on_certificates(document: object) -> bool:
    if not isinstance(document, dict):
        return False
    return any(
        isinstance(rule.get("alert"), str) and CERT_METRIC in str(rule.get("expr", ""))
        for group in items(document.get("groups"))
        for rule in items(group.get("rules"))
    )


def alertmanager(path: Path, document: dict[str, Any]) -> Watched:
    """The kinds of the receivers the routing tree sends to (a receiver no route names gets
    no alert)."""
    used = _route_receivers(document.get("route"), depth=0)
    routes = {
        key.removesuffix("_configs")
        for receiver in items(document.get("receivers"))
        if isinstance(receiver.get("name"), str) and receiver["name"] in used
        for key, value in receiver.items()
        if isinstance(key, str) and key.endswith("_configs") and value
    }
    return Watched(str(path), "Alertmanager", routes=frozenset(routes))


MAX_ROUTE_DEPTH = 32  # a routing tree deeper than this is not followed further


def _route_receivers(route: object, depth: int) -> set[str]:
    if not isinstance(route, dict) or depth > MAX_ROUTE_DEPTH:
        return set()
    names = {route["receiver"]} if isinstance(route.get("receiver"), str) else set()
    for child in items(route.get("routes")):
        names |= _route_receivers(child, depth + 1)
    return names


def blackbox(path: Path, document: dict[str, Any]) -> Watched:
    modules = document.get("modules")
    names = ", ".join(sorted(str(name) for name in modules)) if isinstance(modules, dict) else ""

    return Watched(
        str(path),
        "blackbox_exporter",
        notes=(f"modules only ({names}): what is probed is in Prometheus's scrape configuration",),
    )


def _probes(job: dict[str, Any]) -> bool:
    relabels = items(job.get("relabel_configs"))
    return job.get("metrics_path") == "/probe" or any(
        r.get("target_label") == "__param_target" for r in relabels
    )


def _tls_host(target: str, job: dict[str, Any]) -> str | None:
    """host of a "host:443" target probed by a TLS (tcp) module: its certificate is seen."""
    params = job.get("params")
    modules = strings(params.get("module")) if isinstance(params, dict) else []
    host, _, port = target.rpartition(":")
    if host and port == "443" and "://" not in target and any("tls" in m for m in modules):
        return host.lower().rstrip(".")
    return None


def _globbed(path: Path, patterns: object, what: str) -> tuple[list[Path], list[str]]:
    """The files `patterns` (globs, relative to the configuration file) match, at most
    MAX_FILES, and notes of what matched nothing or was left."""
    found: list[Path] = []
    notes: list[str] = []
    for pattern in strings(patterns):
        full = pattern if Path(pattern).is_absolute() else str(path.parent / pattern)
        matches = sorted(Path(m) for m in glob.glob(full))
        if not matches:
            notes.append(f"{what} {pattern!r} matches no file")
        found += [m for m in matches if m not in found]
    if len(found) > MAX_FILES:
        notes.append(f"{what}: {len(found)} files, the first {MAX_FILES} read")
        found = found[:MAX_FILES]
    return found, notes


def _alertmanagers(document: dict[str, Any]) -> bool:
    alerting = document.get("alerting")
    return isinstance(alerting, dict) and bool(items(alerting.get("alertmanagers")))
