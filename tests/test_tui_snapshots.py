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


LONG_HOST = "launch-preview.eu-west-1.customer-facing.acme.community"
LONG_OWNER = "Alexandra Konstantinopoulou-Vasquez (platform team, on call)"


def crowded_sprint(tmp_path, request, stage: str):
    """The fixture with a long hostname, long task owners, and `stage` to open on."""
    text = (request.path.parent / FIXTURE).read_text()
    text = text.replace(
        'hostnames = ["www.acme.community", "app.acme.community"]',
        f'hostnames = ["www.acme.community", "app.acme.community", "{LONG_HOST}"]',
    ).replace('stage = "edge"', f'stage = "{stage}"')
    text += (
        f'\n[tasks.audit.review-deploy-target-and-rollback]\nowner = "{LONG_OWNER}"\n'
        f'\n[tasks.edge.cloudflare-ddos-protection-active]\nowner = "{LONG_OWNER}"\ndone = true\n'
    )
    path = tmp_path / "sprint.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
@pytest.mark.parametrize("stage", ["audit", "edge"])
def test_failing_row_selected_with_long_owners_and_hostnames(
    stage, size, snap_compare, tmp_path, request
):
    """The layout holds whatever the content: checks, tasks, risks and the detail (evidence
    and fix) of the first failing row (n) all on screen; fail, warn, error and pass in view."""
    app = LaunchApp(crowded_sprint(tmp_path, request, stage), now=lambda: NOW)
    assert snap_compare(app, press=["n"], terminal_size=size)
