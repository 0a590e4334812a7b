"""The table's status cell marks what changed since the previous run of a check."""

from __future__ import annotations

import pytest

from launchtui.model.results import Previous, Result, Severity, Status
from launchtui.tui.rows import change_mark, status_text


def stored(status: str, previous: str | None) -> Result:
    earlier = (
        None if previous is None else Previous(Status(previous), "before", "2026-01-01T00:00:00Z")
    )
    return Result(
        "tls.certificate",
        "edge",
        "www.acme.community",
        Status(status),
        Severity.HIGH,
        "",
        previous=earlier,
    )


@pytest.mark.parametrize(
    ("status", "previous", "mark"),
    [
        ("fail", "pass", "new"),
        ("error", "warn", "new"),
        ("fail", None, ""),  # a first run: nothing to compare with
        ("fail", "error", ""),  # still failing
        ("pass", "fail", "fixed"),
        ("pass", "error", "fixed"),
        ("pass", "warn", ""),
        ("warn", "fail", ""),  # better, not fixed
        ("pass", "pass", ""),
    ],
)
def test_change_marks(status: str, previous: str | None, mark: str) -> None:
    result = stored(status, previous)
    assert change_mark(result) == mark
    assert status_text(result, running=False).plain == f"{status} {mark}".strip()


def test_a_running_row_shows_running_not_its_mark() -> None:
    assert status_text(stored("fail", "pass"), running=True).plain == "running"


def test_stage_counts_say_not_run_then_failures_apart_from_passes() -> None:
    from launchtui.plan import Tally
    from launchtui.tui.rows import tally_text

    assert tally_text(Tally(checks=257), 24).plain == "not run · 257 to do"
    counted = Tally(checks=257, checked=52, passing=40, failing=12)
    assert tally_text(counted, 24).plain == "12 fail · 40/257 pass"
    warned = Tally(checks=257, checked=55, passing=40, failing=12, warning=3)
    assert tally_text(warned, 40).plain == "12 fail · 3 warn · 40/257 pass"
    assert tally_text(warned, 24).plain == "12 fail 40/257 pass"  # no room for the warnings
    assert tally_text(Tally(), 24).plain == "nothing to check"
