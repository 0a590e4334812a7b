"""Quitting never waits on a keyring that does not answer (a D-Bus call left hanging)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "tui_sprint.toml"

SCRIPT = """
import asyncio, sys, threading
from launchtui.credentials import CredentialStore
from launchtui.tui.app import LaunchApp
from launchtui.tui.screens.credentials import CredentialsScreen

never = threading.Event()
CredentialStore.source = lambda self, name: never.wait()  # nobody answers on D-Bus
CredentialStore.get = lambda self, name: never.wait()

async def main():
    app = LaunchApp(sys.argv[1])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("k")  # the credentials screen looks up every credential
        await pilot.pause(0.2)
        assert isinstance(app.screen, CredentialsScreen)
        await pilot.press("escape")
        await pilot.press("ctrl+p", *"export handover", "enter")  # reads credentials too
        await pilot.pause(0.2)
        await pilot.press("q")
    print("quit", flush=True)

asyncio.run(main())
print("exited", flush=True)
"""


def test_quitting_does_not_wait_for_a_hung_keyring(tmp_path):
    sprint = tmp_path / "sprint.toml"
    text = FIXTURE.read_text().replace(
        "[credentials]\n",
        '[credentials]\ncloudflare_api_token = "Zone read"\nsmtp_password = "relay"\n',
    )
    assert "cloudflare_api_token" in text
    sprint.write_text(text)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(sprint)],
        capture_output=True,
        text=True,
        timeout=120,  # generous: the point is that it ends at all
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["quit", "exited"]
