"""`launchtui` alone: the opener lists sprint files and recent sprints, or writes a new one.

Each test runs in a temporary folder holding sprints/ with a good and a broken file, and a
private $XDG_STATE_HOME (see conftest.py). Ages are rendered against a fixed clock.
Update the snapshot after an intended change with:
pytest tests/test_tui_opener.py --snapshot-update
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList, Static
from tui_helpers import NoticedApp, notifications, sync

from launchtui.cli.main import main
from launchtui.sprint import recent, store
from launchtui.sprint.scaffold import scaffold
from launchtui.tui.app import LaunchApp
from launchtui.tui.screens.new_sprint import NewSprintScreen
from launchtui.tui.screens.opener import OpenerScreen
from launchtui.tui.screens.stage import StageScreen

SIZE = (80, 24)
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
BROKEN = '[sprint]\nname = "Broken"\n\n[site]\napex = "bad_domain"\n'


def changed(path: Path, ago: timedelta) -> None:
    when = (NOW - ago).timestamp()
    os.utime(path, (when, when))


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder: sprints/acme.toml (left on the edge stage) and sprints/broken.toml."""
    work = tmp_path / "work"
    good = scaffold(
        work / "sprints" / "acme.toml", "acme.community", name="Acme launch", client="Acme Co"
    )
    store.record_stage(good, "edge")
    changed(good, timedelta(days=2))
    broken = work / "sprints" / "broken.toml"
    broken.write_text(BROKEN)
    changed(broken, timedelta(hours=3))
    monkeypatch.chdir(work)
    return work


def opener_app() -> NoticedApp:
    return NoticedApp(None, now=lambda: NOW)


def prompts(app: LaunchApp, list_id: str) -> list[str]:
    options = app.screen.query_one(f"#{list_id}", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def problem(app: LaunchApp, field_id: str) -> str:
    widget = app.screen.query_one(f"#{field_id}-problem", Static)
    return str(widget.content) if widget.display else ""


async def fill(app: LaunchApp, pilot: Any, **values: str) -> None:
    for field_id, value in values.items():
        app.screen.query_one(f"#{field_id}", Input).value = value
    await pilot.pause()


@sync
async def test_lists_sprint_files_with_errors_and_opens_the_good_one(folder: Path) -> None:
    app = opener_app()
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, OpenerScreen)
        good, broken = prompts(app, "sprints")
        assert good == (
            "Acme launch  ·  Acme Co  ·  acme.community\n  sprints/acme.toml · changed 2d ago"
        )
        assert broken.startswith("sprints/broken.toml · changed 3h ago\n  cannot open: ")
        assert "sprints/broken.toml:5: site.apex: expected a DNS hostname" in broken
        assert prompts(app, "recent") == ["Nothing opened yet."]

        await pilot.press("down", "enter")  # the broken one: it says why, and stays
        await pilot.pause()
        assert isinstance(app.screen, OpenerScreen)
        assert any("cannot be opened until its error is fixed" in m for m in notifications(app))

        await pilot.press("up", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
        assert app.screen.stage.name == "edge"  # the stage it was left on
        assert app.sprint_path is not None and app.sprint_path.resolve() == (
            folder / "sprints" / "acme.toml"
        )
        await pilot.press("1")  # the stage keys work once a sprint is open
        await pilot.pause()
        assert app.screen.stage.name == "audit"
    assert recent.read_recent() == [folder / "sprints" / "acme.toml"]


@sync
async def test_recent_sprints_are_recorded_and_shown(folder: Path, tmp_path: Path) -> None:
    elsewhere = scaffold(tmp_path / "elsewhere" / "beta.toml", "beta.org", name="Beta launch")
    opened = LaunchApp(elsewhere, now=lambda: NOW)  # like `launchtui elsewhere/beta.toml`
    async with opened.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(opened.screen, StageScreen)
    assert recent.read_recent() == [elsewhere]

    app = opener_app()
    async with app.run_test(size=SIZE) as pilot:
        (entry,) = prompts(app, "recent")
        assert entry.startswith(f"Beta launch  ·  beta.org\n  {elsewhere}")
        await pilot.press("tab", "enter")  # focus the recent list, open its first sprint
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
        assert app.sprint.document.sprint.name == "Beta launch"


@sync
async def test_new_sprint_form_writes_the_file_and_opens_it(folder: Path) -> None:
    app = opener_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert isinstance(app.screen, NewSprintScreen)
        await fill(app, pilot, name="Beta launch")
        assert app.screen.query_one("#path", Input).value == "sprints/beta-launch.toml"
        await fill(
            app,
            pilot,
            client="Beta Co",
            apex="Beta.org",
            hostnames="www.beta.org, app.beta.org community.beta.org",
            canonical="https://www.beta.org",
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StageScreen)
        assert app.screen.stage.name == "audit"
    sprint = store.load(folder / "sprints" / "beta-launch.toml").sprint
    assert (sprint.name, sprint.client, sprint.site.apex) == ("Beta launch", "Beta Co", "beta.org")
    assert sprint.site.hostnames == ("www.beta.org", "app.beta.org", "community.beta.org")
    assert sprint.site.canonical == "https://www.beta.org"
    assert recent.read_recent() == [folder / "sprints" / "beta-launch.toml"]


@sync
async def test_new_sprint_form_shows_problems_and_writes_nothing(folder: Path) -> None:
    before = sorted(os.listdir(folder / "sprints"))
    acme = (folder / "sprints" / "acme.toml").read_bytes()
    app = opener_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#new")
        assert isinstance(app.screen, NewSprintScreen)
        await fill(
            app,
            pilot,
            name="Beta",
            apex="bad_domain.org",
            hostnames="www.beta.org,, -bad.beta.org",
            canonical="http://beta.org",
        )
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NewSprintScreen)
        assert problem(app, "apex").startswith('"bad_domain.org" is not a valid domain: label')
        assert problem(app, "hostnames").startswith('"-bad.beta.org" is not a valid hostname')
        assert problem(app, "canonical") == (
            'The canonical URL "http://beta.org" must be an https:// URL.'
        )
        assert problem(app, "path") == ""

        await fill(
            app, pilot, apex="beta.org", hostnames="", canonical="", path="sprints/acme.toml"
        )
        assert problem(app, "apex") == ""  # a problem goes when its field is edited
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, NewSprintScreen)
        assert problem(app, "path") == "sprints/acme.toml already exists: choose another file name."
        assert problem(app, "apex") == ""

        await pilot.press("escape")
        assert isinstance(app.screen, OpenerScreen)
    assert sorted(os.listdir(folder / "sprints")) == before
    assert (folder / "sprints" / "acme.toml").read_bytes() == acme


def test_opener_snapshot(folder: Path, snap_compare: Any) -> None:
    recent.record_recent(folder / "sprints" / "acme.toml")
    assert snap_compare(opener_app(), terminal_size=SIZE)


def test_without_a_terminal_launchtui_prints_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 0
    assert "usage: launchtui" in capsys.readouterr().out
