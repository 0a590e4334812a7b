"""Keys act on the row under the cursor when they are handled, even typed ahead of the app;
rows come most urgent first, f hides passes, n and N walk the failures; the sidebar counts."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from textual import events
from textual.widgets import DataTable, Input, OptionList, Static
from tui_helpers import sync

from launchtui.sprint import store, tasks_store
from launchtui.sprint.tasks_store import saved_tasks
from launchtui.tui.app import LaunchApp
from launchtui.tui.screens.stage import StageScreen, split_key
from launchtui.tui.screens.task_editor import TaskEditor

FIXTURE = Path(__file__).parent / "fixtures" / "tui_sprint.toml"
SIZE = (80, 24)
DEPLOY_TASKS = ("rollback-tested", "background-jobs-start-after-deploy")


def copy(tmp_path: Path) -> Path:
    path = tmp_path / "sprint.toml"
    shutil.copy(FIXTURE, path)
    return path


def type_ahead(app: LaunchApp, *keys: str) -> None:
    """Queue keys all at once, as a terminal delivers keys typed while the app was busy:
    none is handled before the last is queued (pilot.press waits between keys)."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


def slow_saves(monkeypatch) -> None:
    """Each task save blocks the app for a moment, like a save to a slow disk."""
    record = tasks_store.record_task

    def slowly(*args, **kwargs):
        time.sleep(0.2)
        return record(*args, **kwargs)

    monkeypatch.setattr("launchtui.session.record_task", slowly)


def done(path: Path) -> dict[str, bool]:
    states = saved_tasks(store.load(path))
    return {
        task: (("deploy", task) in states and states[("deploy", task)].done)
        for task in DEPLOY_TASKS
    }


def keys_in_order(app: LaunchApp) -> list[tuple[str, str]]:
    table = app.screen.query_one("#checks", DataTable)
    return [split_key(str(key.value)) for key in table.rows]


@sync
async def test_typed_ahead_keys_tick_the_task_under_the_cursor(tmp_path, monkeypatch):
    path = copy(tmp_path)
    slow_saves(monkeypatch)
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        app.screen.query_one("#tasks", DataTable).focus()
        await pilot.pause()
        # x saves (slowly) the first task; down and x are typed during that save
        type_ahead(app, "x", "down", "x")
        for _ in range(20):
            await pilot.pause(0.05)
        assert done(path) == {"rollback-tested": True, "background-jobs-start-after-deploy": True}
        type_ahead(app, "x", "up", "x")  # and back: untick the second, then the first
        for _ in range(20):
            await pilot.pause(0.05)
        assert done(path) == {"rollback-tested": False, "background-jobs-start-after-deploy": False}


@sync
async def test_the_editor_opens_on_the_task_under_the_cursor(tmp_path):
    path = copy(tmp_path)
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        app.screen.query_one("#tasks", DataTable).focus()
        await pilot.pause()
        type_ahead(app, "down", "e")  # the highlight of the second row is not handled yet
        await pilot.pause()
        assert isinstance(app.screen, TaskEditor)
        assert app.screen.task_.id == DEPLOY_TASKS[1]


@sync
async def test_keys_typed_before_the_editor_opened_do_not_land_in_it(tmp_path, monkeypatch):
    path = copy(tmp_path)
    slow_saves(monkeypatch)
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        app.screen.query_one("#tasks", DataTable).focus()
        await pilot.pause()
        type_ahead(app, "x", "e", "q", "w", "enter")  # all typed during the slow save
        for _ in range(10):
            await pilot.pause(0.05)
        editor = app.screen
        assert isinstance(editor, TaskEditor)  # not submitted by the early enter, nor quit
        assert editor.query_one("#owner", Input).value == ""
        await pilot.press(*"Sam", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
    state = saved_tasks(store.load(path))[("deploy", DEPLOY_TASKS[0])]
    assert state.owner == "Sam" and state.done


@sync
async def test_failures_first_f_hides_passes_and_n_walks_the_failures(tmp_path):
    app = LaunchApp(copy(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.stage_name == "edge"
        table = app.screen.query_one("#checks", DataTable)
        assert keys_in_order(app)[:4] == [
            ("tls.certificate", "app.acme.community"),  # error, blocker
            ("tls.certificate", "www.acme.community"),  # fail, blocker
            ("http.hsts", "app.acme.community"),  # warn
            ("dns.resolve", "acme.community"),  # pass, blocker: before the blockers not run
        ]
        total = table.row_count
        await pilot.press("f")
        assert table.row_count == total - 1  # the one pass is hidden
        title = str(app.screen.query_one("#stage-title", Static).content)
        assert f"showing {total - 1} of {total}" in title
        assert any(
            key.key == "f" and key.description == "All rows"
            for key in app.screen.query("FooterKey")
        )
        await pilot.press("n")
        assert table.cursor_row == 1
        await pilot.press("n")
        assert table.cursor_row == 0  # round again
        await pilot.press("N")
        assert table.cursor_row == 1
        await pilot.press("f")
        assert table.row_count == total
        assert table.cursor_row == 1  # still on its row
        await pilot.press("5")
        await pilot.press("n")
        assert "Nothing fails or warns" in str(list(app._notifications)[-1].message)


@sync
async def test_the_sidebar_says_not_run_and_counts_failures_apart(tmp_path):
    app = LaunchApp(copy(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        sidebar = app.screen.query_one(OptionList)
        edge = str(sidebar.get_option("edge").prompt)
        email = str(sidebar.get_option("email").prompt)
        assert "2 fail 1 warn 1/41 pass" in edge  # compact, to fit the sidebar
        assert "not run" in email and "/" not in email


@sync
async def test_g_groups_rows_by_check_then_by_host_failures_first(tmp_path):
    app = LaunchApp(copy(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#checks", DataTable)
        plain_rows = table.row_count
        await pilot.press("g")
        values = [str(key.value) for key in table.rows]
        headers = [value for value in values if value.startswith("\x1e")]
        # tls.certificate holds the error and the fail: its group comes first
        assert headers[0] == "\x1etls.certificate" and values[0] == headers[0]
        assert len(headers) == len({split_key(v)[0] for v in values if v not in headers})
        assert table.row_count == plain_rows + len(headers)
        header = table.get_row_at(0)
        assert "tls.certificate" in str(header[2]) and "2 fail" in str(header[4])  # fail + error
        assert "by check" in str(app.screen.query_one("#stage-title", Static).content)
        # n skips the headers: the first failing row is the error under the first header
        table.move_cursor(row=0)
        await pilot.press("n")
        assert split_key(str(list(table.rows)[table.cursor_row].value)) == (
            "tls.certificate",
            "app.acme.community",
        )
        # a header under the cursor is not a result: c says so, the detail names the group
        table.move_cursor(row=0)
        await pilot.pause()
        await pilot.press("c")
        assert "no fix to copy" in str(list(app._notifications)[-1].message)
        await pilot.press("g")
        values = [str(key.value) for key in table.rows]
        assert values[0] == "\x1eapp.acme.community"  # the host with the error comes first
        assert "by host" in str(app.screen.query_one("#stage-title", Static).content)
        await pilot.press("g")
        assert table.row_count == plain_rows
        assert not any(str(key.value).startswith("\x1e") for key in table.rows)
