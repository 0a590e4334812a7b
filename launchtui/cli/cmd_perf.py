"""`launchtui perf`: stage 4 from the command line.

- `perf baseline SPRINT`: mark the latest perf.latency figures as the baseline. It lives in the
  run history beside the sprint file (NAME.runs.sqlite, table `baselines`); perf.latency warns
  when a flow's p95 rises more than 20 % over it.
- `perf plan SPRINT`: print what perf.latency would send, without sending anything.
- `perf export SPRINT --locust FILE`: the sprint's core flows as a locustfile. Reads the sprint
  file only ([flows] and [network]); no network, no credential values (a flow needing one reads
  it from the environment when Locust runs); the sprint file itself is never overwritten.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from launchtui.errors import UsageError


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "perf",
        help="performance baselines, probe plans and a Locust export",
        description="Performance guardrails (stage 4) from the command line. Exit code 2 on a "
        "usage or sprint-file error.",
    )
    actions = parser.add_subparsers(dest="perf_command", metavar="ACTION", required=True)
    baseline = actions.add_parser(
        "baseline",
        help="mark the latest perf.latency figures as the baseline",
        description="Mark the latest perf.latency figures (p95 and error rate per flow, from the "
        "run history) as the baseline later runs are compared with; exit 1 when no flow has "
        "figures yet.",
    )
    plan = actions.add_parser(
        "plan",
        help="print what perf.latency would send, sending nothing",
        description="Print the probe each flow would get (count, rate, concurrency, URLs).",
    )
    for action, handler in ((baseline, run_baseline), (plan, run_plan)):
        action.add_argument("sprint", metavar="SPRINT", help="the sprint file (TOML)")
        action.set_defaults(handler=handler)
    export = actions.add_parser(
        "export",
        help="write a locustfile of the sprint's [flows]",
        description="Write a locustfile (Python) of the sprint's core flows, for load that "
        "needs Locust's distributed master and workers.",
    )
    export.add_argument("sprint", metavar="SPRINT", help="the sprint file (TOML)")
    export.add_argument("--locust", metavar="FILE", required=True, help="the locustfile to write")
    export.set_defaults(handler=run_export)


def run_plan(args: argparse.Namespace) -> int:
    from launchtui.sprint import store

    for line in plan_lines(store.load(args.sprint).sprint):
        print(line)
    return 0


def run_baseline(args: argparse.Namespace) -> int:
    from launchtui.sprint import store

    return _baseline(store.load(args.sprint).path)


def plan_lines(sprint: Any) -> list[str]:
    """What perf.latency will send, one line per flow (printed before a run)."""
    from launchtui.checks.performance._targets import latency_flows
    from launchtui.model.targets import Kind
    from launchtui.perf.probe import PlanRefused, make_plan

    settings = sprint.performance
    lines = []
    for target in latency_flows(sprint):
        if target.kind is Kind.SETTING:
            return ["perf.latency: no flow declared in [flows]: nothing will be sent"]
        flow = sprint.flow_specs[target.value]
        try:
            plan = make_plan(settings.requests, settings.rate_per_s, settings.concurrency)
        except PlanRefused as exc:
            lines.append(f"perf.latency {flow.name}: refused: {exc}")
            continue
        setup = "".join(f"{step.describe()} once, then " for step in flow.setup)
        lines.append(f"perf.latency {flow.name}: {setup}{plan.describe(flow.measured.describe())}")
    return lines


def _baseline(sprint_path: Any) -> int:
    from launchtui.checks.performance.latency import CHECK_ID
    from launchtui.sprint.history import Baseline, History

    history = History(sprint_path)
    at = datetime.now(UTC).isoformat(timespec="seconds")
    marked = []
    for run_id, result in history.latest_with_run(CHECK_ID):
        evidence = result.evidence
        if "p95_ms" not in evidence or "error_rate" not in evidence:
            continue  # an error or skip: no figures
        marked.append(
            Baseline(
                CHECK_ID,
                str(result.target),
                float(evidence["p95_ms"]),
                float(evidence["error_rate"]),
                run_id,
                at,
            )
        )
    if not marked:
        print(
            f"{sprint_path.name}: no perf.latency figures in the run history yet: run "
            f"`launchtui check {sprint_path.name} --stage performance --save` first",
            file=sys.stderr,
        )
        return 1
    history.set_baselines(marked)
    print(f"baseline marked ({at}):")
    print(f"{'flow':<16} {'p95 ms':>8} {'errors':>8}  run")
    for b in marked:
        print(f"{b.target:<16} {b.p95_ms:>8.1f} {b.error_rate:>8.2%}  {b.run_id}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from launchtui.perf import locust
    from launchtui.sprint import store

    document = store.load(args.sprint)
    target = Path(args.locust)
    if target.exists() and os.path.samefile(target, document.path):
        raise UsageError(f"{args.locust}: is the sprint file itself; choose another output file")
    try:
        count = locust.write(document.sprint, target)
    except OSError as exc:
        raise UsageError(f"{args.locust}: cannot write: {exc.strerror or exc}") from None
    print(
        f"wrote a locustfile of {count} flow{'s' if count != 1 else ''} to {args.locust}",
        file=sys.stderr,
    )
    return 0
