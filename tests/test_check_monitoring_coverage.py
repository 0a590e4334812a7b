"""monitoring.coverage: the example sprint's flows and certificates against the team's
existing monitors of each format (tests/fixtures/monitoring)."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from check_helpers import run_check

from launchtui.checks.registry import all_checks
from launchtui.model.monitoring import MonitoringConfig
from launchtui.model.results import Status
from launchtui.model.sprint import Sprint
from launchtui.sprint import store

CHECK = "monitoring.coverage"
TARGET = "[monitoring].existing"
FIXTURES = Path(__file__).parent / "fixtures" / "monitoring"
PROMETHEUS = FIXTURES / "prometheus"


# The example sprint's site and flows (tests/sprint_fixtures/acme.toml), which the fixtures watch
ACME = """[sprint]
name = "Acme Community launch"
[site]
apex = "acme.community"
hostnames = ["www.acme.community", "app.acme.community"]
canonical = "https://app.acme.community"
[flows]
login = "https://app.acme.community/login"
health = "https://app.acme.community/api/health"
checkout = "https://app.acme.community/checkout"
"""


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> Sprint:
    path = tmp_path_factory.mktemp("acme") / "acme.toml"
    path.write_text(ACME, encoding="utf-8")
    return store.load(path).sprint


def _run(sprint: Sprint, *paths: Path):  # type: ignore[no-untyped-def]
    monitoring = MonitoringConfig(existing=tuple(paths))
    return run_check(CHECK, dataclasses.replace(sprint, monitoring=monitoring), TARGET)


def test_declared_in_the_monitoring_stage_with_one_target(acme):
    check = next(c for c in all_checks() if c.id == CHECK)
    assert (check.stage, check.severity) == ("monitoring", "high")
    assert [t.text for t in check.targets(acme)] == [TARGET]


def test_prometheus_with_its_alertmanager_covers_everything(acme):
    result = _run(acme, PROMETHEUS / "prometheus.yml", PROMETHEUS / "alertmanager.yml")
    assert result.status is Status.PASS, result.summary
    assert "4 core flows and 3 certificates watched" in result.summary
    assert "email and slack" in result.summary
    assert result.evidence["files"] == [
        f"{PROMETHEUS / 'prometheus.yml'}: Prometheus",
        f"{PROMETHEUS / 'alertmanager.yml'}: Alertmanager",
    ]
    assert result.evidence["unwatched_flows"] == []
    assert result.evidence["routes"] == ["email", "slack"]
    assert "notes" not in result.evidence  # the Alertmanager is named: nothing to add


def test_prometheus_without_its_alertmanager_has_no_route(acme):
    result = _run(acme, PROMETHEUS / "prometheus.yml", PROMETHEUS / "blackbox.yml")
    assert result.status is Status.FAIL
    assert result.summary == "no email or Slack route (routes: none)"
    assert any("Alertmanager's configuration" in n for n in result.evidence["notes"])
    assert "Prometheus sends its alerts to an Alertmanager" in result.fix


def test_gatus_misses_a_certificate_only_a_warning_naming_it(acme):
    result = _run(acme, FIXTURES / "gatus" / "config.yaml")
    assert result.status is Status.WARN, result.summary
    # www's endpoint is disabled: its certificate is not watched
    assert result.summary == "certificates not watched: www.acme.community"
    assert result.evidence["unwatched_certificates"] == ["www.acme.community"]
    assert "[CERTIFICATE_EXPIRATION]" in result.fix


def test_uptime_kuma_backup_misses_the_paused_checkout(acme):
    result = _run(acme, FIXTURES / "kuma" / "backup.json")
    assert result.status is Status.FAIL
    assert result.summary == (
        "core flows not watched: checkout (https://app.acme.community/checkout)"
    )
    assert result.evidence["routes"] == ["email"]
    assert set(result.evidence["unwatched_certificates"]) == {
        "acme.community",
        "www.acme.community",
    }


def test_upptime_names_every_gap(acme):
    result = _run(acme, FIXTURES / "upptime" / ".upptimerc.yml")
    assert result.status is Status.FAIL
    assert "health (https://app.acme.community/api/health)" in result.summary
    assert "checkout (https://app.acme.community/checkout)" in result.summary
    assert "no certificate-expiry alert" in result.summary
    # its channels are repository secrets: not a failure of its own
    assert "route" not in result.summary
    assert result.evidence["routes"] == ["github-issues"]
    assert "monitor export" in result.fix


def test_upptime_beside_prometheus_warns_only_about_routes_it_cannot_see(acme, tmp_path):
    prometheus = tmp_path / "prometheus.yml"
    shutil.copytree(PROMETHEUS / "rules", tmp_path / "rules")
    text = (PROMETHEUS / "prometheus.yml").read_text()
    prometheus.write_text(text.replace("alerting:", "unused_alerting:"))
    result = _run(acme, prometheus, FIXTURES / "upptime" / ".upptimerc.yml")
    assert result.status is Status.WARN, result.summary
    assert "no email or Slack route in the files" in result.summary


def test_nothing_named_fails_with_the_two_ways_out(acme):
    result = _run(acme)
    assert result.status is Status.FAIL
    assert "nothing is known to watch" in result.summary
    assert "launchtui monitor export" in result.fix and "existing = [" in result.fix


def test_a_file_that_cannot_be_read_is_an_error_naming_it(acme, tmp_path):
    missing = tmp_path / "ops" / "gatus.yaml"
    result = _run(acme, FIXTURES / "gatus" / "config.yaml", missing)
    assert result.status is Status.ERROR
    assert result.summary.startswith(f"could not check: {missing}: cannot be read")
    assert "internal error" not in result.summary
    hostile = tmp_path / "kuma.json"
    hostile.write_text(json.dumps({"monitorList": "[/red]"})[:-3])
    result = _run(acme, hostile)
    assert result.status is Status.ERROR
    assert f"{hostile}: not valid JSON" in result.summary


def test_the_demo_shows_the_gaps_of_its_gatus_file(tmp_path):
    from launchtui.lab import LabThread, demo_config

    with LabThread(demo_config(base_port=0, imap=False), tmp_path / "lab") as lab:
        sprint = store.load(lab.write_sprint(tmp_path / "demo.toml")).sprint
    assert [p.relative_to(tmp_path) for p in sprint.monitoring.existing] == [
        Path("harborclub-app/ops/gatus.yaml")
    ]
    result = run_check(CHECK, sprint, TARGET)
    assert result.status is Status.FAIL
    assert result.summary == (
        "core flows not watched: health (https://app.harborclub.test/api/health), checkout "
        "(https://app.harborclub.test/checkout); no certificate-expiry alert"
    )
    assert result.evidence["routes"] == ["slack"]


def test_an_older_demo_sprint_gets_the_existing_monitors_once(tmp_path):
    import tomlkit

    from launchtui.lab import LabThread, demo_config

    path = tmp_path / "demo.toml"
    with LabThread(demo_config(base_port=0, imap=False), tmp_path / "lab") as lab:
        lab.write_sprint(path)
        document = tomlkit.parse(path.read_text())
        del document["monitoring"]["existing"]
        path.write_text(tomlkit.dumps(document))
        lab.write_sprint(path)  # refreshed: [monitoring] names none, so the demo's is added
        assert tomlkit.parse(path.read_text())["monitoring"]["existing"] == [
            "harborclub-app/ops/gatus.yaml"
        ]
        document = tomlkit.parse(path.read_text())
        document["monitoring"]["existing"] = ["ops/prometheus.yml"]
        path.write_text(tomlkit.dumps(document))
        lab.write_sprint(path)  # the engineer's own list is left alone
    assert tomlkit.parse(path.read_text())["monitoring"]["existing"] == ["ops/prometheus.yml"]


def test_a_flow_the_sprint_does_not_declare_is_no_pass(acme):
    sprint = dataclasses.replace(
        acme, flows={k: v for k, v in acme.flows.items() if k != "checkout"}
    )
    result = _run(sprint, PROMETHEUS / "prometheus.yml", PROMETHEUS / "alertmanager.yml")
    assert result.status is Status.WARN
    assert result.summary == "core flows not declared in the sprint: checkout"
    assert result.evidence["flows_not_declared"] == ["checkout"]
