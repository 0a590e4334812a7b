"""The daily risk notes on the monitoring screen: the board's line before and after l reads a
demo lab's week of logs, the note screen and its day keys, hostile log text shown literally,
and a sprint without [logs]."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownBlock
from tui_helpers import NoticedApp, notifications, sync, wait_until

from launchtui.lab import Lab, LabThread, demo_config
from launchtui.logs.pipeline import shown_note
from launchtui.sprint.history import History
from launchtui.tui.screens.risk_note import RiskNoteScreen
from launchtui.tui.screens.stage import StageScreen
from launchtui.tui.widgets.monitor_board import MonitorBoard

SIZE = (100, 30)
HOSTILE = "payment failed [bold]x[/] \x1b[31mred [link](http://evil.example) `tick` # h"
BARE = '[sprint]\nname = "Hostile"\n\n[site]\napex = "hostile.example"\n'


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with LabThread(demo_config(base_port=0, mailboxes=[]), tmp_path_factory.mktemp("lab")) as lab:
        yield lab


@pytest.fixture
def demo(lab: Lab, tmp_path: Path) -> Path:
    """A demo sprint with the lab's week of logs in [logs]."""
    return lab.write_sprint(tmp_path / "sprints" / "demo.toml")


def hostile_sprint(tmp_path: Path) -> Path:
    """Three days of one payment error an app logs with Rich markup, a terminal escape, a
    Markdown link, a backtick and a #: a recurring template, quoted in the note."""
    (tmp_path / "logs").mkdir()
    lines = [
        json.dumps({"time": f"2026-11-0{d}T10:{i:02d}:00Z", "level": "error", "message": HOSTILE})
        for d in (1, 2, 3)
        for i in range(12)
    ]
    (tmp_path / "logs" / "app.log").write_text("\n".join(lines) + "\n")
    logins = [
        f"203.0.113.{7 + n % 3} - - [0{d}/Nov/2026:{h:02d}:{n:02d}:00 +0000] "
        f'"POST /login?token=s3cr3t HTTP/1.1" 401 12 "-" "curl/8"'
        for d in (1, 2, 3)
        for h in range(24)
        for n in range(40 if (d, h) == (3, 14) else 1)
    ]
    # the logs run to the day's last minute: day 3 is complete, so it is the note shown
    logins.append('203.0.113.7 - - [03/Nov/2026:23:59:00 +0000] "GET / HTTP/1.1" 200 12 "-" "-"')
    (tmp_path / "logs" / "access.log").write_text("\n".join(logins) + "\n")
    path = tmp_path / "hostile.toml"
    path.write_text(
        BARE + '\n[flows]\nlogin = "https://hostile.example/login"\n'
        '\n[logs]\nfiles = ["logs/*.log"]\n'
    )
    return path


def risk_line(app: NoticedApp) -> str:
    board = str(app.screen.query_one(MonitorBoard).content)
    return next(line for line in board.splitlines() if line.startswith("risk note"))


def note_blocks(app: NoticedApp) -> list[Any]:
    """What the note's Markdown widget renders, block by block (Content)."""
    markdown = app.screen.query_one("#risk-note", Markdown)
    return [block.render() for block in markdown.query(MarkdownBlock)]


def note_text(app: NoticedApp) -> str:
    return "\n".join(str(block) for block in note_blocks(app))


async def open_note(app: NoticedApp, pilot: Any) -> None:
    await pilot.press("6")
    await pilot.press("l")
    await wait_until(lambda: isinstance(app.screen, RiskNoteScreen), pilot)
    await pilot.pause()


@sync
async def test_l_reads_the_sprints_logs_then_shows_the_latest_note(demo):
    app = NoticedApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        assert "no risk note yet: l reads the logs of [logs]" in risk_line(app)
        await open_note(app, pilot)
        notes = History(demo).risk_notes()
        assert len(notes) >= 7
        latest = shown_note(notes)  # the latest complete day's, where days are so marked
        assert latest is not None and latest.day >= notes[-2].day
        screen = app.screen
        assert isinstance(screen, RiskNoteScreen)
        assert screen.note.day == latest.day
        assert f"Risk note {latest.day.isoformat()}" in note_text(app)
        assert not notifications(app, "error")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
        line = risk_line(app)
        assert f"{latest.day.isoformat()}: {latest.unusual} unusual" in line
        assert f"{latest.recurring} recurring, {latest.new} new (l)" in line


@sync
async def test_the_day_keys_move_between_notes_and_stop_at_the_ends(demo):
    app = NoticedApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await open_note(app, pilot)
        screen = app.screen
        assert isinstance(screen, RiskNoteScreen)
        days = [note.day for note in screen.notes]
        for _ in days:
            await pilot.press("right_square_bracket")
        await pilot.pause()
        last = len(days) - 1
        assert screen.index == last  # the newest: ] moves no further
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert screen.note.day == days[last - 1]
        assert f"Risk note {days[last - 1].isoformat()}" in note_text(app)
        await pilot.press("left")
        await pilot.press("right")
        await pilot.pause()
        assert screen.note.day == days[last - 1]
        await pilot.press("right")
        await pilot.pause()
        assert f"Risk note {days[last].isoformat()}" in note_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)


@sync
async def test_a_stage_key_leaves_the_note_for_that_stage(demo):
    app = NoticedApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await open_note(app, pilot)
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen) and app.screen.stage.name == "edge"
        assert not any(isinstance(screen, RiskNoteScreen) for screen in app.screen_stack)
        await pilot.press("6")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen) and app.screen.stage.name == "monitoring"


@sync
async def test_hostile_log_text_stays_literal_on_screen(tmp_path):
    app = NoticedApp(hostile_sprint(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await open_note(app, pilot)
        text = note_text(app)
        assert "payment failed [bold]x[/] \\x1b[<n>mred [link](http://evil.example)" in text
        assert "\x1b" not in text  # the escape is shown, never sent
        quoted = next(block for block in note_blocks(app) if "[link]" in str(block))
        for span in quoted.spans:  # no link nor bold came from the log
            style = str(span.style)
            assert "link" not in style and "bold" not in style, span


@sync
async def test_without_logs_the_board_says_so_and_l_explains(tmp_path):
    path = tmp_path / "bare.toml"
    path.write_text(BARE)
    app = NoticedApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        assert "no [logs] in the sprint" in risk_line(app)
        await pilot.press("l")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
        assert any("[logs]" in notice for notice in notifications(app, "error"))
        assert not History(path).exists()


@sync
async def test_read_problems_are_one_notice_each(tmp_path):
    path = hostile_sprint(tmp_path)
    (tmp_path / "logs" / "junk.log").write_bytes(b"not a log line\n" * 3)
    app = NoticedApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await open_note(app, pilot)
        warnings = notifications(app, "warning")
        assert len(warnings) == 1 and "junk.log" in warnings[0], warnings


@sync
async def test_the_palette_reads_the_logs(demo):
    app = NoticedApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        app.read_logs()  # what the palette entry "Read logs into risk notes" calls
        await wait_until(lambda: isinstance(app.screen, RiskNoteScreen), pilot)


def test_the_note_screen_at_80x24(snap_compare, tmp_path):
    """The smallest size: the title line, the note (a spike with its lines, the hostile
    recurring error literal) and the footer's day keys."""
    app = NoticedApp(hostile_sprint(tmp_path))

    async def read(pilot: Any) -> None:
        await open_note(app, pilot)
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, run_before=read, terminal_size=(80, 24))
