"""A pytest plugin for tests/test_error_tests_catch_crashes.py: every check crashes.

Loaded with `-p crash_checks` (tests/ on PYTHONPATH), never by the ordinary suite. It replaces
what RunsIn imports (launchtui.checks.registry._implementation) by a run function that raises
TypeError at its first line, and writes to $LAUNCHTUI_CRASH_REPORT, as JSON, each test's outcome
and the check modules that crashed during it. A test that ran a crashing check and still
passed cannot tell a bug in the check from the outcome it asserts.

The crashes are logged to a file anyone may append to, so a check run in a forked child, even
one that dropped root (secret_fixtures.as_nobody), is counted for its test too.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Generator
from typing import Any

import pytest

from launchtui.checks import registry
from launchtui.model.results import Outcome
from launchtui.model.targets import Target

REPORT_VARIABLE = "LAUNCHTUI_CRASH_REPORT"

_log = ""  # the file naming, a line each, the check modules that crashed in the current test
_report: dict[str, dict[str, Any]] = {}


def _crashing(module: str) -> registry.CheckFunction:
    async def run(ctx: Any, target: Target) -> Outcome:
        with open(_log, "a", encoding="utf-8") as log:
            log.write(module + "\n")
        raise TypeError(f"{module} crashed on purpose (tests/crash_checks.py)")

    return run


def pytest_configure(config: pytest.Config) -> None:
    global _log
    directory = tempfile.mkdtemp(prefix="crash-checks-")
    os.chmod(directory, 0o755)
    _log = os.path.join(directory, "crashed")
    _clear()
    registry._implementation = _crashing  # type: ignore[assignment]


def _clear() -> None:
    with open(_log, "w", encoding="utf-8"):
        pass
    os.chmod(_log, 0o666)


def _crashed() -> set[str]:
    with open(_log, encoding="utf-8") as log:
        return set(log.read().split())


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _clear()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    entry = _report.setdefault(item.nodeid, {"outcome": "passed", "crashed": []})
    if report.failed or (report.skipped and entry["outcome"] == "passed"):
        entry["outcome"] = report.outcome  # a failure in any phase fails the test
    entry["crashed"] = sorted(set(entry["crashed"]) | _crashed())
    return report


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.path.dirname(_log), ignore_errors=True)
    path = os.environ.get(REPORT_VARIABLE)
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(_report, out, indent=1, sort_keys=True)
