"""The Prometheus family read back: a Prometheus configuration, its rule files, an
Alertmanager configuration and a blackbox_exporter configuration.

Shapes, as documented (prometheus.io/docs/prometheus/latest/configuration/configuration/,
.../alerting/latest/configuration/, github.com/prometheus/blackbox_exporter CONFIGURATION.md):
- a blackbox job scrapes `metrics_path: /probe` and relabels `__address__` into
  `__param_target`, so each of its `static_configs[].targets` is a probed URL, with the
  module in `params.module`;
- `rule_files` are globs, relative to the configuration file; an alerting rule is
  `groups[].rules[]` with `alert` and `expr`; a certificate alert reads the blackbox metric
  `probe_ssl_earliest_cert_expiry`;
- Alertmanager's `receivers[]` hold `email_configs`, `slack_configs`, `webhook_configs`...
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

from launchtui.monitoring.watched import (
    ExistingError,
    Watched,
    https_host,
    items,
    normalise_url,
    parse_document,
    read_text,
    strings,
)

CERT_METRIC = "probe_ssl_earliest_cert_expiry"
MAX_RULE_FILES = 50  # a rule_files glob matching more is read this far, and said


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
        if job.get("file_sd_configs") or job.get("http_sd_configs"):
            notes.append(
                f"job {job.get('job_name', '?')!s}: targets from service discovery are not read"
            )
        for static in items(job.get("static_configs")):
            for target in strings(static.get("targets")):
                normal = normalise_url(target)
                if normal is not None:
                    urls.add(normal)
                host = https_host(target) or _tls_host(target, job)
                if host:
                    certificates.add(host)
    cert_alert = False
    rule_paths, rule_notes = _rule_files(path, document.get("rule_files"))
    notes += rule_notes
    for rule_path in rule_paths:
        cert_alert |= rules_alert_on_certificates(parse_document(rule_path, read_text(rule_path)))
    if _alertmanagers(document):
        notes.append(
            "alerts go to an Alertmanager: name its configuration in [monitoring].existing "
            "so that its routes are known"
        )
    return Watched(
        str(path),
        "Prometheus",
        frozenset(urls),
        frozenset(certificates),
        cert_alert,
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
    routes = {
        key.removesuffix("_configs")
        for receiver in items(document.get("receivers"))
        for key, value in receiver.items()
        if isinstance(key, str) and key.endswith("_configs") and value
    }
    return Watched(str(path), "Alertmanager", routes=frozenset(routes))


def blackbox(path: Path, document: dict[str, Any]) -> Watched:
    names = ", ".join(sorted(str(name) for name in document.get("modules", {})))
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


def _rule_files(path: Path, patterns: object) -> tuple[list[Path], list[str]]:
    found: list[Path] = []
    notes: list[str] = []
    for pattern in strings(patterns):
        full = pattern if Path(pattern).is_absolute() else str(path.parent / pattern)
        matches = sorted(glob.glob(full))
        if not matches:
            notes.append(f"rule_files {pattern!r} matches no file")
        found += [Path(m) for m in matches]
    if len(found) > MAX_RULE_FILES:
        notes.append(f"{len(found)} rule files: the first {MAX_RULE_FILES} read")
        found = found[:MAX_RULE_FILES]
    for rule_path in found:
        if not rule_path.is_file():
            raise ExistingError(f"{rule_path}: a rule file that is not a file")
    return found, notes


def _alertmanagers(document: dict[str, Any]) -> bool:
    alerting = document.get("alerting")
    return isinstance(alerting, dict) and bool(items(alerting.get("alertmanagers")))
