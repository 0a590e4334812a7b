"""What a check runs with, as three separate things: the network, the sprint, its credentials.

The network context (resolver, HTTP client, TLS trust, verify commands) knows nothing of the
sprint beyond [network]; the sprint is the target description being checked; credentials are
read through the keyring once per run, however many targets ask.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from launchtui.background import daemon_future
from launchtui.model.sprint import NetworkConfig, Sprint
from launchtui.net.context import NetworkContext
from launchtui.net.timeouts import Timeouts


@dataclass(slots=True)
class Credentials:
    """The sprint's credentials for one run."""

    sprint_id: str
    _read: dict[str, asyncio.Future[str | None]] = field(default_factory=dict)

    async def get(self, name: str) -> str | None:
        """The credential `name` (None when not set), read once per run. Raises
        CredentialError.

        The OS keyring may wait on D-Bus, so it is asked in a daemon thread: the event loop
        (the app's, or a run's) goes on meanwhile, and a lookup that never returns can neither
        freeze the UI nor keep the process alive after quitting; the check's budget ends it.
        """
        if name not in self._read:
            # Imported here: the keyring loads on the first read, not with every check module.
            from launchtui.credentials import CredentialStore

            store = CredentialStore(self.sprint_id)
            self._read[name] = daemon_future(lambda: store.get(name), "launchtui-keyring")
        return await asyncio.shield(self._read[name])


@dataclass(slots=True)
class CheckContext:
    net: NetworkContext
    sprint: Sprint
    credentials: Credentials
    # Work shared by the targets of one run (a platform's listing read once for every
    # variable), by a key the check chooses
    shared: dict[str, asyncio.Future[Any]] = field(default_factory=dict)

    async def credential(self, name: str) -> str | None:
        return await self.credentials.get(name)


@asynccontextmanager
async def check_context(
    sprint: Sprint, network: NetworkConfig | None = None, timeouts: Timeouts | None = None
) -> AsyncIterator[CheckContext]:
    """The context of one run over `sprint`: its [network] (or `network`, with command-line
    overrides applied), and a fresh cache of DNS answers, pages and credentials."""
    async with NetworkContext.create(network or sprint.network, timeouts) as net:
        yield CheckContext(net, sprint, Credentials(sprint.id))
