"""The credentials screen, driven by Pilot against a real (private) Secret Service.

It lists the declared credentials with where each value is -- never the value -- and sets,
replaces and deletes values in the OS keyring. Every test requests `private_keyring` first, so
that keyring detects its backend on the private bus and never on the user's own (and through
`real_keyring`, which repairs what an earlier test without it left cached).
"""

from __future__ import annotations

import html
import re
import shutil
import uuid
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from textual.widgets import DataTable, Input, Static
from tui_helpers import NoticedApp, notifications, sync

from launchtui.credentials import SERVICE, CredentialStore, usable_keyring
from launchtui.errors import CredentialError
from launchtui.tui.app import LaunchApp
from launchtui.tui.screens.credentials import ConfirmDelete, CredentialEditor, CredentialsScreen
from launchtui.tui.screens.stage import StageScreen

SIZE = (100, 30)
FIXTURE = Path(__file__).parent / "fixtures" / "tui_sprint.toml"
TOKEN = "cloudflare_api_token"
OTHER = "smtp_password"
VALUE = "tok3n9f8e7d6c5b4a21zq"  # typed key by key: lower case and digits only
CREDENTIALS = f"""[credentials]
{TOKEN} = "Cloudflare API token (Zone:Read) for edge.cloudflare"
{OTHER} = "SMTP password of the seed inbox"
"""


def write_sprint(path: Path, sprint_id: str, credentials: str = CREDENTIALS) -> Path:
    """The TUI fixture sprint under another id, declaring `credentials`."""
    text = FIXTURE.read_text()
    text = text.replace('id = "tui-fixture"', f'id = "{sprint_id}"')
    text = text.replace("[credentials]\n", credentials)
    path.write_text(text)
    return path


@pytest.fixture
def real_keyring(private_keyring):
    """The private Secret Service, also when a test run before this module looked the keyring
    up without it (keyring then caches, for the whole run, that Secret Service is not viable)."""
    import keyring.backend
    import keyring.core

    try:
        usable_keyring()
    except CredentialError:
        keyring.backend.get_all_keyring.reset()
        keyring.core.init_backend()
        usable_keyring()  # still none: let the error say why
    return private_keyring


@pytest.fixture
def sprint(real_keyring, tmp_path) -> tuple[Path, str]:
    """A sprint file with two declared credentials, under an id no other test uses."""
    sprint_id = f"tui-{uuid.uuid4().hex[:10]}"
    path = write_sprint(tmp_path / "sprint.toml", sprint_id)
    yield path, sprint_id
    for name in (TOKEN, OTHER):
        CredentialStore(sprint_id).delete(name)


async def settle(app: LaunchApp, pilot) -> None:
    """Until the keyring workers are done and their outcome is on screen."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_credentials(app: LaunchApp, pilot) -> CredentialsScreen:
    await pilot.press("k")
    await settle(app, pilot)
    assert isinstance(app.screen, CredentialsScreen)
    return app.screen


def status(app: LaunchApp, name: str) -> str:
    table = app.screen.query_one("#credentials", DataTable)
    return str(table.get_cell(name, "status"))


async def select(app: LaunchApp, pilot, name: str) -> None:
    table = app.screen.query_one("#credentials", DataTable)
    table.move_cursor(row=table.get_row_index(name))
    await pilot.pause()


def stored(sprint_id: str, name: str) -> str | None:
    return keyring.get_password(SERVICE, f"{sprint_id}/{name}")


def shown(app: LaunchApp) -> str:
    """Everything on screen, three ways: the rendered lines, what every widget renders, and
    the text of an SVG screenshot."""
    lines = [strip.text for strip in app.screen._compositor.render_strips()]
    widgets = []
    for widget in app.screen.walk_children(with_self=True):
        if isinstance(widget, Static):
            widgets.append(str(widget.render()))
        elif isinstance(widget, DataTable):
            rows = range(widget.row_count)
            widgets.extend(str(cell) for row in rows for cell in widget.get_row_at(row))
        elif isinstance(widget, Input):
            widgets.append(widget.render_line(0).text)
    svg = html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot())).replace("\xa0", " ")
    return "\n".join([*lines, *widgets, svg])


def assert_never_shown(app: LaunchApp, value: str) -> None:
    text = shown(app)
    assert "Credentials" in text or "keyring" in text  # the scan does see the screen
    assert value not in text
    assert value[:8] not in text  # not even a prefix of it
    for message in notifications(app):
        assert value not in message


@sync
async def test_set_replace_and_delete_through_the_screen(sprint):
    path, sprint_id = sprint
    app = NoticedApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await open_credentials(app, pilot)
        assert status(app, TOKEN) == "not set"
        assert status(app, OTHER) == "not set"

        await select(app, pilot, TOKEN)
        await pilot.press("enter")
        editor = app.screen
        assert isinstance(editor, CredentialEditor)
        assert editor.query_one("#value", Input).password
        await pilot.press(*VALUE)
        assert editor.query_one("#value", Input).value == VALUE
        assert_never_shown(app, VALUE)  # typed, in the dialog: bullets only
        await pilot.press("enter")
        await settle(app, pilot)

        assert isinstance(app.screen, CredentialsScreen)
        assert stored(sprint_id, TOKEN) == VALUE
        assert status(app, TOKEN) == "set (keyring)"
        assert status(app, OTHER) == "not set"
        assert any("stored" in m.lower() and "OS keyring" in m for m in notifications(app))
        assert_never_shown(app, VALUE)

        # `s` replaces it, here by setting the input's value
        await pilot.press("s")
        assert isinstance(app.screen, CredentialEditor)
        assert "Replace" in shown(app)
        replacement = VALUE[::-1]
        app.screen.query_one("#value", Input).value = replacement
        await pilot.click("#store")
        await settle(app, pilot)
        assert stored(sprint_id, TOKEN) == replacement
        assert_never_shown(app, replacement)
        assert_never_shown(app, VALUE)

        # d asks first: n keeps it, y deletes it
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDelete)
        await pilot.press("n")
        await settle(app, pilot)
        assert stored(sprint_id, TOKEN) == replacement
        await pilot.press("d", "y")
        await settle(app, pilot)
        assert stored(sprint_id, TOKEN) is None
        assert status(app, TOKEN) == "not set"
        assert any(f"Deleted {TOKEN}" in m for m in notifications(app))

        await pilot.press("escape")
        assert isinstance(app.screen, StageScreen)
    text = path.read_text()
    assert VALUE not in text
    assert replacement not in text


@sync
async def test_environment_overrides_and_is_never_shown(sprint, monkeypatch):
    path, sprint_id = sprint
    from_env = "envv4lue7c3b9a1d0e2f"
    monkeypatch.setenv(f"LAUNCHTUI_CRED_{TOKEN.upper()}", from_env)
    monkeypatch.setenv(f"LAUNCHTUI_CRED_{OTHER.upper()}", "")  # empty counts as unset
    app = NoticedApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await open_credentials(app, pilot)
        assert status(app, TOKEN) == "set (environment)"
        assert status(app, OTHER) == "not set"
        assert_never_shown(app, from_env)

        await select(app, pilot, TOKEN)  # a keyring value under it is stored, and shadowed
        await pilot.press("enter", *VALUE, "enter")
        await settle(app, pilot)
        assert stored(sprint_id, TOKEN) == VALUE
        assert status(app, TOKEN) == "set (environment)"
        assert any("overrides" in m for m in notifications(app))
        assert_never_shown(app, VALUE)
        assert_never_shown(app, from_env)


@sync
async def test_an_empty_value_is_refused(sprint):
    path, sprint_id = sprint
    app = NoticedApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await open_credentials(app, pilot)
        await pilot.press("enter", "enter")  # open the dialog, submit nothing
        await settle(app, pilot)
        assert isinstance(app.screen, CredentialEditor)  # still asking
        assert any("empty value is not stored" in m for m in notifications(app))
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, CredentialsScreen)
        assert stored(sprint_id, TOKEN) is None
        assert status(app, TOKEN) == "not set"


@sync
async def test_no_keyring_says_what_to_do_and_stores_nothing(sprint, monkeypatch):
    path, sprint_id = sprint
    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    app = NoticedApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await open_credentials(app, pilot)
        assert status(app, TOKEN) == "unknown: no usable OS keyring"
        help_text = str(app.screen.query_one("#credentials-help", Static).render())
        assert f"or set LAUNCHTUI_CRED_{TOKEN.upper()}" in help_text  # the whole line, below
        await pilot.press("enter")  # not asked for a value that could not be stored
        await settle(app, pilot)
        assert isinstance(app.screen, CredentialsScreen)
        errors = notifications(app, "error")
        assert errors
        assert errors[-1].startswith("no usable OS keyring")
        assert "\n" not in errors[-1]
    monkeypatch.undo()
    assert stored(sprint_id, TOKEN) is None


@sync
async def test_a_failed_store_is_a_notification_without_the_value(sprint, monkeypatch):
    path, sprint_id = sprint

    def refuse(self, name: str, value: str) -> None:
        raise CredentialError(f"OS keyring could not write {self.username(name)} (locked)")

    monkeypatch.setattr(CredentialStore, "set", refuse)
    app = NoticedApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await open_credentials(app, pilot)
        await pilot.press("enter", *VALUE, "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, CredentialsScreen)
        errors = notifications(app, "error")
        assert errors == [f"OS keyring could not write {sprint_id}/{TOKEN} (locked)"]
        assert status(app, TOKEN) == "not set"
        assert_never_shown(app, VALUE)
    assert stored(sprint_id, TOKEN) is None


@sync
async def test_palette_opens_it_and_a_stage_key_leaves_it(sprint):
    path, _ = sprint
    app = NoticedApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"credentials")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, CredentialsScreen)
        await pilot.press("k")  # not twice
        await pilot.pause()
        assert sum(isinstance(s, CredentialsScreen) for s in app.screen_stack) == 1
        await pilot.press("3")
        await pilot.pause()
        assert app.stage_name == "deploy"
        assert isinstance(app.screen, StageScreen)
        await pilot.press("2")
        await pilot.pause()
        assert app.stage_name == "edge"
        assert isinstance(app.screen, StageScreen)


@sync
async def test_a_sprint_without_credentials(real_keyring, tmp_path):
    path = tmp_path / "sprint.toml"
    shutil.copy(FIXTURE, path)  # declares an empty [credentials]
    app = NoticedApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await open_credentials(app, pilot)
        assert "declares no credentials" in shown(app)
        await pilot.press("enter", "s", "d")
        await pilot.pause()
        assert isinstance(app.screen, CredentialsScreen)


def test_credentials_screen_snapshot(real_keyring, snap_compare, tmp_path, monkeypatch):
    sprint_id = "tui-fixture-credentials"
    path = write_sprint(tmp_path / "sprint.toml", sprint_id)
    for name in (TOKEN, OTHER):
        CredentialStore(sprint_id).delete(name)
    monkeypatch.setenv(f"LAUNCHTUI_CRED_{TOKEN.upper()}", "not-shown-anywhere")

    async def opened(pilot) -> None:
        await pilot.press("k")
        await settle(pilot.app, pilot)

    assert snap_compare(LaunchApp(path), run_before=opened, terminal_size=SIZE)


@sync
async def test_no_credentials_key_without_a_sprint(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[sprint\n")
    app = NoticedApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("k")
        await pilot.pause()
        assert not isinstance(app.screen, CredentialsScreen)
        assert "Keyring" not in shown(app)  # no footer key for it either
