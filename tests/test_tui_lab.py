"""The app over the lab's sprint when the lab is not running: it says how to start it, and
never saves a run of connection errors over real results without asking."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from lab_fixtures import ZONE
from textual.widgets import DataTable
from tui_helpers import NoticedApp, notifications, sync, wait_until

from launchtui.checks.registry import checks_for_stages
from launchtui.sprint import store
from launchtui.tui.screens.stage import row_key
from launchtui.tui.screens.unreachable_run import UnreachableRun

pytest_plugins = ["lab_fixtures"]

SIZE = (100, 30)
ROW = ("tls.certificate", f"www.{ZONE}")


@pytest.fixture
def sprint_file(lab: Any, tmp_path: Path) -> Path:
    path = lab.write_sprint(tmp_path / "lab.toml")
    doc = tomlkit.parse(path.read_text())
    doc["site"]["hostnames"] = [f"www.{ZONE}"]
    path.write_text(tomlkit.dumps(doc))
    return path


def _lab_gone(path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"127.0.0.1:{probe.getsockname()[1]}"
    doc = tomlkit.parse(path.read_text())
    for name in list(doc["network"]["connect_to"]):
        doc["network"]["connect_to"][name] = closed
    doc["network"]["nameservers"] = [closed]
    doc["lab"]["dns"] = closed
    path.write_text(tomlkit.dumps(doc))


@sync
async def test_opening_the_labs_sprint_without_the_lab_says_how_to_start_it(sprint_file):
    _lab_gone(sprint_file)
    app = NoticedApp(sprint_file)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: bool(notifications(app, "warning")), pilot)
        warning = notifications(app, "warning")[0]
        assert "The lab this sprint was written for is not running" in warning
        assert "launchtui demo --sprint" in warning and "./dev demo" in warning


@sync
async def test_the_lab_running_gives_no_warning(sprint_file):
    app = NoticedApp(sprint_file)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert notifications(app, "warning") == []


@pytest.mark.parametrize(("key", "kept"), [("k", True), ("s", False)])
@sync
async def test_a_rerun_of_connection_errors_asks_before_saving(sprint_file, key, kept):
    app = NoticedApp(sprint_file)
    async with app.run_test(size=SIZE) as pilot:
        checks = [c for c in checks_for_stages(["edge"]) if c.id == ROW[0]]
        await app.sprint.run(checks)  # real verdicts, saved
        assert store.saved_results(store.load(sprint_file))[ROW].status == "pass"
        _lab_gone(sprint_file)
        app.sprint.reload()
        await pilot.press("2")
        table = app.screen.query_one("#checks", DataTable)
        table.move_cursor(row=table.get_row_index(row_key(ROW)))
        await pilot.press("full_stop")
        await wait_until(lambda: isinstance(app.screen, UnreachableRun), pilot)
        assert "not running" in str(app.screen.query_one("#lab-hint").content)
        await pilot.press(key)
        await pilot.pause()
        await asyncio.sleep(0)
        assert not isinstance(app.screen, UnreachableRun)
    status = store.saved_results(store.load(sprint_file))[ROW].status
    assert status == ("pass" if kept else "error")
