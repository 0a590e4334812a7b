"""`launchtui monitor --once` end to end: a real subprocess against a lab of its own, each
output format parsed, the exit codes, and the run recorded for the dashboard's history."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomlkit
from lab_fixtures import ZONE
from monitoring_lab import APP, closed_port, config, url, written

from launchtui.lab import Lab, LabThread
from launchtui.sprint.history import History


def launchtui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "launchtui", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with LabThread(config(), tmp_path_factory.mktemp("lab")) as started:
        yield started


def _sprint(lab: Lab, tmp_path: Path, **flows: str) -> Path:
    path = lab.write_sprint(tmp_path / "lab.toml")
    return written(path, url("/"), (f"month.{ZONE}",), **flows)


def test_all_up_exits_0_with_a_line_per_monitor_and_the_history_grows(lab, tmp_path):
    path = _sprint(lab, tmp_path, login=url("/login"), health=url("/api/health"))
    first = launchtui("monitor", "--once", str(path))
    assert first.returncode == 0, first.stdout + first.stderr
    lines = first.stdout.splitlines()
    assert [line.split()[:2] for line in lines[:4]] == [
        ["homepage", "pass"],
        ["login", "pass"],
        ["health", "pass"],
        ["certificates", "pass"],
    ]
    assert lines[0].split()[3:] == ["ms", url("/")]
    assert lines[3].endswith(f"soonest month.{ZONE} in 20 days")
    assert lines[-1].endswith(": all up")
    assert launchtui("monitor", "--once", str(path)).returncode == 0
    series = History(path).series("monitoring.synthetic", url("/login"), "elapsed_ms")
    assert len(series) == 2 and all(ms >= 0 for _, ms in series)


def test_a_slow_monitor_warns_and_still_exits_0(lab, tmp_path):
    path = _sprint(lab, tmp_path, checkout=url("/slow"))
    done = launchtui("monitor", "--once", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    checkout = next(line for line in done.stdout.splitlines() if line.startswith("checkout"))
    assert checkout.split()[1] == "warn"
    assert "one sample" in done.stdout


def test_monitors_down_exit_1_and_the_json_report_says_why(lab, tmp_path):
    path = _sprint(lab, tmp_path, login=url("/moved"), health=url("/api/health", f"hostile.{ZONE}"))
    done = launchtui("monitor", "--once", str(path), "--format", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    data = json.loads(done.stdout)
    assert data["run"]["stages"] == ["monitoring"]
    assert data["run"]["exit_code"] == 1
    checks = {(c["id"], c["target"]): c for c in data["checks"]}
    assert {check_id for check_id, _ in checks} == {
        "monitoring.synthetic",
        "monitoring.cert-expiry",
    }
    assert checks[("monitoring.synthetic", url("/"))]["status"] == "pass"
    moved = checks[("monitoring.synthetic", url("/moved"))]
    assert moved["status"] == "fail"
    assert moved["evidence"]["status"] == 302
    health = checks[("monitoring.synthetic", url("/api/health", f"hostile.{ZONE}"))]
    assert health["status"] == "fail"
    assert health["evidence"]["body_matched"] is False
    assert "[bold red]pwned[/]" in health["summary"]  # literal, parsed back from \u escapes


def test_an_unreachable_monitor_exits_1_and_junit_names_the_reason(lab, tmp_path):
    path = _sprint(lab, tmp_path)
    doc = tomlkit.parse(path.read_text())
    network: dict[str, object] = doc["network"]  # type: ignore[assignment]
    connect_to: dict[str, str] = network["connect_to"]  # type: ignore[assignment]
    connect_to[f"{APP}:443"] = f"127.0.0.1:{closed_port()}"
    path.write_text(tomlkit.dumps(doc))
    done = launchtui("monitor", "--once", str(path), "--format", "junit")
    assert done.returncode == 1, done.stdout + done.stderr
    suites = ET.fromstring(done.stdout)
    cases = {case.get("name"): case for case in suites.iter("testcase")}
    [homepage] = [case for name, case in cases.items() if name and url("/") in name]
    problem = homepage.find("failure")
    if problem is None:
        problem = homepage.find("error")
    assert problem is not None
    assert "connection refused" in (problem.get("message") or "") + (problem.text or "")
    text = launchtui("monitor", "--once", str(path))
    assert text.returncode == 1
    assert text.stdout.splitlines()[0].split()[:3] == ["homepage", "error", "-"]
    assert "could not reach" in text.stdout and "connection refused" in text.stdout


def test_a_lab_sprint_whose_lab_is_not_running_is_not_probed_nor_recorded(lab, tmp_path):
    path = _sprint(lab, tmp_path)
    doc = tomlkit.parse(path.read_text())
    lab_table: dict[str, object] = doc["lab"]  # type: ignore[assignment]
    port = closed_port()
    lab_table["dns"] = f"127.0.0.1:{port}"
    path.write_text(tomlkit.dumps(doc))
    done = launchtui("monitor", "--once", str(path))
    assert done.returncode == 1
    assert done.stdout == ""
    assert (
        f"the lab this sprint was written for is not running (its DNS server at "
        f"127.0.0.1:{port}: connection refused)" in done.stderr
    )
    assert not History(path).exists()


def test_usage_and_sprint_errors_exit_2(tmp_path):
    missing = launchtui("monitor", "--once", str(tmp_path / "nope.toml"))
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr and missing.stderr.strip()
    bare = launchtui("monitor")
    assert bare.returncode == 2
    assert "--once SPRINT" in bare.stderr
    wrong = launchtui("monitor", "--once", str(tmp_path / "x.toml"), "--format", "yaml")
    assert wrong.returncode == 2
