"""The terminal app driven by Pilot against the lab: open, switch, run, select, reopen."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import tomlkit
from lab_fixtures import ZONE
from textual.widgets import Button, DataTable, Static
from tui_helpers import sync

from launchtui.sprint import store
from launchtui.sprint.tasks_store import saved_tasks
from launchtui.tui.app import LaunchApp, run
from launchtui.tui.screens.changed_on_disk import ChangedOnDisk
from launchtui.tui.screens.copy_text import CopyText
from launchtui.tui.screens.stage import StageScreen, row_key
from launchtui.tui.widgets.detail import Detail

pytest_plugins = ["lab_fixtures"]

SIZE = (100, 30)
HOSTS = [f"www.{ZONE}", f"community.{ZONE}"]
FAILING = ("tls.certificate", f"community.{ZONE}")
HOSTILE = "[bold red]x[/] \x1b[2J"


@pytest.fixture
def sprint_file(lab, tmp_path) -> Path:
    """The demo sprint on the shared lab, narrowed to a few hosts to keep runs short."""
    path = lab.write_sprint(tmp_path / "lab.toml")
    doc = tomlkit.parse(path.read_text())
    doc["site"]["hostnames"] = HOSTS
    path.write_text(tomlkit.dumps(doc))
    return path


def cell(app: LaunchApp, key: tuple[str, str], column: str) -> str:
    table = app.screen.query_one("#checks", DataTable)
    return str(table.get_cell(row_key(key), column))


def detail_text(app: LaunchApp) -> str:
    return str(app.screen.query_one(Detail).query_one("#detail-text", Static).content)


async def select(app: LaunchApp, pilot, key: tuple[str, str]) -> None:
    table = app.screen.query_one("#checks", DataTable)
    table.move_cursor(row=table.get_row_index(row_key(key)))
    await pilot.pause()


@sync
async def test_run_edge_stage_then_reopen_where_we_stopped(sprint_file):
    app = LaunchApp(sprint_file)
    async with app.run_test(size=SIZE) as pilot:
        assert app.stage_name == "audit"  # nothing saved yet: the first stage
        await pilot.press("3")
        assert app.stage_name == "deploy"
        await pilot.press("2")
        assert app.stage_name == "edge"
        await pilot.press("r")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert cell(app, FAILING, "status") == "fail"
        # Rows kept their places during the run; once it is saved, failures come first.
        table = app.screen.query_one("#checks", DataTable)
        statuses = [str(table.get_cell_at((row, 0))).split()[0] for row in range(table.row_count)]
        tiers = [0 if s in ("fail", "error") else 1 if s == "warn" else 2 for s in statuses]
        assert tiers == sorted(tiers) and tiers[0] == 0, statuses
        await select(app, pilot, FAILING)
        fix = app.sprint.results[FAILING].fix
        assert fix
        assert fix.splitlines()[0] in detail_text(app)
        await pilot.press("c")  # no clipboard tool in the tests: OSC 52, and the text shown
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.clipboard == fix
        assert isinstance(app.screen, CopyText)
        await pilot.press("escape")
        await pilot.press("full_stop")  # re-run just this row: the saved fail becomes previous
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.sprint.results[FAILING].previous is not None
        assert app.sprint.results[FAILING].previous.status == "fail"
        assert "Unchanged since" in detail_text(app)
        await pilot.press("q")
    saved = store.load(sprint_file)
    assert store.saved_stage(saved) == "edge"
    assert store.saved_results(saved)[FAILING].status == "fail"

    again = LaunchApp(sprint_file)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.stage_name == "edge"
        assert cell(again, FAILING, "status") == "fail"
        await select(again, pilot, FAILING)
        assert "Since the previous run" in detail_text(again)


@sync
async def test_quit_in_the_middle_of_a_run(sprint_file):
    stalling = ("tls.certificate", f"slow.{ZONE}")  # its TLS handshake never completes
    doc = tomlkit.parse(sprint_file.read_text())
    doc["site"]["hostnames"] = [*HOSTS, stalling[1]]
    sprint_file.write_text(tomlkit.dumps(doc))
    app = LaunchApp(sprint_file)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "r")
        for _ in range(500):  # until the fast hosts are done and only stalled rows run
            if cell(app, FAILING, "status") == "fail":
                break
            await pilot.pause(0.01)
        assert cell(app, FAILING, "status") == "fail"  # rows update as results arrive
        assert cell(app, stalling, "status") == "running"
        started = time.monotonic()
        await pilot.press("q")
    assert time.monotonic() - started < 5
    assert store.saved_results(store.load(sprint_file)) == {}  # an unfinished run saves nothing


@sync
async def test_hostile_summary_is_shown_literally(tmp_path):
    path = tmp_path / "hostile.toml"
    text = (Path(__file__).parent / "fixtures" / "tui_sprint.toml").read_text()
    doc = tomlkit.parse(text)
    doc["results"]["edge"]["tls.certificate"]["www.acme.community"]["summary"] = HOSTILE
    path.write_text(tomlkit.dumps(doc))
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await select(app, pilot, ("tls.certificate", "www.acme.community"))
        shown = detail_text(app)
        assert "[bold red]x[/] \\x1b[2J" in shown
        assert "\x1b" not in shown


@sync
async def test_bad_sprint_file_is_one_line(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text("[sprint\n")
    assert run(path) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid TOML" in err
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        assert "invalid TOML" in str(app.screen.query_one("#error", Static).content)
        await pilot.press("q")


@sync
async def test_tick_a_manual_task_and_record_its_owner(tmp_path):
    path = tmp_path / "tasks.toml"
    path.write_text((Path(__file__).parent / "fixtures" / "tui_sprint.toml").read_text())
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        app.screen.query_one("#tasks", DataTable).focus()
        await pilot.press("x")
        await pilot.press("e", *"Sam", "enter")
        await pilot.pause()
        assert "Sam" in detail_text(app)
    state = saved_tasks(store.load(path))[("deploy", "rollback-tested")]
    assert state.done and state.owner == "Sam"


@sync
async def test_stage_keys_do_nothing_while_a_dialog_is_open(tmp_path):
    path = tmp_path / "dialog.toml"
    path.write_text((Path(__file__).parent / "fixtures" / "tui_sprint.toml").read_text())
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        app.screen.query_one("#tasks", DataTable).focus()
        await pilot.press("e")
        await pilot.pause()
        editor = app.screen
        editor.query_one("#done", Button).focus()
        await pilot.press("1")
        await pilot.pause()
        assert app.screen is editor and app.stage_name == "deploy"


@sync
async def test_command_palette_opens_a_stage_and_exports_the_handover(tmp_path):
    path = tmp_path / "palette.toml"
    path.write_text((Path(__file__).parent / "fixtures" / "tui_sprint.toml").read_text())
    app = LaunchApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"open stage 5", "enter")
        await pilot.pause()
        assert app.stage_name == "email"
        await pilot.press("ctrl+p", *"export handover", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert "Acme Community launch" in (tmp_path / "palette-handover.md").read_text()


@sync
async def test_results_are_not_saved_over_a_file_broken_meanwhile(sprint_file):
    app = LaunchApp(sprint_file)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        edited = sprint_file.read_text() + "broken = [\n"  # a hand edit, half done
        sprint_file.write_text(edited)
        await pilot.press("r")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        question = app.screen
        assert isinstance(question, ChangedOnDisk)  # asked before writing, not overwritten
        unloadable = str(question.query_one("#unloadable", Static).content)
        assert "no longer loads" in unloadable and "invalid TOML" in unloadable
        assert question.query_one("#reload", Button).disabled
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
        assert cell(app, FAILING, "status") == "fail"  # shown, though not saved
    assert sprint_file.read_text() == edited


@sync
async def test_an_old_sprint_file_moves_to_the_run_history_and_reopens_the_same(tmp_path):
    """The TUI fixture is in the old form (every result in full): opening it moves the
    evidence, fixes and previous results into the run history, and the app shows the same
    before and after, also when opened again."""
    from launchtui.sprint.history import history_path

    path = tmp_path / "old.toml"
    path.write_text((Path(__file__).parent / "fixtures" / "tui_sprint.toml").read_text())
    key = ("tls.certificate", "www.acme.community")
    shown = []
    for _ in range(2):
        app = LaunchApp(path)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("2")
            await select(app, pilot, key)
            shown.append((cell(app, key, "status"), detail_text(app)))
            await pilot.press("q")
        text = path.read_text()
        assert "[[runs]]" not in text and "not_after" not in text  # moved to the history
        assert '"www.acme.community" = "Certificate expired 3 days ago"' in text
        assert history_path(path).exists()
    assert shown[0] == shown[1]
    status, detail = shown[0]
    assert status.startswith("fail")
    assert "2025-12-29T00:00:00Z" in detail  # the evidence
    assert "Renew the certificate for www.acme.community." in detail  # the fix
    assert "Valid for 2 days" in detail  # what it was at the previous run
