"""SVG snapshots of the seven stage screens over a fixed sprint with fixed saved results.

Ages are rendered against a fixed clock, and the file is a copy (switching stages records it).
Update after an intended change with: pytest tests/test_tui_snapshots.py --snapshot-update
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest

from launchtui.model.stages import STAGES
from launchtui.tui.app import LaunchApp

FIXTURE = "fixtures/tui_sprint.toml"
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("stage", STAGES, ids=[s.name for s in STAGES])
def test_stage_screen(stage, snap_compare, tmp_path, request):
    path = tmp_path / "sprint.toml"
    shutil.copy(request.path.parent / FIXTURE, path)
    app = LaunchApp(path, now=lambda: NOW)
    assert snap_compare(app, press=[str(stage.number)], terminal_size=(100, 30))


@pytest.mark.parametrize("stage", ["2", "3", "5"], ids=["edge", "deploy", "email"])
def test_stage_screen_at_80x24(stage, snap_compare, tmp_path, request):
    """The smallest size we promise: footer keys, title and table all readable."""
    path = tmp_path / "sprint.toml"
    shutil.copy(request.path.parent / FIXTURE, path)
    app = LaunchApp(path, now=lambda: NOW)
    assert snap_compare(app, press=[stage], terminal_size=(80, 24))


def test_changed_on_disk_question_at_80x24(snap_compare, tmp_path, request, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the question names the file relative to here
    path = tmp_path / "sprint.toml"
    shutil.copy(request.path.parent / FIXTURE, path)
    app = LaunchApp(path, now=lambda: NOW)

    async def edit_then_switch(pilot):
        path.write_text(path.read_text().replace('engineer = "Sam"', 'engineer = "Kim"'))
        await pilot.press("3")

    assert snap_compare(app, run_before=edit_then_switch, terminal_size=(80, 24))
