"""The alert rules of the Prometheus export, and promtool unit tests that make each alert fire
and not fire at the right time (`promtool test rules rules_test.yml`; the unit-test format of
Prometheus 2.42's docs, configuration/unit_testing_rules).

Annotations name the monitor and host through `$labels` only, so the tests can state the
exact text each alert carries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from launchtui.model.monitoring import CERT_CRITICAL_DAYS, CERT_WARN_DAYS, SLOW_MS
from launchtui.monitoring import durations
from launchtui.monitoring.prometheus_options import (
    DNS_JOB,
    HTTP_JOB,
    TLS_JOB,
    PrometheusOptions,
)

DAY = 86400


@dataclass(frozen=True, slots=True)
class Rule:
    alert: str
    expr: str
    severity: str
    summary: str
    runbook: str
    for_: str = ""  # "" fires on the first evaluation that holds

    def as_yaml(self) -> dict[str, Any]:
        made: dict[str, Any] = {"alert": self.alert, "expr": self.expr}
        if self.for_:
            made["for"] = self.for_
        made["labels"] = {"severity": self.severity}
        made["annotations"] = {"summary": self.summary, "runbook": self.runbook}
        return made


def alert_rules(options: PrometheusOptions) -> list[Rule]:
    http, tls, dns = (f'job="{job}"' for job in (HTTP_JOB, TLS_JOB, DNS_JOB))
    left = f"(probe_ssl_earliest_cert_expiry{{{tls}}} - time())"
    certificate_runbook = (
        "Renew the certificate of {{ $labels.hostname }} now (check the ACME client's renewal "
        "job and its last error); launchtui's tls.certificate check names the issuer."
    )
    return [
        Rule(
            "MonitorDown",
            f"probe_success{{{http}}} == 0",
            "critical",
            "{{ $labels.monitor }} ({{ $labels.hostname }}) is down",
            "Open {{ $labels.instance }}: not 2xx, a redirect, a timeout or (health) a body "
            "not saying up. Check the health endpoint and the last deploy; roll back if it "
            "coincides (the incident response note).",
            options.down_for,
        ),
        Rule(
            "MonitorSlow",
            f"probe_duration_seconds{{{http}}} > {SLOW_MS / 1000:g} "
            f"and probe_success{{{http}}} == 1",
            "warning",
            f"{{{{ $labels.monitor }}}} ({{{{ $labels.hostname }}}}) is slower than {SLOW_MS} ms",
            "Compare with launchtui's perf baseline: a slow database, a cold cache or an "
            "overloaded host; check the last deploy.",
            options.slow_for,
        ),
        Rule(
            "CertificateExpiring",
            f"{left} < {CERT_WARN_DAYS} * {DAY}",
            "warning",
            "The certificate of {{ $labels.hostname }} expires in less than "
            f"{CERT_WARN_DAYS} days",
            certificate_runbook,
        ),
        Rule(
            "CertificateExpiring",
            f"{left} < {CERT_CRITICAL_DAYS} * {DAY}",
            "critical",
            "The certificate of {{ $labels.hostname }} expires in less than "
            f"{CERT_CRITICAL_DAYS} days",
            certificate_runbook,
        ),
        Rule(
            "CertificateCheckFailing",
            f"probe_success{{{tls}}} == 0",
            "critical",
            "The TLS handshake with {{ $labels.hostname }} fails",
            "An expired, wrong or untrusted certificate, or nothing listening on 443: "
            "openssl s_client -connect {{ $labels.instance }} -servername "
            "{{ $labels.hostname }}",
            options.down_for,
        ),
        Rule(
            "DnsFailure",
            f"probe_success{{{dns}}} == 0",
            "critical",
            "{{ $labels.hostname }} does not resolve",
            "dig {{ $labels.hostname }} against {{ $labels.instance }}: check the zone's "
            "records and the registrar's nameservers (launchtui's dns checks).",
            options.down_for,
        ),
    ]


def rules(sprint_id: str, options: PrometheusOptions) -> dict[str, Any]:
    return {
        "groups": [
            {
                "name": f"launchtui-{sprint_id}",
                "rules": [rule.as_yaml() for rule in alert_rules(options)],
            }
        ]
    }


# The series the tests feed: one monitor of each kind (labels as the scrape jobs set them).
_HTTP = {
    "job": HTTP_JOB,
    "instance": "https://www.example.test/",
    "monitor": "homepage",
    "hostname": "www.example.test",
}
_TLS = {
    "job": TLS_JOB,
    "instance": "www.example.test:443",
    "monitor": "certificate",
    "hostname": "www.example.test",
}
_DNS = {
    "job": DNS_JOB,
    "instance": "192.0.2.53:53",
    "monitor": "dns",
    "hostname": "www.example.test",
}


def tests(options: PrometheusOptions) -> dict[str, Any]:
    step = durations.seconds(options.evaluation_interval)
    by_name = {(r.alert, r.severity): r for r in alert_rules(options)}
    cases = [
        _held(by_name["MonitorDown", "critical"], "probe_success", _HTTP, step, "1", "0"),
        _slow(by_name["MonitorSlow", "warning"], step),
        _held(
            by_name["CertificateCheckFailing", "critical"], "probe_success", _TLS, step, "1", "0"
        ),
        _held(by_name["DnsFailure", "critical"], "probe_success", _DNS, step, "1", "0"),
        _certificates(
            by_name["CertificateExpiring", "warning"],
            by_name["CertificateExpiring", "critical"],
            step,
        ),
    ]
    return {
        "rule_files": ["rules.yml"],
        "evaluation_interval": durations.render(step),
        "tests": cases,
    }


def _held(
    rule: Rule,
    metric: str,
    labels: dict[str, str],
    step: float,
    good: str,
    bad: str,
    extra: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """Good at 0, bad from the first step for `for` and a step more, then good again: pending
    (no alert) one step before `for` has passed, firing once it has, gone after recovery."""
    steps_for = math.ceil(durations.seconds(rule.for_) / step)
    bad_steps = steps_for + 2
    values = f"{good} {bad}x{bad_steps - 1} {good}x3"
    checks = []
    if steps_for:
        checks.append(_expect(rule, steps_for * step, None))
    checks.append(_expect(rule, (steps_for + 1) * step, labels))
    checks.append(_expect(rule, (bad_steps + 2) * step, None))
    return {
        "interval": durations.render(step),
        "input_series": [
            {"series": _series(metric, labels), "values": values},
            *(extra or []),
        ],
        "alert_rule_test": checks,
    }


def _slow(rule: Rule, step: float) -> dict[str, Any]:
    slow = f"{SLOW_MS / 1000 + 0.3:g}"
    steps_for = math.ceil(durations.seconds(rule.for_) / step)
    up = {"series": _series("probe_success", _HTTP), "values": f"1x{steps_for + 8}"}
    return _held(rule, "probe_duration_seconds", _HTTP, step, "0.1", slow, [up])


def _certificates(warning: Rule, critical: Rule, step: float) -> dict[str, Any]:
    """Three certificates: one past the warning line only after ten steps, one inside the
    warning window, one inside the critical window."""
    later = {**_TLS, "hostname": "later.example.test"}
    soon = {**_TLS, "hostname": "soon.example.test"}
    urgent = {**_TLS, "hostname": "urgent.example.test"}
    metric = "probe_ssl_earliest_cert_expiry"
    expiry = {
        "later": CERT_WARN_DAYS * DAY + 10 * step,
        "soon": CERT_WARN_DAYS * DAY - DAY,
        "urgent": CERT_CRITICAL_DAYS * DAY - DAY,
    }
    series = [
        {"series": _series(metric, labels), "values": f"{expiry[name]:g}x20"}
        for name, labels in (("later", later), ("soon", soon), ("urgent", urgent))
    ]
    return {
        "interval": durations.render(step),
        "input_series": series,
        # Both rules are one alert name: a test of it sees the warnings and criticals alike.
        "alert_rule_test": [
            _expect_all(0, [(warning, soon), (warning, urgent), (critical, urgent)]),
            _expect_all(9 * step, [(warning, soon), (warning, urgent), (critical, urgent)]),
            _expect_all(
                11 * step,
                [(warning, later), (warning, soon), (warning, urgent), (critical, urgent)],
            ),
        ],
    }


def _expect(rule: Rule, at: float, labels: dict[str, str] | None) -> dict[str, Any]:
    firing = [(rule, labels)] if labels is not None else []
    return {
        "eval_time": durations.render(at),
        "alertname": rule.alert,
        "exp_alerts": [_alert(r, firing_labels) for r, firing_labels in firing],
    }


def _expect_all(at: float, firing: list[tuple[Rule, dict[str, str]]]) -> dict[str, Any]:
    return {
        "eval_time": durations.render(at),
        "alertname": firing[0][0].alert,
        "exp_alerts": [_alert(rule, labels) for rule, labels in firing],
    }


def _alert(rule: Rule, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "exp_labels": {**labels, "severity": rule.severity},
        "exp_annotations": {
            "summary": _rendered(rule.summary, labels),
            "runbook": _rendered(rule.runbook, labels),
        },
    }


def _rendered(template: str, labels: dict[str, str]) -> str:
    for name, value in labels.items():
        template = template.replace(f"{{{{ $labels.{name} }}}}", value)
    return template


def _series(metric: str, labels: dict[str, str]) -> str:
    inner = ",".join(f'{name}="{value}"' for name, value in labels.items())
    return f"{metric}{{{inner}}}"
