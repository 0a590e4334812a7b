"""Existing monitors read back (launchtui.monitoring.existing) from realistic files of each
format in tests/fixtures/monitoring, validated by the real tools where Debian has them, and
hostile files refused with a one-line reason naming the file."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from conftest import missing

from launchtui.monitoring.existing import read
from launchtui.monitoring.watched import MAX_BYTES, ExistingError, normalise_url

FIXTURES = Path(__file__).parent / "fixtures" / "monitoring"
APP = "https://app.acme.community"


def test_urls_match_up_to_case_default_port_and_trailing_slash():
    assert normalise_url("https://APP.acme.community:443/login/") == f"{APP}/login"
    assert normalise_url(APP) == f"{APP}/"
    assert normalise_url(f"{APP}/login?next=/") == f"{APP}/login"
    assert normalise_url("http://app.acme.community:8080/") == "http://app.acme.community:8080/"
    assert normalise_url("http://app.acme.community/") != normalise_url(f"{APP}/")
    for not_http in ("tcp://db:5432", "mail.acme.community", "https://", "https://x:99999/"):
        assert normalise_url(not_http) is None


def test_prometheus_blackbox_targets_and_the_rule_files_followed():
    watched = read(FIXTURES / "prometheus" / "prometheus.yml")
    assert watched.format == "Prometheus"
    assert watched.urls == {
        f"{APP}/",
        f"{APP}/login",
        f"{APP}/api/health",
        f"{APP}/checkout",
        "https://www.acme.community/",
        "https://acme.community/",
    }  # the node exporter's target is no URL of the site
    assert watched.certificates == {"app.acme.community", "www.acme.community", "acme.community"}
    assert watched.cert_alert  # rules/blackbox.yml, found by the glob relative to the file
    assert watched.routes == set()
    assert watched.alertmanager_routes  # alerting.alertmanagers: its routes are elsewhere


def test_rule_files_that_match_nothing_mean_no_certificate_alert(tmp_path):
    config = (FIXTURES / "prometheus" / "prometheus.yml").read_text()
    (tmp_path / "prometheus.yml").write_text(config)  # its rules/ folder is not there
    watched = read(tmp_path / "prometheus.yml")
    assert not watched.cert_alert
    assert any("matches no file" in note for note in watched.notes)


def test_alertmanager_routes_and_blackbox_modules():
    routes = read(FIXTURES / "prometheus" / "alertmanager.yml")
    assert (routes.format, routes.routes) == ("Alertmanager", {"email", "slack"})
    blackbox = read(FIXTURES / "prometheus" / "blackbox.yml")
    assert blackbox.format == "blackbox_exporter" and not blackbox.urls
    assert "http_2xx, tls_connect" in blackbox.notes[0]


def test_the_prometheus_fixtures_pass_the_real_validators(tmp_path):
    if shutil.which("promtool") is None:
        missing("promtool is not installed (apt-get install prometheus)")
    folder = FIXTURES / "prometheus"
    for command in (
        ["promtool", "check", "config", "--syntax-only", str(folder / "prometheus.yml")],
        ["promtool", "check", "rules", str(folder / "rules" / "blackbox.yml")],
        ["amtool", "check-config", str(folder / "alertmanager.yml")],
        [
            "prometheus-blackbox-exporter",
            f"--config.file={folder / 'blackbox.yml'}",
            "--config.check",
        ],
    ):
        if shutil.which(command[0]) is None:
            continue
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert done.returncode == 0, (command, done.stdout, done.stderr)


def test_gatus_endpoints_certificate_conditions_and_configured_alert_providers():
    watched = read(FIXTURES / "gatus" / "config.yaml")
    assert watched.format == "Gatus"
    # the disabled www endpoint watches nothing
    assert watched.urls == {
        f"{APP}/",
        f"{APP}/login",
        f"{APP}/api/health",
        f"{APP}/checkout",
        "https://acme.community/",
    }
    assert watched.certificates == {"app.acme.community", "acme.community"}
    assert watched.cert_alert
    assert watched.routes == {"slack", "email"}  # pagerduty has no provider under alerting
    assert any("pagerduty" in note for note in watched.notes)


def test_a_gatus_certificate_condition_without_alerts_is_no_alert(tmp_path):
    path = tmp_path / "gatus.yaml"
    path.write_text(
        'endpoints:\n  - name: home\n    url: "https://app.acme.community"\n'
        '    conditions: ["[CERTIFICATE_EXPIRATION] > 48h"]\n'
    )
    watched = read(path)
    assert watched.certificates == set() and not watched.cert_alert and not watched.routes


def test_uptime_kuma_backup_active_monitors_and_notifications():
    watched = read(FIXTURES / "kuma" / "backup.json")
    assert watched.format == "Uptime Kuma backup"
    # checkout is paused, the DNS monitor is no URL
    assert watched.urls == {
        f"{APP}/",
        f"{APP}/login",
        f"{APP}/api/health",
        "https://acme.community/",
    }
    # the apex's expiry notice goes to an inactive Slack notification: nobody hears it
    assert watched.certificates == {"app.acme.community"} and watched.cert_alert
    assert watched.routes == {"email"}  # "smtp" is email


def test_upptime_sites_and_what_its_file_cannot_say():
    watched = read(FIXTURES / "upptime" / ".upptimerc.yml")
    assert watched.format == "Upptime"
    assert watched.urls == {f"{APP}/", f"{APP}/login"}  # the tcp-ping site is no URL
    assert watched.routes == {"github-issues"} and watched.routes_elsewhere
    assert not watched.cert_alert and not watched.certificates
    assert "repository secrets" in watched.notes[0]
    assert watched.notes[1].startswith("issues are assigned to sam-acme")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\0\0\0IHDR", "binary"),
        (b"\xff\xfe s\x00i\x00t\x00e\x00s", "binary"),
        (b"sites: [\xe9t\xe9]\n", "not UTF-8"),
        (b"endpoints: [\n  - url: x\n", "not valid YAML"),
        (b'{"monitorList": [', "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (b"hello: world\n", "not a monitor configuration launchtui reads"),
        (b"- just\n- a list\n", "not a monitor configuration launchtui reads"),
        (b"", "not a monitor configuration launchtui reads"),
    ],
)
def test_a_file_that_is_no_monitor_configuration_is_a_clear_error(tmp_path, content, reason):
    path = tmp_path / "monitors.yml"
    path.write_bytes(content)
    with pytest.raises(ExistingError) as caught:
        read(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and reason in message
    assert "\n" not in message and "Traceback" not in message


def test_a_missing_file_and_a_folder_are_named(tmp_path):
    for path in (tmp_path / "gone.yml", tmp_path):
        with pytest.raises(ExistingError, match=f"^{path}: cannot be read"):
            read(path)


def test_a_huge_file_is_not_read(tmp_path):
    path = tmp_path / "huge.yml"
    path.write_bytes(b"sites:\n" + b"  - url: https://app.acme.community/\n" * (MAX_BYTES // 30))
    started = time.monotonic()
    with pytest.raises(ExistingError, match="over 5 MB, not read"):
        read(path)
    assert time.monotonic() - started < 2


def test_a_yaml_alias_bomb_is_refused_quickly(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [{','.join([f'*{previous}'] * 9)}]")
    lines.append("sites: [*i]")
    path = tmp_path / ".upptimerc.yml"
    path.write_text("\n".join(lines) + "\n")
    started = time.monotonic()
    with pytest.raises(ExistingError, match=r"expand to over 2,000,000 values: refused"):
        read(path)
    assert time.monotonic() - started < 2


def test_a_yaml_alias_inside_itself_is_refused(tmp_path):
    path = tmp_path / "gatus.yaml"
    path.write_text("endpoints: &e\n  - url: https://app.acme.community\n    more: *e\n")
    with pytest.raises(ExistingError, match="not valid YAML"):
        read(path)


def test_a_few_aliases_are_fine(tmp_path):
    path = tmp_path / "gatus.yaml"
    path.write_text(
        "alerting:\n  slack:\n    webhook-url: x\n"
        "x-alerts: &alerts\n  - type: slack\n"
        "endpoints:\n"
        "  - {name: a, url: 'https://app.acme.community', alerts: *alerts}\n"
        "  - {name: b, url: 'https://app.acme.community/login', alerts: *alerts}\n"
    )
    assert read(path).routes == {"slack"}


def test_a_malformed_rule_file_is_named(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "bad.yml").write_text("groups: [\n")
    (tmp_path / "prometheus.yml").write_text('rule_files: ["rules/*.yml"]\nscrape_configs: []\n')
    with pytest.raises(ExistingError, match=r"bad\.yml: not valid YAML"):
        read(tmp_path / "prometheus.yml")


def test_kuma_notification_config_that_is_not_json_is_no_route(tmp_path):
    path = tmp_path / "kuma.json"
    backup = {
        "notificationList": [{"id": 1, "active": True, "config": "{not json"}],
        "monitorList": [
            {"type": "http", "url": APP, "active": 1, "notificationIDList": {"1": True}}
        ],
    }
    path.write_text(json.dumps(backup))
    watched = read(path)
    assert watched.urls == {f"{APP}/"} and watched.routes == set()


def test_file_sd_targets_are_followed_relative_to_the_configuration(tmp_path):
    (tmp_path / "targets").mkdir()
    (tmp_path / "targets" / "flows.json").write_text(
        json.dumps([{"targets": [f"{APP}/checkout"], "labels": {"flow": "checkout"}}])
    )
    (tmp_path / "targets" / "more.yml").write_text("- targets: ['https://acme.community']\n")
    (tmp_path / "prometheus.yml").write_text(
        "scrape_configs:\n"
        "  - job_name: blackbox\n"
        "    metrics_path: /probe\n"
        "    params: {module: [http_2xx]}\n"
        "    file_sd_configs:\n"
        "      - files: ['targets/*.json', 'targets/*.yml', 'absent/*.json']\n"
    )
    watched = read(tmp_path / "prometheus.yml")
    assert watched.urls == {f"{APP}/checkout", "https://acme.community/"}
    assert watched.certificates == {"app.acme.community", "acme.community"}
    assert any("'absent/*.json' matches no file" in note for note in watched.notes)


def test_an_alertmanager_receiver_no_route_names_is_no_route(tmp_path):
    path = tmp_path / "alertmanager.yml"
    path.write_text(
        "route:\n  receiver: mail\n  routes:\n    - matchers: ['severity=\"page\"']\n"
        "      receiver: pager\n"
        "receivers:\n"
        "  - name: mail\n    email_configs: [{to: oncall@acme.community}]\n"
        "  - name: pager\n    webhook_configs: [{url: 'https://pager.example/hook'}]\n"
        "  - name: unused\n    slack_configs: [{api_url: 'https://hooks.slack.com/x'}]\n"
    )
    assert read(path).routes == {"email", "webhook"}


def test_a_fifo_is_refused_without_blocking(tmp_path):
    import os

    fifo = tmp_path / "monitors.yml"
    os.mkfifo(fifo)
    with pytest.raises(ExistingError, match="not a regular file"):
        read(fifo)
