"""The sprint file changed on disk while the app is open: asked before the next save, never
overwritten silently; task notes are saved as they are typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Button, DataTable, Input, Static
from tui_helpers import sync, wait_until

from launchtui.sprint import store
from launchtui.sprint.tasks_store import saved_tasks
from launchtui.tui.app import LaunchApp
from launchtui.tui.screens.changed_on_disk import ChangedOnDisk
from launchtui.tui.screens.stage import StageScreen
from launchtui.tui.screens.task_editor import TaskEditor

SIZE = (100, 30)
FIXTURE = Path(__file__).parent / "fixtures" / "tui_sprint.toml"
TASK = ("deploy", "rollback-tested")  # the first manual task of stage 3
HAND_EDIT = (b'engineer = "Sam"', b'engineer = "Kim"')


def sprint(tmp_path: Path) -> Path:
    path = tmp_path / "sprint.toml"
    path.write_bytes(FIXTURE.read_bytes())
    assert HAND_EDIT[0] in path.read_bytes()
    return path


def hand_edit(path: Path) -> bytes:
    edited = path.read_bytes().replace(*HAND_EDIT)
    path.write_bytes(edited)
    return edited


def task_state(path: Path) -> Any:
    return saved_tasks(store.load(path)).get(TASK)


async def tick_first_task(app: LaunchApp, pilot: Any) -> None:
    await pilot.press("3")
    app.screen.query_one("#tasks", DataTable).focus()
    await pilot.press("x")
    await pilot.pause()


async def asked_after_a_hand_edit(app: LaunchApp, pilot: Any, path: Path) -> bytes:
    """Edit the file by hand, then tick a task: the app asks before writing. Returns the edit."""
    await pilot.press("3")
    edited = hand_edit(path)
    await tick_first_task(app, pilot)
    assert isinstance(app.screen, ChangedOnDisk)
    assert path.read_bytes() == edited  # nothing written while the question is open
    return edited


@sync
async def test_reload_applies_the_change_on_top_of_the_hand_edit(tmp_path):
    path = sprint(tmp_path)
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await asked_after_a_hand_edit(app, pilot, path)
        question = app.screen
        diff = str(question.query_one("#disk-diff", Static).content)
        assert '-engineer = "Sam"' in diff and '+engineer = "Kim"' in diff
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
    assert task_state(path).done
    assert store.load(path).doc["sprint"]["engineer"] == "Kim"  # the hand edit is kept
    assert not (tmp_path / "sprint.toml.replaced").exists()


@sync
async def test_keep_mine_writes_the_apps_version_and_keeps_a_copy(tmp_path):
    path = sprint(tmp_path)
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        edited = await asked_after_a_hand_edit(app, pilot, path)
        await pilot.press("k")
        await pilot.pause()
    assert task_state(path).done
    assert store.load(path).doc["sprint"]["engineer"] == "Sam"
    assert (tmp_path / "sprint.toml.replaced").read_bytes() == edited  # nothing is lost


@sync
async def test_not_now_writes_nothing_and_asks_again_at_the_next_save(tmp_path):
    path = sprint(tmp_path)
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        edited = await asked_after_a_hand_edit(app, pilot, path)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
        assert path.read_bytes() == edited
        await pilot.press("x")  # the next save asks again
        await pilot.pause()
        assert isinstance(app.screen, ChangedOnDisk)
        await pilot.press("r")
        await pilot.pause()
    assert task_state(path).done


@sync
async def test_a_stage_switch_after_a_hand_edit_asks_too(tmp_path):
    path = sprint(tmp_path)
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        hand_edit(path)
        await pilot.press("4")
        await pilot.pause()
        assert isinstance(app.screen, ChangedOnDisk)
        assert app.screen.query_one("#reload", Button).disabled is False
        await pilot.press("r")
        await pilot.pause()
    saved = store.load(path)
    assert store.saved_stage(saved) == "performance"
    assert saved.doc["sprint"]["engineer"] == "Kim"


@sync
async def test_the_apps_own_saves_never_ask(tmp_path):
    path = sprint(tmp_path)
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await tick_first_task(app, pilot)
        await pilot.press("x", "4", "3", "x")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
    assert task_state(path).done


@sync
async def test_a_note_is_saved_while_typing_before_the_dialog_closes(tmp_path):
    path = sprint(tmp_path)
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        app.screen.query_one("#tasks", DataTable).focus()
        await pilot.press("e", *"Sam", "tab", *"Tested on staging")
        editor = app.screen
        assert isinstance(editor, TaskEditor)

        def saved() -> bool:
            state = task_state(path)
            return state is not None and state.note == "Tested on staging"

        await wait_until(saved, pilot)
        assert app.screen is editor  # still typing: saved without closing
        assert task_state(path).owner == "Sam"
        assert str(editor.query_one("#save-state", Static).content) == "Saved."


@sync
async def test_closing_the_dialog_saves_what_is_pending_at_once(tmp_path):
    path = sprint(tmp_path)
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        app.screen.query_one("#tasks", DataTable).focus()
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#evidence", Input).value = "https://ci.example/run/42"
        await pilot.press("escape")  # before the pause that would save it
        assert isinstance(app.screen, StageScreen)
        assert task_state(path).evidence == "https://ci.example/run/42"


@sync
async def test_reload_action_shows_a_hand_edit(tmp_path):
    path = sprint(tmp_path)
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        hand_edit(path)
        await pilot.press("ctrl+p", *"reload the sprint", "enter")
        await pilot.pause()
        assert app.sprint.document.sprint.engineer == "Kim"
        assert not store.changed_on_disk(app.sprint.document)
