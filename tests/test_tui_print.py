"""Printing while the app runs: Textual captures stdout and stderr and flushes them through
App._flush(stderr=...). An app method of that name once shadowed it, so any flush raised
TypeError inside the running app."""

from __future__ import annotations

import sys
from pathlib import Path

from tui_helpers import sync

from launchtui.tui.app import LaunchApp

FIXTURE = Path(__file__).parent / "fixtures" / "tui_sprint.toml"


@sync
async def test_printing_to_stdout_and_stderr_while_the_app_runs(tmp_path):
    path = tmp_path / "sprint.toml"
    path.write_bytes(FIXTURE.read_bytes())
    app = LaunchApp(path)
    async with app.run_test(size=(100, 30)) as pilot:
        print("to stdout", flush=True)
        print("to stderr", file=sys.stderr, flush=True)
        await pilot.pause()
        assert app.is_running
