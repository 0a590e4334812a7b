"""Running one check on one target against a lab, the way the engine does."""

from __future__ import annotations

import asyncio
from pathlib import Path

from launchtui.checks.engine import run_one
from launchtui.checks.model import Result
from launchtui.checks.registry import all_checks
from launchtui.lab import Lab
from launchtui.net.context import NetworkContext
from launchtui.net.timeouts import Timeouts
from launchtui.sprint import store
from launchtui.sprint.model import Sprint

FAST = Timeouts.uniform(2.0)


def lab_sprint(lab: Lab, directory: Path) -> Sprint:
    return store.load(lab.write_sprint(directory / "lab.toml")).sprint


def run_check(check_id: str, sprint: Sprint, target: str, timeouts: Timeouts = FAST) -> Result:
    check = next(c for c in all_checks() if c.id == check_id)

    async def go() -> Result:
        async with NetworkContext.create(sprint.network, timeouts, sprint) as ctx:
            return await run_one(check, target, ctx)

    return asyncio.run(go())
