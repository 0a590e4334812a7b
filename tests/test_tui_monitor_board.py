"""The monitoring screen's dashboard over the lab: each monitor's state, time and history,
the certificates, the alert routes and their proofs, and the watch mode's passes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from lab_fixtures import ZONE
from tui_helpers import NoticedApp, sync, wait_until

from launchtui.model.monitoring import WATCH_CHECKS, AlertProof
from launchtui.sprint.history import History
from launchtui.tui.widgets.monitor_board import MonitorBoard

pytest_plugins = ["lab_fixtures"]

SIZE = (100, 30)
SECRET = "https://hooks.slack.test/services/T000/B000/never-shown-secret"
MONITORS = ("homepage", "login", "health", "checkout")


@pytest.fixture
def sprint_file(lab: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The lab's sprint watching its app's core flows, two certificates, alerts by email
    and through a Slack webhook whose value is in the environment."""
    path = lab.write_sprint(tmp_path / "lab.toml")
    doc = tomlkit.parse(path.read_text())
    doc["site"]["hostnames"] = [f"www.{ZONE}", f"app.{ZONE}"]
    doc["monitoring"] = {"alert_email": f"ops@{ZONE}", "slack_webhook": "slack_webhook"}
    doc["credentials"]["slack_webhook"] = "Slack incoming-webhook URL for alerts"
    path.write_text(tomlkit.dumps(doc))
    monkeypatch.setenv("LAUNCHTUI_CRED_SLACK_WEBHOOK", SECRET)
    return path


def board_text(app: NoticedApp) -> str:
    return str(app.screen.query_one(MonitorBoard).content)


def title_text(app: NoticedApp) -> str:
    return str(app.screen.query_one("#board-title").content)


def lines(app: NoticedApp) -> dict[str, str]:
    return {line.split()[0]: line for line in board_text(app).splitlines() if line.strip()}


async def run_stage(app: NoticedApp, pilot: Any) -> None:
    await pilot.press("r")
    await pilot.pause()
    await app.workers.wait_for_complete()
    await wait_until(lambda: not app.runs_in_progress(), pilot)
    await pilot.pause()


@sync
async def test_the_board_shows_each_monitor_before_and_after_a_run(sprint_file):
    app = NoticedApp(sprint_file)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        before = lines(app)
        for name in MONITORS:
            assert "not run yet" in before[name]
        assert "not run yet" in before["certificates"]
        assert "watch off (w)" in title_text(app)
        await run_stage(app, pilot)
        after = lines(app)
        for name in MONITORS:  # the demo's login is slow now and then (about 440 ms median)
            state = " slow " if name == "login" and " slow " in after[name] else " up "
            assert state in after[name] and "200" in after[name] and " ms" in after[name]
        assert f"https://app.{ZONE}/login" in after["login"]
        assert "soonest" in after["certificates"] and "days left" in after["certificates"]


@sync
async def test_two_runs_draw_a_latency_sparkline(sprint_file):
    app = NoticedApp(sprint_file)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await run_stage(app, pilot)
        assert not any(bar in lines(app)["health"] for bar in "▁▂▃▄▅▆▇█")
        await run_stage(app, pilot)
        bars = [c for c in lines(app)["health"] if c in "▁▂▃▄▅▆▇█"]
        assert len(bars) == 2


@sync
async def test_routes_never_proven_then_proven_or_failed_and_no_secret_on_screen(sprint_file):
    app = NoticedApp(sprint_file)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        routes = board_text(app).split("alerts", 1)[1]  # one line per route where space is short
        assert f"email → ops@{ZONE} never proven" in routes
        assert "Slack → credential slack_webhook never proven" in routes
        # what `monitor prove` records: the email arrived, the webhook refused the last one
        History(sprint_file).record_proofs(
            [
                AlertProof("email", "direct", True, 2100, "in INBOX", "2026-12-06T06:10:00Z"),
                AlertProof("slack", "direct", True, 90, "ok", "2026-12-06T06:10:01Z"),
                AlertProof("slack", "direct", False, 80, "404 no_service", "2026-12-06T07:00:00Z"),
            ]
        )
        app.screen.query_one(MonitorBoard).show()
        await pilot.pause()
        routes = board_text(app).split("alerts", 1)[1]
        assert "proven 2026-12-06 06:10" in routes and "failed 2026-12-06 07:00" in routes
        assert "never proven" not in routes
        screen = app.export_screenshot()
        assert SECRET not in screen and "never-shown-secret" not in screen


@sync
async def test_watch_passes_rerun_the_monitors_without_overlap_and_stop(sprint_file):
    app = NoticedApp(sprint_file)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        board = app.screen.query_one(MonitorBoard)
        started: list[tuple[str, tuple[str, ...]]] = []
        run_stage = app.run_stage

        def recording(stage: str, only: Any = ()) -> None:
            started.append((stage, tuple(only)))
            run_stage(stage, only)

        app.run_stage = recording  # type: ignore[method-assign]
        await pilot.press("w")  # the sprint's interval: the first pass starts at once
        assert board.watching and board.interval == 60
        assert started == [("monitoring", WATCH_CHECKS)]
        assert "watching every 60 s" in title_text(app)
        assert board.watch_pass() is False  # due while the first runs: skipped, not queued
        await app.workers.wait_for_complete()
        await wait_until(lambda: not app.runs_in_progress(), pilot)
        # the countdown ticks every second; the pass is over by the next tick
        await wait_until(lambda: "next pass in" in title_text(app), pilot)
        assert app.sprint.results[("monitoring.synthetic", f"https://app.{ZONE}/api/health")]
        await pilot.press("w")
        assert not board.watching and "watch off (w)" in title_text(app)
        # a short interval, for the timer itself to fire (the sprint's are 10 s or more)
        board.start_watch(interval=0.3)
        await wait_until(lambda: board.passes >= 2, pilot)
        assert len(started) >= 3
        assert all(ids == WATCH_CHECKS for _, ids in started)
        await pilot.press("5")  # leaving the screen stops the watch
        assert not board.watching
        count = len(started)
        await asyncio.sleep(0.7)
        assert len(started) == count
        await app.workers.wait_for_complete()  # the last pass ends before the app does


@sync
async def test_watch_is_a_key_of_the_monitoring_screen_only(sprint_file):
    app = NoticedApp(sprint_file)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        assert app.screen.check_action("watch", ()) is False
        await pilot.press("w")
        await pilot.press("6")
        assert app.screen.check_action("watch", ()) is True
        assert not app.screen.query_one(MonitorBoard).watching
