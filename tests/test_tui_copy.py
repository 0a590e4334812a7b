"""`c` copies a fix honestly: with the local tool it names, or as OSC 52 with the text shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, TextArea
from tui_helpers import NoticedApp, notifications, sync

from launchtui.tui.screens.copy_text import CopyText
from launchtui.tui.screens.stage import row_key

FIXTURE = Path(__file__).parent / "fixtures" / "tui_sprint.toml"
ROW = ("tls.certificate", "www.acme.community")
SIZE = (100, 30)


def _fake_xclip(folder: Path) -> Path:
    folder.mkdir()
    script = folder / "xclip"
    script.write_text(f'#!/bin/sh\ncat > "{folder}/clipboard"\n')
    script.chmod(0o755)
    return folder / "clipboard"


async def _copy_row(app: NoticedApp, pilot: object) -> None:
    await pilot.press("2")  # type: ignore[attr-defined]
    table = app.screen.query_one("#checks", DataTable)
    table.move_cursor(row=table.get_row_index(row_key(ROW)))
    await pilot.press("c")  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


@sync
async def test_copy_with_xclip_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clipboard = _fake_xclip(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    path = tmp_path / "s.toml"
    path.write_text(FIXTURE.read_text())
    app = NoticedApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await _copy_row(app, pilot)
        fix = app.sprint.results[ROW].fix
        assert clipboard.read_text() == fix
        assert any(
            "copied with xclip" in notice and "tls.certificate" in notice
            for notice in notifications(app)
        ), notifications(app)
        assert not any("Copied" in notice for notice in notifications(app))
        assert not isinstance(app.screen, CopyText)


@sync
async def test_without_a_tool_osc52_is_sent_and_the_text_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    path = tmp_path / "s.toml"
    path.write_text(FIXTURE.read_text())
    app = NoticedApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await _copy_row(app, pilot)
        fix = app.sprint.results[ROW].fix
        assert app.clipboard == fix  # what Textual sent as OSC 52
        assert isinstance(app.screen, CopyText)
        label = str(app.screen.query_one("Label").content)
        assert "sent to the terminal clipboard (OSC 52); your terminal may ignore it" in label
        area = app.screen.query_one(TextArea)
        assert area.read_only and area.text == fix
        await pilot.press("escape")
        assert not isinstance(app.screen, CopyText)
