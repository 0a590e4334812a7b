"""The sprint's monitors for Prometheus, blackbox_exporter and Alertmanager: one folder.

    blackbox.yml      blackbox_exporter modules: one per HTTP monitor, certificate and DNS name
    prometheus.yml    scrape jobs probing through blackbox_exporter, rules, Alertmanager
    rules.yml         the alert rules (launchtui.monitoring.prometheus_rules)
    rules_test.yml    promtool unit tests making each alert fire, and not fire, on time
    alertmanager.yml  email (SMTP) and Slack routes (launchtui.monitoring.alertmanager)

Key names follow the versions Debian ships and the tests run: blackbox_exporter 0.23
(CONFIGURATION.md: `follow_redirects`, `fail_if_body_not_matches_regexp`, the dns prober's
`validate_answer_rrs`), Prometheus 2.42 and Alertmanager 0.25. Every module, job and label is
derived from `sprint.monitors`, so the export judges exactly as the monitoring checks do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from launchtui.model.monitoring import PROBE_TIMEOUT_S
from launchtui.model.sprint import Sprint
from launchtui.monitoring import alertmanager, prometheus_rules, targets
from launchtui.monitoring.export import Export, dump, header
from launchtui.monitoring.prometheus_options import (
    DNS_JOB,
    HTTP_JOB,
    TLS_JOB,
    PrometheusOptions,
)

FILES = ("blackbox.yml", "prometheus.yml", "rules.yml", "rules_test.yml", "alertmanager.yml")
__all__ = ["FILES", "PrometheusOptions", "render"]


def render(sprint: Sprint, folder: Path, options: PrometheusOptions | None = None) -> Export:
    options = options or PrometheusOptions()
    secrets_dir = (options.secrets_dir or folder / "secrets").absolute()
    routes = alertmanager.render(sprint, secrets_dir, options)
    files = {
        "blackbox.yml": header(sprint.name, "blackbox_exporter modules")
        + dump({"modules": modules(sprint)}),
        "prometheus.yml": header(sprint.name, "Prometheus configuration")
        + dump(scrape_config(sprint, options)),
        "rules.yml": header(sprint.name, "Alert rules")
        + dump(prometheus_rules.rules(sprint.id, options)),
        "rules_test.yml": header(sprint.name, "promtool unit tests of rules.yml")
        + dump(prometheus_rules.tests(options)),
        "alertmanager.yml": header(sprint.name, "Alertmanager configuration") + dump(routes.config),
    }
    return Export(files, routes.secrets, routes.notes + _notes(sprint))


def slug(host: str) -> str:
    return host.lower().replace(".", "_").replace("-", "_")


def modules(sprint: Sprint) -> dict[str, Any]:
    network = sprint.network
    made: dict[str, Any] = {}
    for monitor in sprint.monitors.http:
        target = targets.http_target(monitor.url, network)
        http: dict[str, Any] = {
            "method": "GET",
            "follow_redirects": False,  # a page that redirects is not the page watched
            "valid_status_codes": [],  # none listed: any 2xx
        }
        if monitor.body_regex:
            http["fail_if_body_not_matches_regexp"] = [monitor.body_regex]
        if target.host_header:
            http["headers"] = {"Host": target.host_header}
        tls = _tls_config(network.ca_bundle, target.server_name)
        if tls:
            http["tls_config"] = tls
        made[f"http_{monitor.name}"] = {
            "prober": "http",
            "timeout": f"{PROBE_TIMEOUT_S}s",
            "http": http,
        }
    for host in sprint.monitors.certificates:
        made[f"tls_{slug(host)}"] = {
            "prober": "tcp",
            "timeout": f"{PROBE_TIMEOUT_S}s",
            "tcp": {"tls": True, "tls_config": _tls_config(network.ca_bundle, host)},
        }
        made[f"dns_{slug(host)}"] = {
            "prober": "dns",
            "timeout": f"{PROBE_TIMEOUT_S}s",
            "dns": {
                "query_name": host,
                "query_type": "A",
                "valid_rcodes": ["NOERROR"],
                # NOERROR with no address is a failure too (the name resolves to nothing)
                "validate_answer_rrs": {"fail_if_none_matches_regexp": [".+"]},
            },
        }
    return made


def scrape_config(sprint: Sprint, options: PrometheusOptions) -> dict[str, Any]:
    monitors = sprint.monitors
    network = sprint.network
    http = [
        _target(
            targets.http_target(m.url, network).url,
            f"http_{m.name}",
            monitor=m.name,
            hostname=m.host,
        )
        for m in monitors.http
    ]
    tls = [
        _target(
            targets.tls_target(host, network),
            f"tls_{slug(host)}",
            monitor="certificate",
            hostname=host,
        )
        for host in monitors.certificates
    ]
    resolver = targets.hostport(targets.resolver(network))
    dns = [
        _target(resolver, f"dns_{slug(host)}", monitor="dns", hostname=host)
        for host in monitors.certificates
    ]
    jobs = [(HTTP_JOB, http), (TLS_JOB, tls), (DNS_JOB, dns)]
    return {
        "global": {
            "scrape_interval": options.scrape_interval,
            "scrape_timeout": options.scrape_timeout,
            "evaluation_interval": options.evaluation_interval,
            "external_labels": {"sprint": sprint.id},
        },
        "rule_files": ["rules.yml"],  # relative to this file, as Prometheus resolves it
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [options.alertmanager]}]}]},
        "scrape_configs": [
            _job(name, entries, options.blackbox) for name, entries in jobs if entries
        ],
    }


def _target(address: str, module: str, **labels: str) -> dict[str, Any]:
    return {"targets": [address], "labels": {**labels, "__param_module": module}}


def _job(name: str, static: list[dict[str, Any]], blackbox: str) -> dict[str, Any]:
    # blackbox_exporter's documented relabelling: the target becomes the probe's parameter
    # and the instance label, and the scrape goes to the exporter
    return {
        "job_name": name,
        "metrics_path": "/probe",
        "static_configs": static,
        "relabel_configs": [
            {"source_labels": ["__address__"], "target_label": "__param_target"},
            {"source_labels": ["__param_target"], "target_label": "instance"},
            {"target_label": "__address__", "replacement": blackbox},
        ],
    }


def _tls_config(ca_bundle: Path | None, server_name: str) -> dict[str, str]:
    tls: dict[str, str] = {}
    if server_name:
        tls["server_name"] = server_name
    if ca_bundle is not None:
        tls["ca_file"] = str(ca_bundle)
    return tls


def _notes(sprint: Sprint) -> tuple[str, ...]:
    notes = []
    if sprint.network.nameservers:
        notes.append(
            "blackbox_exporter resolves HTTP and certificate targets through the system's "
            "resolver; only the DNS monitors ask [network].nameservers (connect_to entries "
            "stand in for the rest)"
        )
    return tuple(notes)
