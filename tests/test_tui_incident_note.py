"""The task editor offers the incident response note's draft while the note is empty: the key
is in the footer, the draft fills the text area without writing it, and what the engineer
edits and saves is what the sprint file then holds (its comments kept)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from textual.widgets import Button, DataTable, TextArea
from tui_helpers import sync, wait_until

from launchtui.reports.incident import INCIDENT_TASK, TO_FILL
from launchtui.sprint import store
from launchtui.sprint.tasks_store import record_task, saved_tasks
from launchtui.tui.app import LaunchApp
from launchtui.tui.screens.stage import StageScreen
from launchtui.tui.screens.task_editor import DEBOUNCE, TaskEditor

FIXTURE = Path(__file__).parent / "fixtures" / "tui_sprint.toml"
SIZE = (100, 40)
COMMENT = "# A fixed sprint with fixed saved results"


def copy(tmp_path: Path) -> Path:
    path = tmp_path / "sprint.toml"
    shutil.copy(FIXTURE, path)
    return path


def note_in_file(path: Path) -> str | None:
    state = saved_tasks(store.load(path)).get(INCIDENT_TASK)
    return None if state is None else state.note


def footer_keys(app: LaunchApp) -> list[str]:
    return [str(key.key) for key in app.screen.query("FooterKey")]


async def open_editor(app: LaunchApp, pilot) -> TaskEditor:
    """Stage 6, the cursor on the incident response note, e."""
    await pilot.press("6")
    table = app.screen.query_one("#tasks", DataTable)
    table.focus()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, StageScreen)
    while screen.selected_task is None or screen.selected_task.id != INCIDENT_TASK[1]:
        await pilot.press("down")
    await pilot.press("e")
    await wait_until(lambda: isinstance(app.screen, TaskEditor), pilot)
    assert isinstance(app.screen, TaskEditor)
    return app.screen


@sync
async def test_draft_edit_and_save_the_incident_note(tmp_path):
    path = copy(tmp_path)
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(app, pilot)
        await pilot.pause()
        assert "ctrl+r" in footer_keys(app)
        assert not editor.query_one("#draft", Button).disabled
        await pilot.press("ctrl+r")
        area = editor.query_one("#note", TextArea)
        assert area.text.startswith("# Incident response: Acme Community launch\n")
        assert "- On call: Sam (the sprint's engineer)" in area.text
        assert "   - homepage: https://app.acme.community" in area.text
        # Offered while the note is empty only; drafting wrote nothing.
        await pilot.pause()
        assert "ctrl+r" not in footer_keys(app)
        assert editor.query_one("#draft", Button).disabled
        await pilot.pause(DEBOUNCE * 2)
        assert note_in_file(path) is None
        # The engineer fills in who to reach, then presses Done.
        area.move_cursor(area.document.end)
        await pilot.press(*"Reach Sam on +1 555 0100", "enter")
        await pilot.click("#done")
        await wait_until(lambda: isinstance(app.screen, StageScreen), pilot)
        drafted = area.text
    note = note_in_file(path)
    assert note == drafted and note.endswith("Reach Sam on +1 555 0100\n")
    assert TO_FILL in note  # the rest is still the engineer's to fill
    text = path.read_text()
    assert text.startswith(COMMENT)  # the hand-written comment is kept
    assert '[tasks.monitoring.incident-response-note]\nnote = """# Incident response' in text


@sync
async def test_a_written_note_is_not_replaced(tmp_path):
    path = copy(tmp_path)
    record_task(path, *INCIDENT_TASK, note="Call Sam.", updated_at="2026-12-06T08:00:00Z")
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(app, pilot)
        await pilot.pause()
        assert "ctrl+r" not in footer_keys(app)
        assert editor.query_one("#draft", Button).disabled
        await pilot.press("ctrl+r")
        assert editor.query_one("#note", TextArea).text == "Call Sam."
        # Emptied, the note is offered the draft again.
        editor.query_one("#note", TextArea).clear()
        await pilot.pause()
        assert "ctrl+r" in footer_keys(app)
        await pilot.press("escape")
    assert note_in_file(path) == ""


@sync
async def test_other_tasks_keep_their_one_line_note_and_no_draft(tmp_path):
    path = copy(tmp_path)
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        app.screen.query_one("#tasks", DataTable).focus()
        await pilot.press("e")
        await wait_until(lambda: isinstance(app.screen, TaskEditor), pilot)
        editor = app.screen
        await pilot.pause()
        assert not editor.query("#draft") and not editor.query(TextArea)
        assert "ctrl+r" not in footer_keys(app) and "escape" in footer_keys(app)
        # The palette's draft does not switch stage under an open dialog (it would close it).
        await pilot.press("ctrl+p", *"draft incident")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.screen is editor and app.stage_name == "deploy"
        await pilot.press("escape")


async def drafted_from_palette(app: LaunchApp, pilot: Any) -> TaskEditor:
    """The palette's "Draft incident response note" chosen: the task editor it opens."""
    await pilot.press("ctrl+p", *"draft incident")
    await pilot.pause(0.3)  # the palette's search is asynchronous
    await pilot.press("enter")
    await wait_until(lambda: isinstance(app.screen, TaskEditor), pilot)
    editor = app.screen
    assert isinstance(editor, TaskEditor)
    return editor


@sync
async def test_the_command_palette_opens_the_note_drafted(tmp_path):
    path = copy(tmp_path)
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        editor = await drafted_from_palette(app, pilot)
        assert editor.task_.id == INCIDENT_TASK[1]
        assert app.stage_name == "monitoring"
        await wait_until(lambda: bool(editor.query_one("#note", TextArea).text), pilot)
        assert "## First 15 minutes" in editor.query_one("#note", TextArea).text
        await pilot.press("escape")
        await wait_until(lambda: isinstance(app.screen, StageScreen), pilot)
    # An untouched draft is not saved: the export would present it as the engineer's note.
    assert not note_in_file(path)


@sync
async def test_an_edited_draft_is_saved_on_close(tmp_path):
    path = copy(tmp_path)
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        editor = await drafted_from_palette(app, pilot)
        area = editor.query_one("#note", TextArea)
        await wait_until(lambda: bool(area.text), pilot)
        area.insert("On call: Sam, +44 20 7946 0000\n", (0, 0))
        await pilot.press("escape")  # closing saves what the engineer changed
        await wait_until(lambda: isinstance(app.screen, StageScreen), pilot)
    note = note_in_file(path) or ""
    assert note.startswith("On call: Sam, +44 20 7946 0000\n# Incident response: Acme Community")
