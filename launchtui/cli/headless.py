"""Running checks headless and rendering the report: shared by `check` and `demo`."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from launchtui.checks.context import check_context
from launchtui.checks.engine import now_iso, run_checks
from launchtui.checks.registry import checks_for_stages
from launchtui.cli.dns_options import nameservers, timeout
from launchtui.errors import UsageError
from launchtui.model.limits import DEFAULT_CONCURRENCY
from launchtui.model.results import Result, Severity
from launchtui.model.sprint import NetworkConfig
from launchtui.model.stages import STAGE_NAMES
from launchtui.model.tasks import Task, tasks_for
from launchtui.net.address import parse_connect_to
from launchtui.net.context import with_overrides
from launchtui.reports import json_report, junit, text
from launchtui.reports.run import RunReport
from launchtui.sprint import store
from launchtui.sprint.tasks_store import saved_tasks, task_done

_RENDERERS = {"text": text.render, "json": json_report.render, "junit": junit.render}


def render(report: RunReport, format_name: str) -> str:
    return _RENDERERS[format_name](report)


def execute(
    document: store.SprintDocument,
    *,
    stages: list[str],
    fail_on: Severity,
    overrides: argparse.Namespace | None = None,
    demo: bool = False,
    only: tuple[str, ...] = (),
) -> RunReport:
    """Run the selected checks (no stages: every stage; `only`: just these check ids of
    them) on a loaded sprint, build the report."""
    sprint = document.sprint
    network = sprint.network
    concurrency = DEFAULT_CONCURRENCY
    if overrides is not None:
        network = _apply_flags(network, overrides)
        concurrency = overrides.concurrency
    previous = {key: stored.status for key, stored in store.saved_results(document).items()}
    stages = list(dict.fromkeys(stages)) or list(STAGE_NAMES)
    checks = checks_for_stages(stages)
    if only:
        checks = [check for check in checks if check.id in only]
    if overrides is not None and any(check.id == "perf.latency" for check in checks):
        from launchtui.cli.cmd_perf import plan_lines

        # What the latency probe will send, said before it sends anything (stderr: the
        # report's formats stay clean on stdout)
        for line in plan_lines(sprint):
            print(f"launchtui: {line}", file=sys.stderr)
    started_at = now_iso()
    began = time.perf_counter()

    async def go() -> list[Result]:
        async with check_context(sprint, network) as ctx:
            return await run_checks(checks, ctx, concurrency=concurrency)

    results = asyncio.run(go())
    return RunReport(
        sprint=sprint,
        stages=stages,
        results=results,
        fail_on=fail_on,
        started_at=started_at,
        wall_ms=round((time.perf_counter() - began) * 1000),
        previous={k: str(v) for k, v in previous.items()},
        open_tasks=_open_tasks(document, stages),
        unchecked_stages=[name for name in stages if not checks_for_stages([name])],
        demo=demo,
    )


def _open_tasks(document: store.SprintDocument, stages: list[str]) -> list[Task]:
    """The manual tasks of the stages run that nobody has marked done, in stage order."""
    states = saved_tasks(document)
    return [
        task
        for name in STAGE_NAMES
        if name in stages
        for task in tasks_for(name)
        if not task_done(task, states)
    ]


def _apply_flags(network: NetworkConfig, args: argparse.Namespace) -> NetworkConfig:
    try:
        connect_to = dict(parse_connect_to(text) for text in args.connect_to)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    ca_bundle = None
    if args.ca_bundle:
        ca_bundle = Path(args.ca_bundle).resolve()
        if not ca_bundle.is_file():
            raise UsageError(f"--ca-bundle: no such file: {args.ca_bundle}")
    return with_overrides(network, nameservers(args), ca_bundle, connect_to, timeout(args))
