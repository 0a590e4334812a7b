"""The checks' tests catch a crashing check: run them all with every check raising TypeError at
its first line (tests/crash_checks.py) and no test that ran a check may pass.

The engine turns a check's own exception into an error, so an error test asserting only
`status is ERROR` (or "could not check") would pass against a check that cannot run at all; one
asserting its reason (timeout, REFUSED, SERVFAIL, ...) fails. One pytest run covers every test
of tests/test_check_*.py, so no check's error tests are sampled.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from crash_checks import REPORT_VARIABLE

from launchtui.checks.registry import RunsIn, all_checks

TESTS = Path(__file__).resolve().parent

# A control, run with the checks' tests: an error test asserting only the status. It must be
# the one test reported, which shows the run can see a weak test.
WEAK_TEST = """
from check_helpers import run_check

from launchtui.model.results import Status
from launchtui.model.targets import Target
from launchtui.sprint import store


def test_weak_error_test(tmp_path):
    path = tmp_path / "acme.toml"
    path.write_text(
        '[sprint]\\nname = "Acme"\\n[site]\\napex = "acme.test"\\n'
        f'[deploy]\\nrepo = "{tmp_path}/gone"\\n'
    )
    sprint = store.load(path).sprint
    target = Target.for_url(sprint.deploy_repo.as_uri())
    assert run_check("deploy.secrets", sprint, target).status is Status.ERROR
"""


@pytest.mark.timeout(1800)
def test_no_check_test_passes_when_its_check_crashes(tmp_path):
    report_file = tmp_path / "crash-report.json"
    env = dict(os.environ)
    env[REPORT_VARIABLE] = str(report_file)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), env.get("PYTHONPATH")]))
    control = tmp_path / "control" / "test_weak_control.py"
    control.parent.mkdir()
    control.write_text(WEAK_TEST, encoding="utf-8")
    files = [*sorted(str(path) for path in TESTS.glob("test_check_*.py")), str(control)]
    run = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-p", "crash_checks", "-p", "no:randomly"),
            *("-p", "no:cacheprovider", "-q", "--no-header", "-o", "addopts=", *files),
        ],
        cwd=TESTS.parent,
        env=env,
        capture_output=True,
        text=True,
    )
    tail = run.stdout[-3000:] + run.stderr[-2000:]
    assert run.returncode in (0, 1), tail  # 1: tests failed, as they should; else no run
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report, tail

    passed_with_a_crash = sorted(
        nodeid
        for nodeid, entry in report.items()
        if entry["crashed"] and entry["outcome"] == "passed"
    )
    weak = [nodeid for nodeid in passed_with_a_crash if nodeid.endswith("::test_weak_error_test")]
    assert len(weak) == 1, tail  # the control is seen: ran its check, crashing, and passed
    passed_with_a_crash.remove(weak[0])
    assert passed_with_a_crash == [], (
        "these tests pass although the check they run raised TypeError at its first line: "
        "assert the outcome's reason, and that it is no internal error "
        "(check_helpers.assert_could_not_check)"
    )

    # Every check ran, crashing, under its tests: none escaped the replacement.
    modules = {check.run.module for check in all_checks() if isinstance(check.run, RunsIn)}
    crashed = {module for entry in report.values() for module in entry["crashed"]}
    assert modules - crashed == set()
    assert len(modules) == len(all_checks())  # every check runs through RunsIn
