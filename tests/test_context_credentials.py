"""Checks read a credential through the run's context: once per run, never on the event loop."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from launchtui.checks.context import check_context
from launchtui.credentials import CredentialStore
from launchtui.errors import CredentialError
from launchtui.net.context import NetworkContext
from launchtui.sprint import store

MINIMAL = '[sprint]\nname = "Acme"\nid = "acme"\n\n[site]\napex = "acme.community"\n'


def sprint_at(tmp_path: Path):
    path = tmp_path / "acme.toml"
    path.write_text(MINIMAL)
    return store.load(path).sprint


def test_a_credential_is_read_once_however_many_targets_ask(tmp_path, monkeypatch):
    calls: list[str] = []

    def get(self: CredentialStore, name: str) -> str | None:
        calls.append(name)
        time.sleep(0.05)  # a keyring round trip: the asks overlap
        return "tok-123" if name == "cloudflare_api_token" else None

    monkeypatch.setattr(CredentialStore, "get", get)

    async def run() -> list[str | None]:
        async with check_context(sprint_at(tmp_path)) as ctx:
            asks = [ctx.credential("cloudflare_api_token") for _ in range(20)]
            return [*await asyncio.gather(*asks), await ctx.credential("smtp_password")]

    values = asyncio.run(run())
    assert values == ["tok-123"] * 20 + [None]
    assert calls == ["cloudflare_api_token", "smtp_password"]


def test_a_keyring_error_reaches_every_asker(tmp_path, monkeypatch):
    def get(self: CredentialStore, name: str) -> str | None:
        raise CredentialError("no usable OS keyring")

    monkeypatch.setattr(CredentialStore, "get", get)

    async def run() -> None:
        sprint = sprint_at(tmp_path)
        async with check_context(sprint) as ctx:
            for _ in range(2):
                with pytest.raises(CredentialError, match="no usable OS keyring"):
                    await ctx.credential("cloudflare_api_token")

    asyncio.run(run())


def test_a_hung_keyring_neither_blocks_the_loop_nor_outlives_the_run(tmp_path, monkeypatch):
    release = threading.Event()

    def get(self: CredentialStore, name: str) -> str | None:
        release.wait()  # a D-Bus call that never returns
        return None

    monkeypatch.setattr(CredentialStore, "get", get)
    ticks = 0

    async def run() -> None:
        nonlocal ticks
        sprint = sprint_at(tmp_path)
        async with check_context(sprint) as ctx:
            lookup = asyncio.ensure_future(ctx.credential("cloudflare_api_token"))
            for _ in range(5):  # the loop keeps turning while the lookup hangs
                await asyncio.sleep(0.01)
                ticks += 1
            lookup.cancel()

    asyncio.run(run())
    assert ticks == 5
    hung = [t for t in threading.enumerate() if t.name == "launchtui-keyring"]
    assert hung and all(t.daemon for t in hung)  # cannot keep the process alive
    release.set()


def test_the_network_context_holds_no_sprint_and_no_credentials(tmp_path):
    """The network, the sprint and the credentials are separate parts of a check's context:
    what only needs the network (the lab, the spf command) cannot reach a credential."""

    async def run() -> None:
        async with NetworkContext.create(sprint_at(tmp_path).network) as net:
            assert not hasattr(net, "credential") and not hasattr(net, "sprint")
        async with check_context(sprint_at(tmp_path)) as ctx:
            assert ctx.sprint.id == "acme" and ctx.credentials.sprint_id == "acme"

    asyncio.run(run())
