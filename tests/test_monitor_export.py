"""`launchtui monitor export`: the Prometheus folder passes Debian's own validators (promtool,
amtool, blackbox_exporter --config.check) for the demo sprint and a minimal one, the
validators are shown to reject broken files, the Gatus file matches Gatus's documented
configuration (tests/fixtures/gatus-config.schema.json, from the TwiN/gatus README), and no
secret value is ever written."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import in_ci

from launchtui.cli.main import main
from launchtui.model.monitoring import HEALTH_BODY_REGEX
from launchtui.monitoring.prometheus import FILES

pytest_plugins = ["mail_fixtures", "lab_fixtures"]

SCHEMA = Path(__file__).parent / "fixtures" / "gatus-config.schema.json"
SLACK_URL = "https://hooks.slack.test/services/T000/B000/s3cr3t-webhook-value"
# Debian's packages of the validators
PACKAGES = {
    "promtool": "prometheus",
    "amtool": "prometheus-alertmanager",
    "prometheus-blackbox-exporter": "prometheus-blackbox-exporter",
}


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (apt-get install {PACKAGES[name]})"
        if in_ci():  # ./dev test installs them: missing in CI is a broken set-up
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


def check(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool(argv[0]), *argv[1:]], cwd=folder, capture_output=True, text=True, timeout=120
    )


VALIDATIONS = {
    "prometheus.yml": ("promtool", "check", "config", "prometheus.yml"),
    "rules.yml": ("promtool", "check", "rules", "rules.yml"),
    "rules_test.yml": ("promtool", "test", "rules", "rules_test.yml"),
    "alertmanager.yml": ("amtool", "check-config", "alertmanager.yml"),
    "blackbox.yml": (
        "prometheus-blackbox-exporter",
        "--config.check",
        "--config.file=blackbox.yml",
    ),
}


def assert_valid(folder: Path) -> None:
    for name, argv in VALIDATIONS.items():
        done = check(folder, *argv)
        assert done.returncode == 0, f"{name}: {done.stdout}{done.stderr}"


def export(sprint: Path, engine: str, to: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code = main(["monitor", "export", str(sprint), "--to", engine, str(to)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


@pytest.fixture
def demo_sprint(mail_sprint: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LAUNCHTUI_CRED_SLACK_WEBHOOK", SLACK_URL)
    return mail_sprint


@pytest.fixture
def minimal_sprint(tmp_path: Path) -> Path:
    path = tmp_path / "minimal.toml"
    path.write_text('[sprint]\nname = "Minimal"\n\n[site]\napex = "minimal.test"\n')
    return path


def secret_values(credentials: dict[str, str]) -> list[str]:
    return [value for value in [*credentials.values(), SLACK_URL] if len(value) >= 8]


# The Prometheus folder, validated by the real tools


def test_demo_export_passes_the_real_validators_and_writes_no_secret(
    demo_sprint, lab_credentials, tmp_path, capsys
):
    folder = tmp_path / "prom"
    out = export(demo_sprint, "prometheus", folder, capsys)
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    assert_valid(folder)
    for name in FILES:
        text = (folder / name).read_text()
        for value in secret_values(lab_credentials):
            assert value not in text, f"a secret value is in {name}"
    assert "smtp_password" in out and "slack_webhook" in out
    assert (
        f"{(folder / 'secrets' / 'smtp_password').absolute()}  <- credential smtp_password" in out
    )
    assert not (folder / "secrets").exists()  # launchtui never writes a secret file


def test_minimal_export_passes_the_validators_and_names_the_missing_flows(
    minimal_sprint, tmp_path, capsys
):
    folder = tmp_path / "prom"
    out = export(minimal_sprint, "prometheus", folder, capsys)
    assert_valid(folder)
    assert "not monitored (no URL in the sprint's [flows]): login, health, checkout" in out
    assert "no alert route" in out
    scrape = yaml.safe_load((folder / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in scrape["scrape_configs"]}
    homepage = jobs["launchtui_http"]["static_configs"]
    assert homepage == [
        {
            "targets": ["https://minimal.test/"],
            "labels": {
                "monitor": "homepage",
                "hostname": "minimal.test",
                "__param_module": "http_homepage",
            },
        }
    ]
    # without [network], the DNS monitors ask a public resolver
    assert jobs["launchtui_dns"]["static_configs"][0]["targets"] == ["1.1.1.1:53"]


def test_the_export_honours_connect_to_ca_bundle_and_nameservers(
    demo_sprint, mail_lab, tmp_path, capsys
):
    """Every lab host is in the demo's connect_to: the probes go to the lab's addresses with
    the real Host and TLS server name, trusting the lab CA, and DNS asks the lab's server."""
    from launchtui.sprint import store

    sprint = store.load(demo_sprint).sprint
    folder = tmp_path / "prom"
    export(demo_sprint, "prometheus", folder, capsys)
    modules = yaml.safe_load((folder / "blackbox.yml").read_text())["modules"]
    scrape = yaml.safe_load((folder / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in scrape["scrape_configs"]}
    https = "{}:{}".format(*mail_lab.https_address)
    health = next(m for m in sprint.monitors.http if m.name == "health")
    http = modules["http_health"]["http"]
    assert http["headers"] == {"Host": health.host}
    assert http["tls_config"] == {
        "server_name": health.host,
        "ca_file": str(sprint.network.ca_bundle),
    }
    assert http["fail_if_body_not_matches_regexp"] == [HEALTH_BODY_REGEX]
    assert http["follow_redirects"] is False
    targets = {
        c["labels"]["monitor"]: c["targets"][0] for c in jobs["launchtui_http"]["static_configs"]
    }
    assert targets["health"].startswith(f"https://{https}/")
    assert set(targets) == {"homepage", "login", "health", "checkout"}
    tls_hosts = {c["labels"]["hostname"] for c in jobs["launchtui_tls"]["static_configs"]}
    assert tls_hosts == set(sprint.monitors.certificates)
    dns = "{}:{}".format(*mail_lab.dns_address)
    assert {c["targets"][0] for c in jobs["launchtui_dns"]["static_configs"]} == {dns}
    email = yaml.safe_load((folder / "alertmanager.yml").read_text())["receivers"][0]
    config = email["email_configs"][0]
    smtp = sprint.email.smtp
    assert config["to"] == sprint.monitoring.alert_email
    assert config["auth_password_file"].endswith("/secrets/smtp_password")
    assert config["require_tls"] is True and config["send_resolved"] is True
    assert config["tls_config"]["ca_file"] == str(sprint.network.ca_bundle)
    # the lab's relay by its name is in connect_to: its address, with its name for TLS
    relay = sprint.network.connect_to[(smtp.host, smtp.port)]
    assert config["smarthost"] == "{}:{}".format(*relay)
    assert config["tls_config"]["server_name"] == smtp.host


def test_blackbox_exporter_probes_the_lab_with_the_exported_modules(lab, tmp_path, capsys):
    """The modules work, not only parse: Debian's blackbox_exporter, run on the export, finds
    the demo's core flows up (health's body included) and the lab's seeded faults down (an
    NXDOMAIN and a SERVFAIL name, an expired certificate)."""
    sprint = lab.write_sprint(tmp_path / "demo.toml")
    folder = tmp_path / "prom"
    export(sprint, "prometheus", folder, capsys)
    with socket.socket() as probe:  # a free port for the exporter
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    exporter = subprocess.Popen(
        [
            tool("prometheus-blackbox-exporter"),
            "--config.file=blackbox.yml",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        cwd=folder,
        stderr=subprocess.DEVNULL,
    )
    try:
        scrape = yaml.safe_load((folder / "prometheus.yml").read_text())
        results: dict[tuple[str, str], bool] = {}
        for job in scrape["scrape_configs"]:
            for entry in job["static_configs"]:
                labels = entry["labels"]
                query = {"target": entry["targets"][0], "module": labels["__param_module"]}
                body = _probe(port, query)
                results[labels["monitor"], labels["hostname"]] = "probe_success 1" in body
    finally:
        exporter.terminate()
        exporter.wait(timeout=10)
    zone = "harborclub.test"
    for name in ("homepage", "login", "health", "checkout"):
        assert results[name, f"app.{zone}"], name
    assert results["certificate", f"app.{zone}"] and results["dns", f"app.{zone}"]
    assert not results["dns", f"shop.{zone}"]  # NXDOMAIN
    assert not results["dns", f"forum.{zone}"]  # SERVFAIL
    assert not results["certificate", f"community.{zone}"]  # expired


def _probe(port: int, query: dict[str, str]) -> str:
    url = f"http://127.0.0.1:{port}/probe?{urllib.parse.urlencode(query)}"
    deadline = time.monotonic() + 10
    while True:  # the exporter takes a moment to listen
        try:
            with urllib.request.urlopen(url, timeout=15) as answer:
                return str(answer.read().decode())
        except urllib.error.URLError as exc:
            if not isinstance(exc.reason, ConnectionError) or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


# The validators would catch a broken file (so the tests above are not vacuous)


BREAKAGES = {
    # a rule test expecting the alert one step early: pending is not firing
    "rules_test.yml": ("- eval_time: 150s\n", "- eval_time: 120s\n"),
    "rules.yml": ("probe_success{", "probe_success{{"),
    "prometheus.yml": ("target_label: __param_target", "target_label: 1nvalid"),
    "alertmanager.yml": ("send_resolved: true", "send_resolved: true\n        bogus: 1"),
    "blackbox.yml": ("follow_redirects: false", "no_follow_redirect: true"),
}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_the_validators_reject_a_broken_file(name, minimal_sprint, tmp_path, capsys):
    folder = tmp_path / "prom"
    (folder / "secrets").mkdir(parents=True)
    minimal_sprint.write_text(
        minimal_sprint.read_text()
        + '\n[monitoring]\nslack_webhook = "hook"\n\n[credentials]\nhook = "Slack"\n'
    )
    export(minimal_sprint, "prometheus", folder, capsys)
    path = folder / name
    old, new = BREAKAGES[name]
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    done = check(folder, *VALIDATIONS[name])
    assert done.returncode != 0, f"{name} broken, yet accepted: {done.stdout}{done.stderr}"


def test_rule_tests_follow_shorter_durations(minimal_sprint, tmp_path):
    """The end-to-end set-up writes short intervals: the rule tests follow them."""
    from launchtui.monitoring import prometheus
    from launchtui.monitoring.prometheus_options import PrometheusOptions
    from launchtui.sprint import store

    options = PrometheusOptions(
        scrape_interval="1s",
        scrape_timeout="1s",
        evaluation_interval="1s",
        down_for="5s",
        slow_for="10s",
        group_wait="1s",
        group_interval="1s",
        repeat_interval="1m",
    )
    folder = tmp_path / "short"
    folder.mkdir()
    made = prometheus.render(store.load(minimal_sprint).sprint, folder, options)
    for name, text in made.files.items():
        (folder / name).write_text(text)
    assert_valid(folder)
    rules = yaml.safe_load((folder / "rules.yml").read_text())["groups"][0]["rules"]
    assert {r["alert"]: r.get("for") for r in rules}["MonitorDown"] == "5s"


# The command


def test_only_the_owned_files_are_replaced(minimal_sprint, tmp_path, capsys):
    folder = tmp_path / "prom"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    (folder / "rules.yml").write_text("stale")
    export(minimal_sprint, "prometheus", folder, capsys)
    assert (folder / "notes.txt").read_text() == "mine"
    assert (folder / "rules.yml").read_text() != "stale"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--to", "nagios", "out"], "unknown engine 'nagios'"),
        (["--to", "gatus", "."], "is a folder"),
    ],
)
def test_usage_errors_exit_2_with_one_line(argv, message, minimal_sprint, tmp_path, capsys):
    code = main(["monitor", "export", str(minimal_sprint), *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and err.count("\n") == 1


def test_a_broken_sprint_file_exits_2_with_one_line(tmp_path, capsys):
    broken = tmp_path / "broken.toml"
    broken.write_text("[site\n")
    code = main(["monitor", "export", str(broken), "--to", "gatus", str(tmp_path / "g.yaml")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "g.yaml").exists()


# Gatus


CONDITION = re.compile(
    r"^(?:(?:len|has)\()?\[(STATUS|RESPONSE_TIME|BODY|CERTIFICATE_EXPIRATION|CONNECTED|IP|"
    r"DNS_RCODE|DOMAIN_EXPIRATION)\](?:\.[A-Za-z0-9_.\[\]-]+)?\)?"
    r" (==|!=|<=|>=|<|>) (\S.*)$"
)


def gatus_errors(document: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    errors = [error.message for error in validator.iter_errors(document)]
    for endpoint in document.get("endpoints", []):
        for condition in endpoint.get("conditions", []):
            if not CONDITION.match(condition):
                errors.append(f"condition does not parse: {condition}")
    return errors


def test_gatus_export_matches_the_documented_schema(demo_sprint, lab_credentials, tmp_path, capsys):
    target = tmp_path / "gatus.yaml"
    out = export(demo_sprint, "gatus", target, capsys)
    text = target.read_text()
    document = yaml.safe_load(text)
    assert gatus_errors(document) == []
    for value in secret_values(lab_credentials):
        assert value not in text
    assert document["alerting"]["email"]["password"] == "${LAUNCHTUI_CRED_SMTP_PASSWORD}"
    assert document["alerting"]["slack"]["webhook-url"] == "${LAUNCHTUI_CRED_SLACK_WEBHOOK}"
    assert "LAUNCHTUI_CRED_SLACK_WEBHOOK  <- credential slack_webhook" in out
    assert "Gatus has no connect-to" in out
    endpoints = {e["name"]: e for e in document["endpoints"]}
    health = endpoints["health"]
    assert "[RESPONSE_TIME] < 500" in health["conditions"]
    assert "[CERTIFICATE_EXPIRATION] > 336h" in health["conditions"]
    assert any(c.startswith("[BODY].status == any(") for c in health["conditions"])
    assert health["client"]["ignore-redirect"] is True
    assert health["client"]["dns-resolver"].startswith("udp://")
    assert {a["type"] for a in health["alerts"]} == {"email", "slack"}
    assert health["alerts"][0]["failure-threshold"] == 2  # 2 minutes of 60 s checks


def test_gatus_minimal_export_is_valid_and_the_schema_rejects_broken_ones(
    minimal_sprint, tmp_path, capsys
):
    target = tmp_path / "gatus.yaml"
    export(minimal_sprint, "gatus", target, capsys)
    document = yaml.safe_load(target.read_text())
    assert gatus_errors(document) == []
    assert "alerting" not in document
    broken_key = {**document, "endpoints": [{**document["endpoints"][0], "ignore-redirect": 1}]}
    assert gatus_errors(broken_key)
    broken_condition = {
        **document,
        "endpoints": [{**document["endpoints"][0], "conditions": ["[STATUS] = 200"]}],
    }
    assert gatus_errors(broken_condition) == ["condition does not parse: [STATUS] = 200"]
