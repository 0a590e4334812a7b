"""The table's status cell marks what changed since the previous run of a check."""

from __future__ import annotations

import pytest

from launchtui.model.results import Previous, Result, Severity, Status
from launchtui.tui.rows import change_mark, sparkline, status_text
from launchtui.tui.screens.stage import WIDTHS


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


def test_sparkline_scales_between_the_smallest_and_the_largest():
    assert sparkline([]) == ""
    assert sparkline([100.0, 650.0, 375.0]) == "▁█▅"
    assert sparkline([5.0, 5.0]) == "▄▄"  # all alike: no rise or fall to draw
    assert len(sparkline([float(n) for n in range(30)])) == 30


def test_the_detail_draws_a_checks_trend_over_its_runs():
    import dataclasses

    from launchtui.checks.registry import all_checks
    from launchtui.tui.widgets.detail import describe

    check = dataclasses.replace(all_checks()[0], trend="p95_ms")
    stored = Result(check.id, check.stage, "app.acme.community", Status.WARN, Severity.HIGH, "slow")
    trend = [("2026-12-01T09:00:00Z", 410.0), ("2026-12-02T09:00:00Z", 650.0)]
    text = describe(check, "app.acme.community", stored, False, trend).plain
    assert "p95_ms over the last 2 runs\n▁█  410 -> 650  (since 2026-12-01T09:00:00Z)" in text
    assert "over the last" not in describe(check, "x", stored, False, trend[:1]).plain


def test_the_status_column_holds_every_status_with_its_mark() -> None:
    """The widest status cell ("pass fixed") fits the stage table's status column uncut."""
    widest = max(
        status_text(stored(status, previous), running=False).cell_len
        for status in Status
        for previous in [None, *Status]
    )
    assert widest == len("pass fixed")
    assert WIDTHS["status"] >= widest
