"""`launchtui check` end to end: a real subprocess against the lab's real servers."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import tomlkit
from lab_fixtures import ZONE, fault_config

from launchtui.checks.registry import all_checks, checks_for_stages
from launchtui.lab.config import demo_hosts
from launchtui.model.stages import STAGE_NAMES
from launchtui.model.tasks import tasks_for
from launchtui.sprint import recorded, store
from launchtui.sprint.tasks_store import record_task

pytest_plugins = ["lab_fixtures"]

DEMO_FAILURES = {
    ("dns.resolve", f"shop.{ZONE}"): "fail",
    ("tls.certificate", f"community.{ZONE}"): "fail",
    ("tls.certificate", f"members.{ZONE}"): "fail",
    ("tls.certificate", f"status.{ZONE}"): "warn",
    ("tls.certificate", f"chat.{ZONE}"): "warn",
    ("tls.certificate", f"tickets.{ZONE}"): "warn",
    ("tls.certificate", f"billing.{ZONE}"): "fail",
    ("dns.resolve", f"forum.{ZONE}"): "error",
    ("tls.certificate", f"forum.{ZONE}"): "error",
    ("tls.certificate", f"shop.{ZONE}"): "error",
}


def launchtui(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "launchtui", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


DEMO_HOSTNAMES = [h.name for h in demo_hosts() if h.name != ZONE]


@pytest.fixture
def sprint_file(lab, tmp_path) -> Path:
    """The demo sprint on the shared fault lab, listing only the demo's hostnames."""
    path = lab.write_sprint(tmp_path / "lab.toml")
    set_hostnames(path, DEMO_HOSTNAMES)
    return path


def set_hostnames(path: Path, hostnames: list[str]) -> None:
    doc = tomlkit.parse(path.read_text())
    doc["site"]["hostnames"] = hostnames
    path.write_text(tomlkit.dumps(doc))


def without_deploy(path: Path) -> None:
    """Drop [deploy]: the lab's app repository has the env problems deploy.env (audit) fails."""
    doc = tomlkit.parse(path.read_text())
    del doc["deploy"]
    path.write_text(tomlkit.dumps(doc))


def without_performance(path: Path) -> None:
    """Drop [performance]: the lab's member pages (perf.private-cache, audit) fail by design
    and need its members' cookies; without identities the check skips."""
    doc = tomlkit.parse(path.read_text())
    del doc["performance"]
    path.write_text(tomlkit.dumps(doc))


def test_json_report_has_every_demo_fault_and_healthy_host(sprint_file):
    done = launchtui("check", str(sprint_file), "--format", "json", "--timeout", "2")
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    statuses = {(c["id"], c["target"]): c["status"] for c in data["checks"]}
    for key, status in DEMO_FAILURES.items():
        assert statuses[key] == status, key
    for host in (ZONE, f"www.{ZONE}", f"app.{ZONE}", f"live.{ZONE}", f"courses.{ZONE}"):
        assert statuses[("dns.resolve", host)] == "pass"
        assert statuses[("tls.certificate", host)] == "pass"
    for check in data["checks"]:
        assert set(check) >= {
            "id",
            "stage",
            "target",
            "status",
            "severity",
            "summary",
            "evidence",
            "fix",
            "duration_ms",
        }
        assert (check["fix"] != "") == (check["status"] != "pass")
    assert data["sprint"]["apex"] == ZONE
    assert data["run"]["exit_code"] == 1


@pytest.fixture
def dmarc_sprint_file(start_lab, tmp_path) -> Path:
    """The demo sprint on a fault lab whose apex also publishes DMARC (a quick-audit check of
    the email domain), listing only the demo's hostnames."""
    dmarc = {f"_dmarc.{ZONE}": [f"v=DMARC1; p=none; rua=mailto:dmarc@{ZONE}"]}
    lab = start_lab(fault_config(txt={ZONE: ["v=spf1 include:_spf.google.com ~all"], **dmarc}))
    path = lab.write_sprint(tmp_path / "dmarc.toml")
    set_hostnames(path, DEMO_HOSTNAMES)
    return path


def test_healthy_hosts_only_exit_0(dmarc_sprint_file):
    sprint_file = dmarc_sprint_file
    set_hostnames(sprint_file, [f"www.{ZONE}", f"app.{ZONE}"])
    without_deploy(sprint_file)
    without_performance(sprint_file)
    done = launchtui("check", str(sprint_file), "--stage", "audit", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    checks = json.loads(done.stdout)["checks"]
    skipped = {"deploy.env", "deploy.secrets", "perf.private-cache"}
    assert {c["status"] for c in checks if c["id"] not in skipped} == {"pass"}
    # no [deploy] in this sprint: the env-var check and the secret scan are skipped, not
    # passed; no [performance].identities: the member pages are skipped too
    assert {c["status"] for c in checks if c["id"] in skipped} == {"skip"}
    assert {c["id"] for c in checks if c["status"] == "skip"} == skipped


def test_fail_on_decides_whether_a_warning_fails_the_run(dmarc_sprint_file):
    sprint_file = dmarc_sprint_file
    without_deploy(sprint_file)
    without_performance(sprint_file)
    set_hostnames(sprint_file, [f"status.{ZONE}"])  # its certificate only warns
    assert launchtui("check", str(sprint_file), "--stage", "audit").returncode == 0
    # warnings never gate; a blocker failure gates at every threshold
    set_hostnames(sprint_file, [f"community.{ZONE}"])
    done = launchtui("check", str(sprint_file), "--stage", "audit", "--fail-on", "blocker")
    assert done.returncode == 1


def test_stage_selection(sprint_file):
    set_hostnames(sprint_file, [f"app.{ZONE}"])
    audit = json.loads(
        launchtui("check", str(sprint_file), "--stage", "audit", "--format", "json").stdout
    )
    quick = {c.id for c in all_checks() if c.audit}
    assert {"dns.resolve", "tls.certificate", "http.https-redirect"} <= quick
    assert {c["id"] for c in audit["checks"]} == quick
    email = launchtui("check", str(sprint_file), "--stage", "email", "--format", "json")
    assert email.returncode == 1  # the lab's apex has no DMARC record
    assert {c["id"] for c in json.loads(email.stdout)["checks"]} == {
        c.id for c in all_checks() if c.stage == "email"
    }


def test_junit_report_parses_and_agrees_with_json(sprint_file):
    args = ("check", str(sprint_file), "--stage", "audit", "--timeout", "2")
    root = ET.fromstring(launchtui(*args, "--format", "junit").stdout)
    checks = json.loads(launchtui(*args, "--format", "json").stdout)["checks"]
    suites = root.findall("testsuite")
    assert [suite.get("name") for suite in suites] == sorted(
        {c["stage"] for c in checks}, key=STAGE_NAMES.index
    )
    assert sum(int(suite.get("tests")) for suite in suites) == len(checks)
    failures = sum(int(suite.get("failures")) for suite in suites)
    assert failures == sum(c["status"] == "fail" for c in checks) > 0
    errors = sum(int(suite.get("errors")) for suite in suites)
    assert errors == sum(c["status"] == "error" for c in checks) > 0


def test_save_records_results_and_the_next_run_says_what_changed(sprint_file):
    assert launchtui("check", str(sprint_file), "--stage", "audit", "--save").returncode == 1
    saved = store.saved_results(store.load(sprint_file))
    assert saved[("tls.certificate", f"community.{ZONE}")].status == "fail"
    # the expired host is "fixed" by dropping the lab CA: now every certificate is untrusted
    doc = tomlkit.parse(sprint_file.read_text())
    del doc["network"]["ca_bundle"]
    del doc["network"]["caa_domain"]  # it names the CA of ca_bundle, so it goes with it
    sprint_file.write_text(tomlkit.dumps(doc))
    second = launchtui("check", str(sprint_file), "--stage", "audit", "--format", "json")
    changed = {
        c["target"]: c["previous_status"]
        for c in json.loads(second.stdout)["checks"]
        if c["id"] == "tls.certificate"
    }
    assert changed[f"app.{ZONE}"] == "pass"
    text = launchtui("check", str(sprint_file), "--stage", "audit", "--save").stdout
    assert f"tls.certificate    app.{ZONE}  (was pass)" in text
    stored, problem = recorded.latest_results(store.load(sprint_file))
    assert problem is None
    previous = stored[("tls.certificate", f"app.{ZONE}")].previous
    assert previous is not None and previous.status == "pass"


def test_network_text_reaches_the_terminal_literally(lab, tmp_path):
    path = lab.write_sprint(tmp_path / "evil.toml")
    set_hostnames(path, [f"evil.{ZONE}"])
    done = launchtui("check", str(path), "--stage", "audit")
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "\\x1b]8\\;\\;x\\x07" in done.stdout
    assert "[link=https://evil.test]Harbor[/link]" in done.stdout
    as_json = launchtui("check", str(path), "--stage", "audit", "--format", "json").stdout
    assert "\x1b" not in as_json
    subjects = [c["evidence"].get("subject", "") for c in json.loads(as_json)["checks"]]
    assert any("\x1b]8" in s for s in subjects)


def test_flags_override_network_for_one_run(sprint_file, tmp_path):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = launchtui(
        "check",
        str(sprint_file),
        "--nameserver",
        f"127.0.0.1:{port}",
        "--stage",
        "audit",
        "--format",
        "json",
        "--timeout",
        "1",
    )
    results = json.loads(done.stdout)["checks"]
    assert {c["status"] for c in results if c["id"] == "dns.resolve"} == {"error"}
    assert done.returncode == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--stage", "deplyo"], 'unknown stage "deplyo"'),
        (["--format", "yaml"], "invalid choice: 'yaml'"),
        (["--fail-on", "urgent"], "invalid choice: 'urgent'"),
        (["--connect-to", "nonsense"], "is not HOST:PORT:ADDRESS:PORT"),
        (["--nameserver", "1.2.3.4:99999"], "invalid port"),
        (["--ca-bundle", "/nonexistent.pem"], "no such file"),
        (["--timeout", "0"], "--timeout must be between"),
    ],
)
def test_usage_errors_exit_2_with_one_line(sprint_file, args, message):
    done = launchtui("check", str(sprint_file), *args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[sprint]\nname = 'x'\n[site\napex = 'a.test'\n", "invalid TOML"),
        (
            "[sprint]\nname = 'x'\n[site]\napex = 'a.test'\n"
            "[results.deplyo.x.y]\nstatus = 'pass'\n",
            'unknown stage "deplyo"',
        ),
        ("[sprint]\nname = 'x'\n[site]\napex = 'not a domain'\n", "site.apex"),
    ],
)
def test_bad_sprint_files_exit_2_and_stay_untouched(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    done = launchtui("check", str(path), "--save")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr, done.stderr
    assert path.read_text() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_a_missing_sprint_file_exits_2(tmp_path):
    done = launchtui("check", str(tmp_path / "nope.toml"))
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_every_command_has_help():
    for command in ("check", "new", "credentials", "lab", "demo"):
        done = launchtui(command, "--help")
        assert done.returncode == 0 and "usage: launchtui" in done.stdout, command


def test_demo_runs_the_lab_and_shows_the_seeded_faults_with_fixes(tmp_path):
    done = launchtui("demo", "--base-port", "0", "--sprint", str(tmp_path / "demo.toml"))
    assert done.returncode == 0, done.stderr
    assert "Seeded problems:" in done.stderr
    assert f"FAIL   blocker tls.certificate    community.{ZONE}" in done.stdout
    assert "Fix:" in done.stdout
    assert store.load(tmp_path / "demo.toml").sprint.site.apex == ZONE
    # The report says what the gate found and why the demo still exits 0 (issue 9, item 10).
    last = done.stdout.rstrip().splitlines()[-1]
    assert last.startswith("`launchtui check` would exit 1: "), last
    assert "The demo itself exits 0: the lab's problems are seeded on purpose." in last
    assert "Exit 1" not in done.stdout


def test_demo_json_tells_its_exit_from_the_gates(tmp_path):
    done = launchtui(
        "demo", "--base-port", "0", "--sprint", str(tmp_path / "demo.toml"), "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)["run"]
    assert (run["exit_code"], run["check_exit_code"]) == (0, 1)
    assert run["stages"] == list(STAGE_NAMES)


def test_json_lists_every_stage_that_ran(sprint_file):
    """No --stage runs every stage, and the report names them all, not `[]` (issue 9, 10)."""
    set_hostnames(sprint_file, [f"app.{ZONE}"])
    data = json.loads(launchtui("check", str(sprint_file), "--format", "json").stdout)
    assert data["run"]["stages"] == list(STAGE_NAMES)
    assert data["run"]["check_exit_code"] == data["run"]["exit_code"]
    chosen = launchtui(
        "check", str(sprint_file), "--stage", "email", "--stage", "edge", "--format", "json"
    )
    assert json.loads(chosen.stdout)["run"]["stages"] == ["email", "edge"]


def test_a_stage_without_automated_checks_says_so_and_lists_its_open_tasks(sprint_file):
    """`check --stage handover` ran nothing: not a clean bill (issue 9, item 11; the
    performance and monitoring stages it used have checks since issues 13 and 14)."""
    stage_tasks = tasks_for("handover")
    assert stage_tasks and not checks_for_stages(["handover"])
    record_task(
        sprint_file, "handover", stage_tasks[0].id, done=True, updated_at="2026-12-06T00:00:00Z"
    )
    done = launchtui("check", str(sprint_file), "--stage", "handover")
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "Risk list: nothing open." in out
    assert (
        "Stage handover has no automated checks: this run checked nothing there; "
        f"its {len(stage_tasks) - 1} open manual task(s):" in out
    )
    assert stage_tasks[0].title not in out
    for task in stage_tasks[1:]:
        assert f"  - {task.title} [{task.id}]" in out
    assert out.rstrip().endswith("Exit 0: no automated check ran, so nothing was verified.")

    data = json.loads(
        launchtui("check", str(sprint_file), "--stage", "handover", "--format", "json").stdout
    )
    assert data["run"]["unchecked_stages"] == ["handover"]
    assert data["checks"] == []
    assert [t["id"] for t in data["open_tasks"]] == [t.id for t in stage_tasks[1:]]

    junit = ET.fromstring(
        launchtui("check", str(sprint_file), "--stage", "handover", "--format", "junit").stdout
    )
    (suite,) = junit.findall("testsuite")
    assert suite.get("name") == "handover"
    assert int(suite.get("skipped")) == int(suite.get("tests")) == len(stage_tasks) - 1
    assert int(suite.get("failures")) == int(suite.get("errors")) == 0


def test_other_stages_count_their_open_manual_tasks(sprint_file):
    set_hostnames(sprint_file, [f"app.{ZONE}"])
    out = launchtui("check", str(sprint_file), "--stage", "edge").stdout
    edge = tasks_for("edge")
    assert f"Manual tasks still open: {len(edge)} in edge (record them in the app)." in out
    assert "has no automated checks" not in out
