"""Running one check on one target against a lab, the way the engine does."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import trustme
from servers import Handler, server_thread

from launchtui.checks.context import check_context
from launchtui.checks.engine import run_one
from launchtui.checks.registry import all_checks
from launchtui.lab import Lab
from launchtui.model.results import Result, Status
from launchtui.model.sprint import Sprint
from launchtui.model.targets import Target
from launchtui.net.timeouts import Timeouts
from launchtui.sprint import store

FAST = Timeouts.uniform(2.0)


def lab_sprint(lab: Lab, directory: Path) -> Sprint:
    return store.load(lab.write_sprint(directory / "lab.toml")).sprint


def lab_dig(sprint: Sprint) -> str:
    """How a fix starts a `dig` for this sprint: at its nameserver, on the lab's port."""
    address, port = sprint.network.nameservers[0]
    return f"dig +short @{address} -p {port}"


def run_check(
    check_id: str, sprint: Sprint, target: Target | str, timeouts: Timeouts = FAST
) -> Result:
    """Run one check on one target; a target given as text is read as a stored result's is
    (Target.parse), so a test names it the way the sprint file and the reports show it."""
    check = next(c for c in all_checks() if c.id == check_id)
    if isinstance(target, str):
        target = Target.parse(target)

    async def go() -> Result:
        async with check_context(sprint, timeouts=timeouts) as ctx:
            return await run_one(check, target, ctx)

    return asyncio.run(go())


def assert_could_not_check(result: Result, reason: str | re.Pattern[str]) -> None:
    """`result` is an error for `reason` (a substring, or a pattern searched for) and not a
    crash of the check: the engine turns a check's own exception into an error too."""
    assert result.status is Status.ERROR, result.summary
    assert "internal error" not in result.summary, result.summary
    assert "internal_error" not in result.evidence, result.evidence
    if isinstance(reason, str):
        assert reason in result.summary, result.summary
    else:
        assert reason.search(result.summary), result.summary


@contextlib.contextmanager
def https_site(sprint: Sprint, directory: Path, host: str) -> Iterator[Callable[..., Sprint]]:
    """serve(handler, extra=None) -> `sprint` where https://HOST/ reaches a loopback TLS server
    running `handler` (a raw asyncio stream handler) with a certificate for HOST from a
    throwaway CA the sprint trusts; `extra` maps more (host, port) pairs."""
    ca = trustme.CA()
    ca_file = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(host).configure_cert(context)
    with server_thread() as thread:

        def serve(handler: Handler, extra: dict[Any, Any] | None = None) -> Sprint:
            port = thread.serve(handler, context)
            mapped = {(host, 443): ("127.0.0.1", port), **(extra or {})}
            network = dataclasses.replace(sprint.network, ca_bundle=ca_file, connect_to=mapped)
            return dataclasses.replace(sprint, network=network)

        yield serve
